import type { Context } from 'hono';
import { postJson } from '../render/json';
import type { Page } from '../services/cursor';
import type { Actor, Deps } from '../services/deps';
import type { PostRow } from '../services/types';
import { preferredFormat, type Format } from './negotiate';
import type { Metrics } from './observability';
import type { Frame } from './frame';
import type { RateLimitInfo } from 'hono-rate-limiter';

export type AppEnv = {
  Variables: {
    deps: Deps;
    actor: Actor | null;
    /** A bearer token was sent that names no credential (the request is refused after the rate limiters). */
    invalidToken: boolean;
    requestId: string;
    metrics: Metrics;
    /** The headers every answer of this app carries (request id, security, the API's caching, the budget). */
    frame: Frame;
    /** The budget the request was last counted against (hono-rate-limiter's). */
    rateLimit?: RateLimitInfo;
    /** That budget as it was counted: its RateLimit-* headers and Retry-After seconds (src/http/rate-limit.ts). */
    budget?: { info: RateLimitInfo; headers: Record<string, string>; retryAfter: number };
  };
};

export type Ctx = Context<AppEnv>;

/** Closes the request's connection (node-server's response; nothing for a request made in process): how a
 * stream drops a reader that stopped reading, whose pending write would otherwise wait forever. */
export function dropConnection(c: Ctx): void {
  (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing?.destroy();
}

const origins = new Map<string, string>();

/** The origin of an absolute URL, parsed once per distinct scheme and host (a URL parse on every request shows up). */
function originOf(url: string): string {
  const prefix = url.slice(0, url.indexOf('/', url.indexOf('//') + 2) >>> 0);
  let origin = origins.get(prefix);
  if (origin === undefined) {
    origin = new URL(url).origin;
    if (origins.size >= 64) origins.clear();
    origins.set(prefix, origin);
  }
  return origin;
}

/** A host name or address with an optional port, as a Host header carries it: labels of at most 63 characters,
 * 253 in all (RFC 1035), so a 15 KB "host" never reaches the links and help text built from it. */
const HOST = /^(?:[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
export const validHost = (host: string): boolean => host.length <= 253 + 6 && HOST.test(host);

/** The absolute origin links should use: the configured public URL, else the request's own. */
export function baseUrl(c: Ctx): string {
  const { publicUrl, trustProxy } = c.get('deps').config;
  if (publicUrl) return publicUrl;
  if (!trustProxy) return originOf(c.req.url);
  // Behind a trusted proxy: the scheme and host the client used, as the proxy reports them.
  const url = new URL(c.req.url);
  const forwarded = (name: string) => c.req.header(name)?.split(',')[0].trim();
  const proto = forwarded('x-forwarded-proto');
  const host = forwarded('x-forwarded-host');
  const port = forwarded('x-forwarded-port');
  if (proto === 'http' || proto === 'https') url.protocol = `${proto}:`;
  if (host && validHost(host)) {
    url.host = host;
    // A host without a port means the scheme's own: the internal port the request reached must not stay.
    if (!/:\d+$/.test(host)) url.port = '';
  }
  if (port && /^\d{1,5}$/.test(port) && Number(port) <= 65535) url.port = port;
  return url.origin;
}

/** The query parameters that shape a page (each validated by its route), the only ones a next page carries. */
const PAGE_PARAMS = new Set(['timeline', 'q', 'order', 'department', 'limit', 'bots', 'width', 'color', 'format', 'cursor']);

/** The same URL with `cursor` set: how Link headers and `next:` lines point at the next page. Parameters no
 * route reads are left behind, so a long made-up one is neither echoed nor laid out in a terminal footer. */
export function urlWithCursor(c: Ctx, cursor: string): string {
  const url = new URL(c.req.url);
  const out = new URL(baseUrl(c) + url.pathname);
  for (const [name, value] of url.searchParams) if (PAGE_PARAMS.has(name) && !out.searchParams.has(name)) out.searchParams.append(name, value);
  out.searchParams.set('cursor', cursor);
  return out.toString();
}

/** The RFC 8288 Link header value pointing at the next page. */
export const nextLink = (c: Ctx, next: string) => `<${urlWithCursor(c, next)}>; rel="next"`;

/** Sets the RFC 8288 Link header for a page with a next cursor. */
export function setNextLink(c: Ctx, next: string | null): void {
  if (next) c.header('Link', nextLink(c, next));
}

/** Which representation this request wants (see negotiate.ts). */
export const formatOf = (c: Ctx): Format =>
  preferredFormat({ accept: c.req.header('accept'), userAgent: c.req.header('user-agent'), format: c.req.query('format') });

/** A page of posts as the API's list shape, with its Link header. */
export function postPage(c: Ctx, page: Page<PostRow>) {
  setNextLink(c, page.next);
  const base = baseUrl(c);
  return { items: page.items.map((p) => postJson(p, base)), next: page.next };
}
