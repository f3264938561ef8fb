import { describe, expect, it } from 'vitest';
import { openApiJson } from '../src/http/schemas';
import { call, makeTestApp, post, signUp } from './helpers';

// writeOnly: the owner's token with only the write scope; stale: a revoked or mistyped bearer token.
type Role = 'none' | 'other' | 'read' | 'write' | 'admin' | 'writeOnly' | 'stale';
const ROLES: Role[] = ['none', 'other', 'read', 'write', 'admin', 'writeOnly', 'stale'];

/** A fresh world: `owner` with a post, a third account to act on, another user and an admin. */
async function world() {
  const app = makeTestApp();
  const owner = await signUp(app, { handle: 'owner' });
  const other = await signUp(app, { handle: 'other' });
  const admin = await signUp(app, { handle: 'moderator' });
  await signUp(app, { handle: 'third' });
  app.deps.db.$client.prepare("UPDATE accounts SET role = 'admin' WHERE handle = 'moderator'").run();
  const p = await post(app, owner, 'owner post #topic');
  const tokenId = (await call(app, '/api/tokens', { headers: { cookie: owner.cookie } })).json.items[0].id as string;
  const writeOnly = (await call(app, '/api/tokens', { body: { name: 'bot', scopes: ['write'] }, headers: { cookie: owner.cookie } })).json.token as string;
  const headers: Record<Role, Record<string, string>> = {
    none: {},
    other: other.auth,
    read: { authorization: `Bearer ${owner.readToken}` },
    write: owner.auth,
    admin: admin.auth,
    writeOnly: { authorization: `Bearer ${writeOnly}` },
    stale: { authorization: 'Bearer bt_revoked_or_mistyped_token_0000' },
  };
  return { app, postId: p.id as string, tokenId, headers };
}

type Row = [method: string, path: string, body: unknown, expected: Record<Role, number>];
const READ = { none: 401, other: 200, read: 200, write: 200, admin: 200, writeOnly: 403, stale: 401 };
const WRITE = (ok: number) => ({ none: 401, other: ok, read: 403, write: ok, admin: ok, writeOnly: ok, stale: 401 });
const SESSION_ONLY = { none: 401, other: 403, read: 403, write: 403, admin: 403, writeOnly: 403, stale: 401 };
const ANYONE = { none: 200, other: 200, read: 200, write: 200, admin: 200, writeOnly: 200, stale: 200 };
// Invalid input from someone who may not call the route at all: the 401 or 403 comes before the 400.
const INVALID_READ = { none: 401, other: 400, read: 400, write: 400, admin: 400, writeOnly: 403, stale: 401 };
const INVALID_WRITE = { none: 401, other: 400, read: 403, write: 400, admin: 400, writeOnly: 400, stale: 401 };

