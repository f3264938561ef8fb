import { prepared } from '../db/sql';
import { AppError, forbidden, notFound } from '../errors';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import type { Actor, Deps } from './deps';
import { notify, unnotify } from './notifications';
import { changes } from './changes';
import { postLog } from './post-log';
import { recentPosts } from './recent';
import { normalizePostText, parseMentions, parseTags } from './text';
import type { PostRow } from './types';

// Selected in this order and read as arrays (`raw()`): building an object per row costs more than the query.
const POST_COLUMNS = `p.seq, p.id, p.author_id, p.author_bot, p.text, p.reply_to, p.mentions, p.tags, p.like_count,
  p.reply_count, p.created_at, a.handle, a.display_name`;

type RawPost = [
  seq: number, id: string, authorId: number, authorBot: number, text: string, replyTo: string | null, mentions: string,
  tags: string, likeCount: number, replyCount: number, createdAt: number, handle: string, displayName: string,
];

function mapPost(r: RawPost): PostRow {
  const row: PostRow = {
    seq: r[0],
    id: r[1],
    authorId: r[2],
    authorHandle: r[11],
    authorName: r[12],
    authorBot: r[3] === 1,
    text: r[4],
    replyTo: r[5],
    mentions: r[6] === '[]' ? [] : JSON.parse(r[6]),
    tags: r[7] === '[]' ? [] : JSON.parse(r[7]),
    likeCount: r[8],
    replyCount: r[9],
    createdAt: r[10],
  };
  return row;
}

/** A cached post: the row as anyone sees it, and (made on first use) as a viewer who likes it or does not. */
type Cached = { row: PostRow; liked: PostRow | null; unliked: PostRow | null; epoch: number; version: number; used: boolean };
const postCaches = new WeakMap<Deps['db'], Map<number, Cached>>();
/** Posts kept hydrated: the newest ones, which every timeline shows, are read far more often than written. */
const POST_CACHE_SIZE = 20_000;

/**
 * Hydrates posts by seq, in the order given (missing ones dropped); `liked` is set when there is a viewer.
 * Rows come from a cache that the change tracker keeps exact (a like, unlike, reply or delete changes a post's
 * version; anything else that could change a row, such as a profile edit, moves the epoch); only the viewer's
 * likes are read every time.
 *
 * The rows returned are the cached ones, shared by every caller and frozen. (Copying each row per call cost
 * more than the query on a cache hit, and the copies outlived young-generation collections often enough to
 * make each one several milliseconds long.)
 */
export function loadPosts(deps: Deps, viewerId: number | null, seqs: number[]): PostRow[] {
  if (seqs.length === 0) return [];
  let cache = postCaches.get(deps.db);
  if (!cache) postCaches.set(deps.db, (cache = new Map()));
  const tracker = changes(deps.db);
  const epoch = tracker.epoch();
  const rows = new Map<number, Cached>();
  const missing: number[] = [];
  for (const seq of seqs) {
    const hit = cache.get(seq);
    if (hit && hit.epoch === epoch && hit.version === tracker.postVersion(seq)) {
      rows.set(seq, hit);
      hit.used = true;
    } else {
      missing.push(seq);
    }
  }
  if (missing.length > 0) {
    const raw = prepared(
      deps.db,
      `SELECT ${POST_COLUMNS} FROM posts p JOIN accounts a ON a.id = p.author_id WHERE p.seq IN (SELECT value FROM json_each(?))`,
      { raw: true },
    ).all(JSON.stringify(missing)) as RawPost[];
    for (const r of raw) {
      // Frozen: a caller changing a shared row would change it for everyone, so it throws instead.
      const row = mapPost(r);
      Object.freeze(row.mentions);
      Object.freeze(row.tags);
      Object.freeze(row);
      const entry: Cached = { row, liked: null, unliked: null, epoch, version: tracker.postVersion(row.seq), used: false };
      rows.set(row.seq, entry);
      cache.delete(row.seq);
      cache.set(row.seq, entry);
    }
    // Second chance: the oldest entry goes unless it was read since it last came round, then it goes to the back.
    while (cache.size > POST_CACHE_SIZE) {
      const [seq, oldest] = cache.entries().next().value!;
      cache.delete(seq);
      if (oldest.used) {
        oldest.used = false;
        cache.set(seq, oldest);
      }
    }
  }
  const liked =
    viewerId === null
      ? null
      : new Set(
          prepared(deps.db, 'SELECT post_seq FROM likes WHERE account_id = ? AND post_seq IN (SELECT value FROM json_each(?))')
            .pluck()
            .all(viewerId, JSON.stringify(seqs)) as number[],
        );
  const out: PostRow[] = [];
  for (const seq of seqs) {
    const e = rows.get(seq);
    if (!e) continue;
    if (!liked) out.push(e.row);
    else if (liked.has(seq)) out.push((e.liked ??= Object.freeze({ ...e.row, liked: true })));
    else out.push((e.unliked ??= Object.freeze({ ...e.row, liked: false })));
  }
  return out;
}

