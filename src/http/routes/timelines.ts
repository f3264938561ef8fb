import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { inertJson, postJson } from '../../render/json';
import { homeTimeline, publicTimeline, tagTimeline } from '../../services/timelines';
import { readerOf, requireScope, stillSignedIn } from '../auth';
import { openLive } from '../rate-limit';
import { baseUrl, nextLink, postPage, type Ctx } from '../env';
import { createRouter, validQuery } from '../router';
import { decodeCursor, encodeCursor } from '../../services/cursor';
import { badRequest } from '../../errors';
import { etagOf, matches } from '../replies';
import { pageCache, type CachedPage, type PageCache } from '../page-cache';
import { acceptsGzip } from '../negotiate';
import { bearer, errors, json, PostPage, TimelineQuery } from '../schemas';


const utf8 = new TextEncoder();

/** Below this a gzipped page saves nothing worth the header (hono/compress draws the line at the same place). */
const GZIP_MIN_BYTES = 1024;

/**
 * Answers with an already rendered JSON page (its ETag and Link too), or a 304 when the client has it. A client that
 * takes gzip (every browser) gets the page's gzipped bytes, made once per page rather than once per request, with
 * the weak ETag compression calls for; the compression middleware leaves an encoded reply alone. Every answer is
 * built with its headers in one object (the app's frame), node-server's cheapest way to write them.
 */
function sendRendered(c: Ctx, cache: PageCache, page: CachedPage): Response {
  const accepts = acceptsGzip(c.req.header('accept-encoding'));
  const gzip = accepts && page.body.byteLength >= GZIP_MIN_BYTES;
  const headers: Record<string, string> = { etag: gzip ? `W/${page.etag}` : page.etag };
  if (page.link) headers.link = page.link;
  const frame = c.get('frame');
  if (matches(c.req.header('if-none-match'), page.etag)) return frame.reply(c, null, 304, headers);
  headers['content-type'] = 'application/json';
  if (gzip) {
    headers['content-encoding'] = 'gzip';
    return frame.reply(c, cache.gzipped(page), 200, headers);
  }
  // A small page for a client that takes gzip says its length, so the compression middleware leaves it alone.
  if (accepts) headers['content-length'] = String(page.body.byteLength);
  return frame.reply(c, page.body, 200, headers);
}

const HEARTBEAT_MS = 15_000;

/** A `post` event's id: opaque to clients, who only hand it back as Last-Event-ID. */
const eventId = (seq: number) => encodeCursor('e', [seq]);

function eventSeq(id: string): number {
  try {
    return decodeCursor<[number]>(id, 'e', 'n')[0];
  } catch {
    throw badRequest('Last-Event-ID is not the id of an event from this stream.', [{ field: 'last-event-id', message: 'not an event id' }], 'invalid_last_event_id');
  }
}

/**
 * The home timeline: rendered pages come from the page cache with their ETags, and conditional requests are
 * answered from those, so this route needs no renderReplies wrapper (the app routes it ahead of that).
 */
const homeRoute = createRoute({ method: 'get', path: '/timelines/home', tags: ['timelines'], summary: 'Home: own posts and those of followed accounts', security: bearer, request: { query: TimelineQuery }, responses: { 200: json(PostPage, 'Posts, newest first'), 400: errors[400], 401: errors[401] } });

export const homeTimelineRoutes = createRouter();
// Documented like every route, but its query is checked in the handler (validQuery), not by openapi()'s middleware.
homeTimelineRoutes.openAPIRegistry.registerPath(homeRoute);
homeTimelineRoutes.get(homeRoute.path, (c) => {
  const actor = requireScope(c, 'read');
  const q = validQuery(c, TimelineQuery);
  const base = baseUrl(c);
  const cache = pageCache(c.get('deps').db);
  // The limit as sent (`0x2` and `2` read alike, but a page's Link repeats the query it was asked with).
  const key = `${actor.id} ${c.req.query('limit') ?? ''} ${q.bots} ${q.cursor ?? ''} ${base}`;
  // Pages are kept UTF-8 encoded (and gzipped once asked), so a cached page is not encoded again per request.
  let page = cache.get(key);
  if (page) c.get('metrics').pageCacheHits++;
  else c.get('metrics').pageCacheMisses++;
  if (!page) {
    const home = c.get('metrics').timed('home', () => homeTimeline(c.get('deps'), actor.id, { ...q, bots: q.bots !== 'false' }));
    const body = inertJson({ items: home.items.map((p) => postJson(p, base)), next: home.next });
    const rendered = { body: utf8.encode(body), etag: etagOf(body), link: home.next ? nextLink(c, home.next) : null };
    page = cache.put(key, actor.id, home, rendered);
  }
  return sendRendered(c, cache, page);
});

