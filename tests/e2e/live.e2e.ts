import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiUser, composeInBrowser, eventually, homeLoaded, launchBrowser, openPage, signInInBrowser, signUpInBrowser, uniqueHandle } from './helpers';

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

  it('catches up after the stream drops: missed posts in order behind the bar, deleted ones gone', async () => {
    const author = await ApiUser.create(uniqueHandle('poster'), 'Pia Lund');
    const readerHandle = uniqueHandle('lurker');
    const reader = await ApiUser.create(readerHandle, 'Lou Park');
    await reader.follow(author.handle);
    await author.post('old one');
    const doomed = await author.post('old two, deleted while the stream is down');
    const live = await author.call<{ post: unknown }>('GET', `/api/posts/${(await author.post('live one')).id}`);
    const { context, page, problems } = await openPage(browser);
    // The first stream delivers one post, with an id, and ends (as a dropped connection does); the next one waits
    // until the missed posts are made.
    let release!: () => void;
    const missedMade = new Promise<void>((resolve) => (release = resolve));
    let opened = 0;
    await page.route('**/api/stream**', async (route) => {
      if (++opened === 1) {
        return route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `event: ready\ndata: {}\n\nid: WyJlIiwxXQ\nevent: post\ndata: ${JSON.stringify(live.post)}\n\n` });
      }
      await missedMade;
      return route.continue();
    });
    // Served from before 'live one' was posted, so that one arrives over the stream.
    await page.route('**/api/timelines/home**', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { items: { text: string }[]; next: string | null };
      if (opened <= 1) body.items = body.items.filter((p) => p.text !== 'live one');
      return route.fulfill({ response: res, json: body });
    });
    await signInInBrowser(page, readerHandle);
    const feed = page.getByRole('feed', { name: 'Home' });
    await page.getByRole('button', { name: '1 new post' }).waitFor();

    await author.post('missed one');
    await author.post('missed two');
    await author.call('DELETE', `/api/posts/${doomed.id}`);
    release();

    // Reconnected: the first page of the new stream's catch-up puts everything in its place.
    await eventually(() => opened, 15_000).toBeGreaterThanOrEqual(2);
    const bar = page.getByRole('button', { name: '3 new posts' });
    await bar.waitFor({ timeout: 15_000 });
    await eventually(() => feed.textContent()).not.toContain('old two');
    await bar.click();
    await eventually(() => feed.locator('article').count()).toBe(4);
    const texts = await feed.locator('article').allTextContents();
    expect(texts.map((t) => /missed two|missed one|live one|old one/.exec(t)?.[0])).toEqual(['missed two', 'missed one', 'live one', 'old one']);
    expect(problems).toEqual([]);
    await context.close();
  });
});
