import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { inertJson } from '../render/json';
import type { AppEnv } from './env';

/** A strong ETag for a rendered body. */
export const etagOf = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

/** Whether an If-None-Match header names this ETag. */
export const matches = (ifNoneMatch: string | undefined, tag: string) =>
  !!ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === tag));

const jsonReply = (c: Context, body: string, status: ContentfulStatusCode | ResponseInit, headers?: Record<string, string>) =>
  c.body(body, status as ContentfulStatusCode, { ...headers, 'Content-Type': 'application/json' });

/** Sends a value as the API's JSON (inertJson): the way every JSON reply is written, whatever the method or status. */
export const sendJson = (c: Context, value: unknown, status: ContentfulStatusCode = 200, headers?: Record<string, string>) =>
  jsonReply(c, inertJson(value), status, headers);

/**
 * Every JSON reply is inertJson (c.json is JSON.stringify, which leaves C1 controls and bidi marks raw), and
 * conditional GET for every JSON or text page a GET handler renders: an ETag from the body's SHA-1, and a
 * bodiless 304 when the client already has it. It hashes the string as it is rendered, instead of cloning
 * and re-reading the finished Response as hono/etag does, which would push every reply off node-server's
 * fast path; streams never go through c.json or c.text, so they are untouched.
 */
export const renderReplies: MiddlewareHandler<AppEnv> = (c, next) => {
  const ctx = c as Context;
  const { text } = ctx;
  // A status or a ResponseInit, and headers, as c.json takes them.
  const inert = (object: unknown, arg: unknown, headers: unknown, body = inertJson(object)) =>
    jsonReply(ctx, body, (arg ?? 200) as ContentfulStatusCode | ResponseInit, headers as Record<string, string> | undefined);
  // HEAD runs the GET handler (Hono) and answers with the same validators (RFC 9110 §9.3.2).
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    ctx.json = inert as unknown as Context['json'];
    return next();
  }
  const ifNoneMatch = c.req.header('if-none-match');
  const render = (body: string, contentType: string, arg: unknown, headers: unknown) => {
    if ((arg !== undefined && arg !== 200) || headers !== undefined) return null;
    const tag = etagOf(body);
    c.header('ETag', tag);
    if (matches(ifNoneMatch, tag)) return c.body(null, 304);
    return c.body(body, 200, { 'Content-Type': contentType });
  };
  ctx.json = ((object: unknown, arg?: unknown, headers?: unknown) => {
    const body = inertJson(object);
    return render(body, 'application/json', arg, headers) ?? inert(object, arg, headers, body);
  }) as unknown as Context['json'];
  ctx.text = ((body: string, arg?: unknown, headers?: unknown) => {
    const ct = (headers as Record<string, string> | undefined)?.['Content-Type'];
    const plain = ct === 'text/plain; charset=utf-8' ? render(body, ct, arg, undefined) : null;
    return plain ?? text(body, arg as never, headers as never);
  }) as Context['text'];
  return next();
};
