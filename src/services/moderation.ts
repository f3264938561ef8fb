import { prepared } from '../db/sql';
import { changes } from './changes';
import { badRequest, conflict, forbidden } from '../errors';
import { getAccount } from './accounts';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import type { Actor, Deps } from './deps';
import { removeFollow } from './follows';
import { findPostRef, loadPosts } from './posts';
import { normalizeBlock } from './text';
import type { PostRow } from './types';

/** Accounts one account may mute and block in all: every public, tag and search read filters them out post by
 * post, and muting everyone made each of those reads scan most of the posts table (~0.3 s). */
export const MAX_HIDDEN = 1000;

/** Mutes or blocks an account (idempotent). A block also removes follows in both directions. */
export function hide(deps: Deps, actor: Actor, handle: string, kind: 'mute' | 'block'): void {
  const target = getAccount(deps, handle);
  if (target.id === actor.id) throw badRequest(`You cannot ${kind} yourself.`, [{ field: 'handle', message: 'self' }], `cannot_${kind}_self`);
  // A hide changes which accounts fill the actor's home timeline; a block's removed follows report themselves.
  const tracker = changes(deps.db);
  tracker.transaction(() => {
    const already = prepared(deps.db, 'SELECT 1 FROM hides WHERE account_id = ? AND target_id = ? AND kind = ?').get(actor.id, target.id, kind);
    if (!already && (prepared(deps.db, 'SELECT count(*) FROM hides WHERE account_id = ?').pluck().get(actor.id) as number) >= MAX_HIDDEN) {
      throw conflict(`You can mute and block at most ${MAX_HIDDEN} accounts; unmute or unblock some first.`, 'too_many_hidden');
    }
    prepared(deps.db, 'INSERT OR IGNORE INTO hides (account_id, target_id, kind, created_at) VALUES (?, ?, ?, ?)').run(actor.id, target.id, kind, deps.clock());
    tracker.readerChanged(actor.id);
    if (kind === 'block') {
      removeFollow(deps, actor.id, target.id);
      removeFollow(deps, target.id, actor.id);
    }
  });
}

/** Unmutes or unblocks (idempotent). */
export function unhide(deps: Deps, actor: Actor, handle: string, kind: 'mute' | 'block'): void {
  const target = getAccount(deps, handle);
  const tracker = changes(deps.db);
  tracker.tracked(() => {
    prepared(deps.db, 'DELETE FROM hides WHERE account_id = ? AND target_id = ? AND kind = ?').run(actor.id, target.id, kind);
    tracker.readerChanged(actor.id);
  });
}

/** Files a community report about a post. */
export function reportPost(deps: Deps, actor: Actor, postId: string, rawReason: string): { id: number } {
  const reason = normalizeBlock(rawReason, 'reason', 1000);
  if (!reason) throw badRequest('Say why you are reporting this post.', [{ field: 'reason', message: 'Required.' }]);
  const ref = findPostRef(deps, postId);
  // Tracked: reports are not part of anything read caches hold.
  return changes(deps.db).tracked(() => {
    // One open report per reporter and post: reporting again updates the reason instead of piling up the queue.
    const open = prepared(deps.db, "SELECT id FROM reports WHERE post_seq = ? AND reporter_id = ? AND status = 'open'").get(ref.seq, actor.id) as { id: number } | undefined;
    if (open) {
      prepared(deps.db, 'UPDATE reports SET reason = ? WHERE id = ?').run(reason, open.id);
      return { id: open.id };
    }
    const res = prepared(deps.db, 'INSERT INTO reports (post_id, post_seq, reporter_id, reason, created_at) VALUES (?, ?, ?, ?, ?)').run(
      postId, ref.seq, actor.id, reason, deps.clock(),
    );
    return { id: Number(res.lastInsertRowid) };
  });
}

export type ReportRow = { id: number; postId: string; post: PostRow | null; reporter: string; reason: string; createdAt: number };

/** Open reports, newest first: admins only (the edge checks too, and answers 401 for the signed out first). */
export function listReports(deps: Deps, actor: Actor, limit: number, cursor?: string): Page<ReportRow> {
  if (actor.role !== 'admin') throw forbidden('Admins only.', 'admin_only');
  const before = cursor ? decodeCursor<[number]>(cursor, 'rep', 'n')[0] : Number.MAX_SAFE_INTEGER;
  const rows = prepared(
    deps.db,
    `SELECT r.id, r.post_id, r.post_seq, r.reason, r.created_at, a.handle FROM reports r JOIN accounts a ON a.id = r.reporter_id
     WHERE r.status = 'open' AND r.id < ? ORDER BY r.id DESC LIMIT ?`,
  ).all(before, limit + 1) as { id: number; post_id: string; post_seq: number | null; reason: string; created_at: number; handle: string }[];
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const posts = new Map(loadPosts(deps, actor.id, page.flatMap((r) => (r.post_seq ? [r.post_seq] : []))).map((p) => [p.seq, p]));
  return {
    items: page.map((r) => ({
      id: r.id,
      postId: r.post_id,
      post: r.post_seq ? posts.get(r.post_seq) ?? null : null,
      reporter: r.handle,
      reason: r.reason,
      createdAt: r.created_at,
    })),
    next: more ? encodeCursor('rep', [page[page.length - 1].id]) : null,
  };
}
