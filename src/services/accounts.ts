import { prepared } from '../db/sql';
import { accounts } from '../db/schema';
import { conflict, notFound, badRequest } from '../errors';
import { hashPassword } from './auth';
import { changes } from './changes';
import { decodeCursor, encodeCursor, type Page } from './cursor';
import type { Deps } from './deps';
import { checkFields, codePoints, foldKey, normalizeBlock, normalizeHandle, normalizeLine } from './text';
import type { AccountRow } from './types';

/** Account columns under the alias `a`, for hand-written joins. */
export const ACCOUNT_COLUMNS = `a.id AS a_id, a.handle AS a_handle, a.display_name AS a_display_name, a.bio AS a_bio,
  a.department AS a_department, a.title AS a_title, a.bot AS a_bot, a.role AS a_role, a.created_at AS a_created_at,
  a.followers_count AS a_followers_count, a.following_count AS a_following_count, a.posts_count AS a_posts_count`;

/** Maps a row selected with ACCOUNT_COLUMNS. */
export function mapAccount(r: Record<string, unknown>): AccountRow {
  return {
    id: r.a_id as number,
    handle: r.a_handle as string,
    displayName: r.a_display_name as string,
    bio: r.a_bio as string,
    department: r.a_department as string,
    title: r.a_title as string,
    bot: r.a_bot === 1,
    role: r.a_role as 'user' | 'admin',
    createdAt: r.a_created_at as number,
    followersCount: r.a_followers_count as number,
    followingCount: r.a_following_count as number,
    postsCount: r.a_posts_count as number,
  };
}

export type SignUp = { handle: string; displayName: string; password: string; bot?: boolean };

/** Creates an account; 409 when the handle is taken. */
export async function createAccount(deps: Deps, input: SignUp, role: 'user' | 'admin' = 'user'): Promise<AccountRow> {
  const { handle, displayName } = checkFields({
    handle: () => normalizeHandle(input.handle),
    displayName: () => normalizeLine(input.displayName, 'displayName', 50, true),
    // Characters, as everything else is counted: four emoji are not eight.
    password: () => {
      if (codePoints(input.password) < 8) throw badRequest('Passwords are at least 8 characters.', [{ field: 'password', message: 'At least 8 characters.' }], 'weak_password');
    },
  });
  if (findAccount(deps, handle)) throw conflict('That handle is taken.', 'handle_taken');
  return insertAccount(deps, { ...input, handle, displayName }, await hashPassword(input.password, deps.config.scryptCost), role);
}

/** Stores an account whose password is already hashed (sign-up hashes first; the demo hashes once for all). */
export function insertAccount(deps: Deps, input: { handle: string; displayName: string; bot?: boolean }, passwordHash: string, role: 'user' | 'admin' = 'user'): AccountRow {
  const handle = normalizeHandle(input.handle);
  const displayName = normalizeLine(input.displayName, 'displayName', 50, true);
  try {
    // Tracked: a new account has no posts, follows or credentials any cache could hold.
    changes(deps.db).tracked(() =>
      deps.db
        .insert(accounts)
        .values({ handle, displayName, nameKey: foldKey(displayName), bot: input.bot ?? false, role, passwordHash, createdAt: deps.clock() })
        .run(),
    );
  } catch (err) {
    // Two sign-ups raced past the check above.
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw conflict('That handle is taken.', 'handle_taken');
    throw err;
  }
  return getAccount(deps, handle);
}

/** Finds an account by handle (any case), or undefined. */
export function findAccount(deps: Deps, handle: string, viewerId?: number): AccountRow | undefined {
  const r = prepared(deps.db, `SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.handle = ?`).get(handle.toLowerCase()) as
    | Record<string, unknown>
    | undefined;
  if (!r) return undefined;
  const account = mapAccount(r);
  if (viewerId !== undefined && viewerId !== account.id) Object.assign(account, relation(deps, viewerId, account.id));
  return account;
}

/** An account by handle; 404 when there is none. */
export function getAccount(deps: Deps, handle: string, viewerId?: number): AccountRow {
  const account = findAccount(deps, handle, viewerId);
  if (!account) throw notFound('Account');
  return account;
}

/** An account by internal id. */
export function getAccountById(deps: Deps, id: number): AccountRow {
  const r = prepared(deps.db, `SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?`).get(id) as Record<string, unknown> | undefined;
  if (!r) throw notFound('Account');
  return mapAccount(r);
}

function relation(deps: Deps, viewerId: number, targetId: number) {
  const r = prepared(
    deps.db,
    `SELECT EXISTS(SELECT 1 FROM follows WHERE follower_id = @v AND followee_id = @t) AS following,
            EXISTS(SELECT 1 FROM hides WHERE account_id = @v AND target_id = @t AND kind = 'mute') AS muted,
            EXISTS(SELECT 1 FROM hides WHERE account_id = @v AND target_id = @t AND kind = 'block') AS blocked`,
  ).get({ v: viewerId, t: targetId }) as { following: number; muted: number; blocked: number };
  return { following: r.following === 1, muted: r.muted === 1, blocked: r.blocked === 1 };
}

/** A page of accounts, each marked with whether the viewer follows it (one query); as it was without a viewer. */
export function markFollowed(deps: Deps, viewerId: number | undefined, rows: AccountRow[]): AccountRow[] {
  if (viewerId === undefined || rows.length === 0) return rows;
  const followed = new Set(
    prepared(deps.db, 'SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN (SELECT value FROM json_each(?))')
      .pluck()
      .all(viewerId, JSON.stringify(rows.map((r) => r.id))) as number[],
  );
  return rows.map((r) => ({ ...r, following: followed.has(r.id) }));
}

