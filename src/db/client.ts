import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { foldKey } from './fold';
import { attachSearchIndex } from './search-index';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) the SQLite database with the pragmas the service relies on, and migrates it.
 * With `backgroundCheckpoints`, this connection never checkpoints itself; the server runs startCheckpointer.
 * The search index is attached as `search` (src/db/search-index.ts).
 */
export function openDb(path: string, opts: { backgroundCheckpoints?: boolean } = {}): Db {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL under WAL: a commit survives a process crash; only an OS crash or power loss can drop the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 32 MB of pages: the hot reads are served from the service's own caches, and the process stays under 300 MB.
  sqlite.pragma('cache_size = -32768');
  sqlite.pragma('temp_store = MEMORY');
  if (opts.backgroundCheckpoints) sqlite.pragma('wal_autocheckpoint = 0');
  // After the WAL restarts, give back its disk space beyond 256 MB: above the ~200 MB the checkpointer lets it
  // reach, so the restart never truncates (freeing 100+ MB of file held the writer for ~30 ms).
  sqlite.pragma('journal_size_limit = 268435456');
  // The name key as SQL can compute it (migrations fill it in for rows written before it existed).
  sqlite.function('bt_fold', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? foldKey(s) : s));
  const db = drizzle(sqlite, { schema }) as Db;
  refuseNewerSchema(sqlite);
  migrate(db, { migrationsFolder });
  attachSearchIndex(sqlite, path);
  if (path !== ':memory:' && !path.startsWith('file:')) {
    const { dev, ino } = statSync(path);
    files.set(sqlite, { path, dev, ino });
  }
  return db;
}

/** A database migrated by a newer build would be read with the wrong schema: refuse it instead of failing later. */
function refuseNewerSchema(sqlite: Database.Database): void {
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!table) return;
  const applied = (sqlite.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as { at: number | null }).at;
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const known = journal.entries[journal.entries.length - 1];
  if (applied !== null && Number(applied) > known.when) {
    throw new Error(`its schema is newer than this build knows (the last migration here is ${known.tag}): run the newer build, or restore a backup`);
  }
}

const files = new WeakMap<Database.Database, { path: string; dev: number; ino: number }>();
const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * Whether the database still answers from the file it was opened on. A deleted, replaced or overwritten file goes
 * unnoticed by queries (an open file keeps answering, from its pages or the cache) while every write is lost.
 */
/**
 * Why writes would not land in the database file the server was started on (it was deleted, or replaced by
 * another file at its path), or null while it is still there: one stat. An in-memory database is never gone.
 */
export function databaseFileGone(db: Db): string | null {
  const file = files.get(db.$client);
  if (!file) return null;
  const now = statSync(file.path, { throwIfNoEntry: false });
  if (!now) return 'the database file is gone';
  if (now.dev !== file.dev || now.ino !== file.ino) return 'the database file was replaced';
  return null;
}

export function checkDatabase(db: Db): { ok: true } | { ok: false; reason: string } {
  try {
    db.$client.prepare('SELECT count(*) FROM __drizzle_migrations').get();
    const file = files.get(db.$client);
    if (!file) return { ok: true };
    const gone = databaseFileGone(db);
    if (gone) return { ok: false, reason: gone };
    const header = Buffer.alloc(16);
    const fd = openSync(file.path, 'r');
    try {
      readSync(fd, header, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
    if (header.toString('latin1') !== SQLITE_MAGIC) return { ok: false, reason: 'the database file is not SQLite any more' };
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** Checkpoints the WAL and closes the database. */
export function closeDb(db: Db): void {
  const sqlite = db.$client;
  if (!sqlite.open) return;
  try {
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.pragma('optimize');
  } finally {
    sqlite.close();
  }
}
