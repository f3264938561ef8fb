import { prepared } from '../db/sql';
import { changes } from './changes';
import { ACCOUNT_COLUMNS, mapAccount } from './accounts';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import type { Deps } from './deps';
import { loadPosts } from './posts';
import { foldKey } from './text';
import type { AccountRow, PostRow } from './types';

/**
 * Turns user input into a safe FTS5 query: each word becomes a quoted string (so no operator,
 * column filter or syntax error can come from the user), the last one a prefix match; all words must match.
 */
export function ftsQuery(input: string): string | null {
  const words = input
    .normalize('NFC')
    .split(/[^\p{L}\p{M}\p{N}_]+/u)
    .filter(Boolean)
    .slice(0, 16);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? ' *' : ''}`).join(' ');
}

/**
 * Indexes posts queued since the last flush, oldest first, in one transaction: all of them, or at most `max`
 * (the background indexer's bound, so one flush never holds the event loop for long); returns how many.
 */
export function flushSearchIndex(deps: Deps, max = -1): number {
  // Tracked: the search index is not part of anything read caches hold.
  return changes(deps.db).transaction(() => {
    const batch = '(SELECT seq FROM fts_pending ORDER BY seq LIMIT @max)';
    const n = prepared(deps.db, `INSERT INTO posts_fts(rowid, text) SELECT p.seq, p.text FROM ${batch} f CROSS JOIN posts p ON p.seq = f.seq`).run({ max }).changes;
    if (n > 0) prepared(deps.db, `DELETE FROM fts_pending WHERE seq IN ${batch}`).run({ max });
    return n;
  });
}

const maxSeq = (deps: Deps) => (prepared(deps.db, 'SELECT coalesce(max(seq), 0) AS m FROM posts').get() as { m: number }).m;

export type SearchResult = Page<PostRow> & { accounts: AccountRow[] };

/** Full-text search over posts (newest first or by relevance), plus accounts whose handle or name starts with the query. */
export function search(
  deps: Deps,
  viewerId: number | null,
  q: string,
  opts: { limit: number; cursor?: string; order?: 'new' | 'relevance'; bots?: boolean },
): SearchResult {
  const match = ftsQuery(q);
  if (!match) return { items: [], next: null, accounts: [] };
  // Every post written before this query is searchable: index whatever is still queued first.
  flushSearchIndex(deps);
  const params = { match, viewer: viewerId ?? 0, bots: opts.bots === false ? 0 : 1, limit: opts.limit + 1 };
  const filters = `(@bots = 1 OR p.author_bot = 0) AND p.author_id NOT IN (SELECT target_id FROM hides WHERE account_id = @viewer)`;
  let seqs: number[];
  let next: string | null = null;
  if (opts.order === 'relevance') {
    // Ranked pages are pinned to the posts that existed at the first page, so new posts cannot shift them.
    const [offset, top] = opts.cursor ? decodeCursor<[number, number]>(opts.cursor, 'sr', 'nn') : [0, maxSeq(deps)];
    seqs = (
      prepared(
        deps.db,
        `SELECT p.seq FROM posts_fts JOIN posts p ON p.seq = posts_fts.rowid
         WHERE posts_fts MATCH @match AND posts_fts.rowid <= @top AND ${filters} ORDER BY bm25(posts_fts), p.seq DESC LIMIT @limit OFFSET @offset`,
      ).all({ ...params, offset, top }) as { seq: number }[]
    ).map((r) => r.seq);
    if (seqs.length > opts.limit) next = encodeCursor('sr', [offset + opts.limit, top]);
  } else {
    const before = opts.cursor ? decodeCursor<[number]>(opts.cursor, 'p', 'n')[0] : Number.MAX_SAFE_INTEGER;
    seqs = (
      prepared(
        deps.db,
        `SELECT p.seq FROM posts_fts JOIN posts p ON p.seq = posts_fts.rowid
         WHERE posts_fts MATCH @match AND posts_fts.rowid < @before AND ${filters} ORDER BY posts_fts.rowid DESC LIMIT @limit`,
      ).all({ ...params, before }) as { seq: number }[]
    ).map((r) => r.seq);
    if (seqs.length > opts.limit) next = encodeCursor('p', [seqs[opts.limit - 1]]);
  }
  const accounts = opts.cursor ? [] : searchAccounts(deps, viewerId, q, 5);
  return { items: loadPosts(deps, viewerId, seqs.slice(0, opts.limit)), next, accounts };
}

/** Accounts whose handle or display name (or a word of it) starts with the query. */
export function searchAccounts(deps: Deps, viewerId: number | null, q: string, limit: number): AccountRow[] {
  const term = foldKey(q.trim().replace(/^@/, ''));
  if (!term) return [];
  const like = `${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  return (
    prepared(
      deps.db,
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts a
       WHERE (a.handle LIKE @like ESCAPE '\\' OR a.name_key LIKE @like ESCAPE '\\' OR a.name_key LIKE '% ' || @like ESCAPE '\\')
         AND a.id NOT IN (SELECT target_id FROM hides WHERE account_id = @viewer)
       ORDER BY a.followers_count DESC, a.handle LIMIT @limit`,
    ).all({ like, viewer: viewerId ?? 0, limit }) as Record<string, unknown>[]
  ).map(mapAccount);
}
