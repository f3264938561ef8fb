import { prepared } from '../db/sql';
import { getAccount } from './accounts';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import type { Deps } from './deps';
import { loadPosts } from './posts';
import { changes } from './changes';
import { postLog } from './post-log';
import { recentPosts } from './recent';
import { normalizeTag } from './text';
import type { PostRow } from './types';

export type TimelineOptions = { limit: number; cursor?: string; bots?: boolean };

// Shared filters: leave out bot posts on request and authors the viewer muted or blocked.
const FILTERS = `(@bots = 1 OR p.author_bot = 0)
  AND p.author_id NOT IN (SELECT target_id FROM hides WHERE account_id = @viewer)`;

// Plan 1, the walk: newest-first over the post table inside a seq window, checking follow membership per post.
// Cheap when the reader follows many active accounts (dense windows).
const WALK = `SELECT p.seq FROM posts p
  WHERE p.seq < @upper AND p.seq >= @lower
    AND (p.author_id = @viewer OR EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = @viewer AND f.followee_id = p.author_id))
    AND ${FILTERS}
  ORDER BY p.seq DESC LIMIT @need`;

// Plan 2, the seeks: one index range per followee (and self) inside the same window, merged by SQLite's top-N sort.
// Cheap when the reader follows few accounts (sparse windows). CROSS JOIN pins the loop order.
const SEEK = `SELECT p.seq FROM (SELECT followee_id AS aid FROM follows WHERE follower_id = @viewer AND followee_id != @viewer UNION ALL SELECT @viewer) f
  CROSS JOIN posts p INDEXED BY posts_author_seq_idx ON p.author_id = f.aid AND p.seq < @upper AND p.seq >= @lower
  WHERE ${FILTERS}
  ORDER BY p.seq DESC LIMIT @need`;

/** Costs measured on the company profile, in µs: a merge of cached recent posts (fixed, and per followed
 * account); testing one post in the in-memory post log; seeking one followed account's posts in SQLite. */
const MERGE_FIXED_US = 10;
const MERGE_US = 0.04;
const LOG_US = 0.005;
const SEEK_US = 1.5;
/** Cost of one post visited by SQLite's walk (a follow lookup per post), in µs. */
const SQL_WALK_US = 1;
/** Windows are this many times the posts expected to fill the page: a walk stops at its LIMIT anyway,
 * and for seeks a wider window costs a little sorting where a second round would cost every seek again. */
const OVERSHOOT = 3;
const MIN_WINDOW = 64;

/** A home page, with what a cache needs to know when it goes stale. */
export type HomePage = Page<PostRow> & {
  /** The newest post when the page was built: a first page stays right until one of `authors` posts after it. */
  newest: number;
  /** The accounts whose posts the page shows: those followed and not hidden, and the reader. */
  authors: Int32Array;
  /** The post after the last one shown, whose existence makes `next` a cursor rather than null. */
  lookahead: number | null;
  /** Whether posts published from now on can appear on the page: a first page, or one whose cursor lies above
   * the newest post (hand-made, or held across a restore of an older backup). */
  open: boolean;
};

type Followed = {
  epoch: number;
  version: number;
  list: Int32Array;
  /** The same accounts as a bitmap by post-log slot (`PostLog.bitmap`), built the first time a walk or a live
   * stream needs to test membership. */
  bits: Uint32Array | null;
};
const FOLLOWED = 'SELECT json_group_array(followee_id) FROM follows WHERE follower_id = ?';
const followedCaches = new WeakMap<Deps['db'], { map: Map<number, Followed>; held: number }>();
/** Account ids kept across all cached readers (4 bytes each, plus a bitmap for dense readers). */
const FOLLOWED_BUDGET = 1_000_000;

/**
 * The accounts whose posts make up the reader's home timeline: everyone they follow and have not muted or
 * blocked, and themselves. Cached per reader until their follows change (or anything the change tracker
 * cannot account for happens); the least recently used readers are dropped past a budget.
 */
