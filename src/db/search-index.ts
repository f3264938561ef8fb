import type Database from 'better-sqlite3';

/**
 * The full-text index of posts lives in its own SQLite file, attached to every connection as `search`, so that
 * a thread other than the server's can write it (src/services/search-worker.ts). Written in the database's own
 * file, every batch of new posts took the one write lock the posts also need, and FTS5's merges (20-30 ms each,
 * a few every second at 1,500 posts/s) held the event loop.
 *
 * The index is derived data: it holds which post (by seq) has which words, and how far it has got. Posts it
 * has not reached yet are indexed from the `posts` table; deleted posts reach it through the `search_deletions`
 * queue, which the delete trigger fills in the database's own transaction. An index that does not belong to the
 * database beside it (another database's, or one ahead of a restored backup) is emptied and built again.
 */
/** Where a database keeps its index: beside it (`bluetwit.db-search`), or in memory for an in-memory database. */
export function searchIndexPath(dbPath: string): string {
  return dbPath === ':memory:' || dbPath === '' || dbPath.startsWith('file:') ? ':memory:' : `${dbPath}-search`;
}

const SCHEMA = [
  // Contentless: the text is in `posts`; contentless_delete lets a deleted post go by its seq alone.
  `CREATE VIRTUAL TABLE IF NOT EXISTS search.posts_fts USING fts5(text, content='', contentless_delete=1,
     tokenize='unicode61 remove_diacritics 2', prefix='2 3')`,
  // content_id: which database this indexes; indexed_seq: every post at or below it is in the index (or was
  // deleted); deletions_seen: the last search_deletions entry applied.
  `CREATE TABLE IF NOT EXISTS search.search_state (
     id INTEGER PRIMARY KEY CHECK (id = 1), content_id TEXT NOT NULL, indexed_seq INTEGER NOT NULL, deletions_seen INTEGER NOT NULL)`,
];

/**
 * Attaches the search index to a connection, creating it if needed, and empties it when it does not belong to
 * this database: the search worker then indexes every post again, in the background.
 */
export function attachSearchIndex(sqlite: Database.Database, dbPath: string): void {
  const path = searchIndexPath(dbPath);
  sqlite.prepare(`ATTACH DATABASE ? AS search`).run(path);
  if (path !== ':memory:') {
    sqlite.pragma(`search.journal_mode = WAL`);
    sqlite.pragma(`search.synchronous = NORMAL`);
  }
  // Deferred: it writes only the index, so the database's own write lock is never taken here.
  sqlite.transaction(() => {
    for (const sql of SCHEMA) sqlite.exec(sql);
    const contentId = sqlite.prepare('SELECT content_id FROM main.search_content').pluck().get() as string;
    // The last seq and deletion id ever handed out (AUTOINCREMENT: never reused).
    const handedOut = sqlite.prepare('SELECT coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = ?), 0)').pluck();
    const lastSeq = handedOut.get('posts') as number;
    const lastDeletion = handedOut.get('search_deletions') as number;
    const state = sqlite.prepare('SELECT content_id AS contentId, indexed_seq AS seq, deletions_seen AS del FROM search.search_state').get() as
      | { contentId: string; seq: number; del: number }
      | undefined;
    // Another database's index, or one that is ahead of this database: it was restored from an older backup, whose
    // next posts will reuse seqs the index has other posts' words for, and whose posts deleted since the backup
    // are back but no longer in the index. Start over.
    const belongs = state && state.contentId === contentId && state.seq <= lastSeq && state.del <= lastDeletion;
    if (belongs) return;
    if (state) sqlite.exec(`INSERT INTO search.posts_fts(posts_fts) VALUES('delete-all')`);
    sqlite
      .prepare('INSERT OR REPLACE INTO search.search_state (id, content_id, indexed_seq, deletions_seen) VALUES (1, ?, 0, ?)')
      .run(contentId, lastDeletion);
  })();
}

export type IndexStep = {
  /** Posts added to the index. */
  indexed: number;
  /** Deleted posts taken out of it. */
  removed: number;
  /** Every post at or below this seq is indexed, or was deleted. */
  seq: number;
  /** The last search_deletions entry applied: the database may forget it and everything before it. */
  deletionsSeen: number;
};

/**
 * Returns a function that brings the index of a connection (with the index attached as `search`) up to date by
 * at most `max` new posts, in one transaction that writes only the index. It reads `posts` and the deletion
 * queue in one snapshot, so a post deleted meanwhile is either not indexed or taken out again.
 *
 * Self-contained (no imports, no outer names): the search worker runs its source text in another thread.
 */
export function searchIndexer(sqlite: Database.Database): (max: number) => IndexStep {
  const state = sqlite.prepare('SELECT indexed_seq AS seq, deletions_seen AS del FROM search.search_state');
  const batchEnd = sqlite.prepare('SELECT max(seq) AS upto, count(*) AS n FROM (SELECT seq FROM main.posts WHERE seq > ? ORDER BY seq LIMIT ?)');
  const lastSeq = sqlite.prepare("SELECT coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = 'posts'), 0)").pluck();
  const insert = sqlite.prepare('INSERT INTO search.posts_fts(rowid, text) SELECT seq, text FROM main.posts WHERE seq > ? AND seq <= ?');
  const lastDeletion = sqlite.prepare('SELECT max(id) FROM main.search_deletions').pluck();
  const remove = sqlite.prepare('DELETE FROM search.posts_fts WHERE rowid IN (SELECT seq FROM main.search_deletions WHERE id > ? AND id <= ? AND seq <= ?)');
  const save = sqlite.prepare('UPDATE search.search_state SET indexed_seq = ?, deletions_seen = ?');
  return sqlite.transaction((max: number): IndexStep => {
    const at = state.get() as { seq: number; del: number };
    const batch = batchEnd.get(at.seq, max) as { upto: number | null; n: number };
    let indexed = 0;
    if (batch.upto !== null) indexed = insert.run(at.seq, batch.upto).changes;
    // Every post after the mark was in this batch: the mark moves to the last seq ever handed out, past the
    // newest posts if they were deleted before they were indexed (or a search would wait for them).
    const seq = batch.n < max ? Math.max(at.seq, lastSeq.get() as number) : (batch.upto as number);
    const del = Math.max(at.del, (lastDeletion.get() as number | null) ?? 0);
    let removed = 0;
    // A post deleted past the mark was never indexed, and will not be: it is gone from `posts`.
    if (del > at.del) removed = remove.run(at.del, del, seq).changes;
    if (seq !== at.seq || del !== at.del) save.run(seq, del);
    return { indexed, removed, seq, deletionsSeen: del };
  });
}