/** Finds a post's seq and author by public id, or 404. */
export function findPostRef(deps: Deps, id: string): { seq: number; authorId: number } {
  const r = prepared(deps.db, 'SELECT seq, author_id AS authorId FROM posts WHERE id = ?').get(id) as
    | { seq: number; authorId: number }
    | undefined;
  if (!r) throw notFound('Post');
  return r;
}

/** One post by public id; 404 when absent or deleted. */
export function getPost(deps: Deps, viewerId: number | null, id: string): PostRow {
  const [post] = loadPosts(deps, viewerId, [findPostRef(deps, id).seq]);
  if (!post) throw notFound('Post');
  return post;
}

/** True when `ownerId` has blocked `otherId`. */
export function isBlockedBy(deps: Deps, ownerId: number, otherId: number): boolean {
  return !!prepared(deps.db, "SELECT 1 FROM hides WHERE account_id = ? AND target_id = ? AND kind = 'block'").get(ownerId, otherId);
}

/**
 * A 403 when either account blocked the other: a block holds both ways until the blocker lifts it. `blocked` (with
 * `refused` as its message) for the blocked actor, `blocking` for the blocker.
 */
export function refuseIfBlocked(deps: Deps, actorId: number, otherId: number, refused: string, other = 'this account'): void {
  if (isBlockedBy(deps, otherId, actorId)) throw forbidden(refused, 'blocked');
  if (isBlockedBy(deps, actorId, otherId)) throw forbidden(`You have blocked ${other}; unblock it first.`, 'blocking');
}

/** Mentions in one post that notify (the first ones); the rest still link and count as mentions. */
export const MAX_MENTION_NOTIFICATIONS = 10;

