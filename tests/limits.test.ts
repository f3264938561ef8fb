import { describe, expect, it, vi } from 'vitest';
import { testConfig } from '../src/config';
import { call, makeTestApp, signUp } from './helpers';

const limited = (rate: Partial<ReturnType<typeof testConfig>['rate']>) => ({
  rateLimits: true,
  rate: { ...testConfig().rate, ...rate },
});

describe('rate limits', () => {
  it('gives searches a tighter budget of their own per account, shared by its tokens and the terminal', async () => {
    const app = makeTestApp(limited({ read: 100, search: 3 }));
    const u = await signUp(app);
    const other = (await call(app, '/api/tokens', { body: { name: 'second', scopes: ['read'] }, headers: { cookie: u.cookie } })).json.token;
    const first = await call(app, '/api/search?q=hello', { headers: u.auth });
    expect([first.status, first.headers.get('ratelimit-limit'), first.headers.get('ratelimit-remaining')]).toEqual([200, '3', '2']);
    expect((await call(app, '/search?q=hello', { headers: { ...u.auth, accept: 'text/plain' } })).status).toBe(200);
    // A browser loading the web client's search page is not a search.
    for (let i = 0; i < 3; i++) expect((await call(app, '/search?q=hello', { headers: { ...u.auth, accept: 'text/html' } })).status).not.toBe(429);
    expect((await call(app, '/api/search?q=hello', { headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
    const over = await call(app, '/api/search?q=hello', { headers: { authorization: `Bearer ${other}` } });
    expect(over.status).toBe(429);
    expect(over.json.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('searches') });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other reads go on under their own budget.
    const read = await call(app, '/api/timelines/public', { headers: u.auth });
    expect([read.status, read.headers.get('ratelimit-limit')]).toEqual([200, '100']);
  });

  it('sends RateLimit headers and a 429 with Retry-After in the error shape when a token overspends reads', async () => {
    const app = makeTestApp(limited({ read: 3 }));
    const u = await signUp(app);
    for (let i = 0; i < 3; i++) {
      const r = await call(app, '/api/timelines/public', { headers: u.auth });
      expect(r.status).toBe(200);
      expect(r.headers.get('ratelimit-limit')).toBe('3');
      expect(r.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    const over = await call(app, '/api/timelines/public', { headers: u.auth });
    expect(over.status).toBe(429);
    expect(over.json.error.code).toBe('rate_limited');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another credential has its own budget.
    const other = await signUp(app);
    expect((await call(app, '/api/timelines/public', { headers: other.auth })).status).toBe(200);
  });

  it('sends the budget with every home timeline answer, cached pages included, and Retry-After past it', async () => {
    const app = makeTestApp(limited({ read: 4 }));
    const u = await signUp(app);
    const first = await app.request('/api/timelines/home', { headers: u.auth });
    const cached = await app.request('/api/timelines/home', { headers: u.auth });
    const gzip = await app.request('/api/timelines/home', { headers: { ...u.auth, 'accept-encoding': 'gzip' } });
    const revalidated = await app.request('/api/timelines/home', { headers: { ...u.auth, 'if-none-match': first.headers.get('etag')! } });
    const over = await app.request('/api/timelines/home', { headers: u.auth });
    const answers = [first, cached, gzip, revalidated, over];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 304, 429]);
    expect(answers.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['3', '2', '1', '0', '0']);
    for (const r of answers) {
      expect(r.headers.get('ratelimit-limit')).toBe('4');
      expect(r.headers.get('ratelimit-policy')).toMatch(/^4;w=\d+$/);
      expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      expect(r.headers.get('x-request-id')).toBeTruthy();
      expect(r.headers.get('cache-control')).toBe('private, no-cache');
    }
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await over.json()).error.code).toBe('rate_limited');
  });

  it('answers with the budget as the request was counted, though another request starts a new window meanwhile', async () => {
    let now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const app = makeTestApp(limited({ write: 3, windowMs: 60_000 }));
      const u = await signUp(app);
      const post = (text: string) => call(app, '/api/posts', { body: { text }, headers: u.auth });
      const first = await post('one');
      expect([first.headers.get('ratelimit-remaining'), first.headers.get('ratelimit-reset')]).toEqual(['2', '60']);
      // Half a second before the window ends, a post is counted and then waits for its group commit; the window
      // ends and the next post, counted in a new one, moves the store's reset time while the first is answered.
      now += 59_500;
      const inFlight = post('two');
      for (let i = 0; i < 200; i++) await Promise.resolve();
      now += 1_000;
      const [late, fresh] = await Promise.all([inFlight, post('three')]);
      expect([late.headers.get('ratelimit-remaining'), late.headers.get('ratelimit-reset')]).toEqual(['1', '1']);
      expect([fresh.headers.get('ratelimit-remaining'), fresh.headers.get('ratelimit-reset')]).toEqual(['2', '60']);
    } finally {
      clock.mockRestore();
    }
  });

  it('counts requests with a revoked or made-up token against their address, so retrying one forever is slowed too', async () => {
    const app = makeTestApp(limited({ read: 3, write: 2 }));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(app, '/api/timelines/public', { headers: { authorization: `Bearer bt_guess${i}` } });
      statuses.push(r.status);
      if (r.status === 401) {
        expect(r.json.error.code).toBe('invalid_token');
        expect(r.headers.get('ratelimit-remaining')).toBe(String(2 - i));
      }
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const writes: number[] = [];
    for (let i = 0; i < 3; i++) writes.push((await call(app, '/api/posts', { body: { text: 'x' }, headers: { authorization: 'Bearer bt_revoked' } })).status);
    expect(writes).toEqual([401, 401, 429]);
    // The address's budget, not a real token's.
    const u = await signUp(app);
    expect((await call(app, '/api/timelines/public', { headers: u.auth })).status).toBe(200);
  });

  it('has a separate, tighter budget for writes', async () => {
    const app = makeTestApp(limited({ write: 2, read: 100 }));
    const u = await signUp(app);
    expect((await call(app, '/api/posts', { body: { text: 'one' }, headers: u.auth })).status).toBe(201);
    expect((await call(app, '/api/posts', { body: { text: 'two' }, headers: u.auth })).status).toBe(201);
    expect((await call(app, '/api/posts', { body: { text: 'three' }, headers: u.auth })).status).toBe(429);
    expect((await call(app, '/api/timelines/public', { headers: u.auth })).status).toBe(200);
  });

  it('slows password guessing: failed sign-ins from one address are capped', async () => {
    const app = makeTestApp(limited({ auth: 3 }));
    await signUp(app, { handle: 'victim', password: 'the real password' });
    const statuses = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(app, '/api/sessions', { body: { handle: 'victim', password: `guess ${i}xxxx` } });
      statuses.push(r.status);
      remaining.push(`${r.headers.get('ratelimit-limit')}/${r.headers.get('ratelimit-remaining')}`);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // The headers tell the budget that runs out first: failed attempts, not sign-ins of any outcome.
    expect(remaining.slice(0, 3)).toEqual(['3/2', '3/1', '3/0']);
  });

  it('counts guesses through POST /api/tokens against the same budget, signed in as someone else or not', async () => {
    const app = makeTestApp(limited({ auth: 3 }));
    await signUp(app, { handle: 'victim', password: 'the real password' });
    const attacker = await signUp(app, { handle: 'attacker' });
    const guess = (i: number) => call(app, '/api/tokens', { body: { name: 'x', scopes: ['read'], handle: 'victim', password: `guess ${i}xxxx` }, headers: attacker.auth });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await guess(i)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // The right password is refused too until the window passes.
    const right = await call(app, '/api/tokens', { body: { name: 'x', scopes: ['read'], handle: 'victim', password: 'the real password' }, headers: attacker.auth });
    expect(right.status).toBe(429);
  });

  it('bounds successful sign-ins and token requests too, and keeps one account to one write budget however many tokens it holds', async () => {
    const app = makeTestApp(limited({ auth: 2, write: 3, read: 100 }));
    await signUp(app, { handle: 'farmer', password: 'farmer password' });
    const tokens: string[] = [];
    const statuses = [];
    for (let i = 0; i < 20; i++) {
      const r = await call(app, '/api/tokens', { body: { name: `t${i}`, scopes: ['read', 'write'], handle: 'farmer', password: 'farmer password' } });
      statuses.push(r.status);
      if (r.status === 201) tokens.push(r.json.token);
    }
    // Two failures' worth times ten: twenty from this address, two of which the sign-up helper spent on its tokens.
    expect(statuses).toEqual([...Array(18).fill(201), 429, 429]);
    const posted = [];
    for (const t of tokens.slice(0, 4)) posted.push((await call(app, '/api/posts', { body: { text: `from ${t.slice(-4)}` }, headers: { authorization: `Bearer ${t}` } })).status);
    expect(posted).toEqual([201, 201, 201, 429]);
  });

  it('counts only wrong passwords as failures: a token request refused for its input is not one', async () => {
    const app = makeTestApp(limited({ auth: 1 }));
    const u = await signUp(app, { handle: 'typo', password: 'typo password' });
    for (let i = 0; i < 3; i++) expect((await call(app, '/api/tokens', { body: { name: 'x', scopes: ['admin'] }, headers: { cookie: u.cookie } })).status).toBe(400);
    // The one failure this address may make is still there.
    expect((await call(app, '/api/sessions', { body: { handle: 'typo', password: 'wrong password' } })).status).toBe(401);
    expect((await call(app, '/api/sessions', { body: { handle: 'typo', password: 'wrong password' } })).status).toBe(429);
  });

  it('is off when configured off', async () => {
    const app = makeTestApp({ rateLimits: false, rate: { ...testConfig().rate, read: 1 } });
    const u = await signUp(app);
    for (let i = 0; i < 3; i++) expect((await call(app, '/api/timelines/public', { headers: u.auth })).status).toBe(200);
  });

  it('answers a terminal over its budget with one plain line, not JSON', async () => {
    const app = makeTestApp(limited({ read: 1 }));
    const u = await signUp(app);
    await call(app, '/home', { headers: { ...u.auth, accept: '*/*' } });
    const over = await call(app, '/home', { headers: { ...u.auth, accept: '*/*' } });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('text/plain');
    expect(over.text).toMatch(/^error: Too many requests.*\n$/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('counts every sign-up from an address, successful or not', async () => {
    const app = makeTestApp(limited({ auth: 2 }));
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await call(app, '/api/accounts', { body: { handle: `newbie_${i}`, displayName: 'N', password: 'long enough pw' } })).status);
    }
    expect(statuses).toEqual([201, 201, 429, 429]);
  });

  it('behind a trusted proxy, keys on the address the proxy appended, not on what the client claims', async () => {
    const app = makeTestApp({ ...limited({ auth: 2 }), trustProxy: true });
    await signUp(app, { handle: 'victim2', password: 'the real password' });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      // The client forges a fresh first hop each time; the proxy appends the real address last.
      const headers = { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.9` };
      statuses.push((await call(app, '/api/sessions', { body: { handle: 'victim2', password: `guess ${i}xxxx` }, headers })).status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it('never takes a forwarded address for loopback when serving metrics', async () => {
    const app = makeTestApp({ trustProxy: true });
    const u = await signUp(app);
    const r = await call(app, '/metrics', { headers: { ...u.auth, 'x-forwarded-for': '127.0.0.1' } });
    expect(r.status).toBe(403);
  });
});
