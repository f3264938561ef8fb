import { AppError, badRequest } from '../errors';
import type { Ctx } from './env';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A request body as text, for the API's JSON and the terminal's posts alike. Bytes that are not UTF-8 are a 400
 * (RFC 8259 §8.1 for JSON; for a post, a replacement character the author never typed), and a compressed body a
 * 415 naming the codings taken (RFC 9110 §15.5.16), not a body that fails to parse.
 */
export async function utf8Body(c: Ctx, field: string): Promise<string> {
  const coding = c.req.header('content-encoding');
  if (coding !== undefined && !/^\s*identity\s*$/i.test(coding)) {
    c.header('Accept-Encoding', 'identity');
    throw new AppError(415, 'unsupported_media_type', 'Send the body uncompressed, without Content-Encoding.');
  }
  // Read first: a body over the limit is a 413 from the read, not an encoding error.
  const bytes = await c.req.arrayBuffer();
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw badRequest(`The ${field} is not valid UTF-8.`, [{ field, message: 'Send UTF-8.' }], 'invalid_encoding');
  }
}
