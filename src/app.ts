import { Hono, type MiddlewareHandler } from 'hono';
import type { SearchIndex } from './services/search-worker';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { renderReplies, sendJson } from './http/replies';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { API_SECURITY_HEADERS, PAGE_SECURITY_HEADERS } from './http/security';
import { Frame, requestIdFor } from './http/frame';
import { ZodError } from 'zod';
import type { Config } from './config';
import { databaseFileGone, type Db } from './db/client';
import { AppError, badRequest } from './errors';
import { authorizeBeforeInput, rejectInvalidToken, resolveActor, resolveActorOrReject } from './http/auth';
import { utf8Body } from './http/body';
import { rateLimitHeaders, rateLimits } from './http/rate-limit';
import { baseUrl, formatOf, validHost, type AppEnv, type Ctx } from './http/env';
import { createRouter, INVALID_FIELDS, validationError } from './http/router';
import { documentMiddlewareErrors, openApiJson } from './http/schemas';
import { accountRoutes } from './http/routes/accounts';
import { metaRoutes } from './http/routes/meta';
import { postRoutes } from './http/routes/posts';
import { webRoutes } from './http/routes/web';
import { renderError } from './render/text';
import { parseWidth } from './http/negotiate';
import { sessionRoutes } from './http/routes/sessions';
import { homeTimelineRoutes, timelineRoutes } from './http/routes/timelines';
import { notificationRoutes } from './http/routes/notifications';
import { reportRoutes } from './http/routes/reports';
import { searchRoutes } from './http/routes/search';
import { EventHub } from './live/hub';
import { changes } from './services/changes';
import { createDeps } from './services/deps';
import type { Logger } from 'pino';
import { createLogger, Metrics, recordRequest } from './http/observability';

export type AppOptions = {
  db: Db;
  config: Config;
  clock?: () => number;
  newId?: () => string;
  events?: EventHub;
  /** Search indexing; by default on this thread, as each search asks (the server runs a worker). */
  searchIndex?: SearchIndex;
  logger?: Logger;
  /** Also export process metrics (CPU, memory, event loop); on in the real server. */
  processMetrics?: boolean;
};

const STATUS_CODES: Record<number, string> = {
  400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 422: 'unprocessable', 429: 'rate_limited',
};

/** Maps anything thrown to the contract's error shape; unknown errors become a generic 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return validationError(err);
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) return new AppError(400, 'malformed_json', 'The request body is not valid JSON.');
    const status = err.status;
    return new AppError(status, STATUS_CODES[status] ?? 'error', err.message || 'Request failed.');
  }
  return new AppError(500, 'internal_error', 'Something went wrong on our side. It has been logged.', undefined, err);
}

/** Whether a path is /api or under it. */
const isApi = (path: string) => path.startsWith('/api') && (path.length === 4 || path[4] === '/');

/**
 * Whether an absolute URL's path is /api or under it, percent-encoded or not (Hono routes the decoded path). Only
 * the first segment is decoded, so a path the API cannot decode further on (`/api/posts/%FF`) still gets the
 * API's answer, not a page's.
 */
function isApiUrl(url: string): boolean {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return false;
  const query = url.indexOf('?', start);
  const path = query < 0 ? url.slice(start) : url.slice(start, query);
  if (!path.includes('%')) return isApi(path);
  const second = path.indexOf('/', 1);
  const first = second < 0 ? path : path.slice(0, second);
  try {
    return decodeURIComponent(first) === '/api';
  } catch {
    return false;
  }
}

