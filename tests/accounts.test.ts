import { describe, expect, it } from 'vitest';
import { MAX_SESSIONS, MAX_TOKENS } from '../src/services/auth';
import { call, makeTestApp, signUp } from './helpers';

describe('sign-up, sign-in, sign-out', () => {
  it('creates an account, sets an HttpOnly SameSite=Lax session cookie and lowercases the handle', async () => {
    const app = makeTestApp();
    const r = await call(app, '/api/accounts', { body: { handle: 'Alice_1', displayName: 'Alice', password: 'long enough pw' } });
    expect(r.status).toBe(201);
    expect(r.json.account).toMatchObject({ handle: 'alice_1', displayName: 'Alice', bot: false, followersCount: 0, postsCount: 0 });
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^bt_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await call(app, '/api/me', { headers: { cookie: cookie.split(';')[0] } });
    expect(me.status).toBe(200);
    expect(me.json.account.handle).toBe('alice_1');
  });

  it('marks the session cookie Secure over HTTPS, or when configured', async () => {
    const body = { handle: 'sec_user', displayName: 'S', password: 'long enough pw' };
    const https = await makeTestApp().request('https://bluetwit.example/api/accounts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(https.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    const http = await makeTestApp().request('http://localhost/api/accounts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(http.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    const forced = await makeTestApp({ cookieSecure: true }).request('http://localhost/api/accounts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(forced.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });

  it('refuses a taken handle in any case with 409', async () => {
    const app = makeTestApp();
    await signUp(app, { handle: 'bob' });
    const r = await call(app, '/api/accounts', { body: { handle: 'BOB', displayName: 'Bob 2', password: 'long enough pw' } });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('handle_taken');
  });

  it.each([
    ['a', 'invalid_handle'],
    ['has space', 'invalid_handle'],
    ['x'.repeat(31), 'invalid_handle'],
    ['api', 'invalid_handle'],
    ['home', 'invalid_handle'],
    ['reports', 'invalid_handle'],
    ['Directory', 'invalid_handle'],
    ['héllo', 'invalid_handle'],
  ])('refuses the handle %j', async (handle, code) => {
    const app = makeTestApp();
    const r = await call(app, '/api/accounts', { body: { handle, displayName: 'X', password: 'long enough pw' } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(code);
    expect(r.json.error.details[0].field).toBe('handle');
  });

  it('lists every missing field of a bad sign-up', async () => {
    const app = makeTestApp();
    const r = await call(app, '/api/accounts', { body: { handle: 'ok_name' } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_request');
    expect(r.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['displayName', 'password']);
    // Past the schema too: every field that breaks a rule is named, not only the first.
    const rules = await call(app, '/api/accounts', { body: { handle: 'a', displayName: '', password: 'x' } });
    expect([rules.status, rules.json.error.details.map((d: { field: string }) => d.field)]).toEqual([400, ['handle', 'displayName', 'password']]);
    const u = await signUp(app);
    const patch = await call(app, '/api/me', { method: 'PATCH', body: { bio: 'x'.repeat(501), title: 'x'.repeat(81), department: 'Ops' }, headers: u.auth });
    expect([patch.status, patch.json.error.details.map((d: { field: string }) => d.field)]).toEqual([400, ['bio', 'title']]);
    // Nothing of a refused edit is kept.
    expect((await call(app, '/api/me', { headers: u.auth })).json.account.department).toBe('');
  });

  it('takes handles of ASCII letters only, counts passwords in characters, and keeps token names to one clean line', async () => {
    const app = makeTestApp();
    // The Kelvin sign lowercases to an ASCII k: it is not a handle character all the same.
    const kelvin = await call(app, '/api/accounts', { body: { handle: '\u212Aate', displayName: 'Kate', password: 'long enough pw' } });
    expect([kelvin.status, kelvin.json.error.code]).toEqual([400, 'invalid_handle']);
    const emoji = await call(app, '/api/accounts', { body: { handle: 'emoji_pw', displayName: 'E', password: '😀😀😀😀' } });
    expect([emoji.status, emoji.json.error.code]).toEqual([400, 'weak_password']);
    const u = await signUp(app);
    const evil = await call(app, '/api/tokens', { body: { name: 'a\u001b[31mb', scopes: ['read'] }, headers: { cookie: u.cookie } });
    expect([evil.status, evil.json.error.details[0].field]).toEqual([400, 'name']);
    expect((await call(app, '/api/tokens', { headers: { cookie: u.cookie } })).json.items.map((t: { name: string }) => t.name)).not.toContain('a\u001b[31mb');
  });

  it('refuses short passwords and control characters in names', async () => {
    const app = makeTestApp();
    expect((await call(app, '/api/accounts', { body: { handle: 'pw_test', displayName: 'X', password: 'short' } })).json.error.code).toBe('weak_password');
    const r = await call(app, '/api/accounts', { body: { handle: 'esc_test', displayName: 'Evil\u001b[2J', password: 'long enough pw' } });
    expect(r.status).toBe(400);
    expect(r.json.error.details[0].field).toBe('displayName');
    // A control at an end is refused too, in a name and in a bio; a newline pasted at the end of a name is trimmed.
    const u = await signUp(app);
    for (const body of [{ displayName: 'Tab\t' }, { bio: 'bio\f' }, { title: '\u000bTitle' }]) {
      const patched = await call(app, '/api/me', { method: 'PATCH', body, headers: u.auth });
      expect(patched.status, JSON.stringify(body)).toBe(400);
    }
    const trimmed = await call(app, '/api/me', { method: 'PATCH', body: { displayName: 'Pasted Name\n' }, headers: u.auth });
    expect(trimmed.json.account.displayName).toBe('Pasted Name');
  });

  it('signs in with the right password and gives the same 401 for a wrong password or unknown handle', async () => {
    const app = makeTestApp();
    await signUp(app, { handle: 'carol', password: 'carols password' });
    const ok = await call(app, '/api/sessions', { body: { handle: 'Carol', password: 'carols password' } });
    expect(ok.status).toBe(200);
    expect(ok.json.account.handle).toBe('carol');
    const wrong = await call(app, '/api/sessions', { body: { handle: 'carol', password: 'nope nope nope' } });
    const unknown = await call(app, '/api/sessions', { body: { handle: 'nobody', password: 'nope nope nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
  });

  it('keeps an account’s newest sessions and deletes expired ones at each sign-in', async () => {
    let now = Date.UTC(2026, 0, 1);
    const app = makeTestApp({}, { clock: () => now });
    const u = await signUp(app);
    const signIn = async () => {
      const r = await call(app, '/api/sessions', { body: { handle: u.handle, password: 'correct horse battery' } });
      expect(r.status).toBe(200);
      return r.headers.get('set-cookie')!.split(';')[0];
    };
    const rows = () => app.deps.db.$client.prepare('SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.handle = ?').pluck().get(u.handle);
    const cookies: string[] = [];
    for (let i = 0; i < MAX_SESSIONS + 4; i++) {
      now += 1000;
      cookies.push(await signIn());
    }
    expect(rows()).toBe(MAX_SESSIONS);
    // The oldest ended (the sign-up's, then the first sign-ins'); the newest work.
    expect((await call(app, '/api/me', { headers: { cookie: cookies[0] } })).status).toBe(401);
    expect((await call(app, '/api/me', { headers: { cookie: cookies.at(-1)! } })).status).toBe(200);
    // Long after they all expired, one more sign-in leaves only itself.
    now += 400 * 86_400_000;
    const fresh = await signIn();
    expect(rows()).toBe(1);
    expect((await call(app, '/api/me', { headers: { cookie: fresh } })).status).toBe(200);
  });

  it('signs out: the session stops working', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    expect((await call(app, '/api/sessions', { method: 'DELETE', headers: { cookie: u.cookie } })).status).toBe(204);
    expect((await call(app, '/api/me', { headers: { cookie: u.cookie } })).status).toBe(401);
    // Signing out again (another tab did first) is still a 401, and clears the dead cookie.
    const again = await call(app, '/api/sessions', { method: 'DELETE', headers: { cookie: u.cookie } });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toMatch(/^bt_session=;.*Max-Age=0/);
    // Without a cookie there is nothing to clear.
    const none = await call(app, '/api/sessions', { method: 'DELETE' });
    expect(none.status).toBe(401);
    expect(none.headers.get('set-cookie')).toBeNull();
  });

  it('stores passwords with scrypt and sessions only as hashes', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { password: 'plain text secret' });
    const row = app.deps.db.$client.prepare('SELECT password_hash FROM accounts WHERE handle = ?').get(u.handle) as { password_hash: string };
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('plain text secret');
    const secret = u.cookie.split('=')[1];
    const sessions = app.deps.db.$client.prepare('SELECT hash FROM sessions').all() as { hash: string }[];
    expect(sessions.some((s) => s.hash === secret)).toBe(false);
    expect(sessions.every((s) => /^[0-9a-f]{64}$/.test(s.hash))).toBe(true);
  });

  it('edits the profile and refuses an unknown field type', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const r = await call(app, '/api/me', { method: 'PATCH', body: { bio: 'Line one\nline two', department: 'Research', title: 'Engineer' }, headers: u.auth });
    expect(r.status).toBe(200);
    expect(r.json.account).toMatchObject({ bio: 'Line one\nline two', department: 'Research', title: 'Engineer' });
    const bad = await call(app, '/api/me', { method: 'PATCH', body: { displayName: 42 }, headers: u.auth });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].field).toBe('displayName');
    const readOnly = await call(app, '/api/me', { method: 'PATCH', body: { bio: 'x' }, headers: { authorization: `Bearer ${u.readToken}` } });
    expect(readOnly.status).toBe(403);
  });

  it('marks bots on their profile', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const bot = await signUp(app, { bot: true });
    const r = await call(app, `/api/accounts/${bot.handle}`, { headers: u.auth });
    expect(r.json.account.bot).toBe(true);
  });

  it('shows a profile with the viewer-relative following flag and 404s unknown handles', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const b = await signUp(app);
    await call(app, `/api/accounts/${b.handle}/follow`, { method: 'PUT', headers: a.auth });
    const r = await call(app, `/api/accounts/${b.handle.toUpperCase()}`, { headers: a.auth });
    expect(r.status).toBe(200);
    expect(r.json.account).toMatchObject({ handle: b.handle, following: true, followersCount: 1 });
    const missing = await call(app, '/api/accounts/nobody_here', { headers: a.auth });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
  });
});

describe('tokens', () => {
  it('creates a token shown once, lists it without the secret, and revokes it', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const created = await call(app, '/api/tokens', { body: { name: 'ci bot', scopes: ['read'] }, headers: { cookie: u.cookie } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'ci bot', scopes: ['read'] });
    expect(created.json.token).toMatch(/^bt_/);
    const list = await call(app, '/api/tokens', { headers: { cookie: u.cookie } });
    expect(list.json.items).toHaveLength(3);
    expect(JSON.stringify(list.json)).not.toContain(created.json.token);
    const auth = { authorization: `Bearer ${created.json.token}` };
    expect((await call(app, '/api/me', { headers: auth })).status).toBe(200);
    expect((await call(app, `/api/tokens/${created.json.id}`, { method: 'DELETE', headers: { cookie: u.cookie } })).status).toBe(204);
    const after = await call(app, '/api/me', { headers: auth });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('invalid_token');
  });

  it('holds at most MAX_TOKENS tokens per account (each would bring its own read budget)', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const held = (await call(app, '/api/tokens', { headers: { cookie: u.cookie } })).json.items.length;
    let last: { id: string } | undefined;
    for (let i = held; i < MAX_TOKENS; i++) {
      const r = await call(app, '/api/tokens', { body: { name: `t${i}`, scopes: ['read'] }, headers: { cookie: u.cookie } });
      expect(r.status).toBe(201);
      last = r.json;
    }
    const refused = await call(app, '/api/tokens', { body: { name: 'one more', scopes: ['read'] }, headers: { cookie: u.cookie } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('too_many_tokens');
    expect((await call(app, '/api/tokens', { headers: { cookie: u.cookie } })).json.items).toHaveLength(MAX_TOKENS);
    expect((await call(app, `/api/tokens/${last!.id}`, { method: 'DELETE', headers: { cookie: u.cookie } })).status).toBe(204);
    expect((await call(app, '/api/tokens', { body: { name: 'after revoking', scopes: ['read'] }, headers: { cookie: u.cookie } })).status).toBe(201);
  });

  it('issues a token from handle and password in the body, for scripts', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { password: 'script password' });
    const r = await call(app, '/api/tokens', { body: { name: 'script', scopes: ['read', 'write'], handle: u.handle, password: 'script password' } });
    expect(r.status).toBe(201);
    expect(r.json.scopes).toEqual(['read', 'write']);
    const bad = await call(app, '/api/tokens', { body: { name: 'script', scopes: ['read'], handle: u.handle, password: 'wrong password' } });
    expect(bad.status).toBe(401);
    // A missing half is bad input, named; a stale token sent along does not get in the way of getting a new one.
    const half = await call(app, '/api/tokens', { body: { name: 'script', scopes: ['read'], handle: u.handle } });
    expect(half.status).toBe(400);
    expect(half.json.error.details).toEqual([{ field: 'password', message: expect.any(String) }]);
    const renewed = await call(app, '/api/tokens', { body: { name: 'script', scopes: ['read'], handle: u.handle, password: 'script password' }, headers: { authorization: 'Bearer bt_revoked_long_ago_000000000000' } });
    expect(renewed.status).toBe(201);
  });

  it('stores tokens only as hashes', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const rows = app.deps.db.$client.prepare('SELECT hash FROM tokens').all() as { hash: string }[];
    expect(rows.some((r) => r.hash === u.token)).toBe(false);
  });

  it('needs a session (not a token) to list or revoke tokens, and cannot revoke another account’s token', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const other = await signUp(app);
    expect((await call(app, '/api/tokens', { headers: u.auth })).status).toBe(403);
    expect((await call(app, '/api/tokens')).status).toBe(401);
    const theirs = (await call(app, '/api/tokens', { headers: { cookie: other.cookie } })).json.items[0].id;
    expect((await call(app, `/api/tokens/${theirs}`, { method: 'DELETE', headers: { cookie: u.cookie } })).status).toBe(404);
  });

  it('refuses unknown scopes', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const r = await call(app, '/api/tokens', { body: { name: 'x', scopes: ['admin'] }, headers: { cookie: u.cookie } });
    expect(r.status).toBe(400);
  });
});