export function followedAuthors(deps: Deps, viewerId: number): Followed {
  let cached = followedCaches.get(deps.db);
  if (!cached) followedCaches.set(deps.db, (cached = { map: new Map(), held: 0 }));
  const cache = cached.map;
  const tracker = changes(deps.db);
  const epoch = tracker.epoch();
  const version = tracker.readerVersion(viewerId);
  const hit = cache.get(viewerId);
  if (hit) {
    cache.delete(viewerId);
    if (hit.epoch === epoch && hit.version === version) {
      cache.set(viewerId, hit);
      return hit;
    }
    cached.held -= hit.list.length;
  }
  // One JSON array rather than a row per account: for a reader following thousands, half the time. The few
  // hidden accounts are left out here; filtering them in SQL costs a lookup per followed account.
  const followees = JSON.parse(prepared(deps.db, FOLLOWED).pluck().get(viewerId) as string) as number[];
  const hides = prepared(deps.db, 'SELECT target_id FROM hides WHERE account_id = ?').pluck().all(viewerId) as number[];
  const hidden = hides.length > 0 ? new Set(hides) : null;
  const list = new Int32Array(followees.length + 1);
  let n = 0;
  for (const id of followees) if (id !== viewerId && !hidden?.has(id)) list[n++] = id;
  if (!hidden?.has(viewerId)) list[n++] = viewerId;
  const ids = list.subarray(0, n);
  const entry: Followed = { epoch, version, list: ids, bits: null };
  cache.set(viewerId, entry);
  cached.held += ids.length;
  for (const [id, old] of cache) {
    if (cached.held <= FOLLOWED_BUDGET || id === viewerId) break;
    cache.delete(id);
    cached.held -= old.list.length;
  }
  return entry;
}

/**
 * The home timeline, built at read time: the viewer's own posts and those of everyone they follow, newest first.
 * Three plans, chosen by estimated cost: merge the followed accounts' newest posts from the in-memory
 * recent-posts index (cost: accounts followed; sparse and median readers); walk the in-memory post log newest
 * first testing follow membership (cost: posts visited until the page is full, estimated from the share of
 * posts the reader's accounts write; dense readers); or, to leave out bots for a sparse reader, seek each
 * followed account's posts in SQLite. Where the log runs out, SQLite continues the walk in windows of seqs; a
 * window that comes up short corrects the estimate with the density it actually saw.
 */
export function homeTimeline(deps: Deps, viewerId: number, opts: TimelineOptions): HomePage {
  const cursorSeq = opts.cursor ? decodeCursor<[number]>(opts.cursor, 'p', 'n')[0] : null;
  const { accounts, newest } = prepared(
    deps.db,
    'SELECT (SELECT max(id) FROM accounts) AS accounts, (SELECT coalesce(max(seq), 0) FROM posts) AS newest',
  ).get() as { accounts: number | null; newest: number };
  const followed = followedAuthors(deps, viewerId);
  const authors = followed.list;
  const before = cursorSeq ?? newest + 1;
  const want = opts.limit + 1;
  const bots = opts.bots !== false;
  const result = (seqs: number[]): HomePage => ({
    ...page(deps, viewerId, seqs, opts.limit), newest, authors, lookahead: seqs.length > opts.limit ? seqs[opts.limit] : null, open: before > newest,
  });
  if (authors.length === 0) return result([]);
  // First guess: the reader's accounts write their share of all posts.
  let density = authors.length / Math.max(1, accounts ?? 1);
  const walkCost = (want / density) * LOG_US;
  if (bots && MERGE_FIXED_US + authors.length * MERGE_US <= walkCost) return result(recentPosts(deps.db).merge(authors, before, want));
  const seqs: number[] = [];
  let upper = before;
  const seekCost = authors.length * SEEK_US;
  if (walkCost <= seekCost) {
    const log = postLog(deps.db);
    followed.bits ??= log.bitmap(authors);
    const walked = log.walk(followed.bits, before, want, bots);
    seqs.push(...walked.seqs);
    if (walked.done) return result(seqs);
    upper = walked.reached;
  }
  // SQLite: below what the log holds, or seeks for a sparse reader without bots.
  while (seqs.length < want && upper > 1) {
    const need = want - seqs.length;
    const expected = need / density;
    const lower = Math.max(1, upper - Math.max(MIN_WINDOW, Math.ceil(expected * OVERSHOOT)));
    const sql = expected * SQL_WALK_US < seekCost ? WALK : SEEK;
    const rows = prepared(deps.db, sql).all({ viewer: viewerId, upper, lower, need, bots: bots ? 1 : 0 }) as { seq: number }[];
    for (const r of rows) seqs.push(r.seq);
    if (rows.length === need) break;
    // The whole window was read: its density is now known (or, if it held nothing, at least 16 times lower).
    density = rows.length > 0 ? rows.length / (upper - lower) : density / 16;
    upper = lower;
  }
  return result(seqs);
}

