import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { rateLimiter, type HonoConfigProps, type RateLimitInfo } from 'hono-rate-limiter';
import type { Config } from '../config';
import { AppError } from '../errors';
import { subscribeTimeline, type Timeline } from '../live/subscription';
import { dropConnection, formatOf, type AppEnv, type Ctx } from './env';

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

/**
 * Opens a live view of a timeline for a stream route (resumed after the post `since`, when given), counted
 * against the account (signed out, the address);
 * past the cap a 429 whose Retry-After suggests trying again once a stream has ended. A reader that falls too far
 * behind loses its connection.
 */
export function openLive(c: Ctx, viewer: { id: number } | null, timeline: Timeline, bots: boolean, since?: number) {
  const client = viewer ? `account:${viewer.id}` : `address:${clientIp(c)}`;
  try {
    return subscribeTimeline(c.get('deps'), viewer?.id ?? null, timeline, bots, { client, onDrop: () => dropConnection(c), since });
  } catch (err) {
    if (err instanceof AppError && err.status === 429) c.header('Retry-After', '30');
    throw err;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Routes that may check a password (POSTed to): sign-in, the terminal's token, and any token request (its body may
 * carry a handle and password whoever sends it: signed in as someone else is no way around the guessing budget).
 */
const SIGN_IN_PATHS = ['/api/sessions', '/token', '/api/tokens'];
const SIGN_UP_PATH = '/api/accounts';
/** Full-text search, in the API and for terminals. */
const SEARCH_PATHS = ['/api/search', '/search'];
const isSignIn = (c: Ctx) => c.req.method === 'POST' && SIGN_IN_PATHS.includes(c.req.path);
const isSignUp = (c: Ctx) => c.req.method === 'POST' && c.req.path === SIGN_UP_PATH;

/** A limiter and the requests it sees (all of them without `methods`); a request skips the others entirely. */
export type Limiter = { methods?: string[]; paths: string[]; handler: MiddlewareHandler<AppEnv> };

/** Seconds until a budget's window starts over (the whole window when the store does not say). */
const resetSeconds = (info: RateLimitInfo, windowMs?: number) =>
  info.resetTime ? Math.max(0, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : windowMs && Math.ceil(windowMs / 1000);

/**
 * Keeps the budget as the request was counted, as the RateLimit-* headers it is answered with (IETF draft 6, as
 * hono-rate-limiter writes them). The app's frame of headers sends them (src/http/frame.ts): set on the context by
 * each limiter, they would put every answer's headers in a web `Headers`. Made when counted, as the limiter made
 * them: the memory store moves a client's one reset time forward in place when its window starts over, which
 * another request of the same client may do while this one is still being answered.
 */
function keepBudget(c: Ctx, windowMs: number): void {
  const info = c.get('rateLimit');
  // A limiter that skipped the request leaves the last one's budget, already kept.
  if (!info || c.get('budget')?.info === info) return;
  const headers: Record<string, string> = {
    'ratelimit-policy': `${info.limit};w=${Math.ceil(windowMs / 1000)}`,
    'ratelimit-limit': String(info.limit),
    'ratelimit-remaining': String(info.remaining),
  };
  const reset = resetSeconds(info);
  if (reset) headers['ratelimit-reset'] = String(reset);
  c.set('budget', { info, headers, retryAfter: resetSeconds(info, windowMs) ?? 0 });
}

/** A limiter whose budget is kept as the request was counted. */
const counting = (windowMs: number, limiter: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> => (c, next) =>
  limiter(c, () => {
    keepBudget(c, windowMs);
    return next();
  });

// Thrown, so the app's error handler answers in the request's own format (JSON under /api, a line for terminals).
const tooMany = (what: string, windowMs: number) => (c: Ctx) => {
  keepBudget(c, windowMs);
  const budget = c.get('budget');
  if (budget) c.header('Retry-After', String(budget.retryAfter));
  throw new AppError(429, 'rate_limited', `Too many ${what}; wait as long as Retry-After says.`);
};

/** The RateLimit-* headers for the budget the request was last counted against, as it was counted. */
export const rateLimitHeaders = (c: Ctx): Record<string, string> | undefined => c.get('budget')?.headers;

/**
 * How many more sign-ins and token requests than failed ones an address may make in a window: enough for an office
 * behind one address signing in at nine (100 a minute by default), few enough that a known password cannot mint
 * tokens without end.
 */
const SIGN_INS_PER_FAILURE = 10;

/**
 * Budgets per credential (token or session) or, signed out, per IP: reads, and writes per account (so minting
 * more tokens buys no more writes), and much tighter ones per IP for failed password attempts, for sign-ins and
 * token requests of any outcome (each costs a password hash or mints a credential), and for sign-ups. The last
 * budget a request counted against is sent in RateLimit-* headers (rateLimitHeaders); over budget is a 429 with
 * Retry-After.
 */
export function rateLimits(config: Config): Limiter[] {
  if (!config.rateLimits) return [];
  const key = (c: Ctx) => c.get('actor')?.credential ?? `ip:${clientIp(c)}`;
  const accountKey = (c: Ctx) => {
    const actor = c.get('actor');
    return actor ? `account:${actor.id}` : `ip:${clientIp(c)}`;
  };
  const windowMs = config.rate.windowMs;
  /** A limiter over `windowMs` whose budget the frame sends, refusing past it with a 429 that names `what`. */
  const limiter = (what: string, options: Omit<HonoConfigProps<AppEnv>, 'windowMs' | 'standardHeaders' | 'handler'>) =>
    counting(windowMs, rateLimiter<AppEnv>({ ...options, windowMs, standardHeaders: false, handler: tooMany(what, windowMs) }));
  return [
    // Every sign-in and token request, under a loose budget: a known password must not buy unlimited hashes or
    // tokens. Ahead of the failures' tighter one, whose RateLimit-* headers are then the ones a client reads.
    {
      methods: ['POST'], paths: SIGN_IN_PATHS,
      handler: limiter('sign-ins and token requests', {
        limit: config.rate.auth * SIGN_INS_PER_FAILURE,
        keyGenerator: (c) => `ip:${clientIp(c)}`,
      }),
    },
    {
      methods: ['POST'], paths: SIGN_IN_PATHS,
      handler: limiter('sign-in attempts', {
        limit: config.rate.auth,
        keyGenerator: (c) => `ip:${clientIp(c)}`,
        // Only wrong passwords count (a 401; not, say, a 400 for a token request's bad scopes), so a user signing
        // in on several devices is not locked out.
        skipSuccessfulRequests: true,
        requestWasSuccessful: (c) => c.res.status !== 401,
      }),
    },
    // Every sign-up counts: each one costs a password hash and creates an account.
    {
      methods: ['POST'], paths: [SIGN_UP_PATH],
      handler: limiter('sign-ups', {
        limit: config.rate.auth,
        keyGenerator: (c) => `ip:${clientIp(c)}`,
      }),
    },
    {
      methods: [...UNSAFE], paths: ['*'],
      handler: limiter('writes', {
        limit: config.rate.write, keyGenerator: accountKey,
        skip: (c) => isSignIn(c) || isSignUp(c),
      }),
    },
    // Any other method is a read (one no route takes is still counted before its 404 or 405).
    {
      paths: ['*'],
      handler: limiter('requests', {
        limit: config.rate.read, keyGenerator: key,
        skip: (c) => UNSAFE.has(c.req.method) || c.req.path === '/healthz' || c.req.path === '/metrics',
      }),
    },
    // Searches also count against a budget of their own per account (or address), a tenth of the reads by default
    // (after the reads' limiter, so the tighter budget's RateLimit-* headers are the ones a client reads):
    // a search over common words costs up to a hundred cached reads, and more tokens must not buy more of them.
    {
      methods: ['GET'], paths: SEARCH_PATHS,
      handler: limiter('searches', {
        limit: config.rate.search, keyGenerator: accountKey,
        // A browser loading the web client at /search searches nothing itself (the client then calls the API).
        skip: (c) => c.req.path === '/search' && formatOf(c) === 'html',
      }),
    },
  ];
}
