import type Database from 'better-sqlite3';
import type { Db } from './client';

type Statements = { rows: Map<string, Database.Statement>; raw: Map<string, Database.Statement> };
const cache = new WeakMap<Database.Database, Statements>();

/** A prepared statement for hand-written SQL, compiled once per connection; `raw` returns rows as arrays. */
export function prepared(db: Db, sql: string, opts?: { raw?: boolean }): Database.Statement {
  const sqlite = db.$client;
  let statements = cache.get(sqlite);
  if (!statements) cache.set(sqlite, (statements = { rows: new Map(), raw: new Map() }));
  const raw = opts?.raw === true;
  const map = raw ? statements.raw : statements.rows;
  let stmt = map.get(sql);
  if (!stmt) map.set(sql, (stmt = raw ? sqlite.prepare(sql).raw(true) : sqlite.prepare(sql)));
  return stmt;
}
