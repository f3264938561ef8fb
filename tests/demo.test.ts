import { describe, expect, it } from 'vitest';
import { testConfig } from '../src/config';
import { openDb } from '../src/db/client';
import { DEMO_PASSWORD, seedDemo } from '../src/services/demo';
import { createDeps, type Deps } from '../src/services/deps';
import { createApp } from '../src/app';
import { call } from './helpers';

const deps = (db: Deps['db'], overrides = {}): Deps => createDeps(db, testConfig(overrides));
const count = (db: Deps['db'], table: string) => (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('demo data', () => {
  it('seeds an empty database once, with accounts that can sign in', async () => {
    const db = openDb(':memory:');
    const n = await seedDemo(deps(db));
    expect(n).toBeGreaterThan(5);
    expect(count(db, 'posts')).toBe(n);
    expect(await seedDemo(deps(db))).toBe(0);
    expect(count(db, 'posts')).toBe(n);
    const app = createApp({ db, config: testConfig() });
    const signedIn = await call(app, '/api/sessions', { body: { handle: 'emi', password: DEMO_PASSWORD } });
    expect(signedIn.status).toBe(200);
    // Her home timeline holds her posts and her colleagues', newest first, as plain SQL has them.
    const home = await call(app, '/api/timelines/home?limit=100', { headers: { cookie: signedIn.headers.get('set-cookie')!.split(';')[0] } });
    const expected = db.$client
      .prepare(`SELECT p.id FROM posts p, accounts me WHERE me.handle = 'emi'
                  AND (p.author_id = me.id OR p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = me.id)) ORDER BY p.seq DESC`)
      .pluck()
      .all();
    expect(expected.length).toBeGreaterThan(5);
    expect(home.json.items.map((p: { id: string }) => p.id)).toEqual(expected);
  });

  it('leaves nothing behind when cut short, so the next start seeds it whole', async () => {
    const db = openDb(':memory:');
    // Posts are longer than this: the seed fails part way, after its accounts and follows.
    await expect(seedDemo(deps(db, { postMax: 20 }))).rejects.toThrow();
    expect([count(db, 'accounts'), count(db, 'follows'), count(db, 'posts')]).toEqual([0, 0, 0]);
    const n = await seedDemo(deps(db));
    expect(count(db, 'posts')).toBe(n);
    expect(count(db, 'accounts')).toBeGreaterThan(3);
  });
});
