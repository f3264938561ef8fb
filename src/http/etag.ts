import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import type { AppEnv } from './env';

// Node's synchronous SHA-1 is several times cheaper per page than the WebCrypto default.
const sha1 = (body: Uint8Array) => {
  const d = createHash('sha1').update(body).digest();
  return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
};
const withEtag = etag({ generateDigest: sha1 });

/** ETags on GET responses, so polling readers get a 304; streams (which never end) are left alone. */
export const conditionalGet = (streams: string[]): MiddlewareHandler<AppEnv> => (c, next) =>
  c.req.method === 'GET' && !streams.includes(c.req.path) ? withEtag(c, next) : next();
