import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeInBrowser, eventually, homeLoaded, launchBrowser, openPage, signUpInBrowser, uniqueHandle } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('live home timeline', () => {
  it('shows a followed colleague’s new post behind the "new posts" bar without a reload', async () => {
    // Two people, two browser profiles.
    const author = await openPage(browser);
    const reader = await openPage(browser);
    const authorHandle = uniqueHandle('author');
    await signUpInBrowser(author.page, authorHandle, 'Ana Souza');
    await composeInBrowser(author.page, 'Morning! Standup moved to 10:15 today.');
    await signUpInBrowser(reader.page, uniqueHandle('reader'), 'Ravi Menon');

    // The reader follows the author from the author's profile page.
    await reader.page.goto(`/@${authorHandle}`);
    await reader.page.getByRole('heading', { level: 1, name: 'Ana Souza' }).waitFor();
    await reader.page.getByRole('button', { name: `Follow @${authorHandle}`, exact: true }).click();
    await reader.page.getByRole('button', { name: `Unfollow @${authorHandle}`, exact: true }).waitFor();

    // Back home (client-side navigation): the author's earlier post is there, and the live stream opens.
    const streamOpen = reader.page.waitForResponse((r) => r.url().includes('/api/stream?timeline=home'));
    await reader.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home', exact: true }).click();
    await homeLoaded(reader.page);
    const feed = reader.page.getByRole('feed', { name: 'Home' });
    expect(await feed.locator('article').first().textContent()).toContain('Standup moved to 10:15');
    const stream = await streamOpen;
    expect(stream.status()).toBe(200);
    expect(await stream.headerValue('content-type')).toContain('text/event-stream');
    const shownBefore = await feed.locator('article').count();
    const loadsBefore = { n: 0 };
    reader.page.on('request', (r) => {
      if (r.url().includes('/api/timelines/home') || r.resourceType() === 'document') loadsBefore.n += 1;
    });

    // The author posts in their own browser…
    const news = 'Release 4.2 is out: faster search and the new directory filters #release';
    await composeInBrowser(author.page, news);

    // …and the reader sees the bar, not a list that jumps under them.
    const bar = reader.page.getByRole('button', { name: '1 new post' });
    await bar.waitFor();
    expect(await feed.locator('article').count()).toBe(shownBefore);
    expect(await feed.textContent()).not.toContain('Release 4.2 is out');

    await bar.click();
    await eventually(() => feed.locator('article').count()).toBe(shownBefore + 1);
    const top = feed.locator('article').first();
    expect(await top.textContent()).toContain(news);
    expect(await top.locator('.author').textContent()).toContain(`@${authorHandle}`);
    expect(await bar.count()).toBe(0);
    // Clicking the bar moves focus to the newest post.
    await eventually(() => top.evaluate((el) => el === document.activeElement)).toBe(true);
    // No reload and no refetch: the post came over the stream.
    expect(loadsBefore.n).toBe(0);

    expect(author.problems).toEqual([]);
    expect(reader.problems).toEqual([]);
    await author.context.close();
    await reader.context.close();
  });
});
