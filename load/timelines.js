// Home timeline under a ramping arrival rate, over seeded readers with light, median and heavy follow lists.
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e TOKENS=$PWD/data/tokens.json load/timelines.js
//
// Env: RATE (peak iterations/s, default 100), RAMP (default 30s), HOLD (default 1m),
//      MIX (light,median,heavy weights, default 40,40,20), DEEP (share of iterations that page on, default 0.3).
import http from 'k6/http';
import { check } from 'k6';
import { authed, body, byClass, loadTokens, parseMix, pick, pickClass, tally, withCursor, BASE_URL } from './common.js';

const tokens = loadTokens();
const classes = byClass(tokens);
const MIX = parseMix(__ENV.MIX, { light: 40, median: 40, heavy: 20 });
const RATE = Number(__ENV.RATE || 100);
const DEEP = Number(__ENV.DEEP || 0.3);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    home: {
      executor: 'ramping-arrival-rate',
      startRate: Math.max(1, Math.round(RATE / 10)),
      timeUnit: '1s',
      preAllocatedVUs: Math.max(10, Math.round(RATE / 2)),
      maxVUs: Math.max(50, RATE * 4),
      stages: [
        { target: RATE, duration: __ENV.RAMP || '30s' },
        { target: RATE, duration: __ENV.HOLD || '1m' },
        { target: 0, duration: '10s' },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{endpoint:home}': ['p(95)<50', 'p(99)<150'],
    'http_req_duration{endpoint:home,class:light}': ['p(95)<50', 'p(99)<150'],
    'http_req_duration{endpoint:home,class:median}': ['p(95)<50', 'p(99)<150'],
    'http_req_duration{endpoint:home,class:heavy}': ['p(95)<50', 'p(99)<150'],
    // Deeper pages (following `next`) are reported on their own so a slow cursor path cannot hide in the average.
    'http_req_duration{endpoint:home,page:deep}': ['p(95)<50', 'p(99)<150'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export default function () {
  const cls = pickClass(MIX);
  const reader = pick(classes[cls]);
  const pages = Math.random() < DEEP ? 2 + Math.floor(Math.random() * 3) : 1;
  /** @type {string | null} */
  let cursor = null;
  for (let page = 1; page <= pages; page++) {
    const res = tally(
      http.get(
        `${BASE_URL}${withCursor('/api/timelines/home?limit=20', cursor)}`,
        authed(reader.token, 'GET /api/timelines/home', { endpoint: 'home', class: cls, page: page === 1 ? 'first' : 'deep' }),
      ),
    );
    const json = body(res);
    check(res, {
      'home: 200': (r) => r.status === 200,
      'home: a page of items': () => json !== null && Array.isArray(json.items) && json.items.length <= 20,
    });
    cursor = json && json.next;
    if (!cursor) break;
  }
}
