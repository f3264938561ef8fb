import { prepared } from '../db/sql';
import { badRequest } from '../errors';
import { ACCOUNT_COLUMNS, getAccount, mapAccount } from './accounts';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import type { Actor, Deps } from './deps';
import { notify, unnotify } from './notifications';
import { changes } from './changes';
import { refuseIfBlocked } from './posts';
import type { AccountRow } from './types';

/** Follows an account (idempotent); 400 for oneself, 403 when either blocked the other. */
export function follow(deps: Deps, actor: Actor, handle: string): void {
  const target = getAccount(deps, handle);
  if (target.id === actor.id) throw badRequest('You cannot follow yourself.', [{ field: 'handle', message: 'self' }], 'cannot_follow_self');
  // A block ends following both ways; it stays that way until the blocker unblocks.
  refuseIfBlocked(deps, actor.id, target.id, 'This account has blocked you.');
  const tracker = changes(deps.db);
  tracker.transaction(() => {
    const res = prepared(deps.db, 'INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)').run(actor.id, target.id, deps.clock());
    if (res.changes === 0) return;
    tracker.readerChanged(actor.id);
    adjustCounts(deps, actor.id, target.id, 1);
    notify(deps, target.id, 'follow', actor.id, null);
  });
}

/** Unfollows (idempotent). */
export function unfollow(deps: Deps, actor: Actor, handle: string): void {
  const target = getAccount(deps, handle);
  removeFollow(deps, actor.id, target.id);
}

/** Removes a follow edge and its counts if present; runs inside or outside a transaction. */
export function removeFollow(deps: Deps, followerId: number, followeeId: number): void {
  const tracker = changes(deps.db);
  tracker.transaction(() => {
    const res = prepared(deps.db, 'DELETE FROM follows WHERE follower_id = ? AND followee_id = ?').run(followerId, followeeId);
    if (res.changes === 0) return;
    tracker.readerChanged(followerId);
    adjustCounts(deps, followerId, followeeId, -1);
    // The follow is undone, so is its news (following again makes a new one, never a second).
    unnotify(deps, followeeId, 'follow', followerId, null);
  });
}

function adjustCounts(deps: Deps, followerId: number, followeeId: number, delta: number) {
  prepared(deps.db, 'UPDATE accounts SET following_count = following_count + ? WHERE id = ?').run(delta, followerId);
  prepared(deps.db, 'UPDATE accounts SET followers_count = followers_count + ? WHERE id = ?').run(delta, followeeId);
}

/** A page of followers or followees, newest follow first: a range of a partial index kept in rowid order (the
 * `created_at >= 0` that every row meets is what lets SQLite use it), not a sort of every follower. */
export function followsPageSql(direction: 'followers' | 'following'): string {
  const [self, other] = direction === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
  return `SELECT f.rowid AS frow, ${ACCOUNT_COLUMNS} FROM follows f JOIN accounts a ON a.id = f.${other}
     WHERE f.${self} = ? AND f.created_at >= 0 AND f.rowid < ? ORDER BY f.rowid DESC LIMIT ?`;
}

/** Followers or followees of an account, most recent follow first. */
export function listFollows(deps: Deps, handle: string, direction: 'followers' | 'following', limit: number, cursor?: string): Page<AccountRow> {
  const account = getAccount(deps, handle);
  const before = cursor ? decodeCursor<[number]>(cursor, direction, 'n')[0] : Number.MAX_SAFE_INTEGER;
  const rows = prepared(deps.db, followsPageSql(direction)).all(account.id, before, limit + 1) as Record<string, unknown>[];
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return {
    items: page.map(mapAccount),
    next: more ? encodeCursor(direction, [page[page.length - 1].frow as number]) : null,
  };
}
