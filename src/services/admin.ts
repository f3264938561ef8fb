import { randomBytes } from 'node:crypto';
import { checkDatabase } from '../db/client';
import { prepared } from '../db/sql';
import { createAccount, getAccount } from './accounts';
import { createToken, hashPassword } from './auth';
import type { Deps, Scope } from './deps';
import { loadPosts } from './posts';
import type { PostRow } from './types';

/** A random password that is easy to copy. */
export const generatePassword = () => randomBytes(15).toString('base64url');

/** Creates an admin account, or promotes an existing one; returns the password when one was set. */
export async function createAdmin(deps: Deps, handle: string, displayName: string, password?: string): Promise<{ created: boolean; password?: string }> {
  const existing = prepared(deps.db, 'SELECT id FROM accounts WHERE handle = ?').get(handle.toLowerCase());
  if (existing) {
    prepared(deps.db, "UPDATE accounts SET role = 'admin' WHERE handle = ?").run(handle.toLowerCase());
    return { created: false };
  }
  const pw = password ?? generatePassword();
  await createAccount(deps, { handle, displayName, password: pw }, 'admin');
  return { created: true, password: pw };
}

/** Sets a new password, ends every session and revokes every token of the account (it may have been taken over). */
export async function resetPassword(deps: Deps, handle: string, password = generatePassword()): Promise<string> {
  const account = getAccount(deps, handle);
  const hash = await hashPassword(password, deps.config.scryptCost);
  deps.db.$client.transaction(() => {
    prepared(deps.db, 'UPDATE accounts SET password_hash = ? WHERE id = ?').run(hash, account.id);
    prepared(deps.db, 'DELETE FROM sessions WHERE account_id = ?').run(account.id);
    prepared(deps.db, 'DELETE FROM tokens WHERE account_id = ?').run(account.id);
  })();
  return password;
}

/** Issues an API token for an account (typically a bot). */
export function issueToken(deps: Deps, handle: string, name: string, scopes: Scope[]) {
  return createToken(deps, getAccount(deps, handle).id, name, scopes);
}

/**
 * Copies the live database to `dest` with SQLite's online backup API (safe while the server writes), all pages in
 * one step: one snapshot. Copied a hundred pages at a time (better-sqlite3's default), the backup starts over
 * whenever another connection commits between steps, so it never ended while the server was taking posts.
 */
export async function backup(deps: Deps, dest: string): Promise<{ pages: number }> {
  const result = await deps.db.$client.backup(dest, { progress: () => ALL_PAGES });
  return { pages: result.totalPages };
}

/** The most pages better-sqlite3 copies in one backup step. */
const ALL_PAGES = 0x7fffffff;

/** Every post of an account, oldest first, in batches (for JSON-lines export). */
export function* exportPosts(deps: Deps, handle: string): Generator<PostRow> {
  const account = getAccount(deps, handle);
  let after = 0;
  for (;;) {
    const seqs = (prepared(deps.db, 'SELECT seq FROM posts WHERE author_id = ? AND seq > ? ORDER BY seq LIMIT 500').all(account.id, after) as { seq: number }[]).map((r) => r.seq);
    if (seqs.length === 0) return;
    yield* loadPosts(deps, null, seqs);
    after = seqs[seqs.length - 1];
  }
}

/** Counts for the operator. */
export function stats(deps: Deps) {
  const one = (sql: string) => (prepared(deps.db, sql).get() as { n: number }).n;
  return {
    accounts: one('SELECT count(*) AS n FROM accounts'),
    bots: one('SELECT count(*) AS n FROM accounts WHERE bot = 1'),
    admins: one("SELECT count(*) AS n FROM accounts WHERE role = 'admin'"),
    posts: one('SELECT count(*) AS n FROM posts'),
    follows: one('SELECT count(*) AS n FROM follows'),
    likes: one('SELECT count(*) AS n FROM likes'),
    openReports: one("SELECT count(*) AS n FROM reports WHERE status = 'open'"),
    tokens: one('SELECT count(*) AS n FROM tokens'),
    dbBytes: databaseBytes(deps),
  };
}

/** The database file's size in bytes, as SQLite counts its pages. */
export function databaseBytes(deps: Deps): number {
  return (deps.db.$client.pragma('page_count', { simple: true }) as number) * (deps.db.$client.pragma('page_size', { simple: true }) as number);
}

/** Whether the database answers from the file it was opened on (for /healthz). */
export const health = (deps: Deps) => checkDatabase(deps.db);
