import { createHash } from 'node:crypto';
import { prepared } from '../db/sql';
import { badRequest } from '../errors';
import { ACCOUNT_COLUMNS, accountsMatching, mapAccount } from './accounts';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import type { Deps } from './deps';
import { loadPosts } from './posts';
import { foldKey } from './text';
import type { AccountRow, PostRow } from './types';

/**
 * Most words a search uses; any after them are left out. Every word is one more doclist that FTS5 must read and
 * intersect (16 common words cost ~35 ms on the 1M-post bench). Left out rather than refused: a pasted link is
 * many words to the index.
 */
export const MAX_SEARCH_WORDS = 8;

/**
 * Relevance order ranks only the newest this-many matches (at or before the first page's newest post), so a
 * ranked page costs at most this many bm25 scores, whatever the query: ranking every match of `the` on the
 * 1M-post bench took ~400 ms. Paging by relevance stops at the end of this window. The ranking is kept for the
 * later pages' cursors (for RANKING_TTL_MS), so they follow it exactly; a cursor outliving it is ranked again.
 */
export const RELEVANCE_WINDOW = 2_000;

/**
 * Turns user input into a safe FTS5 query: each word becomes a quoted string (so no operator, column filter or
 * syntax error can come from the user), the last one a prefix match when it has at least 2 characters (the index
 * keeps prefix indexes of 2 and 3 characters; a one-character prefix would read every term starting with it,
 * so a one-letter last word matches as a whole word); all words must match, up to MAX_SEARCH_WORDS different
 * ones.
 */
export function ftsQuery(input: string): string | null {
  const all = input
    .normalize('NFC')
    .split(/[^\p{L}\p{M}\p{N}_]+/u)
    .filter(Boolean);
  if (all.length === 0) return null;
  // A word said twice matches nothing more, and would cost another full read of its doclist (`the the the …` was
  // eight): each is kept once, where it first comes.
  const firstAt = new Map<string, number>();
  all.forEach((w, i) => {
    if (!firstAt.has(w.toLowerCase())) firstAt.set(w.toLowerCase(), i);
  });
  const distinct = [...firstAt.values()];
  const ws = distinct.slice(0, MAX_SEARCH_WORDS).map((i) => all[i]);
  // The word being typed (the last) is a prefix, unless it repeats an earlier, whole one (`cat cat` is not `cat*`);
  // when words were left out, the last one kept is, as it always was.
  const typing = distinct.length > MAX_SEARCH_WORDS || firstAt.get(all[all.length - 1].toLowerCase()) === all.length - 1;
  const last = ws.length - 1;
  return ws.map((w, i) => `"${w}"${i === last && typing && prefixable(w) ? ' *' : ''}`).join(' ');
}

/**
 * Whether a word may end in a prefix match: its last token as the index sees it (`_` separates tokens there, and
 * combining marks fold away) has at least 2 characters, so FTS5 reads a prefix index, not every term; or is one
 * character outside ASCII (a kanji begins few terms, where `t` begins a large share of them).
 */
function prefixable(word: string): boolean {
  const token = word.split('_').filter(Boolean).at(-1) ?? '';
  const chars = token.match(/[\p{L}\p{N}]/gu) ?? [];
  // Accents fold away in the index: `é` reads every term that begins with `e`.
  return chars.length >= 2 || (chars.length === 1 && chars[0].normalize('NFD').codePointAt(0)! > 0x7f);
}

const maxSeq = (deps: Deps) => (prepared(deps.db, 'SELECT coalesce(max(seq), 0) AS m FROM posts').get() as { m: number }).m;

export type SearchResult = Page<PostRow> & { accounts: AccountRow[] };

/**
 * The newest RELEVANCE_WINDOW matches at or before `top` (walked down the rowid, scored as they come), then the
 * viewer's filters, best first. The window is the same on every page, whoever asks.
 */
function rank(deps: Deps, params: Record<string, unknown>, filters: string, top: number): Float64Array {
  const seqs = prepared(
    deps.db,
    `SELECT p.seq FROM (
       SELECT rowid AS seq, bm25(posts_fts) AS score FROM search.posts_fts
       WHERE posts_fts MATCH @match AND rowid <= @top ORDER BY rowid DESC LIMIT ${RELEVANCE_WINDOW}
     ) w JOIN posts p ON p.seq = w.seq
     WHERE ${filters} ORDER BY w.score, w.seq DESC`,
  )
    .pluck()
    .all({ match: params.match, viewer: params.viewer, bots: params.bots, top }) as number[];
  return Float64Array.from(seqs);
}

/** How long, and how many, rankings are kept for the cursors of their later pages (16 KB each at most). */
const RANKING_TTL_MS = 30 * 60_000;
const MAX_RANKINGS = 500;

class Rankings {
  private readonly kept = new Map<string, { seqs: Float64Array; until: number }>();
  constructor(private readonly clock: () => number) {}

  get(id: string): Float64Array | undefined {
    const r = this.kept.get(id);
    if (r && r.until > this.clock()) return r.seqs;
    this.kept.delete(id);
    return undefined;
  }

  set(id: string, seqs: Float64Array): void {
    // The oldest goes first: they were made in order, so it is also the first to expire.
    if (this.kept.size >= MAX_RANKINGS) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(id, { seqs, until: this.clock() + RANKING_TTL_MS });
  }
}

