import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { prepared } from '../db/sql';
import { changes } from './changes';
import { normalizeLine } from './text';
import { accounts, sessions, tokens } from '../db/schema';
import { AppError, badRequest, conflict, notFound } from '../errors';
import type { Actor, Deps, Scope } from './deps';

const KEY_LEN = 64;

const scryptParams = (N: number) => ({ N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 });
const formatHash = (N: number, salt: Buffer, key: Buffer) => `scrypt$${N}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;

function scryptAsync(password: string, salt: Buffer, N: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LEN, scryptParams(N), (err, key) => (err ? reject(err) : resolve(key))));
}

/** Hashes a password with scrypt and a random salt: `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string, N: number): Promise<string> {
  const salt = randomBytes(16);
  return formatHash(N, salt, await scryptAsync(password, salt, N));
}

/** The same hash with a given salt, synchronously: for the seeder's reproducible accounts, never for sign-ups. */
export function hashPasswordWithSalt(password: string, N: number, salt: Buffer): string {
  return formatHash(N, salt, scryptSync(password, salt, KEY_LEN, scryptParams(N)));
}

/** Checks a password against a stored scrypt hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, , , salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), Number(n));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** SHA-256 of a high-entropy secret: how sessions and tokens are stored. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

let dummyHash: Promise<string> | undefined;

/** Verifies a handle and password; unknown handles cost the same time and get the same answer. */
export async function authenticate(deps: Deps, handle: string, password: string) {
  const row = deps.db.select().from(accounts).where(eq(accounts.handle, handle.toLowerCase())).get();
  if (!row) {
    dummyHash ??= hashPassword('not-a-password', deps.config.scryptCost);
    await verifyPassword(password, await dummyHash);
    throw new AppError(401, 'invalid_credentials', 'Wrong handle or password.');
  }
  if (!(await verifyPassword(password, row.passwordHash))) {
    throw new AppError(401, 'invalid_credentials', 'Wrong handle or password.');
  }
  return row;
}

/** Sessions an account keeps: signing in on yet another device ends the oldest. */
export const MAX_SESSIONS = 50;
/** Tokens an account may hold; each has its own read budget, so more would buy more reads. */
export const MAX_TOKENS = 50;

/** Starts a session and returns its secret (the cookie value); only its hash is stored. The account's expired
 * sessions, and any beyond the newest MAX_SESSIONS, are deleted: sign-ins add rows nothing else removes. */
export function createSession(deps: Deps, accountId: number): { secret: string; expiresAt: number } {
  const secret = randomBytes(32).toString('base64url');
  const now = deps.clock();
  const expiresAt = now + deps.config.sessionDays * 86_400_000;
  const tracker = changes(deps.db);
  // Tracked: a new session changes nothing any cache holds (only successful lookups are cached); ending old ones does.
  tracker.transaction(() => {
    deps.db.insert(sessions).values({ hash: hashSecret(secret), accountId, createdAt: now, expiresAt }).run();
    const ended = prepared(
      deps.db,
      `DELETE FROM sessions WHERE account_id = @account AND (expires_at <= @now OR hash NOT IN (
         SELECT hash FROM sessions WHERE account_id = @account ORDER BY created_at DESC, rowid DESC LIMIT @keep))`,
    ).run({ account: accountId, now, keep: MAX_SESSIONS });
    if (ended.changes > 0) tracker.credentialsChanged();
  });
  return { secret, expiresAt };
}

/** Ends the session with this secret, if any. */
export function deleteSession(deps: Deps, secret: string): void {
  const tracker = changes(deps.db);
  tracker.tracked(() => {
    deps.db.delete(sessions).where(eq(sessions.hash, hashSecret(secret))).run();
    tracker.credentialsChanged();
  });
}

const ALL_SCOPES: ReadonlySet<Scope> = new Set(['read', 'write']);

type Cached = { actor: Actor; epoch: number; credentials: number; expiresAt: number };
// By kind, then by the secret as sent: a lookup hashes the header's own string, no key built from it.
const actorCaches = new WeakMap<Deps['db'], Record<'token' | 'session', Map<string, Cached>>>();
// Per kind, so up to twice this many in all; a full map starts over rather than tracking recency.
const MAX_CACHED_ACTORS = 10_000;

/**
 * Credentials resolved before, kept until one is deleted (a revoked token, a signed-out session), anything the
 * change tracker cannot account for happens (a role change, a password reset, any write by the admin CLI), or
 * the session expires. Only successful lookups are kept, so unknown secrets cannot fill it.
 */