/** Publishes a post (PostStatusService): validates, stores post, tags, mentions, counters and notifications in one transaction. */
export function createPost(deps: Deps, actor: Actor, input: { text: string; replyTo?: string | null }): PostRow {
  const text = normalizePostText(input.text, deps.config.postMax);
  const tags = parseTags(text);
  const mentionHandles = parseMentions(text);
  const id = deps.newId();
  const now = deps.clock();
  const tracker = changes(deps.db);
  const post = tracker.transaction((): PostRow => {
    let parent: { seq: number; authorId: number } | null = null;
    if (input.replyTo) {
      const ref = prepared(deps.db, 'SELECT seq, author_id AS authorId FROM posts WHERE id = ?').get(input.replyTo) as
        | { seq: number; authorId: number }
        | undefined;
      if (!ref) throw new AppError(404, 'reply_target_not_found', 'The post you are replying to does not exist or was deleted.');
      refuseIfBlocked(deps, actor.id, ref.authorId, 'You cannot reply to this account.');
      parent = ref;
    }
    const mentioned = mentionHandles.length
      ? (prepared(deps.db, 'SELECT id, handle FROM accounts WHERE handle IN (SELECT value FROM json_each(?))').all(
          JSON.stringify(mentionHandles),
        ) as { id: number; handle: string }[])
      : [];
    const known = new Map(mentioned.map((m) => [m.handle, m.id]));
    const mentions = mentionHandles.filter((h) => known.has(h));
    // A mention notifies, and a block holds both ways: neither account may mention the other while it stands.
    for (const handle of mentions) {
      const accountId = known.get(handle)!;
      if (accountId !== actor.id) refuseIfBlocked(deps, actor.id, accountId, `You cannot mention @${handle}.`, `@${handle}`);
    }
    const author = prepared(deps.db, 'SELECT handle, display_name AS name, bot FROM accounts WHERE id = ?').get(actor.id) as
      | { handle: string; name: string; bot: number }
      | undefined;
    if (!author) throw new AppError(401, 'unauthorized', 'This account no longer exists.');
    const info = prepared(
      deps.db,
      `INSERT INTO posts (id, author_id, author_bot, text, reply_to, reply_to_author_id, mentions, tags, created_at)
       VALUES (@id, @author, @bot, @text, @replyTo, @replyToAuthor, @mentions, @tags, @now)`,
    ).run({
      bot: author.bot,
      id,
      author: actor.id,
      text,
      replyTo: parent ? input.replyTo : null,
      replyToAuthor: parent?.authorId ?? null,
      mentions: JSON.stringify(mentions),
      tags: JSON.stringify(tags),
      now,
    });
    const seq = Number(info.lastInsertRowid);
    tracker.postAdded(actor.id, seq);
    prepared(deps.db, 'UPDATE accounts SET posts_count = posts_count + 1 WHERE id = ?').run(actor.id);
    const insertTag = prepared(deps.db, 'INSERT OR IGNORE INTO post_tags (tag, post_seq) VALUES (?, ?)');
    for (const tag of tags) insertTag.run(tag, seq);
    const insertMention = prepared(deps.db, 'INSERT OR IGNORE INTO post_mentions (account_id, post_seq) VALUES (?, ?)');
    // The parent's author hears of a reply as a reply, also when it names them (replies mostly start with @author).
    if (parent) notify(deps, parent.authorId, 'reply', actor.id, seq);
    let mentionsNotified = 0;
    for (const handle of mentions) {
      const accountId = known.get(handle)!;
      insertMention.run(accountId, seq);
      // Every mention links and is findable; only the first few notify, so one post cannot page a whole floor.
      if (accountId !== parent?.authorId && mentionsNotified < MAX_MENTION_NOTIFICATIONS) {
        notify(deps, accountId, 'mention', actor.id, seq);
        mentionsNotified++;
      }
    }
    if (parent) {
      prepared(deps.db, 'UPDATE posts SET reply_count = reply_count + 1 WHERE seq = ?').run(parent.seq);
      tracker.postChanged(parent.seq);
    }
    // The row as loadPosts would read it back, built from what was just written.
    return {
      seq, id, authorId: actor.id, authorHandle: author.handle, authorName: author.name, authorBot: author.bot === 1, text,
      replyTo: parent ? input.replyTo! : null, mentions, tags, likeCount: 0, replyCount: 0, createdAt: now, liked: false,
    };
  });
  // Inside a caller's transaction (an idempotent retry's record), the caller announces after its commit.
  if (!deps.db.$client.inTransaction) announcePost(deps, post);
  return post;
}

/** Tells the recent-posts index and live streams about a committed post. */
export function announcePost(deps: Deps, post: PostRow): void {
  recentPosts(deps.db).added(post.authorId, post.seq);
  postLog(deps.db).added(post.seq, post.authorId, post.authorBot);
  deps.events.publish({ type: 'post', seq: post.seq, id: post.id, authorId: post.authorId, authorBot: post.authorBot });
}