const rankingStores = new WeakMap<Deps['db'], Rankings>();
function rankings(deps: Deps): Rankings {
  let r = rankingStores.get(deps.db);
  if (!r) rankingStores.set(deps.db, (r = new Rankings(deps.clock)));
  return r;
}

/** Full-text search over posts (newest first or by relevance), plus accounts whose handle or name starts with the query. */
export async function search(
  deps: Deps,
  viewerId: number | null,
  q: string,
  opts: { limit: number; cursor?: string; order?: 'new' | 'relevance'; bots?: boolean },
): Promise<SearchResult> {
  const match = ftsQuery(q);
  if (!match) return { items: [], next: null, accounts: [] };
  // Every post written before this query is searchable: the index catches up with them first.
  await deps.searchIndex.caughtUp();
  const params = { match, viewer: viewerId ?? 0, bots: opts.bots === false ? 0 : 1, limit: opts.limit + 1 };
  const filters = `(@bots = 1 OR p.author_bot = 0) AND p.author_id NOT IN (SELECT target_id FROM hides WHERE account_id = @viewer)`;
  const accounts = opts.cursor ? [] : searchAccounts(deps, viewerId, q, 5);
  if (opts.order === 'relevance') {
    // Ranked pages come from the ranking made for the first page, kept for its cursors: ranked again, bm25's
    // corpus statistics (moved by every new post) and deletions would shift later pages, repeating or skipping.
    // A cursor holds which search it pages (the query as matched, in any case, and the bots filter): sent back
    // with another, it would start that one's ranking at an offset into a ranking it never saw.
    const search = createHash('sha1').update(`${params.bots} ${match.toLowerCase()}`).digest('base64url').slice(0, 10);
    const [id, offset, top, of] = opts.cursor ? decodeCursor<[string, number, number, string]>(opts.cursor, 'sr', 'snns') : [deps.newId(), 0, maxSeq(deps), search];
    if (of !== search) {
      throw badRequest('The cursor is not valid.', [{ field: 'cursor', message: 'made for another query or bots= filter' }], 'invalid_cursor');
    }
    // Only the window is ranked, so no page lies at or beyond its end: such a cursor was not made here.
    if (offset >= RELEVANCE_WINDOW) {
      throw badRequest('The cursor is not valid.', [{ field: 'cursor', message: 'past the end of the ranked results' }], 'invalid_cursor');
    }
    // Kept per viewer: the ranking left out the authors this viewer hides, and a cursor may be passed on.
    const keptAs = `${viewerId ?? 0} ${id}`;
    const kept = rankings(deps).get(keptAs);
    const ranked = kept ?? rank(deps, params, filters, top);
    // Posts deleted since, or by authors the viewer has hidden since, are passed over; the page is still full.
    const hidden = viewerId === null ? new Set<number>() : new Set(prepared(deps.db, 'SELECT target_id FROM hides WHERE account_id = ?').pluck().all(viewerId) as number[]);
    const items: PostRow[] = [];
    let at = offset;
    while (items.length < opts.limit && at < ranked.length) {
      const chunk = Array.from(ranked.subarray(at, at + opts.limit - items.length));
      at += chunk.length;
      for (const p of loadPosts(deps, viewerId, chunk)) if (!hidden.has(p.authorId)) items.push(p);
    }
    const more = at < ranked.length;
    if (more && !kept) rankings(deps).set(keptAs, ranked);
    return { items, next: more ? encodeCursor('sr', [id, at, top, search]) : null, accounts };
  }
  const before = opts.cursor ? decodeCursor<[number]>(opts.cursor, 'p', 'n')[0] : Number.MAX_SAFE_INTEGER;
  const seqs = (
    prepared(
      deps.db,
      `SELECT p.seq FROM search.posts_fts JOIN posts p ON p.seq = posts_fts.rowid
       WHERE posts_fts MATCH @match AND posts_fts.rowid < @before AND ${filters} ORDER BY posts_fts.rowid DESC LIMIT @limit`,
    ).all({ ...params, before }) as { seq: number }[]
  ).map((r) => r.seq);
  const next = seqs.length > opts.limit ? encodeCursor('p', [seqs[opts.limit - 1]]) : null;
  return { items: loadPosts(deps, viewerId, seqs.slice(0, opts.limit)), next, accounts };
}

/** Accounts whose handle or display name (or a word of it) starts with the query. */
export function searchAccounts(deps: Deps, viewerId: number | null, q: string, limit: number): AccountRow[] {
  const term = foldKey(q.trim().replace(/^@/, ''));
  if (!term) return [];
  const like = `${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const { from, params } = accountsMatching(deps, term);
  return (
    prepared(
      deps.db,
      `SELECT ${ACCOUNT_COLUMNS} FROM ${from}
       WHERE (a.handle LIKE @like ESCAPE '\\' OR a.name_key LIKE @like ESCAPE '\\' OR a.name_key LIKE '% ' || @like ESCAPE '\\')
         AND a.id NOT IN (SELECT target_id FROM hides WHERE account_id = @viewer)
       ORDER BY a.followers_count DESC, a.handle LIMIT @limit`,
    ).all({ ...params, like, viewer: viewerId ?? 0, limit }) as Record<string, unknown>[]
  ).map(mapAccount);
}
