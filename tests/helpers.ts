import { createApp, type App } from '../src/app';
import { testConfig, type Config } from '../src/config';
import { openDb } from '../src/db/client';

/** A fresh app on a fresh in-memory database. */
export function makeTestApp(overrides: Partial<Config> = {}, opts: { clock?: () => number } = {}) {
  const db = openDb(':memory:');
  const app = createApp({ db, config: testConfig(overrides), clock: opts.clock });
  return app;
}

export type User = { handle: string; cookie: string; token: string; readToken: string; auth: Record<string, string> };

let counter = 0;

type Init = { method?: string; body?: unknown; headers?: Record<string, string> };

/** Sends a JSON request through the real app. */
export async function call(app: App, path: string, init: Init = {}) {
  const headers: Record<string, string> = { ...init.headers };
  // Browsers send Origin with every unsafe request; do the same for cookie-authenticated calls.
  if (headers.cookie && init.method !== 'GET' && !('origin' in headers)) headers.origin = 'http://localhost';
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
    // As every HTTP client sends it (the server checks who may send a body, and its bytes, by it).
    headers['content-length'] ??= String(Buffer.byteLength(body));
  }
  const res = await app.request(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Signs up a user and returns its cookie, a read+write token and a read-only token. */
export async function signUp(app: App, overrides: { handle?: string; displayName?: string; bot?: boolean; password?: string } = {}): Promise<User> {
  const handle = overrides.handle ?? `user${++counter}_${Math.random().toString(36).slice(2, 6)}`;
  const password = overrides.password ?? 'correct horse battery';
  const res = await app.request('/api/accounts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ handle, displayName: overrides.displayName ?? `User ${handle}`, password, bot: overrides.bot }),
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const mk = async (scopes: string[]) => {
    const r = await call(app, '/api/tokens', { body: { name: 't', scopes }, headers: { cookie } });
    return r.json.token as string;
  };
  const token = await mk(['read', 'write']);
  const readToken = await mk(['read']);
  return { handle, cookie, token, readToken, auth: { authorization: `Bearer ${token}` } };
}

/** Posts as a user via its token; returns the post JSON. */
export async function post(app: App, user: User, text: string, extra: Record<string, unknown> = {}) {
  const r = await call(app, '/api/posts', { body: { text, ...extra }, headers: user.auth });
  if (r.status !== 201) throw new Error(`post failed: ${r.status} ${r.text}`);
  return r.json.post;
}

/** Follows `target` as `user`. */
export async function followUser(app: App, user: User, target: User) {
  const r = await call(app, `/api/accounts/${target.handle}/follow`, { method: 'PUT', headers: user.auth });
  if (r.status !== 204) throw new Error(`follow failed: ${r.status} ${r.text}`);
}