function remembered(deps: Deps, kind: 'token' | 'session', key: string, load: () => { actor: Actor; expiresAt: number } | null): Actor | null {
  let caches = actorCaches.get(deps.db);
  if (!caches) actorCaches.set(deps.db, (caches = { token: new Map(), session: new Map() }));
  const cache = caches[kind];
  const tracker = changes(deps.db);
  const epoch = tracker.epoch();
  const credentials = tracker.credentials;
  const hit = cache.get(key);
  if (hit && hit.epoch === epoch && hit.credentials === credentials && hit.expiresAt > deps.clock()) return hit.actor;
  const found = load();
  if (!found) {
    cache.delete(key);
    return null;
  }
  if (cache.size >= MAX_CACHED_ACTORS) cache.clear();
  cache.set(key, { actor: found.actor, epoch, credentials, expiresAt: found.expiresAt });
  return found.actor;
}

/** Resolves a session cookie value to its actor, or null when unknown or expired. */
export function actorFromSession(deps: Deps, secret: string): Actor | null {
  return remembered(deps, 'session', secret, () => {
    const hash = hashSecret(secret);
    const row = prepared(
      deps.db,
      `SELECT a.id, a.handle, a.role, s.expires_at AS expiresAt FROM sessions s JOIN accounts a ON a.id = s.account_id
       WHERE s.hash = ? AND s.expires_at > ?`,
    ).get(hash, deps.clock()) as { id: number; handle: string; role: 'user' | 'admin'; expiresAt: number } | undefined;
    if (!row) return null;
    const actor: Actor = { id: row.id, handle: row.handle, role: row.role, scopes: ALL_SCOPES, via: 'session', credential: `s:${hash.slice(0, 16)}` };
    return { actor, expiresAt: row.expiresAt };
  });
}

/** Resolves a bearer token to its actor with the token's scopes, or null. */
export function actorFromToken(deps: Deps, token: string): Actor | null {
  return remembered(deps, 'token', token, () => {
    const row = prepared(
      deps.db,
      'SELECT a.id, a.handle, a.role, t.scopes, t.id AS tokenId FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = ?',
    ).get(hashSecret(token)) as { id: number; handle: string; role: 'user' | 'admin'; scopes: string; tokenId: string } | undefined;
    if (!row) return null;
    const actor: Actor = {
      id: row.id, handle: row.handle, role: row.role, scopes: new Set(row.scopes.split(' ') as Scope[]), via: 'token', credential: `t:${row.tokenId}`,
    };
    return { actor, expiresAt: Number.POSITIVE_INFINITY };
  });
}

export type TokenInfo = { id: string; name: string; scopes: Scope[]; createdAt: string };

/** Issues a token; the secret is returned only here. */
export function createToken(deps: Deps, accountId: number, rawName: string, scopes: Scope[]): TokenInfo & { token: string } {
  // Shown in Settings and by the CLI: one line without control characters, like every name people read.
  const name = normalizeLine(rawName, 'name', 100, true);
  const unique = [...new Set(scopes)].sort() as Scope[];
  if (unique.length === 0) throw badRequest('Choose at least one scope.', [{ field: 'scopes', message: 'Choose read, write or both.' }]);
  const token = `bt_${randomBytes(24).toString('base64url')}`;
  const id = deps.newId();
  const createdAt = deps.clock();
  // Tracked: only tokens already looked up are cached, and this one never was.
  changes(deps.db).transaction(() => {
    const held = prepared(deps.db, 'SELECT count(*) FROM tokens WHERE account_id = ?').pluck().get(accountId) as number;
    if (held >= MAX_TOKENS) throw conflict(`An account holds at most ${MAX_TOKENS} tokens; revoke one first.`, 'too_many_tokens');
    deps.db.insert(tokens).values({ id, accountId, name, scopes: unique.join(' '), hash: hashSecret(token), createdAt }).run();
  });
  return { id, name, scopes: unique, createdAt: new Date(createdAt).toISOString(), token };
}

/** Lists an account's tokens without secrets, newest first. */
export function listTokens(deps: Deps, accountId: number): TokenInfo[] {
  return deps.db
    .select()
    .from(tokens)
    .where(eq(tokens.accountId, accountId))
    .orderBy(desc(tokens.createdAt), desc(tokens.id))
    .all()
    .map((t) => ({ id: t.id, name: t.name, scopes: t.scopes.split(' ') as Scope[], createdAt: new Date(t.createdAt).toISOString() }));
}

/** Revokes one of the account's tokens; 404 when it is not theirs. */
export function revokeToken(deps: Deps, accountId: number, id: string): void {
  const tracker = changes(deps.db);
  const res = tracker.tracked(() => {
    tracker.credentialsChanged();
    return deps.db.delete(tokens).where(and(eq(tokens.id, id), eq(tokens.accountId, accountId))).run();
  });
  if (res.changes === 0) throw notFound('Token');
}

