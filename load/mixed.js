// A working day's mix: 80% reads, 10% posts, 5% follows/unfollows, 5% likes/unlikes, at a constant arrival rate.
// Writes change the database: reseed (npm run seed -- --force …) to get the baseline back.
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e TOKENS=$PWD/data/tokens.json load/mixed.js
//
// Env: RATE (iterations/s, default 50), DURATION (default 2m).
import http from 'k6/http';
import { check } from 'k6';
import { authed, body, loadTargets, loadTokens, pick, postText, tally, uid, BASE_URL } from './common.js';

const tokens = loadTokens();
const targets = loadTargets();
const RATE = Number(__ENV.RATE || 50);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    mixed: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION || '2m',
      preAllocatedVUs: Math.max(10, RATE),
      maxVUs: Math.max(50, RATE * 4),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{op:read}': ['p(95)<100', 'p(99)<250'],
    'http_req_duration{op:post}': ['p(95)<150', 'p(99)<400'],
    'http_req_duration{op:follow}': ['p(95)<150', 'p(99)<400'],
    'http_req_duration{op:like}': ['p(95)<150', 'p(99)<400'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

// Per-VU memory of post ids seen in reads, to like and reply to; and of whom this VU followed.
/** @type {string[]} */
const seen = [];
/** @type {Record<string, boolean>} */
const followed = {};

/** @param {any} json */
function remember(json) {
  if (!json || !Array.isArray(json.items)) return;
  for (const p of json.items.slice(0, 5)) {
    if (p && typeof p.id === 'string') seen.push(p.id);
  }
  if (seen.length > 200) seen.splice(0, seen.length - 200);
}

/** @param {string} token */
function read(token) {
  const roll = Math.random();
  /** @type {[string, string]} */
  const [path, name] =
    roll < 0.6 ? ['/api/timelines/home?limit=20', 'GET /api/timelines/home']
    : roll < 0.7 ? ['/api/timelines/public?limit=20', 'GET /api/timelines/public']
    : roll < 0.78 ? [`/api/timelines/tag/${pick(['release', 'oncall', 'incident', 'hiring', 'design'])}?limit=20`, 'GET /api/timelines/tag/:tag']
    : roll < 0.86 ? [`/api/search?q=${pick(['kubernetes', 'deploy', 'lunch', 'postmortem', 'roadmap'])}&limit=20`, 'GET /api/search']
    : roll < 0.93 ? ['/api/notifications?limit=20', 'GET /api/notifications']
    : [`/api/accounts/${pick(targets)}/posts?limit=20`, 'GET /api/accounts/:handle/posts'];
  const res = tally(http.get(`${BASE_URL}${path}`, authed(token, name, { op: 'read' })));
  const json = body(res);
  check(res, { 'read: 200': (r) => r.status === 200 });
  // Notification ids are not post ids.
  if (name !== 'GET /api/notifications') remember(json);
}

/** @param {string} token */
function publish(token) {
  /** @type {{ text: string, replyTo?: string }} */
  const payload = { text: postText() };
  if (seen.length > 0 && Math.random() < 0.25) payload.replyTo = pick(seen);
  if (Math.random() < 0.2) payload.text += ` @${pick(targets)}`;
  const res = tally(http.post(`${BASE_URL}/api/posts`, JSON.stringify(payload), authed(token, 'POST /api/posts', { op: 'post' }, { 'Idempotency-Key': uid() })));
  check(res, { 'post: 201': (r) => r.status === 201 });
}

/**
 * @param {string} token
 * @param {string} self
 */
function follow(token, self) {
  const target = pick(targets);
  if (target === self) return;
  const on = !followed[`${self}:${target}`];
  const res = tally(
    on
      ? http.put(`${BASE_URL}/api/accounts/${target}/follow`, null, authed(token, 'PUT /api/accounts/:handle/follow', { op: 'follow' }))
      : http.del(`${BASE_URL}/api/accounts/${target}/follow`, null, authed(token, 'DELETE /api/accounts/:handle/follow', { op: 'follow' })),
  );
  check(res, { 'follow: 204': (r) => r.status === 204 });
  followed[`${self}:${target}`] = on;
}

/** @param {string} token */
function like(token) {
  if (seen.length === 0) return read(token);
  const id = pick(seen);
  const on = Math.random() < 0.8;
  const res = tally(
    on
      ? http.put(`${BASE_URL}/api/posts/${id}/like`, null, authed(token, 'PUT /api/posts/:id/like', { op: 'like' }))
      : http.del(`${BASE_URL}/api/posts/${id}/like`, null, authed(token, 'DELETE /api/posts/:id/like', { op: 'like' })),
  );
  check(res, { 'like: 204': (r) => r.status === 204 });
}

export default function () {
  const me = pick(tokens);
  const roll = Math.random();
  if (roll < 0.8) read(me.token);
  else if (roll < 0.9) publish(me.token);
  else if (roll < 0.95) follow(me.token, me.handle);
  else like(me.token);
}
