import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { inertJson } from '../render/json';
import type { AppEnv } from './env';

/** A strong ETag for a rendered body. */
export const etagOf = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

/** Whether an If-None-Match header names this ETag. */
export const matches = (ifNoneMatch: string | undefined, tag: string) =>
  !!ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === tag));

/**
 * Conditional GET for every JSON or text page a GET handler renders: an ETag from the body's SHA-1, and a
 * bodiless 304 when the client already has it. It hashes the string as it is rendered, instead of cloning
 * and re-reading the finished Response as hono/etag does, which would push every reply off node-server's
 * fast path; streams never go through c.json or c.text, so they are untouched.
 */
export const conditionalGet: MiddlewareHandler<AppEnv> = (c, next) => {
  // HEAD runs the GET handler (Hono) and answers with the same validators (RFC 9110 §9.3.2).
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
  const ifNoneMatch = c.req.header('if-none-match');
  const render = (body: string, contentType: string, arg: unknown, headers: unknown) => {
    if ((arg !== undefined && arg !== 200) || headers !== undefined) return null;
    const tag = etagOf(body);
    c.header('ETag', tag);
    if (matches(ifNoneMatch, tag)) return c.body(null, 304);
    return c.body(body, 200, { 'Content-Type': contentType });
  };
  const { json, text } = c as Context;
  (c as Context).json = ((object: unknown, arg?: unknown, headers?: unknown) =>
    render(inertJson(object), 'application/json', arg, headers) ?? json(object as never, arg as never, headers as never)) as Context['json'];
  (c as Context).text = ((body: string, arg?: unknown, headers?: unknown) => {
    const ct = (headers as Record<string, string> | undefined)?.['Content-Type'];
    const plain = ct === 'text/plain; charset=utf-8' ? render(body, ct, arg, undefined) : null;
    return plain ?? text(body, arg as never, headers as never);
  }) as Context['text'];
  return next();
};
