import { prepared } from '../db/sql';
import { changes } from './changes';
import { encodeCursor, decodeCursor, type Page } from './cursor';
import type { Deps } from './deps';
import { loadPosts } from './posts';
import type { AccountRow, PostRow } from './types';
import { ACCOUNT_COLUMNS, mapAccount } from './accounts';
import { badRequest } from '../errors';

export type NotificationType = 'mention' | 'reply' | 'like' | 'follow';

/**
 * About how many notifications an account keeps, newest first: older ones are deleted as new ones arrive, so the
 * most mentioned and liked accounts list and count theirs as cheaply as anyone (counting 2,000 unread took ~2 ms,
 * and nothing else bounded them).
 */
export const MAX_NOTIFICATIONS = 1_000;

/** One notification in this many (by id, whoever it is for) also trims its recipient's to MAX_NOTIFICATIONS. */
const TRIM_EVERY = 32;

/** Records a notification unless it is to oneself, the recipient muted or blocked the actor, or the actor blocked the recipient. */
export function notify(deps: Deps, recipientId: number, type: NotificationType, actorId: number, postSeq: number | null): void {
  if (recipientId === actorId) return;
  const added = prepared(
    deps.db,
    `INSERT INTO notifications (recipient_id, type, actor_id, post_seq, created_at, read)
     SELECT @recipientId, @type, @actorId, @postSeq, @now, 0
     WHERE NOT EXISTS (SELECT 1 FROM hides WHERE account_id = @recipientId AND target_id = @actorId)
       AND NOT EXISTS (SELECT 1 FROM hides WHERE account_id = @actorId AND target_id = @recipientId AND kind = 'block')`,
  ).run({ recipientId, type, actorId, postSeq, now: deps.clock() });
  // Trimming walks MAX_NOTIFICATIONS index entries, so it is done now and then rather than on every write; an
  // account gets a few dozen more than the limit at most before its next trim.
  if (added.changes === 1 && Number(added.lastInsertRowid) % TRIM_EVERY === 0) {
    prepared(
      deps.db,
      `DELETE FROM notifications WHERE recipient_id = @recipientId
         AND id < (SELECT id FROM notifications WHERE recipient_id = @recipientId ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
    ).run({ recipientId, keep: MAX_NOTIFICATIONS - 1 });
  }
}

/** Withdraws the notification of something undone (an unlike, an unfollow, a follow a block removed). */
export function unnotify(deps: Deps, recipientId: number, type: 'like' | 'follow', actorId: number, postSeq: number | null): void {
  // The type written out, so each statement finds its rows by an index (the post's, or the follow index).
  const sql =
    type === 'like'
      ? "DELETE FROM notifications WHERE post_seq = @postSeq AND type = 'like' AND actor_id = @actorId AND recipient_id = @recipientId"
      : "DELETE FROM notifications WHERE recipient_id = @recipientId AND actor_id = @actorId AND type = 'follow'";
  prepared(deps.db, sql).run({ recipientId, actorId, ...(type === 'like' ? { postSeq } : {}) });
}

export type NotificationRow = {
  id: number;
  type: NotificationType;
  account: AccountRow;
  post: PostRow | null;
  createdAt: number;
  read: boolean;
};

/** The viewer's notifications, newest first, leaving out actors they now mute or block. */
export function listNotifications(deps: Deps, viewerId: number, limit: number, cursor?: string): Page<NotificationRow> & { unreadCount: number } {
  const before = cursor ? decodeCursor<[number]>(cursor, 'n', 'n')[0] : Number.MAX_SAFE_INTEGER;
  const rows = prepared(
    deps.db,
    `SELECT n.id AS nid, n.type AS ntype, n.post_seq AS npost, n.created_at AS ncreated, n.read AS nread, ${ACCOUNT_COLUMNS}
     FROM notifications n JOIN accounts a ON a.id = n.actor_id
     WHERE n.recipient_id = ? AND n.id < ?
       AND n.actor_id NOT IN (SELECT target_id FROM hides WHERE account_id = n.recipient_id)
     ORDER BY n.id DESC LIMIT ?`,
  ).all(viewerId, before, limit + 1) as Record<string, unknown>[];
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const posts = new Map(loadPosts(deps, viewerId, page.map((r) => r.npost as number).filter(Boolean)).map((p) => [p.seq, p]));
  const items = page.map((r) => ({
    id: r.nid as number,
    type: r.ntype as NotificationType,
    account: mapAccount(r),
    post: r.npost ? posts.get(r.npost as number) ?? null : null,
    createdAt: r.ncreated as number,
    read: r.nread === 1,
  }));
  return {
    items,
    next: more ? encodeCursor('n', [page[page.length - 1].nid as number]) : null,
    unreadCount: unreadCount(deps, viewerId),
  };
}

/** How many unread notifications the viewer has (from actors they do not hide). */
export function unreadCount(deps: Deps, viewerId: number): number {
  return (
    prepared(
      deps.db,
      `SELECT count(*) AS c FROM notifications n WHERE n.recipient_id = ? AND n.read = 0
         AND n.actor_id NOT IN (SELECT target_id FROM hides WHERE account_id = n.recipient_id)`,
    ).get(viewerId) as { c: number }
  ).c;
}

/** Marks the viewer's notifications read, all of them or those up to and including `upTo`. */
export function markRead(deps: Deps, viewerId: number, upTo?: string): number {
  let max = Number.MAX_SAFE_INTEGER;
  if (upTo !== undefined) {
    if (!/^\d{1,15}$/.test(upTo)) throw badRequest('upTo must be a notification id.', [{ field: 'upTo', message: 'not a notification id' }]);
    max = Number(upTo);
  }
  // Tracked: notifications are not part of anything read caches hold.
  return changes(deps.db).tracked(
    () => prepared(deps.db, 'UPDATE notifications SET read = 1 WHERE recipient_id = ? AND read = 0 AND id <= ?').run(viewerId, max).changes,
  );
}
