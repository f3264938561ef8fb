import type { MiddlewareHandler } from 'hono';
import pino, { type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Deps } from '../services/deps';
import type { AppEnv } from './env';

/** A JSON logger; 'silent' in tests. Never given request bodies, headers or secrets. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'bluetwit' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** The service's Prometheus metrics, on a registry of its own. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'bluetwit_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'bluetwit_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
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
        const pages = deps.db.$client.pragma('page_count', { simple: true }) as number;
        const size = deps.db.$client.pragma('page_size', { simple: true }) as number;
        this.set(pages * size);
      },
    });
    if (withProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'bluetwit_' });
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

/** Logs one line per request (id, method, route, status, ms) and feeds the request metrics. */
export function observe(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const seconds = (performance.now() - start) / 1000;
    // After next() the route index points at the handler that answered.
    const matched = c.req.routePath;
    const route = !matched || matched.endsWith('*') ? 'unmatched' : matched;
    const status = c.res.status;
    metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    metrics.duration.observe({ method: c.req.method, route }, seconds);
    const line = { reqId: c.var.requestId, method: c.req.method, route, path: c.req.path, status, ms: Math.round(seconds * 1e4) / 10 };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request');
  };
}
