import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pageCache } from '../src/http/page-cache';
import { acceptsGzip } from '../src/http/negotiate';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { createApp } from '../src/app';
import { testConfig } from '../src/config';
import { openDb } from '../src/db/client';
import { call, makeTestApp, post, signUp } from './helpers';

describe('error model and HTTP edge', () => {
  it('answers unknown /api routes with the contract’s 404 JSON', async () => {
    const app = makeTestApp();
    const r = await call(app, '/api/nope/nothing');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    // /api itself and /api with a query are the API too; a page path that merely starts with "api" is not.
    for (const path of ['/api', '/api?x=1', '/api/']) expect((await call(app, path)).json?.error.code, path).toBe('not_found');
    const page = await call(app, '/apis', { headers: { accept: 'text/plain' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-type')).not.toContain('json');
    // A percent-encoded /api is routed as Hono decodes it: to the API.
    const u = await signUp(app);
    expect((await call(app, '/%61pi/timelines/home', { headers: u.auth })).status).toBe(200);
    // Pages and the API each carry their own security headers.
    expect((await call(app, '/api/nope')).headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('refuses non-JSON bodies with 415 and malformed JSON with 400', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const form = await call(app, '/api/posts', { body: 'text=hi', headers: { ...u.auth, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(form.json.error.code).toBe('unsupported_media_type');
    const bad = await call(app, '/api/posts', { body: '{"text": "unclosed', headers: u.auth });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('malformed_json');
    const wrongType = await call(app, '/api/posts', { body: '[1,2]', headers: u.auth });
    expect(wrongType.status).toBe(400);
    // Bytes that are not UTF-8 are refused, not stored as U+FFFD.
    const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
    const raw = bytes('{"text":"caf\xe9 \xff\xfe"}');
    const latin1 = await app.request('/api/posts', { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json', 'content-length': String(raw.length) }, body: raw });
    expect(latin1.status).toBe(400);
    expect(((await latin1.json()) as { error: { code: string } }).error.code).toBe('invalid_encoding');
    // A compressed body is a 415 that says which codings are taken (RFC 9110 §15.5.16), not malformed JSON.
    const zipped = gzipSync('{"text":"zipped"}');
    const gzipped = await app.request('/api/posts', { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(zipped.length) }, body: zipped });
    expect(gzipped.status).toBe(415);
    expect(gzipped.headers.get('accept-encoding')).toBe('identity');
    expect((await call(app, '/api/timelines/public', { headers: u.auth })).json.items).toHaveLength(0);
    // UTF-8 that is fine, and an explicit identity coding, still post.
    const utf8 = Buffer.from('{"text":"café ☕"}');
    const fine = await app.request('/api/posts', { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json', 'content-encoding': 'identity', 'content-length': String(utf8.length) }, body: utf8 });
    expect(fine.status).toBe(201);
  });

  it('refuses bodies over the limit with 413 and stores nothing', async () => {
    const app = makeTestApp({ bodyLimit: 2048 });
    const u = await signUp(app);
    const r = await call(app, '/api/posts', { body: { text: 'x'.repeat(5000) }, headers: u.auth });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('payload_too_large');
    expect((await call(app, '/api/timelines/public', { headers: u.auth })).json.items).toHaveLength(0);
    // Streamed without a length, the body is counted as it arrives.
    const streamed = (text: string) => {
      const chunk = new TextEncoder().encode(JSON.stringify({ text }));
      return app.request('/api/posts', {
        method: 'POST',
        headers: { ...u.auth, 'content-type': 'application/json' },
        body: new ReadableStream({ start: (c) => (c.enqueue(chunk), c.close()) }),
        duplex: 'half',
      } as RequestInit);
    };
    expect((await streamed('y'.repeat(5000))).status).toBe(413);
    expect((await streamed('streamed and small')).status).toBe(201);
    expect((await call(app, '/api/timelines/public', { headers: u.auth })).json.items.map((p: { text: string }) => p.text)).toEqual(['streamed and small']);
  });

  it('answers a generic 500 that leaks no internals, and logs the cause with the request id', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const app = createApp({ db: openDb(':memory:'), config: testConfig(), logger });
    const u = await signUp(app);
    app.deps.db.$client.close();
    const r = await call(app, '/api/timelines/public', { headers: u.auth });
    expect(r.status).toBe(500);
    expect(r.json.error.code).toBe('internal_error');
    expect(r.text).not.toMatch(/sqlite|database|stack|at .*\.ts/i);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(logged.reqId).toBe(r.headers.get('x-request-id'));
    expect(logged.err.message).toMatch(/database/i);
  });

  it('never logs passwords, tokens or cookies', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
    const app = createApp({ db: openDb(':memory:'), config: testConfig(), logger });
    const u = await signUp(app, { password: 'super secret pass' });
    await call(app, '/api/timelines/home', { headers: u.auth });
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).not.toContain('super secret pass');
    expect(all).not.toContain(u.token);
    expect(all).not.toContain(u.cookie.split('=')[1]);
  });

  it('serves Prometheus metrics to admins (and loopback), not to other users', async () => {
    const app = makeTestApp();
    const [u, admin] = [await signUp(app), await signUp(app)];
    app.deps.db.$client.prepare("UPDATE accounts SET role = 'admin' WHERE handle = ?").run(admin.handle);
    await call(app, '/api/timelines/home', { headers: u.auth });
    expect((await call(app, '/metrics', { headers: u.auth })).status).toBe(403);
    const m = await call(app, '/metrics', { headers: admin.auth });
    expect(m.status).toBe(200);
    // An admin's write-only token is not a reader.
    const writeOnly = (await call(app, '/api/tokens', { body: { name: 'ci', scopes: ['write'] }, headers: { cookie: admin.cookie } })).json.token;
    const refused = await call(app, '/metrics', { headers: { authorization: `Bearer ${writeOnly}` } });
    expect([refused.status, refused.text]).toEqual([403, 'error: This token lacks the read scope.\n']);
    expect(m.text).toMatch(/bluetwit_http_requests_total\{method="GET",route="\/api\/timelines\/home",status="200"\} 1/);
    expect(m.text).toMatch(/bluetwit_timeline_seconds_count\{timeline="home"\} 1/);
    expect(m.text).toMatch(/bluetwit_open_streams 0/);
    expect(m.text).toMatch(/bluetwit_db_size_bytes \d+/);
    expect(m.text).toMatch(/bluetwit_page_cache_total\{result="miss"\} 1\n/);
    // Counted between scrapes and added up on each: nothing counted twice, nothing lost.
    await call(app, '/api/timelines/home', { headers: u.auth });
    await call(app, '/api/timelines/home', { headers: u.auth });
    const again = (await call(app, '/metrics', { headers: admin.auth })).text;
    expect(again).toMatch(/bluetwit_http_requests_total\{method="GET",route="\/api\/timelines\/home",status="200"\} 3\n/);
    expect(again).toMatch(/bluetwit_http_requests_total\{method="GET",route="\/metrics",status="200"\} 1\n/);
    expect(again).toMatch(/bluetwit_http_requests_total\{method="GET",route="\/metrics",status="403"\} 2\n/);
    expect(again).toMatch(/bluetwit_http_request_duration_seconds_count\{method="GET",route="\/api\/timelines\/home"\} 3\n/);
    expect(again).toMatch(/bluetwit_page_cache_total\{result="hit"\} 2\n/);
    expect(again).toMatch(/bluetwit_page_cache_total\{result="miss"\} 1\n/);
  });

  it('sets secure headers with a content security policy', async () => {
    const app = makeTestApp();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('gives JSON responses the REST set of secure headers: nothing may load, frame or sniff them', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const res = await app.request('/api/timelines/home', { headers: u.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses cookie-authenticated writes from another origin, but not bearer ones', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const evil = await call(app, '/api/posts', { body: { text: 'csrf' }, headers: { cookie: u.cookie, origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.json.error.code).toBe('cross_origin');
    const form = await call(app, '/api/accounts/x/follow', { method: 'PUT', headers: { cookie: u.cookie, origin: '' } });
    expect(form.status).toBe(403);
    const same = await call(app, '/api/posts', { body: { text: 'fine' }, headers: { cookie: u.cookie, origin: 'http://localhost' } });
    expect(same.status).toBe(201);
    const bearer = await call(app, '/api/posts', { body: { text: 'bot' }, headers: { ...u.auth, origin: 'https://elsewhere.example' } });
    expect(bearer.status).toBe(201);
  });

  it('serves an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const app = makeTestApp();
    const r = await call(app, '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    for (const path of ['/accounts', '/posts', '/timelines/home', '/accounts/{handle}/follow', '/tokens', '/search', '/notifications']) {
      expect(r.json.paths[path], path).toBeDefined();
    }
    const body = r.json.paths['/posts'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body)).toContain('text');
    expect(r.json.components.securitySchemes.bearerAuth.scheme).toBe('bearer');
  });

  it('serves the community guidelines as text, JSON or HTML', async () => {
    const app = makeTestApp({ guidelines: 'Be kind <always>.' });
    expect(await (await app.request('/guidelines')).text()).toBe('Be kind <always>.\n');
    expect(await (await app.request('/guidelines', { headers: { accept: 'application/json' } })).json()).toEqual({ guidelines: 'Be kind <always>.' });
    const html = await (await app.request('/guidelines', { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('Be kind &#60;always&#62;.');
  });
});

describe('HTTP semantics', () => {
  it('answers a wrong method on an API path with 405 and Allow, OPTIONS with 204 and Allow', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const wrong = await call(app, '/api/timelines/public', { method: 'POST', headers: u.auth });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(wrong.json.error.code).toBe('method_not_allowed');
    const posts = await call(app, '/api/posts', { headers: u.auth });
    expect([posts.status, posts.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
    const options = await app.request('/api/me', { method: 'OPTIONS', headers: u.auth });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'PATCH']);
    // A path the API does not serve at all stays a 404, and one it cannot decode still gets the API's answer.
    expect((await call(app, '/api/nothing/here', { method: 'POST', headers: u.auth })).status).toBe(404);
    const undecodable = await call(app, '/api/posts/%FF', { headers: u.auth });
    expect([undecodable.status, undecodable.json?.error.code]).toEqual([404, 'not_found']);
  });

  it('refuses a Host header that is not a host name, whose copies in links and help would cost seconds to lay out', async () => {
    const app = makeTestApp();
    const long = `${'a'.repeat(15_000)}.example`;
    const help = await app.request('/help', { headers: { host: long, accept: 'text/plain' } });
    expect(help.status).toBe(400);
    expect(await help.text()).toContain('The Host header is not a valid host name.');
    const api = await app.request('/api/timelines/public', { headers: { host: `${'b'.repeat(64)}.example` } });
    expect(api.status).toBe(400);
    expect((await api.json()).error.code).toBe('invalid_host');
    // Refused with the headers every answer carries.
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers.get('cache-control')).toBe('private, no-cache');
    expect(api.headers.get('x-request-id')).toBeTruthy();
    expect(help.headers.get('content-security-policy')).toContain("default-src 'self'");
    for (const host of ['localhost:3000', 'bluetwit.corp.example', '[::1]:8080', '10.0.0.7', 'my_service.internal.']) {
      expect((await app.request('/help', { headers: { host, accept: 'text/plain' } })).status, host).toBe(200);
    }
    // Behind a trusted proxy a forwarded host that is not a host name is ignored, as a malformed one always was.
    const proxied = makeTestApp({ trustProxy: true });
    const u = await signUp(proxied);
    for (let i = 0; i < 3; i++) await post(proxied, u, `p${i}`);
    const res = await proxied.request('http://bluetwit.example/api/timelines/public?limit=1', { headers: { ...u.auth, 'x-forwarded-host': `${'c'.repeat(300)}.example` } });
    expect(res.headers.get('link')).toMatch(/^<http:\/\/bluetwit\.example\/api\/timelines\/public\?/);
  });

  it('builds links for the address a trusted proxy reports, port included, and the OpenAPI servers too', async () => {
    const proxied = makeTestApp({ trustProxy: true });
    const u = await signUp(proxied);
    const created = async (headers: Record<string, string>) =>
      (await proxied.request('http://127.0.0.1:3000/api/posts', { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ text: 'where am I' }) }));
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bt.example.org' };
    // The internal port the proxy connected to is not the client's.
    const plain = await created(https);
    expect(plain.headers.get('location')).toMatch(/^https:\/\/bt\.example\.org\/api\/posts\/[\w-]+$/);
    expect((await plain.json()).post.url).toMatch(/^https:\/\/bt\.example\.org\/@/);
    expect((await created({ ...https, 'x-forwarded-port': '8443' })).headers.get('location')).toMatch(/^https:\/\/bt\.example\.org:8443\/api\/posts\//);
    expect((await created({ ...https, 'x-forwarded-host': 'bt.example.org:9000' })).headers.get('location')).toMatch(/^https:\/\/bt\.example\.org:9000\/api\/posts\//);
    const doc = await (await proxied.request('http://127.0.0.1:3000/api/openapi.json', { headers: https })).json();
    expect(doc.servers).toEqual([{ url: 'https://bt.example.org/api' }]);
    const configured = makeTestApp({ publicUrl: 'https://bt.example.com/social' });
    expect((await (await configured.request('http://127.0.0.1:3000/api/openapi.json')).json()).servers).toEqual([{ url: 'https://bt.example.com/social/api' }]);
  });

  it('refuses a caller who may not write before reading the body it is still sending', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    // Four bytes of twenty, and then nothing: the answer must not wait for the rest.
    const trickle = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"te'));
        },
      });
    const send = (headers: Record<string, string>) =>
      Promise.race([
        app.request(new Request('http://localhost/api/posts', { method: 'POST', body: trickle(), duplex: 'half', headers: { 'content-type': 'application/json', 'content-length': '20', ...headers } } as RequestInit)),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000)),
      ]);
    const anonymous = await send({});
    expect(anonymous?.status).toBe(401);
    const readOnly = await send({ authorization: `Bearer ${u.readToken}` });
    expect(readOnly?.status).toBe(403);
  });

  it('links a cached home page with the query each request sent', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    for (let i = 0; i < 3; i++) await post(app, u, `p${i}`);
    const odd = await app.request('/api/timelines/home?limit=0x2', { headers: u.auth });
    expect(odd.headers.get('link')).toContain('limit=0x2&');
    const plain = await app.request('/api/timelines/home?limit=2', { headers: u.auth });
    expect(plain.headers.get('link')).toContain('?limit=2&cursor=');
  });

  it('carries only the parameters that shape a page into its next link, and counts long cache keys against the budget', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    for (let i = 0; i < 3; i++) await post(app, u, `link ${i}`);
    const junk = 'j'.repeat(10_000);
    const api = await app.request(`/api/timelines/home?junk=${junk}&limit=1&bots=true`, { headers: u.auth });
    expect(api.headers.get('link')).toMatch(/^<http:\/\/localhost\/api\/timelines\/home\?limit=1&bots=true&cursor=[\w-]+>; rel="next"$/);
    const text = await (await app.request(`/@${u.handle}?junk=${junk}&limit=1&width=60`, { headers: { ...u.auth, accept: 'text/plain' } })).text();
    expect(text).toContain(`/@${u.handle}?limit=1&width=60&cursor=`);
    expect(text).not.toContain('junk');
    // A cursor padded to 4 KB (still valid JSON) makes a key of its own: it is counted, not just the page's body.
    const cache = pageCache(app.deps.db);
    const before = cache.heldBytes;
    const first = await call(app, '/api/timelines/home?limit=1', { headers: u.auth });
    const seq = JSON.parse(Buffer.from(first.json.next, 'base64url').toString())[1];
    const padded = Buffer.from(`["p",${' '.repeat(3000)}${seq}]`).toString('base64url');
    const res = await app.request(`/api/timelines/home?limit=1&cursor=${padded}`, { headers: u.auth });
    expect(res.status).toBe(200);
    expect(cache.heldBytes - before).toBeGreaterThan(2 * padded.length + (await call(app, '/api/timelines/home?limit=1', { headers: u.auth })).text.length);
  });

  it('names the scheme on every 401, and what was wrong with a bad token', async () => {
    const app = makeTestApp();
    expect((await app.request('/api/me')).headers.get('www-authenticate')).toBe('Bearer realm="bluetwit"');
    expect((await app.request('/api/me', { headers: { authorization: 'Bearer nope' } })).headers.get('www-authenticate')).toBe('Bearer realm="bluetwit", error="invalid_token"');
    expect((await app.request('/home', { headers: { accept: '*/*' } })).headers.get('www-authenticate')).toBe('Bearer realm="bluetwit"');
    // The terminal's token command asks for Basic credentials.
    expect((await app.request('/token', { method: 'POST', headers: { accept: '*/*' } })).headers.get('www-authenticate')).toContain('Basic');
    // Also when the credentials sent were wrong.
    const u = await signUp(app);
    const wrong = await app.request('/token', { method: 'POST', headers: { accept: '*/*', authorization: `Basic ${Buffer.from(`${u.handle}:wrong password`).toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="bluetwit", charset="UTF-8"');
  });

  it('says where a created post or account lives, also on an idempotent replay', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const created = await call(app, '/api/posts', { body: { text: 'located' }, headers: { ...u.auth, 'idempotency-key': 'k1' } });
    expect(created.headers.get('location')).toBe(`http://localhost/api/posts/${created.json.post.id}`);
    const replay = await call(app, '/api/posts', { body: { text: 'located' }, headers: { ...u.auth, 'idempotency-key': 'k1' } });
    expect(replay.headers.get('location')).toBe(created.headers.get('location'));
    expect((await call(app, created.headers.get('location')!, { headers: u.auth })).json.post.text).toBe('located');
    const account = await call(app, '/api/accounts', { body: { handle: 'located_one', displayName: 'L', password: 'long enough pw' } });
    expect(account.headers.get('location')).toBe('http://localhost/api/accounts/located_one');
    const terminal = await call(app, '/post', { method: 'POST', body: 'from a terminal', headers: { ...u.auth, accept: '*/*', 'content-type': 'text/plain' } });
    expect(terminal.headers.get('location')).toMatch(/^http:\/\/localhost\/@\w+\/[\w-]+$/);
  });

  it('keeps what depends on the reader out of shared caches, and lets HEAD revalidate like GET', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    for (const path of ['/api/me', '/api/timelines/home', '/api/timelines/public']) {
      const r = await app.request(path, { headers: u.auth });
      expect(r.headers.get('cache-control'), path).toBe('private, no-cache');
      expect(r.headers.get('vary'), path).toMatch(/Authorization, Cookie/);
      const tag = r.headers.get('etag')!;
      const head = await app.request(path, { method: 'HEAD', headers: u.auth });
      expect([head.status, head.headers.get('etag')], path).toEqual([200, tag]);
      const revalidated = await app.request(path, { method: 'HEAD', headers: { ...u.auth, 'if-none-match': tag } });
      expect(revalidated.status, path).toBe(304);
    }
    const text = await app.request('/home', { headers: { ...u.auth, accept: '*/*' } });
    expect(text.headers.get('cache-control')).toBe('private, no-cache');
    // The terminal's JSON pages revalidate like its text.
    for (const path of ['/home?format=json', '/directory?format=json']) {
      const page = await app.request(path, { headers: u.auth });
      expect(page.headers.get('content-type'), path).toBe('application/json');
      const again = await app.request(path, { headers: { ...u.auth, 'if-none-match': page.headers.get('etag')! } });
      expect(again.status, path).toBe(304);
    }
    // The guidelines revalidate too.
    const g = await app.request('/guidelines');
    expect((await app.request('/guidelines', { headers: { 'if-none-match': g.headers.get('etag')! } })).status).toBe(304);
  });

  it('compresses when asked, with a weak ETag and Vary, and never a live tail', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    for (let i = 0; i < 5; i++) await call(app, '/api/posts', { body: { text: `a post long enough to be worth compressing, number ${i} `.repeat(4) }, headers: u.auth });
    const plain = await app.request('/api/timelines/public', { headers: u.auth });
    const gz = await app.request('/api/timelines/public', { headers: { ...u.auth, 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toContain('Accept-Encoding');
    expect(gz.headers.get('etag')).toBe(`W/${plain.headers.get('etag')}`);
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(await plain.text());
    // A weak ETag still revalidates.
    expect((await app.request('/api/timelines/public', { headers: { ...u.auth, 'accept-encoding': 'gzip', 'if-none-match': gz.headers.get('etag')! } })).status).toBe(304);
    // The home timeline keeps each page's gzip with the page: the same bytes for every reader who asks again.
    const home = async (ae?: string) => app.request('/api/timelines/home', { headers: { ...u.auth, ...(ae ? { 'accept-encoding': ae } : {}) } });
    const plainHome = await home();
    const [g1, g2] = [await home('gzip, deflate, br'), await home('gzip')];
    expect(g1.headers.get('content-encoding')).toBe('gzip');
    expect(g1.headers.get('etag')).toBe(`W/${plainHome.headers.get('etag')}`);
    const [b1, b2] = [Buffer.from(await g1.arrayBuffer()), Buffer.from(await g2.arrayBuffer())];
    expect(b1.equals(b2)).toBe(true);
    expect(gunzipSync(b1).toString()).toBe(await plainHome.text());
    expect((await app.request('/api/timelines/home', { headers: { ...u.auth, 'accept-encoding': 'gzip', 'if-none-match': g1.headers.get('etag')! } })).status).toBe(304);
    expect((await home('gzip;q=0, identity')).headers.get('content-encoding')).toBeNull();
    const ctrl = new AbortController();
    const live = await app.request('/live', { headers: { ...u.auth, accept: '*/*', 'accept-encoding': 'gzip' }, signal: ctrl.signal });
    expect(live.headers.get('content-encoding')).toBeNull();
    expect(live.headers.get('cache-control')).toContain('no-transform');
    ctrl.abort();
    await live.body?.cancel().catch(() => {});
  });
});

describe('health', () => {
  it('says the database is unavailable once its file is deleted, replaced or overwritten, and refuses writes then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bluetwit-health-'));
    try {
      for (const damage of ['delete', 'replace', 'overwrite'] as const) {
        const path = join(dir, `${damage}.db`);
        const app = createApp({ db: openDb(path), config: testConfig() });
        expect((await call(app, '/healthz')).json).toEqual({ status: 'ok' });
        if (damage === 'delete') rmSync(path);
        if (damage === 'replace') {
          copyFileSync(path, `${path}.copy`);
          renameSync(`${path}.copy`, path);
        }
        if (damage === 'overwrite') writeFileSync(path, randomBytes(4096), { flag: 'r+' });
        const r = await call(app, '/healthz');
        expect(r.status, damage).toBe(503);
        expect(r.json.status).toBe('unavailable');
        app.deps.db.$client.close();
      }
      // A write to a file deleted or replaced under the server would be acknowledged and lost: it is refused.
      for (const damage of ['delete', 'replace'] as const) {
        const path = join(dir, `writes-${damage}.db`);
        const app = createApp({ db: openDb(path), config: testConfig() });
        const u = await signUp(app);
        await post(app, u, 'before');
        if (damage === 'delete') rmSync(path);
        else {
          copyFileSync(path, `${path}.copy`);
          renameSync(`${path}.copy`, path);
        }
        const refused = await call(app, '/api/posts', { body: { text: 'after' }, headers: u.auth });
        expect([refused.status, refused.json.error.code], damage).toEqual([503, 'database_unavailable']);
        const terminal = await call(app, '/post', { method: 'POST', body: 'after', headers: { ...u.auth, accept: '*/*', 'content-type': 'text/plain' } });
        expect(terminal.status).toBe(503);
        expect(terminal.text).toMatch(/^error: Nothing can be saved now: the database file (is gone|was replaced)\.\n$/);
        // Reads go on from what the server has.
        expect((await call(app, '/api/timelines/home', { headers: u.auth })).status).toBe(200);
        app.deps.db.$client.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gzip of cached pages', () => {
  it('honours an explicit refusal over *, and q-values', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('br;q=1, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('keeps a copy of exactly the gzip size (zlib hands out views of a 16 KB buffer), and small pages go out as they are', async () => {
    const app = makeTestApp();
    const cache = pageCache(app.deps.db);
    const page = { body: new TextEncoder().encode('{"items":[],"next":null}'), bytes: 0 } as Parameters<typeof cache.gzipped>[0];
    const gz = cache.gzipped(page);
    expect(gz.buffer.byteLength).toBe(gz.byteLength);
    expect(page.bytes).toBe(gz.byteLength);
    const u = await signUp(app);
    const small = await app.request('/api/timelines/home', { headers: { ...u.auth, 'accept-encoding': 'gzip' } });
    expect(small.headers.get('content-encoding')).toBeNull();
    expect(await small.json()).toEqual({ items: [], next: null });
  });
});
