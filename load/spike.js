// A sudden spike: calm traffic, then ten times as much within seconds, then calm again to watch recovery.
// Latency may suffer during the spike; errors may not. 429 (rate limited) is an acceptable answer and is
// counted apart in `rate_limited`; any 5xx or dropped connection fails the run.
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e TOKENS=$PWD/data/tokens.json load/spike.js
//
// Env: BASE_RATE (iterations/s before and after, default 20), PEAK (iterations/s in the spike, default 10×BASE_RATE),
//      HOLD (spike length, default 1m), WRITES (share of iterations that post, default 0.05).
import http from 'k6/http';
import { check } from 'k6';
import { authed, body, byClass, loadTokens, pick, pickClass, postText, tally, uid, BASE_URL } from './common.js';

const tokens = loadTokens();
const classes = byClass(tokens);
const BASE = Number(__ENV.BASE_RATE || 20);
const PEAK = Number(__ENV.PEAK || BASE * 10);
const WRITES = Number(__ENV.WRITES || 0.05);

// 429 counts as an expected answer here, so http_req_failed measures real failures only.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 399 }, 429));

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(20, Math.round(PEAK / 4)),
      maxVUs: Math.max(100, PEAK * 2),
      stages: [
        { target: BASE, duration: '30s' },
        { target: PEAK, duration: '5s' },
        { target: PEAK, duration: __ENV.HOLD || '1m' },
        { target: BASE, duration: '5s' },
        { target: BASE, duration: '1m' },
      ],
    },
  },
  thresholds: {
    // Strict on errors: no 5xx, no transport errors, nothing but 2xx/3xx/429.
    server_errors: ['count==0'],
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
    // Tolerant on latency while the queue drains.
    http_req_duration: ['p(95)<1000', 'p(99)<3000'],
    // Informational: shows up in the summary even when no request was limited.
    rate_limited: ['count>=0'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export default function () {
  const reader = pick(classes[pickClass({ light: 40, median: 40, heavy: 20 })]);
  if (Math.random() < WRITES) {
    const res = tally(
      http.post(`${BASE_URL}/api/posts`, JSON.stringify({ text: postText() }), authed(reader.token, 'POST /api/posts', { op: 'post' }, { 'Idempotency-Key': uid() })),
    );
    check(res, { 'post: 201 or 429': (r) => r.status === 201 || r.status === 429 });
    return;
  }
  const res = tally(http.get(`${BASE_URL}/api/timelines/home?limit=20`, authed(reader.token, 'GET /api/timelines/home', { op: 'read', class: reader.class })));
  check(res, {
    'home: 200 or 429': (r) => r.status === 200 || r.status === 429,
    'home: 429 says when to retry': (r) => r.status !== 429 || r.headers['Retry-After'] !== undefined,
    'home: a page of items': (r) => r.status !== 200 || Array.isArray((body(r) || {}).items),
  });
}