/** Every post, newest first. */
export function publicTimeline(deps: Deps, viewerId: number | null, opts: TimelineOptions): Page<PostRow> {
  const before = opts.cursor ? decodeCursor<[number]>(opts.cursor, 'p', 'n')[0] : Number.MAX_SAFE_INTEGER;
  const rows = prepared(
    deps.db,
    `SELECT p.seq FROM posts p WHERE p.seq < @before AND ${FILTERS} ORDER BY p.seq DESC LIMIT @limit`,
  ).all({ viewer: viewerId ?? 0, before, bots: opts.bots === false ? 0 : 1, limit: opts.limit + 1 }) as { seq: number }[];
  return page(deps, viewerId, rows.map((r) => r.seq), opts.limit);
}

/** One account's posts, newest first. */
export function accountTimeline(deps: Deps, viewerId: number | null, handle: string, opts: TimelineOptions): Page<PostRow> {
  const account = getAccount(deps, handle);
  const before = opts.cursor ? decodeCursor<[number]>(opts.cursor, 'p', 'n')[0] : Number.MAX_SAFE_INTEGER;
  const rows = prepared(
    deps.db,
    'SELECT p.seq FROM posts p WHERE p.author_id = @author AND p.seq < @before AND (@bots = 1 OR p.author_bot = 0) ORDER BY p.seq DESC LIMIT @limit',
  ).all({ author: account.id, before, bots: opts.bots === false ? 0 : 1, limit: opts.limit + 1 }) as { seq: number }[];
  return page(deps, viewerId, rows.map((r) => r.seq), opts.limit);
}

/** Posts carrying a tag, newest first. */
export function tagTimeline(deps: Deps, viewerId: number | null, rawTag: string, opts: TimelineOptions): Page<PostRow> {
  const tag = normalizeTag(rawTag);
  const before = opts.cursor ? decodeCursor<[number]>(opts.cursor, 'p', 'n')[0] : Number.MAX_SAFE_INTEGER;
  const rows = prepared(
    deps.db,
    `SELECT p.seq FROM post_tags t JOIN posts p ON p.seq = t.post_seq
     WHERE t.tag = @tag AND t.post_seq < @before AND ${FILTERS} ORDER BY t.post_seq DESC LIMIT @limit`,
  ).all({ tag, viewer: viewerId ?? 0, before, bots: opts.bots === false ? 0 : 1, limit: opts.limit + 1 }) as { seq: number }[];
  return page(deps, viewerId, rows.map((r) => r.seq), opts.limit);
}

/** Whether a new post belongs on the viewer's home timeline (for live streams). */
export function belongsToHome(deps: Deps, viewerId: number, authorId: number): boolean {
  // The same accounts the home timeline is built from, from the same cache.
  const followed = followedAuthors(deps, viewerId);
  const log = postLog(deps.db);
  return log.has((followed.bits ??= log.bitmap(followed.list)), authorId);
}

/** Whether the viewer hides (mutes or blocks) this author. */
export function hides(deps: Deps, viewerId: number, authorId: number): boolean {
  return !!prepared(deps.db, 'SELECT 1 FROM hides WHERE account_id = ? AND target_id = ?').get(viewerId, authorId);
}

function page(deps: Deps, viewerId: number | null, seqs: number[], limit: number): Page<PostRow> {
  const more = seqs.length > limit;
  const slice = seqs.slice(0, limit);
  return { items: loadPosts(deps, viewerId, slice), next: more ? encodeCursor('p', [slice[slice.length - 1]]) : null };
}
