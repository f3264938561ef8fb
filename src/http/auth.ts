import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { AppError, forbidden, unauthorized } from '../errors';
import { actorFromSession, actorFromToken, createSession } from '../services/auth';
import type { Actor, Scope } from '../services/deps';
import { baseUrl, type AppEnv, type Ctx } from './env';

export const SESSION_COOKIE = 'bt_session';

// Same origin as the URL the server sees, or as the configured public URL (behind a proxy).
const sameOrigin = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === baseUrl(c as Ctx) });

/** Routes anyone may call, with or without credentials (a stale token sent along does not matter to them). */
const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /guidelines', 'GET /help', 'GET /api/openapi.json', 'POST /api/accounts', 'POST /api/sessions', 'POST /api/tokens']);
/** Routes only admins may call. */
const ADMIN_ROUTES = new Set(['GET /api/reports']);
/** Routes any credential may call, whatever its scopes. */
const ANY_CREDENTIAL = new Set(['GET /api/me']);

const routeKey = (method: string, path: string) => `${method === 'HEAD' ? 'GET' : method} ${path}`;
export const isPublicRoute = (method: string, path: string) => PUBLIC_ROUTES.has(routeKey(method, path));

/**
 * Who may call a route, checked when its input is invalid, so a caller who may not call it at all hears 401 or 403
 * rather than about its fields (as Mastodon and GitHub answer): reads as readerOf, writes as requireScope('write').
 * The handlers then check the details (sessions only, admins, authors).
 */
export function authorizeBeforeInput(c: Ctx): void {
  const key = routeKey(c.req.method, c.req.path);
  if (PUBLIC_ROUTES.has(key)) return;
  if (ANY_CREDENTIAL.has(key)) {
    requireCredential(c);
    return;
  }
  if (ADMIN_ROUTES.has(key)) requireAdmin(c, SAFE.test(c.req.method) ? 'read' : 'write');
  else if (SAFE.test(c.req.method)) readerOf(c);
  else requireScope(c, 'write');
}

const bearerOf = (c: Ctx): string | null => {
  const authz = c.req.header('authorization');
  return authz && /^bearer\s/i.test(authz) ? authz.slice(7).trim() : null;
};

/** The actor the request's credential names (its bearer token, else its session cookie); null for none or a bad one. */
function credentialActor(c: Ctx): Actor | null {
  const deps = c.get('deps');
  const bearer = bearerOf(c);
  if (bearer !== null) return actorFromToken(deps, bearer);
  const secret = getCookie(c, SESSION_COOKIE);
  return secret ? actorFromSession(deps, secret) : null;
}

/** Notes the request's actor; a bad bearer token (on a route that needs one) is refused at once or noted for later. */
function noteActor(c: Ctx, next: () => Promise<void>, refuseBadToken: boolean): Promise<void> {
  const actor = credentialActor(c);
  c.set('actor', actor);
  if (!actor && bearerOf(c) !== null && !isPublicRoute(c.req.method, c.req.path)) {
    if (refuseBadToken) throw invalidToken();
    c.set('invalidToken', true);
  }
  if (actor?.via === 'session' && !SAFE.test(c.req.method)) return assertSameOrigin(c).then(() => next());
  return next();
}

/**
 * Resolves the actor from a bearer token or the session cookie; cookie-authenticated unsafe requests must pass
 * Hono's same-origin check. A bad bearer token is noted here and refused by rejectInvalidToken, after the rate
 * limiters have counted the request against its address (a revoked bot retrying forever is still slowed).
 */
export const resolveActor: MiddlewareHandler<AppEnv> = (c, next) => noteActor(c, next, false);

/** resolveActor and rejectInvalidToken in one step, for when no rate limiter counts requests between them. */
export const resolveActorOrReject: MiddlewareHandler<AppEnv> = (c, next) => noteActor(c, next, true);

const invalidToken = () => new AppError(401, 'invalid_token', 'The bearer token is not valid (revoked or mistyped).');

/** A 401 for a request whose bearer token resolveActor could not resolve (on a route that needs one). */
export const rejectInvalidToken: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.get('invalidToken')) throw invalidToken();
  return next();
};

const SAFE = /^(GET|HEAD|OPTIONS)$/;

/** Cookie-authenticated writes: Hono's CSRF check for form-like bodies, and a matching Origin for any other. */
async function assertSameOrigin(c: Ctx): Promise<void> {
  try {
    await sameOrigin(c, async () => {});
  } catch {
    throw forbidden('Cross-origin request refused.', 'cross_origin');
  }
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if ((origin && origin !== new URL(c.req.url).origin && origin !== baseUrl(c)) || site === 'cross-site' || site === 'same-site') {
    throw forbidden('Cross-origin request refused.', 'cross_origin');
  }
}

/**
 * Whether the credential a long-lived response (an event stream) was opened with still holds: false once its
 * token is revoked or its session ended or expired (here or by another process, such as the admin CLI). Cheap
 * while nothing changed: it goes through the credential cache.
 */
export function stillSignedIn(c: Ctx): boolean {
  // Open reading, signed out: nothing to revoke.
  return !c.get('actor') || credentialActor(c) !== null;
}

/** Any signed-in actor, whatever its scopes (a write-only bot may still ask who it is), or a 401. */
export function requireCredential(c: Ctx): Actor {
  const actor = c.get('actor');
  if (!actor) throw unauthorized();
  return actor;
}

/** The actor with `scope`, or a 401/403; reads pass anonymously when open reading is on. */
export function requireScope(c: Ctx, scope: Scope): Actor {
  const actor = c.get('actor');
  if (!actor) throw unauthorized();
  if (!actor.scopes.has(scope)) throw forbidden(`This token lacks the ${scope} scope.`, 'insufficient_scope');
  return actor;
}

/** For reads: the actor, or null when open reading lets anonymous readers in. */
export function readerOf(c: Ctx): Actor | null {
  if (!c.get('actor') && c.get('deps').config.openRead) return null;
  return requireScope(c, 'read');
}

/** For account management (tokens, sign-out): a browser session, not a token. */
export function requireSession(c: Ctx): Actor {
  const actor = c.get('actor');
  if (!actor) throw unauthorized();
  if (actor.via !== 'session') throw forbidden('This needs a signed-in browser session, not a token.', 'session_required');
  return actor;
}

/** An admin actor with write scope. */
export function requireAdmin(c: Ctx, scope: Scope = 'read'): Actor {
  const actor = requireScope(c, scope);
  if (actor.role !== 'admin') throw forbidden('Admins only.', 'admin_only');
  return actor;
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS (or as configured). */
export function startSession(c: Ctx, accountId: number): void {
  const { secret, expiresAt } = createSession(c.get('deps'), accountId);
  const setting = c.get('deps').config.cookieSecure;
  const secure = setting === 'auto' ? baseUrl(c).startsWith('https:') : setting;
  setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'Lax', path: '/', secure, expires: new Date(expiresAt) });
}
