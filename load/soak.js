// A bounded soak: a steady, modest mix for a long stretch, to surface leaks, WAL growth and slow drift.
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e TOKENS=$PWD/data/tokens.json load/soak.js
//
// Env: RATE (iterations/s, default 30), DURATION (default 10m).
import http from 'k6/http';
import { check } from 'k6';
import { authed, body, loadTargets, loadTokens, pick, postText, seconds, tally, uid, withCursor, BASE_URL } from './common.js';

const tokens = loadTokens();
const targets = loadTargets();
const RATE = Number(__ENV.RATE || 30);
const DURATION = __ENV.DURATION || '10m';

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, RATE),
      maxVUs: Math.max(50, RATE * 4),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.001'],
    checks: ['rate>0.999'],
    server_errors: ['count==0'],
    'http_req_duration{op:read}': ['p(95)<100', 'p(99)<250'],
    'http_req_duration{op:write}': ['p(95)<150', 'p(99)<400'],
    // Fewer dropped iterations than 1% of the planned ones: the service kept up for the whole stretch.
    dropped_iterations: [`count<${Math.max(1, Math.ceil(RATE * seconds(DURATION) * 0.01))}`],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

/** @type {string[]} */
const seen = [];

export default function () {
  const me = pick(tokens);
  const roll = Math.random();
  if (roll < 0.9) {
    // Reads: mostly the home timeline, now and then a second page, a profile or the notifications.
    let res = tally(http.get(`${BASE_URL}/api/timelines/home?limit=20`, authed(me.token, 'GET /api/timelines/home', { op: 'read' })));
    let json = body(res);
    check(res, { 'read: 200': (r) => r.status === 200 });
    if (json && Array.isArray(json.items) && json.items.length > 0) {
      seen.push(json.items[0].id);
      if (seen.length > 100) seen.shift();
    }
    if (json && json.next && Math.random() < 0.2) {
      res = tally(http.get(`${BASE_URL}${withCursor('/api/timelines/home?limit=20', json.next)}`, authed(me.token, 'GET /api/timelines/home', { op: 'read' })));
      check(res, { 'read: 200': (r) => r.status === 200 });
    } else if (Math.random() < 0.1) {
      res = tally(http.get(`${BASE_URL}/api/notifications?limit=20`, authed(me.token, 'GET /api/notifications', { op: 'read' })));
      check(res, { 'read: 200': (r) => r.status === 200 });
    } else if (Math.random() < 0.1) {
      res = tally(http.get(`${BASE_URL}/api/accounts/${pick(targets)}`, authed(me.token, 'GET /api/accounts/:handle', { op: 'read' })));
      check(res, { 'read: 200': (r) => r.status === 200 });
    }
    return;
  }
  if (roll < 0.96 || seen.length === 0) {
    const res = tally(http.post(`${BASE_URL}/api/posts`, JSON.stringify({ text: postText() }), authed(me.token, 'POST /api/posts', { op: 'write' }, { 'Idempotency-Key': uid() })));
    check(res, { 'write: 201': (r) => r.status === 201 });
    return;
  }
  const id = pick(seen);
  const res = tally(
    roll < 0.98
      ? http.put(`${BASE_URL}/api/posts/${id}/like`, null, authed(me.token, 'PUT /api/posts/:id/like', { op: 'write' }))
      : http.del(`${BASE_URL}/api/posts/${id}/like`, null, authed(me.token, 'DELETE /api/posts/:id/like', { op: 'write' })),
  );
  check(res, { 'write: 204': (r) => r.status === 204 });
}
