import type Database from 'better-sqlite3';
import type { Db } from './client';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement for hand-written SQL, compiled once per connection. */
export function prepared(db: Db, sql: string): Database.Statement {
  const sqlite = db.$client;
  let map = cache.get(sqlite);
  if (!map) cache.set(sqlite, (map = new Map()));
  let stmt = map.get(sql);
  if (!stmt) map.set(sql, (stmt = sqlite.prepare(sql)));
  return stmt;
}
