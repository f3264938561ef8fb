import { createHash } from 'node:crypto';
import { prepared } from '../db/sql';
import { changes } from './changes';
import { badRequest, unprocessable } from '../errors';
import type { Deps } from './deps';

const KEEP_MS = 24 * 3600 * 1000;
const KEY = /^[\x21-\x7e]{1,255}$/;

export type StoredResponse = { status: number; body: string };

/**
 * Runs `produce` at most once per (account, Idempotency-Key): a retry with the same request gets the stored
 * response; the same key with a different request is a 422. Check, work and record share one transaction.
 */
export function once(deps: Deps, accountId: number, key: string, request: unknown, produce: () => StoredResponse): StoredResponse & { replayed: boolean } {
  if (!KEY.test(key)) throw badRequest('Idempotency-Key must be 1–255 printable ASCII characters.', [{ field: 'Idempotency-Key', message: 'invalid' }]);
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  // Tracked: the stored response is not part of anything read caches hold; `produce` reports its own changes.
  return changes(deps.db).transaction(() => {
    const now = deps.clock();
    const prior = prepared(deps.db, 'SELECT request_hash, status, body FROM idempotency_keys WHERE account_id = ? AND key = ? AND created_at > ?').get(
      accountId, key, now - KEEP_MS,
    ) as { request_hash: string; status: number; body: string } | undefined;
    if (prior) {
      if (prior.request_hash !== requestHash) throw unprocessable('This Idempotency-Key was already used with a different request.', 'idempotency_key_reused');
      return { status: prior.status, body: prior.body, replayed: true };
    }
    const res = produce();
    prepared(deps.db, 'DELETE FROM idempotency_keys WHERE created_at <= ?').run(now - KEEP_MS);
    prepared(deps.db, 'INSERT OR REPLACE INTO idempotency_keys (account_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      accountId, key, requestHash, res.status, res.body, now,
    );
    return { ...res, replayed: false };
  });
}