/** Builds the whole HTTP app around a database and config; tests call this with an in-memory database. */
export function createApp(opts: AppOptions) {
  const deps = createDeps(opts.db, opts.config, opts);
  const logger = opts.logger ?? createLogger('silent');
  const metrics = new Metrics(deps, opts.processMetrics ?? false);
  deps.events.reportError = (err) => logger.error({ err }, 'live stream delivery failed; that stream ends');
  // The API and the pages are two Hono apps behind one fetch, with the same middleware. The pages' `/@handle`
  // routes need Hono's trie router; every API route fits its RegExpRouter, which matches a request with one
  // regular expression and allocates nothing (walking the trie cost as much as anything else a cached read does).
  const app = new Hono<AppEnv>();
  const apiApp = new Hono<AppEnv>({ router: new RegExpRouter() });
  const tracker = changes(deps.db);
  const limiters = rateLimits(opts.config);
  const budget = limiters.length > 0 ? rateLimitHeaders : undefined;
  // Every API answer depends on who asks: a browser may keep it but must revalidate; shared caches never store it.
  const apiFrame = new Frame(secureHeaders(API_SECURITY_HEADERS), { 'Cache-Control': 'private, no-cache', Vary: 'Authorization, Cookie, Accept-Encoding' }, budget);
  const pageFrame = new Frame(secureHeaders(PAGE_SECURITY_HEADERS), {}, budget);
  const tooLarge = () => {
    throw new AppError(413, 'payload_too_large', `Request bodies are limited to ${opts.config.bodyLimit} bytes.`);
  };
  const limitBody = bodyLimit({ maxSize: opts.config.bodyLimit, onError: tooLarge });
  const limitRequestBody: MiddlewareHandler<AppEnv> = (c, next) => {
    // A declared length (which Node's parser enforces) settles it without touching the body, as bodyLimit itself
    // would, but bodyLimit first looks at the body stream, which makes node-server build a web Request and
    // stream for every POST (~0.15 ms). Bodies without a length are counted as they stream, by bodyLimit.
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number(length) <= opts.config.bodyLimit ? next() : tooLarge();
    return limitBody(c, next);
  };
  // SQLite goes on writing to a deleted file (the open handle keeps it): such a write would be acknowledged and
  // then lost with the process. Writes to a file deleted or replaced at its path are refused instead, until the
  // server is restarted (one stat each; a file overwritten in place is for /healthz, which reads its header).
  const refuseWritesWithoutFile: MiddlewareHandler<AppEnv> = (c, next) => {
    const gone = databaseFileGone(opts.db);
    if (gone) throw new AppError(503, 'database_unavailable', `Nothing can be saved now: ${gone}.`);
    return next();
  };
  const onError = (err: Error, c: Ctx) => {
    let e = toAppError(err);
    // A body that is not JSON (or not said to be) is a fault of the input: a caller who may not call the route
    // hears that instead (bodies with a declared length or chunked were authorised before they were read).
    if ((e.code === 'malformed_json' || e.status === 415) && isApi(c.req.path)) {
      try {
        authorizeBeforeInput(c);
      } catch (denied) {
        e = toAppError(denied);
      }
    }
    if (e.status >= 500) logger.error({ reqId: c.get('requestId'), err }, 'unhandled error');
    // RFC 9110 §15.5.2 and RFC 6750 §3: a 401 names the scheme to use (Basic for the terminal's /token).
    if (e.status === 401) {
      const scheme = c.req.path === '/token' ? 'Basic realm="bluetwit", charset="UTF-8"' : e.code === 'invalid_token' ? 'Bearer realm="bluetwit", error="invalid_token"' : 'Bearer realm="bluetwit"';
      c.header('WWW-Authenticate', scheme);
    }
    const body = { error: { code: e.code, message: e.safeMessage, ...(e.details ? { details: e.details } : {}) } };
    // Outside /api, terminals get one plain line (so `curl -f` fails and scripts read the reason).
    if (!isApi(c.req.path) && formatOf(c) !== 'json') {
      const detail = e.details?.map((d) => `${d.field}: ${d.message}`).join('; ');
      // Within the reader's width: the message and its details, or failing that the part that says the most (the
      // details of a validation error, whose message only says there are some; else the message).
      const texts = !detail ? [e.safeMessage] : [`${e.safeMessage} (${detail})`, e.safeMessage === INVALID_FIELDS ? detail : e.safeMessage];
      return c.text(renderError(texts, parseWidth(c.req.query('width')), e.command), e.status, { 'Content-Type': 'text/plain; charset=utf-8' });
    }
    // Through inertJson like every JSON reply: a message may quote the request's path.
    return sendJson(c, body, e.status);
  };
  // Compressed when asked (JSON, text, HTML, scripts; not event streams, nor /live, which says no-transform); a
  // compressed reply's ETag turns weak, and Vary names Accept-Encoding. Only when asked: hono/compress adds Vary to
  // a finished response, which rebuilds it as a stream, and that cost a cached read two thirds of its speed.
  const compressAll = compress();
  /**
   * The service's own work around every request, in one middleware (each layer costs every request a promise and
   * a hop, ~2 µs, as much as a cached home page's own work): it names the request, looks for other processes'
   * commits, checks the Host header, puts the app's frame of headers on the answer (the request id, security
   * headers, the API's caching, the rate limits' budget), compresses when asked, and times, counts and logs the
   * request.
   */
  const perRequest = (frame: Frame): MiddlewareHandler<AppEnv> => async (c, next) => {
    const start = performance.now();
    // Other processes' commits are looked for once for all the requests read from sockets in one poll phase
    // (a read transaction each time, not worth repeating for every request of a busy turn): they all arrived
    // before it began. A request made in process (app.request) may follow a commit at any moment, so it looks.
    if ((c.env as { incoming?: unknown } | undefined)?.incoming) tracker.socketRequest();
    else tracker.newRequest();
    c.set('deps', deps);
    c.set('metrics', metrics);
    c.set('frame', frame);
    // Named here rather than by hono/request-id, which would set its header on the context (the home route's
    // replies leave out what is set there); logged, and sent back in the frame.
    c.set('requestId', requestIdFor(c.req.header('x-request-id')));
    if (!frame.isReady) await frame.ready();
    // Framed before compression, which then sees the Vary it extends and the Cache-Control it must respect.
    const framed = async () => {
      await next();
      frame.stamp(c);
    };
    // Links, Location headers and the terminal's help are built from the Host header.
    const host = c.req.header('host');
    if (host !== undefined && !validHost(host)) {
      c.res = await onError(badRequest('The Host header is not a valid host name.', [{ field: 'host', message: 'a host name or address with an optional port' }], 'invalid_host'), c);
      frame.stamp(c);
    } else await (c.req.header('accept-encoding') ? compressAll(c, framed) : framed());
    recordRequest(logger, metrics, c, performance.now() - start);
  };
  for (const [h, frame] of [[apiApp, apiFrame], [app, pageFrame]] as const) {
    h.use(perRequest(frame));
    // Bodies are measured for the methods routes take them on; a request with any other method matches no
    // route, and its body is never read.
    h.on(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], '*', limitRequestBody);
    h.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', refuseWritesWithoutFile);
    h.onError(onError);
    if (limiters.length === 0) {
      // Nothing counts requests between resolving a credential and refusing a bad one: one step does both (each
      // step is a hop through Hono's dispatch, ~1 µs of a cached read).
      h.use(resolveActorOrReject);
    } else {
      h.use(resolveActor);
      for (const l of limiters) {
        if (l.methods) h.on(l.methods, l.paths, l.handler);
        else for (const path of l.paths) h.use(path, l.handler);
      }
      h.use(rejectInvalidToken);
    }
  }

  app.use('/guidelines', renderReplies);
  app.route('/', metaRoutes);

  const api = createRouter();
  api.on(['POST', 'PUT', 'PATCH'], '*', async (c, next) => {
    const hasBody = (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding') !== undefined;
    if (!hasBody) return next();
    // Who may call is settled before a body is read: a caller who may not is not waited for while it trickles in.
    authorizeBeforeInput(c);
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      throw new AppError(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json.');
    }
    // Read and checked once, here, as the text c.req.json() parses: left to read the bytes again, Hono would wrap
    // them in a new Response for every write, which raised the server's peak memory by a fifth under the bench.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(await utf8Body(c, 'body'));
    return next();
  });
  // Hono runs the handlers a request matches in the order they were added, so the home timeline, which answers
  // conditional requests from its cached pages, is not wrapped by renderReplies (the hottest route, for nothing).
  api.route('/', homeTimelineRoutes);
  api.use(renderReplies);
  api.route('/', accountRoutes);
  api.route('/', sessionRoutes);
  api.route('/', postRoutes);
  api.route('/', timelineRoutes);
  api.route('/', searchRoutes);
  api.route('/', notificationRoutes);
  api.route('/', reportRoutes);
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/tokens' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'cookieAuth', { type: 'apiKey', in: 'cookie', name: 'bt_session' });
  // Generated from the routes' schemas once (~8 ms): a caller cycling Host headers cannot have it made again.
  const openApiFor = openApiJson((server) => {
    const generated = api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'bluetwit API', version: '1.0.0', description: 'The JSON API of bluetwit, the company microblog.' },
      servers: [{ url: server }],
    });
    documentMiddlewareErrors(generated as Parameters<typeof documentMiddlewareErrors>[0]);
    return generated;
  });
  // The API's own public address (the configured URL, or the one a trusted proxy reports).
  api.get('/openapi.json', (c) => c.body(openApiFor(`${baseUrl(c)}/api`), 200, { 'Content-Type': 'application/json' }));
  apiApp.route('/api', api);
  // A path the API serves with other methods is a 405 naming them (RFC 9110 §15.5.6), OPTIONS a 204 naming them.
  const routes = apiApp.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
    .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`) }));
  const allowed = (path: string) => {
    const methods = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods];
  };
  apiApp.all('*', (c) => {
    const methods = allowed(c.req.path);
    if (methods.length === 0) throw new AppError(404, 'not_found', `No API route for ${c.req.method} ${c.req.path}.`);
    c.header('Allow', [...methods, 'OPTIONS'].join(', '));
    if (c.req.method === 'OPTIONS') return c.body(null, 204);
    throw new AppError(405, 'method_not_allowed', `${c.req.path} takes ${methods.join(', ')}, not ${c.req.method}.`);
  });
  app.route('/', webRoutes());

  const pages = app.fetch;
  app.fetch = (request, env, executionCtx) => (isApiUrl(request.url) ? apiApp.fetch(request, env, executionCtx) : pages(request, env, executionCtx));

  return Object.assign(app, { deps, metrics, logger });
}

export type App = ReturnType<typeof createApp>;
