import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { Config } from '../config';
import type { AppEnv, Ctx } from './env';

/** The client's address: the socket's, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientIp(c: Ctx): string {
  if (c.var.deps.config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0].trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Requests that try a password: sign-in, token by password, terminal token. */
function isSignIn(c: Ctx): boolean {
  if (c.req.method !== 'POST') return false;
  const p = c.req.path;
  return p === '/api/sessions' || p === '/api/tokens' || p === '/token' || p === '/api/accounts';
}

const tooMany = (what: string) => (c: Ctx) => {
  const retry = c.res.headers.get('retry-after') ?? undefined;
  return c.json(
    { error: { code: 'rate_limited', message: `Too many ${what}; try again${retry ? ` in ${retry} s` : ' later'}.` } },
    429,
  );
};

/**
 * Three budgets per credential (token or session) or, signed out, per IP: reads, writes, and a much tighter one
 * for password attempts. Each sets RateLimit-* headers; over budget is a 429 with Retry-After.
 */
export function rateLimits(config: Config): MiddlewareHandler<AppEnv>[] {
  if (!config.rateLimits) return [];
  const key = (c: Ctx) => c.var.actor?.credential ?? `ip:${clientIp(c)}`;
  const windowMs = config.rate.windowMs;
  return [
    rateLimiter<AppEnv>({
      windowMs, limit: config.rate.auth, standardHeaders: 'draft-6',
      keyGenerator: (c) => `ip:${clientIp(c)}`,
      skip: (c) => !isSignIn(c),
      // Only failed password attempts count, so a user signing in on several devices is not locked out.
      skipSuccessfulRequests: true,
      handler: (c) => tooMany('sign-in attempts')(c),
    }),
    rateLimiter<AppEnv>({
      windowMs, limit: config.rate.write, standardHeaders: 'draft-6', keyGenerator: key,
      skip: (c) => !UNSAFE.has(c.req.method) || isSignIn(c),
      handler: (c) => tooMany('writes')(c),
    }),
    rateLimiter<AppEnv>({
      windowMs, limit: config.rate.read, standardHeaders: 'draft-6', keyGenerator: key,
      skip: (c) => UNSAFE.has(c.req.method) || c.req.path === '/healthz' || c.req.path === '/metrics',
      handler: (c) => tooMany('requests')(c),
    }),
  ];
}
