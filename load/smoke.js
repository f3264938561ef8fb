// Smoke test: every endpoint of the API contract once (and the terminal's commands), as two fresh accounts, with
// checks. Needs no seeded data. Streams are checked signed out (401): k6 waits for a whole body, which they never end.
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 load/smoke.js
//
// It signs up accounts, so run it against a throwaway or test database. With rate limits on, each run makes 3 of the 10
// sign-ups an address may make per minute by default: at most three runs a minute.
import http from 'k6/http';
import { check, group } from 'k6';
import encoding from 'k6/encoding';
import { authHeaders, body, uid, BASE_URL } from './common.js';

/** @type {import('k6/options').Options} */
export const options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    checks: ['rate==1'],
    // Requests that expect a 4xx say so with their own responseCallback, so any failure here is a real one.
    http_req_failed: ['rate==0'],
  },
};

const PASSWORD = 'smoke test password';
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };
// Cookie-authenticated writes must look same-origin.
const SESSION_WRITE = Object.assign({ Origin: BASE_URL }, JSON_HEADERS);
const isLoopback = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(BASE_URL);

/**
 * @param {number[]} statuses
 * @returns {Pick<import('k6/http').Params, 'responseCallback'>}
 */
const expect = (...statuses) => ({ responseCallback: http.expectedStatuses(...statuses) });

/**
 * Checks that a response is an error in the contract's shape.
 * @param {import('k6/http').RefinedResponse<any>} res
 * @param {number} status
 * @param {string} label
 */
function checkError(res, status, label) {
  const json = body(res);
  check(res, {
    [`${label}: ${status}`]: (r) => r.status === status,
    [`${label}: error shape`]: () => json !== null && typeof json.error === 'object' && typeof json.error.code === 'string' && typeof json.error.message === 'string',
  });
}