const MATRIX: Row[] = [
  // Any credential may ask whose it is.
  ['GET', '/api/me', undefined, { ...READ, writeOnly: 200 }],
  ['PATCH', '/api/me', { bio: 'hi' }, WRITE(200)],
  ['GET', '/api/accounts', undefined, READ],
  ['GET', '/api/accounts/owner', undefined, READ],
  ['GET', '/api/accounts/owner/posts', undefined, READ],
  ['GET', '/api/accounts/owner/followers', undefined, READ],
  ['GET', '/api/accounts/owner/following', undefined, READ],
  ['PUT', '/api/accounts/third/follow', undefined, WRITE(204)],
  ['DELETE', '/api/accounts/third/follow', undefined, WRITE(204)],
  ['PUT', '/api/accounts/third/mute', undefined, WRITE(204)],
  ['DELETE', '/api/accounts/third/mute', undefined, WRITE(204)],
  ['PUT', '/api/accounts/third/block', undefined, WRITE(204)],
  ['DELETE', '/api/accounts/third/block', undefined, WRITE(204)],
  ['POST', '/api/posts', { text: 'hello' }, WRITE(201)],
  ['GET', '/api/posts/:post', undefined, READ],
  ['DELETE', '/api/posts/:post', undefined, { none: 401, other: 403, read: 403, write: 204, admin: 204, writeOnly: 204, stale: 401 }],
  ['GET', '/api/posts/:post/replies', undefined, READ],
  ['PUT', '/api/posts/:post/like', undefined, WRITE(204)],
  ['DELETE', '/api/posts/:post/like', undefined, WRITE(204)],
  ['POST', '/api/posts/:post/report', { reason: 'spam' }, WRITE(201)],
  ['GET', '/api/timelines/home', undefined, READ],
  ['GET', '/api/timelines/public', undefined, READ],
  ['GET', '/api/timelines/tag/topic', undefined, READ],
  ['GET', '/api/search?q=owner', undefined, READ],
  ['GET', '/api/notifications', undefined, READ],
  ['POST', '/api/notifications/read', {}, WRITE(200)],
  ['GET', '/api/reports', undefined, { none: 401, other: 403, read: 403, write: 403, admin: 200, writeOnly: 403, stale: 401 }],
  ['GET', '/api/tokens', undefined, SESSION_ONLY],
  ['POST', '/api/tokens', { name: 'x', scopes: ['read'] }, SESSION_ONLY],
  ['DELETE', '/api/tokens/:token', undefined, SESSION_ONLY],
  ['DELETE', '/api/sessions', undefined, SESSION_ONLY],
  ['GET', '/metrics', undefined, { none: 403, other: 403, read: 403, write: 403, admin: 200, writeOnly: 403, stale: 401 }],
  // Routes anyone may call ignore a stale token sent along.
  ['GET', '/healthz', undefined, ANYONE],
  ['GET', '/api/openapi.json', undefined, ANYONE],
  ['GET', '/guidelines', undefined, ANYONE],
  ['GET', '/home?format=json', undefined, READ],
  ['POST', '/post', 'terminal post', { none: 401, other: 201, read: 403, write: 201, admin: 201, writeOnly: 201, stale: 401 }],
  ['POST', '/api/posts', {}, INVALID_WRITE],
  ['PATCH', '/api/me', { bio: 1 }, INVALID_WRITE],
  ['PUT', '/api/posts/:post/like', { extra: true }, WRITE(204)],
  ['GET', '/api/timelines/home?limit=0', undefined, INVALID_READ],
  ['GET', '/api/accounts/owner/posts?cursor=%%%', undefined, INVALID_READ],
  ['GET', '/api/reports?limit=0', undefined, { none: 401, other: 403, read: 403, write: 403, admin: 400, writeOnly: 403, stale: 401 }],
];

