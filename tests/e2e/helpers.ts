import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

/** Retries an assertion until it holds (10 s at most): the wait-for-condition of these tests. */
export const eventually = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 50 });

/** The running server's origin (started by global-setup.ts). */
export const baseUrl = (): string => inject('baseUrl');

/** Makes an existing account an admin with the operator's CLI, on the e2e server's database. */
export async function promoteToAdmin(handle: string): Promise<void> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'create-admin', handle], {
    cwd: process.cwd(),
    env: { ...process.env, BLUETWIT_DB: inject('dbPath') },
  });
  expect(stdout).toContain(`@${handle} is now an admin`);
}

/** Debian's chromium, headless, with everything that would phone home switched off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh browser profile (its own cookies) at desktop width in the light theme. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl(),
    viewport: { width: 1000, height: 900 },
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  // Locator actions wait for their element; fail well inside the test timeout.
  context.setDefaultTimeout(10_000);
  return context;
}

/**
 * Console errors and uncaught exceptions of a page, CSP violations included (Chromium reports
 * them as console errors). The one expected error is the signed-out boot: GET /api/me → 401.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  const expected = (m: ConsoleMessage) =>
    /status of 401/.test(m.text()) && new URL(m.location().url || 'about:blank', baseUrl()).pathname === '/api/me';
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !expected(m)) problems.push(`console.${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  // Revoking a token and deleting a post ask for confirmation.
  page.on('dialog', (d) => void d.accept());
  return problems;
}

/** A page in its own context, with its console watched. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watchConsole(page);
  return { context, page, problems };
}

/**
 * Cheap accessibility checks of the page on screen: every form control and link or button has
 * an accessible name (a <label> that really points at it, aria-label(ledby) or text), and no id
 * is used twice (a duplicate id silently detaches labels and aria references).
 */
export function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('input, textarea, select, button, a[href]')) {
      if (el.closest('[hidden], dialog:not([open])') || (el as HTMLInputElement).type === 'hidden') continue;
      const field = el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
      const named =
        ((el as HTMLInputElement).labels?.length ?? 0) > 0 ||
        Boolean(el.getAttribute('aria-label')?.trim()) ||
        Boolean(el.getAttribute('aria-labelledby')) ||
        (!field && Boolean(el.textContent?.trim()));
      if (!named) bad.push(`no accessible name: ${el.outerHTML.slice(0, 120)}`);
    }
    const seen = new Set<string>();
    for (const el of document.querySelectorAll('[id]')) {
      if (seen.has(el.id)) bad.push(`duplicate id: ${el.id}`);
      seen.add(el.id);
    }
    for (const el of document.querySelectorAll('[aria-labelledby], [aria-describedby], label[for]')) {
      const refs = [el.getAttribute('aria-labelledby'), el.getAttribute('aria-describedby'), el.getAttribute('for')].join(' ').split(/\s+/).filter(Boolean);
      for (const id of refs) if (!document.getElementById(id)) bad.push(`dangling reference to #${id}: ${el.outerHTML.slice(0, 80)}`);
    }
    return bad;
  });
}

let counter = 0;
/** A handle no other test (or earlier run on the same database) has used. */
export function uniqueHandle(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36).slice(-5)}${counter}`.toLowerCase().slice(0, 30);
}

export const PASSWORD = 'correct horse battery';

/** Signs up through the form on the signed-out front page; resolves once the home timeline shows. */
export async function signUpInBrowser(page: Page, handle: string, displayName: string, password = PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'Welcome to bluetwit' }).waitFor();
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Handle').fill(handle);
  await form.getByLabel('Display name').fill(displayName);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/home');
  await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
  await homeLoaded(page);
}

/** Signs in through the sign-in page; resolves once the home timeline has loaded. */
export async function signInInBrowser(page: Page, handle: string, password = PASSWORD): Promise<void> {
  await page.goto('/login');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Handle').fill(handle);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/home');
  await homeLoaded(page);
}

/** Waits until the home feed has answered its first page: posts, or the empty-feed note. */
export async function homeLoaded(page: Page): Promise<void> {
  await page.locator('.feed-wrap:has([role=feed][aria-label="Home"][aria-busy=false]) :is(article, p.empty)').first().waitFor();
}

/** Writes a post with the home composer and waits until it heads the feed. */
export async function composeInBrowser(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'New post' });
  await composer.fill(text);
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  await eventually(() => composer.inputValue()).toBe('');
  await eventually(() => page.getByRole('feed', { name: 'Home' }).locator('article').first().textContent()).toContain(text.normalize('NFC').trim());
}

type Json = Record<string, unknown>;

/** A scripted client of the JSON API with a read+write token, as a bot would be. */
export class ApiUser {
  private constructor(
    readonly handle: string,
    readonly token: string,
  ) {}

  /** Creates the account (`bot` marks it a bot) and a read+write token for it. */
  static async create(handle: string, displayName: string, extra: { bot?: boolean; password?: string } = {}): Promise<ApiUser> {
    const password = extra.password ?? PASSWORD;
    const made = await fetch(`${baseUrl()}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle, displayName, password, ...(extra.bot ? { bot: true } : {}) }),
    });
    expect(made.status, `sign-up of @${handle}: ${await made.clone().text()}`).toBe(201);
    const res = await fetch(`${baseUrl()}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle, password, name: 'e2e', scopes: ['read', 'write'] }),
    });
    expect(res.status).toBe(201);
    return new ApiUser(handle, ((await res.json()) as { token: string }).token);
  }

  async call<T = Json>(method: string, path: string, body?: unknown, expected = body === undefined && method !== 'GET' ? 204 : method === 'POST' ? 201 : 200): Promise<T> {
    const res = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.status, `${method} ${path}: ${text}`).toBe(expected);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async post(text: string, replyTo?: string): Promise<{ id: string; text: string }> {
    const { post } = await this.call<{ post: { id: string; text: string } }>('POST', '/api/posts', replyTo ? { text, replyTo } : { text });
    return post;
  }

  follow(handle: string) {
    return this.call('PUT', `/api/accounts/${handle}/follow`);
  }

  like(postId: string) {
    return this.call('PUT', `/api/posts/${postId}/like`);
  }

  profile(patch: { displayName?: string; title?: string; department?: string; bio?: string }) {
    return this.call('PATCH', '/api/me', patch, 200);
  }
}