/** Deletes a post (author or admin); its replies stay readable. */
export function deletePost(deps: Deps, actor: Actor, id: string): void {
  const ref = findPostRef(deps, id);
  if (ref.authorId !== actor.id && actor.role !== 'admin') throw forbidden('Only the author can delete this post.');
  const tracker = changes(deps.db);
  // Tracked: cached pages showing the post (or holding it as the one that makes a next page) and its parent's
  // reply count go stale; nothing else cached can show a post that is gone.
  tracker.transaction(() => {
    const parent = prepared(deps.db, 'SELECT parent.seq FROM posts p JOIN posts parent ON parent.id = p.reply_to WHERE p.seq = ?')
      .pluck()
      .get(ref.seq) as number | undefined;
    if (parent !== undefined) {
      prepared(deps.db, 'UPDATE posts SET reply_count = reply_count - 1 WHERE seq = ?').run(parent);
      tracker.postChanged(parent);
    }
    // Reports about a removed post are settled by its removal.
    prepared(deps.db, "UPDATE reports SET status = 'resolved' WHERE post_seq = ? AND status = 'open'").run(ref.seq);
    prepared(deps.db, 'DELETE FROM posts WHERE seq = ?').run(ref.seq);
    prepared(deps.db, 'UPDATE accounts SET posts_count = posts_count - 1 WHERE id = ?').run(ref.authorId);
    tracker.postChanged(ref.seq);
  });
  recentPosts(deps.db).removed(ref.authorId, ref.seq);
  postLog(deps.db).removed(ref.seq);
  deps.events.publish({ type: 'delete', id, authorId: ref.authorId });
}

/** The replies under a post, oldest first; 404 when the post is missing or deleted (its replies stay readable one by one). */
export function listReplies(deps: Deps, viewerId: number | null, id: string, limit: number, cursor?: string): Page<PostRow> {
  const after = cursor ? decodeCursor<[number]>(cursor, 'r', 'n')[0] : 0;
  findPostRef(deps, id);
  const seqs = (
    prepared(
      deps.db,
      `SELECT p.seq FROM posts p WHERE p.reply_to = @id AND p.seq > @after
         AND p.author_id NOT IN (SELECT target_id FROM hides WHERE account_id = @viewer)
       ORDER BY p.seq LIMIT @limit`,
    ).all({ id, after, viewer: viewerId ?? 0, limit: limit + 1 }) as { seq: number }[]
  ).map((r) => r.seq);
  const more = seqs.length > limit;
  const page = seqs.slice(0, limit);
  return { items: loadPosts(deps, viewerId, page), next: more ? encodeCursor('r', [page[page.length - 1]]) : null };
}

/** Likes a post (idempotent) and notifies its author; 403 when either blocked the other. */
export function likePost(deps: Deps, actor: Actor, id: string): void {
  const ref = findPostRef(deps, id);
  refuseIfBlocked(deps, actor.id, ref.authorId, 'You cannot like posts of this account.');
  const tracker = changes(deps.db);
  tracker.transaction(() => {
    const res = prepared(deps.db, 'INSERT OR IGNORE INTO likes (account_id, post_seq, created_at) VALUES (?, ?, ?)').run(actor.id, ref.seq, deps.clock());
    if (res.changes === 0) return;
    prepared(deps.db, 'UPDATE posts SET like_count = like_count + 1 WHERE seq = ?').run(ref.seq);
    tracker.postChanged(ref.seq);
    notify(deps, ref.authorId, 'like', actor.id, ref.seq);
  });
}

/** Removes a like (idempotent). */
export function unlikePost(deps: Deps, actor: Actor, id: string): void {
  const ref = findPostRef(deps, id);
  const tracker = changes(deps.db);
  tracker.transaction(() => {
    const res = prepared(deps.db, 'DELETE FROM likes WHERE account_id = ? AND post_seq = ?').run(actor.id, ref.seq);
    if (res.changes === 0) return;
    prepared(deps.db, 'UPDATE posts SET like_count = like_count - 1 WHERE seq = ?').run(ref.seq);
    tracker.postChanged(ref.seq);
    // Liking again makes a new notification, never a second: toggling cannot spam the author.
    unnotify(deps, ref.authorId, 'like', actor.id, ref.seq);
  });
}