describe('authorisation matrix', () => {
  for (const [method, path, body, expected] of MATRIX) {
    it(`${method} ${path}: ${ROLES.map((r) => `${r} ${expected[r]}`).join(', ')}`, async () => {
      for (const role of ROLES) {
        const w = await world();
        const url = path.replace(':post', w.postId).replace(':token', w.tokenId);
        const headers: Record<string, string> = { ...w.headers[role] };
        if (typeof body === 'string') headers['content-type'] = 'application/x-www-form-urlencoded';
        const r = await call(w.app, url, { method, body, headers });
        expect(r.status, `${role}: ${r.text.slice(0, 200)}`).toBe(expected[role]);
      }
    });
  }

  it('answers a body that is not JSON, or not said to be, with 401 or 403 first to whoever may not call the route', async () => {
    const expected: Record<Role, number> = { none: 401, other: 0, read: 403, write: 0, admin: 0, writeOnly: 0, stale: 401 };
    for (const [type, body, fault] of [['application/json', '{"text":', 400], ['text/plain', 'hello', 415]] as const) {
      // With a Content-Length, as over HTTP, and without (as app.request sends it).
      for (const length of [{ 'content-length': String(Buffer.byteLength(body)) }, {}] as Record<string, string>[]) {
        for (const role of ROLES) {
          const w = await world();
          const r = await call(w.app, '/api/posts', { method: 'POST', body, headers: { ...w.headers[role], 'content-type': type, ...length } });
          expect(r.status, `${type} ${role} ${JSON.stringify(length)}`).toBe(expected[role] || fault);
          if (r.status === 400) expect(r.json.error.code).toBe('malformed_json');
        }
      }
    }
  });

  it('covers every route of the OpenAPI document', async () => {
    const app = makeTestApp();
    const doc = (await call(app, '/api/openapi.json')).json;
    // Built once per origin it is served under, each naming its own server.
    expect(doc.servers).toEqual([{ url: 'http://localhost/api' }]);
    expect((await (await app.request('http://bluetwit.example/api/openapi.json')).json()).servers).toEqual([{ url: 'http://bluetwit.example/api' }]);
    expect((await call(app, '/api/openapi.json')).json).toEqual(doc);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} /api${p}`));
    const covered = new Set(MATRIX.map(([m, p]) => `${m} ${p.split('?')[0].replace(':post', '{id}').replace(':token', '{id}').replace(/accounts\/(owner|third)/, 'accounts/{handle}').replace('tag/topic', 'tag/{tag}')}`));
    // Sign-up, sign-in and the SSE stream have their own tests (accounts, stream).
    const elsewhere = new Set(['POST /api/accounts', 'POST /api/sessions', 'GET /api/stream', 'GET /api/openapi.json']);
    expect(documented.filter((d) => !covered.has(d) && !elsewhere.has(d))).toEqual([]);
    // And every operation lists the errors the middleware can give it, whatever its handler does.
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; responses: Record<string, unknown> }>>)) {
      for (const [m, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses);
        expect(codes, `${m} ${p}`).toContain('429');
        if (op.requestBody) expect(codes, `${m} ${p}`).toEqual(expect.arrayContaining(['413', '415']));
        if (op.security?.length) expect(codes, `${m} ${p}`).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    expect(Object.keys(doc.paths['/posts/{id}'].get.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '429']));
  });

  it('generates the OpenAPI document once, whatever server each answer names', () => {
    let generated = 0;
    const doc = openApiJson((server) => {
      generated++;
      return { openapi: '3.1.0', servers: [{ url: server }], paths: { '/x': { get: { description: 'a "quoted" \u0000 word' } } } };
    });
    for (const server of ['http://a.example/api', 'https://b.example:8443/social/api', 'http://a.example/api']) {
      expect(JSON.parse(doc(server))).toEqual({ openapi: '3.1.0', servers: [{ url: server }], paths: { '/x': { get: { description: 'a "quoted" \u0000 word' } } } });
    }
    expect(generated).toBe(1);
  });

  it('names each request’s own origin as the OpenAPI server, past any number of Host headers', async () => {
    const app = makeTestApp();
    const first = await (await app.request('http://h0.example/api/openapi.json')).json();
    for (let i = 1; i < 40; i++) {
      const doc = await (await app.request(`http://h${i}.example/api/openapi.json`)).json();
      expect(doc).toEqual({ ...first, servers: [{ url: `http://h${i}.example/api` }] });
    }
  });

  it('documents the statuses real requests get', async () => {
    const app = makeTestApp();
    const doc = (await call(app, '/api/openapi.json')).json;
    const u = await signUp(app);
    const p = await post(app, u, 'documented');
    const etag = (await app.request('/api/timelines/home', { headers: u.auth })).headers.get('etag')!;
    const json = { 'content-type': 'application/json' };
    const cases: [string, string, string, RequestInit][] = [
      ['get', '/accounts/{handle}/followers', `/api/accounts/${u.handle}/followers?cursor=zz`, { headers: u.auth }],
      ['get', '/accounts/{handle}/following', `/api/accounts/${u.handle}/following?limit=0`, { headers: u.auth }],
      ['post', '/tokens', '/api/tokens', { method: 'POST', headers: { ...u.auth, ...json }, body: JSON.stringify({ name: 'x', scopes: ['read'] }) }],
      ['post', '/sessions', '/api/sessions', { method: 'POST', headers: json, body: JSON.stringify({ handle: 5 }) }],
      ['post', '/accounts', '/api/accounts', { method: 'POST', headers: json, body: JSON.stringify({ handle: u.handle, displayName: 'Again', password: 'long enough password' }) }],
      ['get', '/posts/{id}', `/api/posts/${'x'.repeat(65)}`, { headers: u.auth }],
      ['get', '/posts/{id}', `/api/posts/${p.id}`, { headers: { ...u.auth, 'if-none-match': (await app.request(`/api/posts/${p.id}`, { headers: u.auth })).headers.get('etag')! } }],
      ['get', '/timelines/home', '/api/timelines/home', { headers: { ...u.auth, 'if-none-match': etag } }],
      ['post', '/posts', '/api/posts', { method: 'POST', headers: { ...u.auth, ...json, 'idempotency-key': 'k1' }, body: JSON.stringify({ text: 'one' }) }],
      ['post', '/posts', '/api/posts', { method: 'POST', headers: { ...u.auth, ...json, 'idempotency-key': 'k1' }, body: JSON.stringify({ text: 'two' }) }],
    ];
    const seen = new Set<number>();
    for (const [method, path, url, init] of cases) {
      const status = (await app.request(url, init)).status;
      seen.add(status);
      expect(Object.keys(doc.paths[path][method].responses), `${method} ${url} → ${status}`).toContain(String(status));
      const documented = doc.paths[path][method].responses[String(status)];
      if (status >= 400) expect(documented.content['application/json'].schema, `${method} ${path} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
    }
    // The cases reach the statuses they are there for.
    expect([...seen].sort()).toEqual([201, 304, 400, 403, 409, 422]);
  });
});
