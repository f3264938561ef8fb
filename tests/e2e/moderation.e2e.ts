import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  ApiUser,
  baseUrl,
  composeInBrowser,
  eventually,
  homeLoaded,
  launchBrowser,
  openPage,
  promoteToAdmin,
  signInInBrowser,
  signUpInBrowser,
  uniqueHandle,
} from './helpers';

const ARTIFACTS = join(process.cwd(), 'tests', 'e2e', 'artifacts');

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const homeFeed = (page: Page) => page.getByRole('feed', { name: 'Home' });
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? null);

/** Opens a profile and waits until the profile (its counts) has arrived. */
async function openProfile(page: Page, handle: string): Promise<void> {
  await page.goto(`/@${handle}`);
  await page.getByRole('list', { name: 'Counts' }).waitFor();
}

/** The article of the post whose text contains `text`, in any list on the page. */
const postWith = (page: Page, text: string) => page.locator('article[data-post-id]', { hasText: text });

describe('muting and blocking from a profile', () => {
  it('mutes an author: their new posts stay out of the home timeline after a reload, and come back on unmute', async () => {
    const { context, page, problems } = await openPage(browser);
    const them = await ApiUser.create(uniqueHandle('loud'), 'Loud Colleague');
    await signUpInBrowser(page, uniqueHandle('muter'), 'Mia Muter');

    // Follow them from their profile (from the keyboard), so their posts belong in the home timeline.
    await openProfile(page, them.handle);
    await page.getByRole('button', { name: `Follow @${them.handle}`, exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Unfollow @${them.handle}`, exact: true }).waitFor();
    // The keyboard stays where it was, on the button that now says Unfollow.
    expect(await focusedText(page)).toBe(`Unfollow @${them.handle}`);
    const before = `before the mute ${Date.now()}`;
    await them.post(before);
    await page.goto('/home');
    await homeLoaded(page);
    await postWith(page, before).waitFor();

    // Mute: the button flips and the profile says what it means.
    await openProfile(page, them.handle);
    expect(await page.getByText(/^You muted/).count()).toBe(0);
    await page.getByRole('button', { name: `Mute @${them.handle}`, exact: true }).click();
    await page.getByRole('button', { name: `Unmute @${them.handle}`, exact: true }).waitFor();
    expect(
      await page.getByText(`You muted @${them.handle}: their posts are hidden from your timelines, search and notifications.`).count(),
    ).toBe(1);
    // Muting is not unfollowing.
    expect(await page.getByRole('button', { name: `Unfollow @${them.handle}`, exact: true }).count()).toBe(1);
    // The server remembers it: after a reload the profile still shows as muted.
    await page.reload();
    await page.getByRole('button', { name: `Unmute @${them.handle}`, exact: true }).waitFor();
    expect(await page.getByText(/^You muted/).count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'profile-muted.png') });

    // They post while muted; then I post, so the home timeline has something newer to wait for.
    const during = `while muted ${Date.now()}`;
    await them.post(during);
    await page.goto('/home');
    await homeLoaded(page);
    const mine = `my own post after muting ${Date.now()}`;
    await composeInBrowser(page, mine);
    await page.reload();
    await homeLoaded(page);
    await postWith(page, mine).waitFor();
    expect(await homeFeed(page).textContent()).not.toContain(during);
    expect(await homeFeed(page).textContent()).not.toContain(before);

    // Unmute: their posts are back, the one written while muted included.
    await openProfile(page, them.handle);
    await page.getByRole('button', { name: `Unmute @${them.handle}`, exact: true }).click();
    await page.getByRole('button', { name: `Mute @${them.handle}`, exact: true }).waitFor();
    expect(await page.getByText(/^You muted/).count()).toBe(0);
    // Client-side navigation: the kept home timeline was dropped, so it shows them at once.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
    await postWith(page, during).waitFor();
    await page.reload();
    await homeLoaded(page);
    await postWith(page, during).waitFor();
    expect(await homeFeed(page).textContent()).toContain(before);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('blocks after confirming: following ends both ways, they cannot follow back, and unblocking does not refollow', async () => {
    const { context, page, problems } = await openPage(browser);
    const me = uniqueHandle('blocker');
    const them = await ApiUser.create(uniqueHandle('pest'), 'Persistent Pest');
    await signUpInBrowser(page, me, 'Bea Blocker');
    await them.follow(me);
    const asked: string[] = [];
    page.on('dialog', (d) => asked.push(`${d.type()}: ${d.message()}`));

    await openProfile(page, them.handle);
    const counts = page.getByRole('list', { name: 'Counts' });
    await page.getByRole('button', { name: `Follow @${them.handle}`, exact: true }).click();
    await page.getByRole('button', { name: `Unfollow @${them.handle}`, exact: true }).waitFor();
    await eventually(() => counts.textContent()).toContain('1 follower');

    await page.getByRole('button', { name: `Block @${them.handle}`, exact: true }).click();
    await page.getByRole('button', { name: `Unblock @${them.handle}`, exact: true }).waitFor();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(new RegExp(`^confirm: Block @${them.handle}\\?`));
    // Following is cleared on screen (no follow control while blocked) and a note explains the block.
    expect(await page.getByRole('button', { name: /Follow @/ }).count()).toBe(0);
    expect(await counts.textContent()).toContain('0 followers');
    expect(await page.getByText(new RegExp(`^You blocked @${them.handle}: they cannot follow you`)).count()).toBe(1);

    // And on the server: neither follows the other, and they cannot follow again.
    const seen = await them.call<{ account: { following: boolean } }>('GET', `/api/accounts/${me}`);
    expect(seen.account.following).toBe(false);
    await them.call('PUT', `/api/accounts/${me}/follow`, undefined, 403);
    await page.reload();
    await page.getByRole('button', { name: `Unblock @${them.handle}`, exact: true }).waitFor();
    expect(await counts.textContent()).toContain('0 followers');

    // Unblocking asks nothing and does not refollow; they may follow again.
    await page.getByRole('button', { name: `Unblock @${them.handle}`, exact: true }).click();
    await page.getByRole('button', { name: `Follow @${them.handle}`, exact: true }).waitFor();
    expect(asked).toHaveLength(1);
    expect(await page.getByText(/^You blocked/).count()).toBe(0);
    await them.follow(me);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('offers no follow, mute, block or report controls on your own profile and posts', async () => {
    const { context, page, problems } = await openPage(browser);
    const me = uniqueHandle('self');
    await signUpInBrowser(page, me, 'Sam Self');
    await composeInBrowser(page, 'just me here');
    expect(await homeFeed(page).getByRole('button', { name: 'Report' }).count()).toBe(0);
    await openProfile(page, me);
    await page.locator('article').first().waitFor();
    expect(await page.getByRole('button', { name: /^(Mute|Block|Follow) @/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Report' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('"in reply to" links', () => {
  it('go from a reply to the thread of the post it answers, with the handle in the URL corrected', async () => {
    const { context, page, problems } = await openPage(browser);
    const asker = await ApiUser.create(uniqueHandle('asker'), 'Ada Asker');
    const answerer = await ApiUser.create(uniqueHandle('answer'), 'Andy Answer');
    const question = await asker.post(`Who owns the build cache? ${Date.now()}`);
    const answer = await answerer.post(`@${asker.handle} the platform team does`, question.id);
    await signUpInBrowser(page, uniqueHandle('reader'), 'Rita Reader');
    await page.goto('/public');
    const link = postWith(page, 'the platform team does').getByRole('link', { name: 'in reply to' });
    expect(await link.getAttribute('href')).toBe(`/@${answerer.handle}/${question.id}`);
    // Not a reply: no link.
    expect(await postWith(page, question.text).getByRole('link', { name: 'in reply to' }).count()).toBe(0);

    await link.click();
    await page.waitForURL(`**/@${asker.handle}/${question.id}`);
    await page.getByRole('heading', { level: 1, name: 'Post by Ada Asker' }).waitFor();
    expect(await page.locator('.focal article').getAttribute('data-post-id')).toBe(question.id);
    // The reply is listed under it, without a link back to the page it is on.
    const listed = page.getByRole('feed', { name: 'Replies' }).locator(`article[data-post-id="${answer.id}"]`);
    await listed.waitFor();
    expect(await listed.getByRole('link', { name: 'in reply to' }).count()).toBe(0);

    // A fresh load of the "wrong" URL is corrected the same way.
    await page.goto(`/@${answerer.handle}/${question.id}`);
    await page.waitForURL(`**/@${asker.handle}/${question.id}`);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('reporting a post, and the admins’ reports page', () => {
  it('reports a post through an accessible dialog; an admin sees it under /reports and deletes the post', async () => {
    const author = await ApiUser.create(uniqueHandle('spammer'), 'Sly Spammer');
    const filler = await ApiUser.create(uniqueHandle('filler'), 'Fran Filler');
    const admin = await ApiUser.create(uniqueHandle('admin'), 'Alex Admin');
    await promoteToAdmin(admin.handle);

    // Twenty older reports by someone else, so the admin's list has a second page;
    // the oldest is about a post its author has deleted since, which settles that report.
    const older: string[] = [];
    for (let i = 0; i < 20; i++) {
      const p = await filler.post(`filler post number ${i}`);
      await author.call('POST', `/api/posts/${p.id}/report`, { reason: `filler reason ${i}` });
      older.push(p.id);
    }
    await filler.call('DELETE', `/api/posts/${older[0]}`);

    const reporter = await openPage(browser);
    const rep = reporter.page;
    const bad = await author.post(`Buy cheap watches at example.com ${Date.now()}`);
    const reporterHandle = uniqueHandle('reporter');
    await signUpInBrowser(rep, reporterHandle, 'Rae Reporter');
    await rep.goto('/public');
    const trigger = postWith(rep, bad.text).getByRole('button', { name: 'Report' });
    expect(await trigger.getAttribute('aria-haspopup')).toBe('dialog');

    // A labelled modal dialog with focus in the reason; Escape closes it and focus returns.
    await trigger.click();
    const dialog = rep.getByRole('dialog', { name: 'Report this post' });
    await dialog.waitFor();
    const reason = dialog.getByRole('textbox', { name: 'Why are you reporting it?' });
    await eventually(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await reason.getAttribute('required')).not.toBeNull();
    expect(await dialog.getByRole('button', { name: 'Send report' }).isDisabled()).toBe(true);
    expect(await rep.evaluate(() => document.querySelector('dialog.modal')?.matches(':modal'))).toBe(true);
    // Tab stays inside the dialog (the page behind is inert).
    for (let i = 0; i < 4; i++) {
      await rep.keyboard.press('Tab');
      // (Past the last control focus may rest on the document itself, never on the page behind.)
      expect(await rep.evaluate(() => Boolean(document.activeElement?.closest('dialog')) || document.activeElement === document.body)).toBe(true);
    }
    expect(await accessibilityProblems(rep)).toEqual([]);
    await rep.screenshot({ path: join(ARTIFACTS, 'report-dialog.png') });
    await rep.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await eventually(() => trigger.evaluate((el) => el === document.activeElement)).toBe(true);

    // A server error (the post vanished meanwhile) shows inside the dialog, which stays open.
    // (On the author's profile: the live public timeline would drop the deleted post, dialog and all.)
    const gone = await author.post(`this one will be gone before the report arrives ${Date.now()}`);
    await rep.goto(`/@${author.handle}`);
    await postWith(rep, gone.text).getByRole('button', { name: 'Report' }).click();
    await dialog.waitFor();
    await reason.fill('spam');
    await author.call('DELETE', `/api/posts/${gone.id}`);
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await eventually(() => dialog.getByRole('alert').count()).toBe(1);
    expect((await dialog.getByRole('alert').textContent())?.trim()).not.toBe('');
    expect(await dialog.isVisible()).toBe(true);
    expect(await reason.inputValue()).toBe('spam');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await rep.goto('/public');

    // The real report: a reason, sent, thanked; Close returns focus to the Report button.
    await trigger.click();
    await dialog.waitFor();
    const why = 'Advertising watches: spam, against the guidelines.';
    await reason.fill(why);
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await eventually(() => dialog.getByRole('status').textContent()).toBe('Thanks — an admin will look at it.');
    await eventually(() => focusedText(rep)).toBe('Close');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await eventually(() => trigger.evaluate((el) => el === document.activeElement)).toBe(true);
    // The only console error is the 404 of reporting the vanished post.
    expect(reporter.problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
    // Someone else reports the same post too.
    await filler.call('POST', `/api/posts/${bad.id}/report`, { reason: 'also spam' });

    // Not an admin: no Reports link, and /reports says so politely.
    expect(await rep.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).count()).toBe(0);
    const res = await rep.goto('/reports');
    expect(res?.status()).toBe(200);
    await rep.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    await rep.getByText(/^Admins only/).waitFor();
    await reporter.context.close();

    // The admin: a Reports link in the header, newest report first, with its post.
    const { context, page, problems } = await openPage(browser);
    await signInInBrowser(page, admin.handle);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.waitForURL('**/reports');
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    const list = page.getByRole('list', { name: 'Open reports' });
    const items = list.locator(':scope > li');
    await eventually(() => items.count()).toBe(20);
    const first = items.first();
    const second = items.nth(1);
    expect(await first.textContent()).toContain('also spam');
    expect(await second.textContent()).toContain(why);
    expect(await second.textContent()).toContain(`Reported by @${reporterHandle}`);
    for (const item of [first, second]) {
      expect(await item.locator('article').getAttribute('data-post-id')).toBe(bad.id);
      expect(await item.locator('article').textContent()).toContain(bad.text);
    }
    // The same post twice on one page still has unique ids.
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'reports.png') });

    // Load more reaches the oldest open report; the one about the deleted post is no longer open.
    await page.getByRole('button', { name: 'Load more' }).click();
    await eventually(() => items.count()).toBe(21);
    const oldest = items.last();
    expect(await oldest.textContent()).toContain('filler reason 1');
    expect(await list.getByText('filler reason 0').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    // Delete the reported post: both its reports leave the list, and the post is gone for good.
    await first.getByRole('button', { name: 'Delete post' }).click();
    await eventually(() => list.locator(`article[data-post-id="${bad.id}"]`).count()).toBe(0);
    expect(await items.count()).toBe(19);
    const lookup = await fetch(`${baseUrl()}/api/posts/${bad.id}`, { headers: { authorization: `Bearer ${admin.token}`, accept: 'application/json' } });
    expect(lookup.status).toBe(404);
    // Focus moved on to the next report rather than being lost with the button.
    await eventually(() => page.evaluate(() => document.activeElement?.tagName)).toBe('LI');
    expect(await page.getByRole('status').filter({ hasText: 'Post deleted.' }).count()).toBe(1);

    await page.reload();
    await eventually(() => items.count()).toBe(19);
    expect(await list.locator(`article[data-post-id="${bad.id}"]`).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
