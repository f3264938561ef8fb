import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, eventually, homeLoaded, launchBrowser, openPage, signUpInBrowser, uniqueHandle } from './helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** What `curl -H "Authorization: Bearer $T" [-d …] URL` sends. */
function curl(path: string, token: string, data?: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'user-agent': 'curl/8.5.0', accept: '*/*' };
  if (data !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  return fetch(`${baseUrl()}${path}`, { method: data === undefined ? 'GET' : 'POST', headers, body: data });
}

describe('API tokens in Settings', () => {
  it('creates a token shown once, which works from a terminal until it is revoked', async () => {
    const { context, page, problems } = await openPage(browser);
    const handle = uniqueHandle('bot_owner');
    await signUpInBrowser(page, handle, 'Kim Lindqvist');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const tokens = page.getByRole('region', { name: 'API tokens' });
    await tokens.getByText('No tokens yet.').waitFor();

    const form = tokens.getByRole('form', { name: 'Create a token' });
    await form.getByLabel('Token name').fill('laptop terminal');
    const read = form.getByRole('checkbox', { name: /^read/ });
    const write = form.getByRole('checkbox', { name: /^write/ });
    expect(await read.isChecked()).toBe(true);
    expect(await write.isChecked()).toBe(false);
    await write.check();
    await form.getByRole('button', { name: 'Create token' }).click();

    const secretField = tokens.getByLabel('New token secret');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(20);
    expect(await tokens.textContent()).toContain('It is shown only this once');
    const row = tokens.getByRole('row').filter({ hasText: 'laptop terminal' });
    await row.waitFor();
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('read, write');

    // Shown once: after a reload the token is listed, but its secret appears nowhere on the page.
    await page.reload();
    await row.waitFor();
    expect(await tokens.getByLabel('New token secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    // curl -H "Authorization: Bearer $T" HOST/home → the home timeline as plain text.
    const home = await curl('/home', secret);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await home.text()).toContain(`@${handle}`);

    // curl -H "Authorization: Bearer $T" -d 'text' HOST/post → 201 and the new post with its URL.
    const text = 'Posted from my terminal with a token made in Settings #cli';
    const posted = await curl('/post', secret, text);
    const body = await posted.text();
    expect(posted.status, body).toBe(201);
    expect(posted.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(body).toContain('Posted from my terminal');
    expect(body).toMatch(new RegExp(`${baseUrl()}/@${handle}/\\S+`));
    // …and it is the signed-in user's post in the browser too.
    await page.goto('/home');
    await homeLoaded(page);
    expect(await page.getByRole('feed', { name: 'Home' }).locator('article').first().textContent()).toContain(text);

    // Revoke it in Settings (the confirmation is accepted): the same requests now get 401.
    await page.goto('/settings');
    await row.waitFor();
    await row.getByRole('button', { name: 'Revoke laptop terminal' }).click();
    await tokens.getByText('No tokens yet.').waitFor();
    await eventually(async () => (await curl('/home', secret)).status).toBe(401);
    const refused = await curl('/post', secret, 'this must not be posted');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('text/plain');

    expect(problems).toEqual([]);
    await context.close();
  });
});
