import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, ApiUser, composeInBrowser, eventually, homeLoaded, launchBrowser, openPage, PASSWORD, signInInBrowser, signUpInBrowser, uniqueHandle } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('signing up and posting', () => {
  it('signs up from the front page, composes a post and sees it in the home timeline (also after a reload)', async () => {
    const { context, page, problems } = await openPage(browser);
    const handle = uniqueHandle('newbie');
    await signUpInBrowser(page, handle, 'Noor Haddad');

    // A brand-new account has an empty home timeline.
    const feed = page.getByRole('feed', { name: 'Home' });
    expect(await feed.locator('article').count()).toBe(0);

    const text = 'First day on the data team! Say hi if you see me at the #onboarding lunch';
    await composeInBrowser(page, text);
    // After posting, the keyboard is back in the text box for the next one, not lost on the page.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('composer-text');
    const first = feed.locator('article').first();
    expect(await first.locator('.author').textContent()).toContain(`@${handle}`);
    // The tag is a link to its timeline.
    expect(await first.getByRole('link', { name: '#onboarding' }).getAttribute('href')).toBe('/tag/onboarding');

    // It was stored, not only drawn: a reload shows it from the server.
    await page.reload();
    await homeLoaded(page);
    expect(await feed.locator('article').count()).toBe(1);
    expect(await feed.locator('article').first().textContent()).toContain(text);

    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the composer counts like the server', () => {
  it('blocks a 281-character post and accepts exactly 280 characters typed as decomposed (NFD) text', async () => {
    const { context, page, problems } = await openPage(browser);
    await signUpInBrowser(page, uniqueHandle('counter'), 'Elif Çelik');
    const composer = page.getByRole('textbox', { name: 'New post' });
    const submit = page.getByRole('button', { name: 'Post', exact: true });
    const count = page.locator('#composer-count');

    // Empty: nothing to send.
    expect(await submit.isDisabled()).toBe(true);
    expect(await count.locator('[aria-hidden=true]').textContent()).toBe('280');

    await composer.fill('a'.repeat(281));
    await eventually(() => count.locator('[aria-hidden=true]').textContent()).toBe('-1');
    expect(await count.getAttribute('class')).toContain('over');
    expect(await count.textContent()).toContain('1 character over the limit');
    expect(await composer.getAttribute('aria-invalid')).toBe('true');
    expect(await submit.isDisabled()).toBe(true);
    // Ctrl+Enter does not get around the limit either (counted below: only one post is ever sent).
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/posts') sent.push(r.postData() ?? '');
    });
    await composer.press('Control+Enter');
    expect(await composer.inputValue()).toHaveLength(281);
    expect(await page.getByRole('alert').count()).toBe(0);

    // "é" as e + U+0301 is two code points before NFC and one after: 280 of them count as 280.
    const nfd = 'e\u0301'.repeat(280);
    expect([...nfd]).toHaveLength(560);
    await composer.fill(nfd);
    await eventually(() => count.locator('[aria-hidden=true]').textContent()).toBe('0');
    expect(await count.getAttribute('class')).not.toContain('over');
    expect(await composer.getAttribute('aria-invalid')).toBeNull();
    expect(await submit.isEnabled()).toBe(true);

    // And the server agrees: it is published, as 280 NFC code points.
    const created = page.waitForResponse((r) => r.url().endsWith('/api/posts') && r.request().method() === 'POST');
    await submit.click();
    const res = await created;
    expect(res.status()).toBe(201);
    const { post } = (await res.json()) as { post: { text: string } };
    expect(post.text).toBe('\u00e9'.repeat(280));
    await eventually(() => page.getByRole('feed', { name: 'Home' }).locator('article').count()).toBe(1);
    expect(await count.locator('[aria-hidden=true]').textContent()).toBe('280');
    // The over-limit draft never left the browser: the one request was the 280-character post.
    expect(sent).toHaveLength(1);
    expect((JSON.parse(sent[0]) as { text: string }).text).toBe(nfd);

    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('signing out', () => {
  it('returns to the sign-in screen, and the session no longer works in that browser', async () => {
    const { context, page, problems } = await openPage(browser);
    await signUpInBrowser(page, uniqueHandle('leaver'), 'Sam Ortiz');
    expect((await context.request.get('/api/me')).status()).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Welcome to bluetwit' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);

    // Same cookie jar as the page: the session is gone on the server, not only in the UI.
    const me = await context.request.get('/api/me', { headers: { accept: 'application/json' } });
    expect(me.status()).toBe(401);
    expect(((await me.json()) as { error: { code: string } }).error.code).toMatch(/^[a-z_]+$/);

    // A reload stays signed out, and a signed-in page sends the visitor to sign in.
    await page.goto('/home');
    await page.waitForURL('**/login?next=%2Fhome');
    await page.getByRole('form', { name: 'Sign in' }).waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });

  it('notices a session ended behind its back at the next request, signs out, and lets the person sign in again', async () => {
    const { context, page, problems } = await openPage(browser);
    const handle = uniqueHandle('lapsed');
    await signUpInBrowser(page, handle, 'Kim Lee');
    // Ended outside the page, as an expired session or a sign-out in another tab would be.
    const origin = new URL(page.url()).origin;
    expect((await context.request.delete('/api/sessions', { headers: { origin } })).status()).toBe(204);

    // The next request the page makes gets a 401 (one may already be on its way: the unread count, the role).
    const nav = page.getByRole('navigation', { name: 'Main' });
    const directory = nav.getByRole('link', { name: 'Directory', exact: true });
    if (await directory.isVisible()) await directory.click({ timeout: 2000 }).catch(() => {});
    // The 401 signed the client out without a reload: the header offers to sign in, and a signed-in page sends there.
    await nav.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto('/home');
    await page.waitForURL('**/login?next=%2Fhome');
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Handle').fill(handle);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await homeLoaded(page);
    expect(new URL(page.url()).pathname).toBe('/home');

    // The only console complaints are the 401s that told the client the session was gone.
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await context.close();
  });
});

describe('a session ending on the public timeline', () => {
  it('takes the previous account\'s list off the screen, and signing in again comes back to the page', async () => {
    const poster = await ApiUser.create(uniqueHandle('poster'), 'Pat Poster');
    const post = await poster.post('an announcement for everyone');
    const { context, page, problems } = await openPage(browser);
    const handle = uniqueHandle('reader');
    await signUpInBrowser(page, handle, 'Rae Reader');
    await page.goto('/public');
    const feed = page.getByRole('feed', { name: 'Public timeline' });
    const card = feed.locator(`article[data-post-id="${post.id}"]`);
    await card.waitFor();
    // The session ends elsewhere; the next request (a like, unless one the page makes by itself, such as the
    // stream's or the unread count's, finds out first and the list is already gone) signs the tab out.
    const origin = new URL(page.url()).origin;
    expect((await context.request.delete('/api/sessions', { headers: { origin } })).status()).toBe(204);
    await card.getByRole('button', { name: /^Like/ }).click({ timeout: 2000 }).catch(() => {});
    const signIn = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' });
    await signIn.waitFor();
    // Reading is for signed-in people here: the list the account saw is gone, not left on screen.
    await eventually(() => card.count()).toBe(0);
    expect(await signIn.getAttribute('href')).toBe('/login?next=%2Fpublic');
    await signIn.click();
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Handle').fill(handle);
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/public');
    await card.waitFor();
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await context.close();
  });
});

describe('drafts', () => {
  it('keeps a half-written post across a session that ended under it, and forgets it on signing out', async () => {
    const { context, page, problems } = await openPage(browser);
    const handle = uniqueHandle('drafter');
    await signUpInBrowser(page, handle, 'Ines Duarte');
    const draft = 'half-written notes on the offsite agenda, to finish after lunch';
    await page.getByRole('textbox', { name: 'New post' }).fill(draft);
    // The session ends behind the page's back; pressing Post finds out and signs the tab out (unless a request
    // the page makes by itself, the unread count, finds out first and the composer is already gone).
    const origin = new URL(page.url()).origin;
    expect((await context.request.delete('/api/sessions', { headers: { origin } })).status()).toBe(204);
    await page.getByRole('button', { name: 'Post', exact: true }).click({ timeout: 2000 }).catch(() => {});
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).waitFor();
    expect((await context.request.get(`/api/accounts/${handle}`, { headers: { accept: 'application/json' } })).status()).toBe(401);

    // Signing back in finds the draft where it was, nothing posted.
    await signInInBrowser(page, handle);
    expect(await page.getByRole('textbox', { name: 'New post' }).inputValue()).toBe(draft);
    expect(await page.getByRole('feed', { name: 'Home' }).locator('article').count()).toBe(0);

    // Signing out on purpose leaves nothing behind for whoever uses the tab next.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await signInInBrowser(page, handle);
    expect(await page.getByRole('textbox', { name: 'New post' }).inputValue()).toBe('');

    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await context.close();
  });
});

describe('the composer while a post is on its way', () => {
  it('takes no typing until the post lands, so nothing typed is lost when the box empties', async () => {
    const { context, page, problems } = await openPage(browser);
    await signUpInBrowser(page, uniqueHandle('slowpoke'), 'Sam Okafor');
    let release!: () => void;
    const landed = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/posts', async (route) => {
      await landed;
      await route.continue();
    });
    const box = page.getByRole('textbox', { name: 'New post' });
    await box.fill('first thought');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.getByRole('button', { name: 'Posting…' }).waitFor();
    await box.press('End');
    await page.keyboard.type(' and a second one', { delay: 5 });
    expect(await box.inputValue()).toBe('first thought');
    release();
    await eventually(() => page.getByRole('feed', { name: 'Home' }).locator('article').count()).toBe(1);
    expect(await page.getByRole('feed', { name: 'Home' }).locator('article').first().textContent()).toContain('first thought');
    expect(await box.inputValue()).toBe('');
    // And it takes typing again.
    await box.pressSequentially('next');
    expect(await box.inputValue()).toBe('next');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('help in the browser', () => {
  it('shows the terminal commands for this host, signed out', async () => {
    const { context, page, problems } = await openPage(browser);
    await page.goto('/help');
    await page.getByRole('heading', { level: 1, name: 'Help' }).waitFor();
    const commands = page.locator('pre.terminal-help');
    await commands.waitFor();
    expect(await commands.textContent()).toContain(`curl -u alice -X POST ${new URL(page.url()).origin}/token`);
    expect(problems).toEqual([]);
    await context.close();
  });
});