export default function () {
  const suffix = uid().slice(-10);
  const alice = `smoke_a_${suffix}`;
  const bob = `smoke_b_${suffix}`;
  const word = `smokeword${suffix.replace(/[^a-z0-9]/g, '')}`;
  const bobJar = new http.CookieJar();
  /** @type {Record<string, string>} */
  const A = {};
  /** @type {Record<string, string>} */
  const B = {};
  /** @type {string} */
  let postId = '';

  group('meta', () => {
    check(http.get(`${BASE_URL}/healthz`), { 'healthz: 200': (r) => r.status === 200 });
    const spec = http.get(`${BASE_URL}/api/openapi.json`);
    check(spec, {
      'openapi: 200': (r) => r.status === 200,
      'openapi: 3.1 with paths': () => {
        const json = body(spec);
        // Paths may be written relative to a `servers` entry ending in /api.
        const paths = json && typeof json.paths === 'object' ? Object.keys(json.paths) : [];
        return json !== null && /^3\.1/.test(json.openapi) && paths.some((p) => /(^|\/api)\/timelines\/home$/.test(p));
      },
    });
    check(http.get(`${BASE_URL}/guidelines`, { headers: { Accept: 'text/plain' } }), { 'guidelines: 200': (r) => r.status === 200 && String(r.body).length > 0 });
    if (isLoopback) check(http.get(`${BASE_URL}/metrics`), { 'metrics: 200 text': (r) => r.status === 200 && /# (HELP|TYPE) /.test(String(r.body)) });
    checkError(http.get(`${BASE_URL}/api/timelines/home`, Object.assign({ headers: { Accept: 'application/json' } }, expect(401))), 401, 'signed out home');
    // The event stream never ends by itself, and k6 waits for a whole body: signed out, it answers 401 at once.
    checkError(http.get(`${BASE_URL}/api/stream?timeline=home`, Object.assign({ headers: { Accept: 'application/json' } }, expect(401))), 401, 'signed out stream');
  });

  group('accounts and auth', () => {
    const signUp = http.post(`${BASE_URL}/api/accounts`, JSON.stringify({ handle: alice, displayName: 'Smoke Alice', password: PASSWORD }), { headers: JSON_HEADERS });
    check(signUp, {
      'sign up: 201': (r) => r.status === 201,
      'sign up: session cookie': (r) => Object.keys(r.cookies).length > 0,
      'sign up: account': () => (body(signUp) || {}).account?.handle === alice,
    });
    checkError(http.post(`${BASE_URL}/api/accounts`, JSON.stringify({ handle: alice.toUpperCase(), displayName: 'Again', password: PASSWORD }), Object.assign({ headers: JSON_HEADERS, jar: new http.CookieJar() }, expect(409))), 409, 'handle taken');
    check(http.post(`${BASE_URL}/api/accounts`, JSON.stringify({ handle: bob, displayName: 'Smoke Bob', password: PASSWORD }), { headers: JSON_HEADERS, jar: bobJar }), { 'sign up bob: 201': (r) => r.status === 201 });

    const me = http.get(`${BASE_URL}/api/me`, { headers: JSON_HEADERS });
    check(me, { 'me: 200': (r) => r.status === 200 && (body(r) || {}).account?.handle === alice });
    const patched = http.patch(`${BASE_URL}/api/me`, JSON.stringify({ title: 'Smoke tester', department: 'QA' }), { headers: SESSION_WRITE });
    check(patched, { 'patch me: 200': (r) => r.status === 200 && (body(r) || {}).account?.title === 'Smoke tester' });

    const viaSession = http.post(`${BASE_URL}/api/tokens`, JSON.stringify({ name: 'smoke rw', scopes: ['read', 'write'] }), { headers: SESSION_WRITE });
    check(viaSession, { 'token via session: 201': (r) => r.status === 201 && /^bt_/.test((body(r) || {}).token) });
    A.token = (body(viaSession) || {}).token;
    A.tokenId = (body(viaSession) || {}).id;
    const readOnly = http.post(`${BASE_URL}/api/tokens`, JSON.stringify({ name: 'smoke ro', scopes: ['read'] }), { headers: SESSION_WRITE });
    check(readOnly, { 'read-only token: 201': (r) => r.status === 201 });
    A.readToken = (body(readOnly) || {}).token;
    const viaPassword = http.post(`${BASE_URL}/api/tokens`, JSON.stringify({ handle: bob, password: PASSWORD, name: 'smoke bob', scopes: ['read', 'write'] }), { headers: JSON_HEADERS, jar: bobJar });
    check(viaPassword, { 'token via password: 201': (r) => r.status === 201 });
    B.token = (body(viaPassword) || {}).token;
    const list = http.get(`${BASE_URL}/api/tokens`, { headers: JSON_HEADERS });
    check(list, {
      'list tokens: 200 without secrets': (r) => {
        const items = (body(r) || {}).items;
        return r.status === 200 && Array.isArray(items) && items.length >= 2 && items.every((/** @type {any} */ t) => t.token === undefined);
      },
    });
    checkError(http.post(`${BASE_URL}/api/sessions`, JSON.stringify({ handle: alice, password: 'wrong password' }), Object.assign({ headers: JSON_HEADERS, jar: new http.CookieJar() }, expect(401))), 401, 'bad sign-in');
    check(http.post(`${BASE_URL}/api/sessions`, JSON.stringify({ handle: bob, password: PASSWORD }), { headers: JSON_HEADERS, jar: bobJar }), { 'sign in: 200': (r) => r.status === 200 });
  });

  const a = (/** @type {Record<string, string>} */ extra = {}) => ({ headers: authHeaders(A.token, extra) });
  const b = (/** @type {Record<string, string>} */ extra = {}) => ({ headers: authHeaders(B.token, extra), jar: bobJar });

  group('posts, follows, likes, replies', () => {
    const key = `smoke-${suffix}`;
    const payload = JSON.stringify({ text: `Hello from the k6 smoke test ${word} @${bob} #smoketest` });
    const created = http.post(`${BASE_URL}/api/posts`, payload, a({ 'Idempotency-Key': key }));
    const post = (body(created) || {}).post || {};
    postId = post.id;
    check(created, {
      'post: 201': (r) => r.status === 201,
      'post: parsed mention and tag': () => post.mentions?.[0] === bob && post.tags?.[0] === 'smoketest',
      'post: absolute url': () => /^https?:\/\//.test(post.url),
    });
    const retried = http.post(`${BASE_URL}/api/posts`, payload, a({ 'Idempotency-Key': key }));
    check(retried, { 'idempotent retry: same post': (r) => (r.status === 200 || r.status === 201) && (body(r) || {}).post?.id === postId });
    checkError(http.post(`${BASE_URL}/api/posts`, JSON.stringify({ text: 'nope' }), Object.assign({ headers: authHeaders(A.readToken) }, expect(403))), 403, 'read-only write');
    checkError(http.post(`${BASE_URL}/api/posts`, JSON.stringify({ text: 'bad \u001b[2J' }), Object.assign(a(), expect(400))), 400, 'control character');

    check(http.put(`${BASE_URL}/api/accounts/${alice}/follow`, null, b()), { 'follow: 204': (r) => r.status === 204 });
    check(http.put(`${BASE_URL}/api/accounts/${alice}/follow`, null, b()), { 'follow again: 204': (r) => r.status === 204 });
    checkError(http.put(`${BASE_URL}/api/accounts/${bob}/follow`, null, Object.assign(b(), expect(400))), 400, 'follow self');
    check(http.put(`${BASE_URL}/api/posts/${postId}/like`, null, b()), { 'like: 204': (r) => r.status === 204 });
    const reply = http.post(`${BASE_URL}/api/posts`, JSON.stringify({ text: `@${alice} nice one`, replyTo: postId }), b());
    check(reply, { 'reply: 201': (r) => r.status === 201 && (body(r) || {}).post?.replyTo === postId });

    const one = http.get(`${BASE_URL}/api/posts/${postId}`, b());
    check(one, { 'get post: counts': (r) => r.status === 200 && (body(r) || {}).post?.likeCount === 1 && (body(r) || {}).post?.replyCount === 1 && (body(r) || {}).post?.liked === true });
    const replies = http.get(`${BASE_URL}/api/posts/${postId}/replies`, a());
    check(replies, { 'replies: 1': (r) => r.status === 200 && (body(r) || {}).items?.length === 1 });
    check(http.post(`${BASE_URL}/api/posts/${postId}/report`, JSON.stringify({ reason: 'smoke test report, please ignore' }), b()), { 'report: 201': (r) => r.status === 201 });
    checkError(http.get(`${BASE_URL}/api/reports`, Object.assign(a(), expect(403))), 403, 'reports as non-admin');
  });

  group('reading', () => {
    const home = http.get(`${BASE_URL}/api/timelines/home?limit=5`, b());
    check(home, { 'home: has the followed post': (r) => r.status === 200 && ((body(r) || {}).items || []).some((/** @type {any} */ p) => p.id === postId) });
    const paged = http.get(`${BASE_URL}/api/timelines/home?limit=1`, b());
    check(paged, { 'home: next cursor and Link': (r) => typeof (body(r) || {}).next === 'string' && /rel="next"/.test(String(r.headers.Link)) });
    checkError(http.get(`${BASE_URL}/api/timelines/home?cursor=not-a-cursor!`, Object.assign(b(), expect(400))), 400, 'malformed cursor');
    check(http.get(`${BASE_URL}/api/timelines/public?limit=5&bots=false`, a()), { 'public: 200': (r) => r.status === 200 });
    check(http.get(`${BASE_URL}/api/timelines/tag/smoketest`, a()), { 'tag: has the post': (r) => r.status === 200 && ((body(r) || {}).items || []).some((/** @type {any} */ p) => p.id === postId) });
    check(http.get(`${BASE_URL}/api/search?q=${word}`, a()), { 'search: finds the post': (r) => r.status === 200 && ((body(r) || {}).items || []).some((/** @type {any} */ p) => p.id === postId) });
    check(http.get(`${BASE_URL}/api/accounts?q=smoke_a_${suffix}`, a()), { 'directory: finds alice': (r) => r.status === 200 && ((body(r) || {}).items || []).some((/** @type {any} */ x) => x.handle === alice) });
    check(http.get(`${BASE_URL}/api/accounts/${alice.toUpperCase()}`, b()), { 'profile: 200, case-insensitive, followed': (r) => r.status === 200 && (body(r) || {}).account?.following === true });
    check(http.get(`${BASE_URL}/api/accounts/${alice}/posts`, b()), { 'account posts: 200': (r) => r.status === 200 && ((body(r) || {}).items || []).length === 1 });
    check(http.get(`${BASE_URL}/api/accounts/${alice}/followers`, a()), { 'followers: bob': (r) => r.status === 200 && ((body(r) || {}).items || []).some((/** @type {any} */ x) => x.handle === bob) });
    check(http.get(`${BASE_URL}/api/accounts/${bob}/following`, a()), { 'following: alice': (r) => r.status === 200 && ((body(r) || {}).items || []).some((/** @type {any} */ x) => x.handle === alice) });
    checkError(http.get(`${BASE_URL}/api/accounts/nobody_${suffix}`, Object.assign(a(), expect(404))), 404, 'unknown account');
  });

  group('terminal', () => {
    const text = { Accept: '*/*', 'User-Agent': 'curl/8.5.0' };
    const T = Object.assign({ Authorization: `Bearer ${A.token}` }, text);
    check(http.get(`${BASE_URL}/help`, { headers: text }), { 'help: plain text with commands': (r) => r.status === 200 && /curl -u \S+ -X POST \S+\/token/.test(String(r.body)) });
    const posted = http.post(`${BASE_URL}/post`, `from the smoke terminal ${word}`, { headers: Object.assign({ 'Content-Type': 'text/plain' }, T) });
    check(posted, { 'terminal post: 201 with its URL': (r) => r.status === 201 && String(r.body).includes(`${BASE_URL}/@${alice}/`) });
    check(http.get(`${BASE_URL}/@${alice}`, { headers: T }), { 'terminal profile: text with the post': (r) => r.status === 200 && String(r.body).includes(`from the smoke terminal ${word}`) });
    check(http.get(`${BASE_URL}/@${alice}/${postId}`, { headers: T }), { 'terminal thread: 200': (r) => r.status === 200 && /^text\/plain/.test(String(r.headers['Content-Type'])) });
    check(http.get(`${BASE_URL}/home?width=40`, { headers: T }), { 'terminal home: within 40 columns': (r) => r.status === 200 && String(r.body).split('\n').every((l) => [...l].length <= 40) });
    const basic = `Basic ${encoding.b64encode(`${bob}:${PASSWORD}`)}`;
    // A terminal has no cookies: an empty jar, not this virtual user's, which holds alice's session by now.
    check(http.post(`${BASE_URL}/token`, null, { headers: Object.assign({ Authorization: basic }, text), jar: new http.CookieJar() }), { 'terminal token: 201, token first': (r) => r.status === 201 && /^bt_\S+\n/.test(String(r.body)) });
    const tail = http.get(`${BASE_URL}/live?timeline=home`, Object.assign({ headers: text, jar: new http.CookieJar(), timeout: '10s' }, expect(401)));
    check(tail, { 'live signed out: 401, one line': (r) => r.status === 401 && /^error: [^\n]*\n$/.test(String(r.body)) });
  });

  group('notifications', () => {
    const notes = http.get(`${BASE_URL}/api/notifications`, a());
    const json = body(notes) || {};
    const types = (json.items || []).map((/** @type {any} */ n) => n.type);
    check(notes, {
      // Bob's reply mentions alice, so it arrives as a mention (one notification per event, as Mastodon does).
      'notifications: follow, like, reply or mention': () =>
        notes.status === 200 && ['follow', 'like'].every((t) => types.includes(t)) && (types.includes('reply') || types.includes('mention')),
      'notifications: unread count': () => json.unreadCount >= 3,
    });
    check(http.get(`${BASE_URL}/api/notifications`, b()), { 'notifications: bob was mentioned': (r) => ((body(r) || {}).items || []).some((/** @type {any} */ n) => n.type === 'mention') });
    check(http.post(`${BASE_URL}/api/notifications/read`, '{}', a()), { 'mark read: 200': (r) => r.status === 200 });
    check(http.get(`${BASE_URL}/api/notifications`, a()), { 'notifications: all read': (r) => (body(r) || {}).unreadCount === 0 });
  });

  group('mute and block', () => {
    check(http.put(`${BASE_URL}/api/accounts/${bob}/mute`, null, a()), { 'mute: 204': (r) => r.status === 204 });
    check(http.del(`${BASE_URL}/api/accounts/${bob}/mute`, null, a()), { 'unmute: 204': (r) => r.status === 204 });
    check(http.put(`${BASE_URL}/api/accounts/${bob}/block`, null, a()), { 'block: 204': (r) => r.status === 204 });
    checkError(http.post(`${BASE_URL}/api/posts`, JSON.stringify({ text: 'blocked reply', replyTo: postId }), Object.assign(b(), expect(403))), 403, 'reply while blocked');
    check(http.del(`${BASE_URL}/api/accounts/${bob}/block`, null, a()), { 'unblock: 204': (r) => r.status === 204 });
  });

  group('cleanup', () => {
    check(http.del(`${BASE_URL}/api/posts/${postId}/like`, null, b()), { 'unlike: 204': (r) => r.status === 204 });
    check(http.del(`${BASE_URL}/api/accounts/${alice}/follow`, null, b()), { 'unfollow: 204': (r) => r.status === 204 });
    checkError(http.del(`${BASE_URL}/api/posts/${postId}`, null, Object.assign(b(), expect(403))), 403, 'delete as non-author');
    check(http.del(`${BASE_URL}/api/posts/${postId}`, null, a()), { 'delete post: 204': (r) => r.status === 204 });
    checkError(http.get(`${BASE_URL}/api/posts/${postId}`, Object.assign(a(), expect(404))), 404, 'deleted post');
    check(http.del(`${BASE_URL}/api/tokens/${A.tokenId}`, null, { headers: SESSION_WRITE }), { 'revoke token: 204': (r) => r.status === 204 });
    checkError(http.get(`${BASE_URL}/api/me`, Object.assign({ headers: authHeaders(A.token), jar: new http.CookieJar() }, expect(401))), 401, 'revoked token');
    check(http.del(`${BASE_URL}/api/sessions`, null, { headers: SESSION_WRITE }), { 'sign out: 204': (r) => r.status === 204 });
  });
}
