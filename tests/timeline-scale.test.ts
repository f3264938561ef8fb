import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase } from '../scripts/seed-lib';
import { testConfig } from '../src/config';
import { closeDb, openDb, type Db } from '../src/db/client';
import { createDeps, type Actor, type Deps } from '../src/services/deps';
import { follow, unfollow } from '../src/services/follows';
import { hide } from '../src/services/moderation';
import { createPost, deletePost, isBlockedBy } from '../src/services/posts';
import { insertAccount } from '../src/services/accounts';
import { belongsToHome, homeTimeline } from '../src/services/timelines';

// The bench's correctness check, small enough for CI: on realistic seeded data (skewed authors,
// heavy-tailed follows), the home timeline equals the obvious query for every kind of reader,
// on every page, while posts, deletes, follows, unfollows, mutes and blocks happen between pages.
const dir = mkdtempSync(join(tmpdir(), 'bluetwit-scale-'));
let db: Db;
let deps: Deps;
beforeAll(() => {
  db = openDb(join(dir, 'small.db'));
  seedDatabase(db, 'small', 7);
  deps = createDeps(db, testConfig());
});
afterAll(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

const actor = (id: number): Actor => {
  const { handle } = db.$client.prepare('SELECT handle FROM accounts WHERE id = ?').get(id) as { handle: string };
  return { id, handle, role: 'user', scopes: new Set(['read', 'write']), via: 'token', credential: `t:${id}` };
};

function reference(viewer: number, beforeSeq: number, limit: number): string[] {
  return (
    db.$client
      .prepare(
        `SELECT id FROM posts p WHERE p.seq < ? AND (p.author_id = ? OR p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?))
           AND p.author_id NOT IN (SELECT target_id FROM hides WHERE account_id = ?) ORDER BY seq DESC LIMIT ?`,
      )
      .all(beforeSeq, viewer, viewer, viewer, limit) as { id: string }[]
  ).map((r) => r.id);
}

const seqOf = (id: string) => (db.$client.prepare('SELECT seq FROM posts WHERE id = ?').get(id) as { seq: number }).seq;

describe('home timeline on seeded data', () => {
  it('matches the reference for light, median and heavy readers on every page, under concurrent changes', () => {
    const pick = (sql: string) => (db.$client.prepare(sql).all() as { id: number }[]).map((r) => r.id);
    const light = pick('SELECT id FROM accounts WHERE following_count BETWEEN 1 AND 10 ORDER BY id LIMIT 3');
    const median = pick('SELECT id FROM accounts WHERE following_count BETWEEN 25 AND 60 ORDER BY id LIMIT 3');
    const heavy = pick('SELECT id FROM accounts ORDER BY following_count DESC LIMIT 3');
    expect(light.length && median.length && heavy.length).toBeTruthy();
    const writers = pick('SELECT id FROM accounts ORDER BY posts_count DESC LIMIT 5');
    let step = 0;
    for (const viewer of [...light, ...median, ...heavy]) {
      let cursor: string | undefined;
      let before = Number.MAX_SAFE_INTEGER;
      for (let pageNo = 0; pageNo < 12; pageNo++) {
        const page = homeTimeline(deps, viewer, { limit: 20, cursor });
        expect(page.items.map((p) => p.id), `viewer ${viewer} page ${pageNo}`).toEqual(reference(viewer, before, 20));
        if (!page.next) break;
        cursor = page.next;
        before = seqOf(page.items[page.items.length - 1].id);
        // Between pages the world moves on: new posts, a delete below the cursor, follow changes, a mute.
        const w = writers[step++ % writers.length];
        createPost(deps, actor(w), { text: `between pages ${step}` });
        const older = db.$client.prepare('SELECT id, author_id FROM posts WHERE seq < ? ORDER BY seq DESC LIMIT 1 OFFSET 5').get(before) as { id: string; author_id: number } | undefined;
        if (older) deletePost(deps, actor(older.author_id), older.id);
        const target = db.$client.prepare('SELECT handle FROM accounts WHERE id = ?').get(writers[(step + 1) % writers.length]) as { handle: string };
        if (writers[(step + 1) % writers.length] !== viewer) {
          // Following someone either side blocked is refused: the world moves on without it.
          const blocked = isBlockedBy(deps, viewer, writers[(step + 1) % writers.length]) || isBlockedBy(deps, writers[(step + 1) % writers.length], viewer);
          if (step % 3 === 0 && !blocked) follow(deps, actor(viewer), target.handle);
          if (step % 3 === 1) unfollow(deps, actor(viewer), target.handle);
          if (step % 7 === 2) hide(deps, actor(viewer), target.handle, step % 2 ? 'mute' : 'block');
        }
      }
    }
  });

  it("shows a followed account's first post, and not a stranger's, to a reader whose follow bitmap was built before either posted", () => {
    // The walk tests authors in a bitmap by post-log slot, and slots are handed out as authors are first met: an
    // account the reader followed before it ever posted must be in the bitmap, and one that posts for the first
    // time after it was built must not be mistaken for anyone in it.
    const [viewer] = (db.$client.prepare('SELECT id FROM accounts ORDER BY following_count DESC LIMIT 1').all() as { id: number }[]).map((r) => r.id);
    const quiet = insertAccount(deps, { handle: 'quiet_one', displayName: 'Quiet One' }, 'x');
    const stranger = insertAccount(deps, { handle: 'stranger_one', displayName: 'Stranger One' }, 'x');
    follow(deps, actor(viewer), quiet.handle);
    const first = homeTimeline(deps, viewer, { limit: 20 });
    expect(first.items.map((p) => p.id)).toEqual(reference(viewer, Number.MAX_SAFE_INTEGER, 20));
    expect(belongsToHome(deps, viewer, quiet.id)).toBe(true);
    expect(belongsToHome(deps, viewer, stranger.id)).toBe(false);
    // The stranger posts first, so takes the next slot; then the quiet account posts.
    const theirs = createPost(deps, actor(stranger.id), { text: 'first words from a stranger' });
    const ours = createPost(deps, actor(quiet.id), { text: 'first words from someone followed' });
    const after = homeTimeline(deps, viewer, { limit: 20 });
    expect(after.items[0].id).toBe(ours.id);
    expect(after.items.map((p) => p.id)).not.toContain(theirs.id);
    expect(after.items.map((p) => p.id)).toEqual(reference(viewer, Number.MAX_SAFE_INTEGER, 20));
    expect(belongsToHome(deps, viewer, quiet.id)).toBe(true);
    expect(belongsToHome(deps, viewer, stranger.id)).toBe(false);
  });
});
