import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { AppEnv, Ctx } from './env';

/** The address of the TCP peer (the proxy, when there is one). */
export function socketIp(c: Ctx): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The client's address: the socket's, or behind a trusted proxy the last X-Forwarded-For entry, the one that
 * proxy appended (earlier entries are whatever the client chose to send).
 */
export function clientIp(c: Ctx): string {
  if (c.get('deps').config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (forwarded) return forwarded;
  }
  return socketIp(c);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Requests that try a password: sign-in, a token by password (no session), the terminal's token. */
function isSignIn(c: Ctx): boolean {
  if (c.req.method !== 'POST') return false;
  const p = c.req.path;
  return p === '/api/sessions' || p === '/token' || (p === '/api/tokens' && !c.get('actor'));
}

const isSignUp = (c: Ctx) => c.req.method === 'POST' && c.req.path === '/api/accounts';

// Thrown, so the app's error handler answers in the request's own format (JSON under /api, a line for terminals).
const tooMany = (what: string) => () => {
  throw new AppError(429, 'rate_limited', `Too many ${what}; wait as long as Retry-After says.`);
};

/**
 * Budgets per credential (token or session) or, signed out, per IP: reads, writes, and much tighter ones for
 * failed password attempts and for sign-ups. Each sets RateLimit-* headers; over budget is a 429 with Retry-After.
 */
export function rateLimits(config: Config): MiddlewareHandler<AppEnv>[] {
  if (!config.rateLimits) return [];
  const key = (c: Ctx) => c.get('actor')?.credential ?? `ip:${clientIp(c)}`;
  const windowMs = config.rate.windowMs;
  return [
    rateLimiter<AppEnv>({
      windowMs, limit: config.rate.auth, standardHeaders: 'draft-6',
      keyGenerator: (c) => `ip:${clientIp(c)}`,
      skip: (c) => !isSignIn(c),
      // Only failed password attempts count, so a user signing in on several devices is not locked out.
      skipSuccessfulRequests: true,
      handler: tooMany('sign-in attempts'),
    }),
    // Every sign-up counts: each one costs a password hash and creates an account.
    rateLimiter<AppEnv>({
      windowMs, limit: config.rate.auth, standardHeaders: 'draft-6',
      keyGenerator: (c) => `ip:${clientIp(c)}`,
      skip: (c) => !isSignUp(c),
      handler: tooMany('sign-ups'),
    }),
    rateLimiter<AppEnv>({
      windowMs, limit: config.rate.write, standardHeaders: 'draft-6', keyGenerator: key,
      skip: (c) => !UNSAFE.has(c.req.method) || isSignIn(c) || isSignUp(c),
      handler: tooMany('writes'),
    }),
    rateLimiter<AppEnv>({
      windowMs, limit: config.rate.read, standardHeaders: 'draft-6', keyGenerator: key,
      skip: (c) => UNSAFE.has(c.req.method) || c.req.path === '/healthz' || c.req.path === '/metrics',
      handler: tooMany('requests'),
    }),
  ];
}
