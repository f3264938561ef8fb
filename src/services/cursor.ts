import { badRequest } from '../errors';

/** Encodes an opaque pagination cursor from a kind tag and key values. */
export function encodeCursor(kind: string, values: (string | number)[]): string {
  return Buffer.from(JSON.stringify([kind, ...values]), 'utf8').toString('base64url');
}

const invalid = () => badRequest('The cursor is not valid.', [{ field: 'cursor', message: 'malformed cursor' }], 'invalid_cursor');

/** Decodes a cursor of the given kind whose values match `shape` ('n' integer, 's' string); throws 400 otherwise. */
export function decodeCursor<T extends (string | number)[]>(cursor: string, kind: string, shape: string): T {
  if (cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== kind) throw invalid();
  const values = parsed.slice(1);
  for (let i = 0; i < shape.length; i++) {
    const v = values[i];
    const ok = shape[i] === 'n' ? Number.isSafeInteger(v) && v >= 0 : typeof v === 'string';
    if (!ok) throw invalid();
  }
  return values as T;
}

export type Page<T> = { items: T[]; next: string | null };