export type ProfilePatch = { displayName?: string; bio?: string; department?: string; title?: string };

/** Edits the actor's own profile fields. */
export function updateProfile(deps: Deps, accountId: number, patch: ProfilePatch): AccountRow {
  const checked = checkFields({
    display_name: () => (patch.displayName === undefined ? undefined : normalizeLine(patch.displayName, 'displayName', 50, true)),
    bio: () => (patch.bio === undefined ? undefined : normalizeBlock(patch.bio, 'bio', 500)),
    department: () => (patch.department === undefined ? undefined : normalizeLine(patch.department, 'department', 80)),
    title: () => (patch.title === undefined ? undefined : normalizeLine(patch.title, 'title', 80)),
  });
  const set: Record<string, string> = {};
  for (const [column, value] of Object.entries(checked)) if (value !== undefined) set[column] = value;
  if (set.display_name !== undefined) set.name_key = foldKey(set.display_name);
  if (set.department !== undefined) set.department_key = foldKey(set.department);
  // The same name again (a settings form sends every field) is no rename.
  if (set.display_name !== undefined && set.display_name === prepared(deps.db, 'SELECT display_name FROM accounts WHERE id = ?').pluck().get(accountId)) {
    delete set.display_name;
    delete set.name_key;
  }
  const cols = Object.keys(set);
  if (cols.length > 0) {
    // A form saved with nothing changed writes nothing. Bio, title and department are in no cache; a new display
    // name is on every post of the author, so each of them counts as changed: caches drop the pages and posts
    // that show them and keep everyone else's (~5 ms for the company profile's most prolific author, 34,000
    // posts), where emptying every cache made everyone's next reads rebuild.
    const tracker = changes(deps.db);
    tracker.tracked(() => {
      const changed = deps.db.$client
        .prepare(`UPDATE accounts SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id AND (${cols.map((c) => `${c} IS NOT @${c}`).join(' OR ')})`)
        .run({ ...set, id: accountId }).changes;
      if (changed > 0 && set.display_name !== undefined) {
        for (const seq of prepared(deps.db, 'SELECT seq FROM posts WHERE author_id = ?').pluck().all(accountId) as number[]) tracker.postChanged(seq);
      }
    });
  }
  return getAccountById(deps, accountId);
}

/**
 * Below this many index rows starting with a prefix (handles and word starts of names; account_words), the accounts
 * they name are read through the index and sorted. From this many on, walking the accounts in the order wanted
 * meets a page of them soon enough, and sorting them all would cost more (a one-letter prefix names most accounts).
 */
const FEW_WORDS = 1_000;

/**
 * How to find the accounts whose handle, name or a word of their name starts with the folded prefix `q`: the FROM
 * clause of a query over `accounts a`, either every account (many match; the caller's order walks an index) or
 * only those the word index names (few match, however many accounts there are: ~15 ms at 100,000 accounts
 * for a name that matched no one, before the index). The caller keeps its LIKE conditions: they define a match.
 */
export function accountsMatching(deps: Deps, q: string): { from: string; params: { wordLow: string; wordHigh: string } } {
  const params = { wordLow: q, wordHigh: `${q}\u{10FFFF}` };
  const rows = prepared(deps.db, 'SELECT count(*) FROM (SELECT 1 FROM account_words WHERE word >= @wordLow AND word < @wordHigh LIMIT @max)')
    .pluck()
    .get({ ...params, max: FEW_WORDS }) as number;
  const from = rows < FEW_WORDS
    ? '(SELECT DISTINCT account_id FROM account_words WHERE word >= @wordLow AND word < @wordHigh) w CROSS JOIN accounts a ON a.id = w.account_id'
    : 'accounts a';
  return { from, params };
}

/** The colleague directory: everyone by display name then handle, optionally filtered by prefix and department. */
export function listDirectory(
  deps: Deps,
  opts: { q?: string; department?: string; limit: number; cursor?: string },
): Page<AccountRow> {
  // The cursor holds the last name key and handle (kind 'k': cursors from before name keys are refused, not misread).
  const after = opts.cursor ? decodeCursor<[string, string]>(opts.cursor, 'k', 'ss') : null;
  const q = foldKey(opts.q?.trim() ?? '');
  const like = `${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const { from, params } = q ? accountsMatching(deps, q) : { from: 'accounts a', params: {} };
  const rows = prepared(
    deps.db,
    `SELECT ${ACCOUNT_COLUMNS}, a.name_key AS a_name_key FROM ${from}
     WHERE (@q = '' OR a.handle LIKE @like ESCAPE '\\' OR a.name_key LIKE @like ESCAPE '\\'
            OR a.name_key LIKE '% ' || @like ESCAPE '\\')
       AND (@dept IS NULL OR a.department_key = @dept)
       AND (@afterName IS NULL OR (a.name_key, a.handle) > (@afterName, @afterHandle))
     ORDER BY a.name_key, a.handle LIMIT @limit`,
  ).all({
    ...params,
    q,
    like,
    dept: opts.department?.trim() ? foldKey(opts.department.trim()) : null,
    afterName: after?.[0] ?? null,
    afterHandle: after?.[1] ?? null,
    limit: opts.limit + 1,
  }) as Record<string, unknown>[];
  const more = rows.length > opts.limit;
  const page = rows.slice(0, opts.limit);
  // The cursor holds the key the rows are sorted by, as stored: paging stays exact whatever wrote the row.
  const last = page[page.length - 1];
  return { items: page.map(mapAccount), next: more ? encodeCursor('k', [last.a_name_key as string, last.a_handle as string]) : null };
}
