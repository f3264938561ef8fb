import pino, { type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { databaseBytes } from '../services/admin';
import type { Deps } from '../services/deps';
import type { Ctx } from './env';

/** A JSON logger; 'silent' in tests. Never given request bodies, headers or secrets. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'bluetwit' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** The service's Prometheus metrics, on a registry of its own. */
export class Metrics {
  readonly registry = new Registry();
  // Counted in plain numbers on every request and handed to prom-client when scraped (its collect hook): a
  // labelled prom-client update hashes its labels each time, which showed in the cost of a cached read.
  readonly requests = new Counter({
    name: 'bluetwit_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry],
    collect: () => {
      for (const child of this.requestChildren.values()) {
        child.count.inc(child.counted - child.reported);
        child.reported = child.counted;
      }
    },
  });
  readonly duration = new Histogram({
    name: 'bluetwit_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  /** Home timeline pages served from the page cache, and built; counted here, reported when scraped. */
  pageCacheHits = 0;
  pageCacheMisses = 0;
  private readonly pageCacheReported = { hit: 0, miss: 0 };
  readonly pageCache = new Counter({
    name: 'bluetwit_page_cache_total', help: 'Home timeline pages served from the page cache (hit) or built (miss)', labelNames: ['result'] as const, registers: [this.registry],
    collect: () => {
      const reported = this.pageCacheReported;
      this.pageCache.labels('hit').inc(this.pageCacheHits - reported.hit);
      this.pageCache.labels('miss').inc(this.pageCacheMisses - reported.miss);
      reported.hit = this.pageCacheHits;
      reported.miss = this.pageCacheMisses;
    },
  });
  readonly timeline = new Histogram({
    name: 'bluetwit_timeline_seconds', help: 'Time to build a timeline page', labelNames: ['timeline'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1], registers: [this.registry],
  });

  constructor(deps: Deps, withProcessMetrics: boolean) {
    new Gauge({ name: 'bluetwit_open_streams', help: 'Open SSE and /live streams', registers: [this.registry], collect() { this.set(deps.events.listenerCount); } });
    new Gauge({
      name: 'bluetwit_db_size_bytes', help: 'SQLite database size', registers: [this.registry],
      collect() {
        this.set(databaseBytes(deps));
      },
    });
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'bluetwit_' });
  }

  // Label lookups hash the labels on every call; routes, methods and statuses are few, so keep the children.
  private readonly requestChildren = new Map<string, { counted: number; reported: number; count: { inc(n: number): void }; time: { observe(v: number): void } }>();

  /** Counts a finished request and its duration. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      child = { counted: 0, reported: 0, count: this.requests.labels(method, route, String(status)), time: this.duration.labels(method, route) };
      this.requestChildren.set(key, child);
    }
    child.counted++;
    child.time.observe(seconds);
  }

  /** Observes how long `fn` takes to build a timeline. */
  timed<T>(timeline: string, fn: () => T): T {
    const end = this.timeline.startTimer({ timeline });
    try {
      return fn();
    } finally {
      end();
    }
  }
}

/** Reads slower than this are logged at info like writes; faster successful reads only at debug. */
const SLOW_MS = 250;

/**
 * Feeds the request metrics and logs a finished request: every write, every failure and every slow read at info
 * (errors at error); successful fast reads, the bulk of the traffic and already counted by the metrics, at debug.
 * A line holds the request id, method, route, path, status and ms. Called by the app's per-request middleware
 * once the rest of the chain has answered, with how long that took.
 */
export function recordRequest(logger: Logger, metrics: Metrics, c: Ctx, ms: number): void {
  // After next() the route index points at the handler that answered.
  const matched = c.req.routePath;
  const route = !matched || matched.endsWith('*') ? 'unmatched' : matched;
  const status = c.res.status;
  const method = c.req.method;
  metrics.observeRequest(method, route, status, ms / 1000);
  const routine = status < 400 && (method === 'GET' || method === 'HEAD') && ms < SLOW_MS;
  const level = status >= 500 ? 'error' : routine ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line = { reqId: c.get('requestId'), method, route, path: c.req.path, status, ms: Math.round(ms * 10) / 10 };
  logger[level](line, status >= 500 ? 'request failed' : 'request');
}
