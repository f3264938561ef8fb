import type Database from 'better-sqlite3';
import type { Db } from './client';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement for hand-written SQL, compiled once per connection; `raw` returns rows as arrays. */
export function prepared(db: Db, sql: string, opts: { raw?: boolean } = {}): Database.Statement {
  const sqlite = db.$client;
  let map = cache.get(sqlite);
  if (!map) cache.set(sqlite, (map = new Map()));
  const key = opts.raw ? `raw:${sql}` : sql;
  let stmt = map.get(key);
  if (!stmt) map.set(key, (stmt = opts.raw ? sqlite.prepare(sql).raw(true) : sqlite.prepare(sql)));
  return stmt;
}
