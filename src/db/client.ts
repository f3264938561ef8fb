import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { foldKey } from '../services/text';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) the SQLite database with the pragmas the service relies on, and migrates it.
 * With `backgroundCheckpoints`, this connection never checkpoints itself; the server runs startCheckpointer.
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
  migrate(db, { migrationsFolder });
  return db;
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