export const timelineRoutes = createRouter()
  .openapi(
    createRoute({ method: 'get', path: '/timelines/public', tags: ['timelines'], summary: 'Every post', security: bearer, request: { query: TimelineQuery }, responses: { 200: json(PostPage, 'Posts, newest first'), 400: errors[400], 401: errors[401] } }),
    (c) => {
      const viewer = readerOf(c);
      const q = c.req.valid('query');
      return c.json(postPage(c, c.get('metrics').timed('public', () => publicTimeline(c.get('deps'), viewer?.id ?? null, { ...q, bots: q.bots !== 'false' }))), 200);
    },
  )
  .openapi(
    createRoute({ method: 'get', path: '/timelines/tag/{tag}', tags: ['timelines'], summary: 'Posts with a tag', security: bearer, request: { params: z.object({ tag: z.string().max(200) }), query: TimelineQuery }, responses: { 200: json(PostPage, 'Posts, newest first'), 400: errors[400], 401: errors[401] } }),
    (c) => {
      const viewer = readerOf(c);
      const q = c.req.valid('query');
      return c.json(postPage(c, c.get('metrics').timed('tag', () => tagTimeline(c.get('deps'), viewer?.id ?? null, c.req.valid('param').tag, { ...q, bots: q.bots !== 'false' }))), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/stream', tags: ['timelines'], security: bearer,
      summary: 'Server-Sent Events: `post` and `delete` events for a timeline, with heartbeats',
      description: 'Each `post` event carries an id. A client reconnecting with `Last-Event-ID` (as EventSource does) first gets the posts it missed, oldest first, or a `reset` event when it missed more than 100 (reload the timeline). Deletes made meanwhile are not replayed.',
      request: {
        query: z.object({ timeline: z.enum(['home', 'public']).default('public'), bots: z.enum(['true', 'false']).optional() }),
        headers: z.object({ 'last-event-id': z.string().max(200).optional().openapi({ description: 'The id of the last `post` event received' }) }),
      },
      responses: { 200: { description: 'text/event-stream' }, 400: errors[400], 401: errors[401] },
    }),
    (c) => {
      const q = c.req.valid('query');
      const viewer = q.timeline === 'home' ? requireScope(c, 'read') : readerOf(c);
      const resumeFrom = c.req.valid('header')['last-event-id'];
      // An empty id is what EventSource sends for none.
      const since = resumeFrom ? eventSeq(resumeFrom) : undefined;
      // HEAD runs this handler too, and nobody reads or cancels the stream it returns: answer it without one.
      if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      const base = baseUrl(c);
      const live = openLive(c, viewer, q.timeline, q.bots !== 'false', since);
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => live.close());
        try {
          await stream.writeSSE({ event: 'ready', data: '{}' });
          for (let items = await live.next(HEARTBEAT_MS); items && !stream.aborted; items = await live.next(HEARTBEAT_MS)) {
            // A revoked token or ended session ends the stream before anything more is sent; reconnecting gets a 401.
            if (!stillSignedIn(c)) break;
            if (items.length === 0) await stream.writeSSE({ event: 'heartbeat', data: '{}' });
            for (const item of items) {
              if (item.type === 'post') await stream.writeSSE({ event: 'post', id: eventId(item.post.seq), data: inertJson(postJson(item.post, base)) });
              else await stream.writeSSE({ event: item.type, data: inertJson(item.type === 'delete' ? { id: item.id } : {}) });
            }
          }
        } finally {
          live.close();
        }
      });
    },
  );
