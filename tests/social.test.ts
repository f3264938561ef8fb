import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../src/db/client';
import { MAX_HIDDEN } from '../src/services/moderation';
import { accountsMatching } from '../src/services/accounts';
import { encodeCursor } from '../src/services/cursor';
import type { Actor } from '../src/services/deps';
import { createPost, MAX_MENTION_NOTIFICATIONS } from '../src/services/posts';
import { MAX_NOTIFICATIONS, notify } from '../src/services/notifications';
import { ftsQuery, MAX_SEARCH_WORDS, RELEVANCE_WINDOW } from '../src/services/search';
import { foldKey } from '../src/services/text';
import { call, followUser, makeTestApp, post, signUp, type User } from './helpers';

type App = ReturnType<typeof makeTestApp>;
const ids = (r: { json: { items: { id: string }[] } }) => r.json.items.map((p) => p.id);
const notes = async (app: App, u: User) => (await call(app, '/api/notifications', { headers: u.auth })).json;

describe('replies and threads', () => {
  it('threads replies oldest first, counts them, and keeps them readable after the parent is deleted', async () => {
    const app = makeTestApp();
    const [a, b] = [await signUp(app), await signUp(app)];
    const root = await post(app, a, 'root');
    const r1 = await post(app, b, 'first reply', { replyTo: root.id });
    const r2 = await post(app, a, 'second reply', { replyTo: root.id });
    expect(r1.replyTo).toBe(root.id);
    expect((await call(app, `/api/posts/${root.id}`, { headers: a.auth })).json.post.replyCount).toBe(2);
    const thread = await call(app, `/api/posts/${root.id}/replies?limit=1`, { headers: a.auth });
    expect(ids(thread)).toEqual([r1.id]);
    const rest = await call(app, `/api/posts/${root.id}/replies?limit=1&cursor=${thread.json.next}`, { headers: a.auth });
    expect(ids(rest)).toEqual([r2.id]);
    // Paging on from a cursor still needs the post to exist.
    const missing = await call(app, `/api/posts/nope_nope_no/replies?cursor=${thread.json.next}`, { headers: a.auth });
    expect(missing.status).toBe(404);
    await call(app, `/api/posts/${r2.id}`, { method: 'DELETE', headers: a.auth });
    expect((await call(app, `/api/posts/${root.id}`, { headers: a.auth })).json.post.replyCount).toBe(1);
    await call(app, `/api/posts/${root.id}`, { method: 'DELETE', headers: a.auth });
    const orphan = await call(app, `/api/posts/${r1.id}`, { headers: a.auth });
    expect(orphan.status).toBe(200);
    expect(orphan.json.post.replyTo).toBe(root.id);
  });

  it('refuses a reply to a missing or deleted post with 404 and a clear code', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const p = await post(app, a, 'gone soon');
    await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth });
    const r = await call(app, '/api/posts', { body: { text: 'late reply', replyTo: p.id }, headers: a.auth });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('reply_target_not_found');
  });
});

describe('mentions, likes and notifications', () => {
  it('notifies mentions, replies, likes and follows, newest first, with unread counts', async () => {
    const app = makeTestApp();
    const [alice, bob] = [await signUp(app, { handle: 'alice' }), await signUp(app, { handle: 'bob' })];
    const p = await post(app, alice, 'my post');
    await followUser(app, bob, alice);
    await post(app, bob, 'hey @alice and @nobody_here');
    await post(app, bob, 'a reply', { replyTo: p.id });
    await call(app, `/api/posts/${p.id}/like`, { method: 'PUT', headers: bob.auth });
    const n = await notes(app, alice);
    expect(n.items.map((x: { type: string }) => x.type)).toEqual(['like', 'reply', 'mention', 'follow']);
    expect(n.unreadCount).toBe(4);
    expect(n.items[0]).toMatchObject({ account: { handle: 'bob' }, post: { id: p.id }, read: false });
    expect(n.items[3].post).toBeUndefined();
    const upTo = n.items[2].id;
    expect((await call(app, '/api/notifications/read', { body: { upTo }, headers: alice.auth })).json.marked).toBe(2);
    expect((await notes(app, alice)).unreadCount).toBe(2);
    await call(app, '/api/notifications/read', { method: 'POST', headers: alice.auth });
    expect((await notes(app, alice)).unreadCount).toBe(0);
  });

  it('tells the author of a post of a reply as a reply, also when the reply names them', async () => {
    const app = makeTestApp();
    const [alice, bob, carol] = [await signUp(app), await signUp(app), await signUp(app)];
    const p = await post(app, alice, 'lunch at noon?');
    const r = await post(app, bob, `@${alice.handle} yes, and @${carol.handle} too`, { replyTo: p.id });
    expect(r.mentions).toEqual([alice.handle, carol.handle]);
    expect((await notes(app, alice)).items.map((x: { type: string; post?: { id: string } }) => [x.type, x.post?.id])).toEqual([['reply', r.id]]);
    expect((await notes(app, carol)).items.map((x: { type: string }) => x.type)).toEqual(['mention']);
  });

  it('notifies the first MAX_MENTION_NOTIFICATIONS accounts a post mentions; the rest are mentioned all the same', async () => {
    const app = makeTestApp();
    const author = await signUp(app);
    const n = MAX_MENTION_NOTIFICATIONS + 2;
    const people: User[] = [];
    for (let i = 0; i < n; i++) people.push(await signUp(app, { handle: `m${i}_${author.handle.slice(-4)}` }));
    const last = people[n - 1];
    const parent = await post(app, last, 'a question for everyone');
    const p = await post(app, author, people.map((u) => `@${u.handle}`).join(' '), { replyTo: parent.id });
    expect(p.mentions).toEqual(people.map((u) => u.handle));
    const got = await Promise.all(people.map(async (u) => (await notes(app, u)).items.map((x: { type: string }) => x.type)));
    expect(got.slice(0, MAX_MENTION_NOTIFICATIONS)).toEqual(Array(MAX_MENTION_NOTIFICATIONS).fill(['mention']));
    expect(got[MAX_MENTION_NOTIFICATIONS]).toEqual([]);
    // Mentioned past the cap, the author of the post replied to still hears of the reply.
    expect(got[n - 1]).toEqual(['reply']);
    // Every mention is findable, notified or not.
    expect((await call(app, `/api/search?q=${people[n - 2].handle}`, { headers: author.auth })).json.items.map((x: { id: string }) => x.id)).toEqual([p.id]);
  });

  it('keeps unknown mentions as plain text and never notifies yourself', async () => {
    const app = makeTestApp();
    const a = await signUp(app, { handle: 'selfie' });
    const p = await post(app, a, '@selfie talking to myself, cc @ghost');
    expect(p.mentions).toEqual(['selfie']);
    await post(app, a, 'reply to me', { replyTo: p.id });
    await call(app, `/api/posts/${p.id}/like`, { method: 'PUT', headers: a.auth });
    expect((await notes(app, a)).items).toEqual([]);
  });

  it('likes idempotently with a like count and the viewer’s liked flag', async () => {
    const app = makeTestApp();
    const [a, b, c] = [await signUp(app), await signUp(app), await signUp(app)];
    const p = await post(app, a, 'likeable');
    for (let i = 0; i < 2; i++) expect((await call(app, `/api/posts/${p.id}/like`, { method: 'PUT', headers: b.auth })).status).toBe(204);
    await call(app, `/api/posts/${p.id}/like`, { method: 'PUT', headers: c.auth });
    expect((await call(app, `/api/posts/${p.id}`, { headers: b.auth })).json.post).toMatchObject({ likeCount: 2, liked: true });
    expect((await call(app, `/api/posts/${p.id}`, { headers: a.auth })).json.post).toMatchObject({ likeCount: 2, liked: false });
    for (let i = 0; i < 2; i++) await call(app, `/api/posts/${p.id}/like`, { method: 'DELETE', headers: b.auth });
    expect((await call(app, `/api/posts/${p.id}`, { headers: b.auth })).json.post).toMatchObject({ likeCount: 1, liked: false });
    expect((await call(app, '/api/posts/nope/like', { method: 'PUT', headers: b.auth })).status).toBe(404);
    // One notification per like that stands: b's went with b's unlike, c's remains.
    expect((await notes(app, a)).items.filter((n: { type: string }) => n.type === 'like').map((n: { account: { handle: string } }) => n.account.handle)).toEqual([c.handle]);
  });

  it('drops notifications about a post when it is deleted', async () => {
    const app = makeTestApp();
    const [a, b] = [await signUp(app), await signUp(app, { handle: 'target' })];
    const p = await post(app, a, 'hi @target');
    expect((await notes(app, b)).unreadCount).toBe(1);
    await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth });
    expect((await notes(app, b)).items).toEqual([]);
  });

  it('keeps about the newest MAX_NOTIFICATIONS of an account, and lists and counts only those', async () => {
    const app = makeTestApp();
    const [me, fan] = [await signUp(app, { handle: 'famous' }), await signUp(app, { handle: 'fan' })];
    const sqlite = app.deps.db.$client;
    const idOf = (handle: string) => sqlite.prepare('SELECT id FROM accounts WHERE handle = ?').pluck().get(handle) as number;
    const [meId, fanId] = [idOf('famous'), idOf('fan')];
    const mine = () => sqlite.prepare('SELECT id FROM notifications WHERE recipient_id = ? ORDER BY id').pluck().all(meId) as number[];
    sqlite.transaction(() => {
      for (let i = 0; i < 5; i++) notify(app.deps, fanId, 'follow', meId, null);
      for (let i = 0; i < MAX_NOTIFICATIONS * 3; i++) notify(app.deps, meId, 'follow', fanId, null);
    })();
    const kept = mine();
    expect(kept.length).toBeGreaterThanOrEqual(MAX_NOTIFICATIONS);
    expect(kept.length).toBeLessThan(MAX_NOTIFICATIONS + 64);
    // The newest, without a gap: the oldest went first.
    const newest = sqlite.prepare('SELECT max(id) FROM notifications').pluck().get() as number;
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => newest - kept.length + 1 + i));
    // Someone else's are not touched.
    expect(sqlite.prepare('SELECT count(*) FROM notifications WHERE recipient_id = ?').pluck().get(fanId)).toBe(5);
    const listed = await notes(app, me);
    expect(listed.unreadCount).toBe(kept.length);
    expect(listed.items[0].id).toBe(String(newest));
  });

  it('withdraws a like or follow notification when it is undone, so toggling never piles them up', async () => {
    const app = makeTestApp();
    const [alice, bob] = [await signUp(app, { handle: 'liked_one' }), await signUp(app, { handle: 'toggler' })];
    const p = await post(app, alice, 'like me');
    const like = (method: string) => call(app, `/api/posts/${p.id}/like`, { method, headers: bob.auth });
    const follow = (method: string) => call(app, '/api/accounts/liked_one/follow', { method, headers: bob.auth });
    for (const method of ['PUT', 'DELETE', 'PUT', 'DELETE', 'PUT']) {
      await like(method);
      await follow(method);
    }
    const now = await notes(app, alice);
    expect(now.items.map((n: { type: string }) => n.type).sort()).toEqual(['follow', 'like']);
    expect(now.unreadCount).toBe(2);
    await like('DELETE');
    await follow('DELETE');
    expect(await notes(app, alice)).toMatchObject({ items: [], unreadCount: 0 });
    // A follow that a block removed is withdrawn too: unblocking does not bring back stale news.
    await follow('PUT');
    await call(app, '/api/accounts/toggler/block', { method: 'PUT', headers: alice.auth });
    await call(app, '/api/accounts/toggler/block', { method: 'DELETE', headers: alice.auth });
    expect(await notes(app, alice)).toMatchObject({ items: [], unreadCount: 0 });
  });

  it('does not take mentions from links or other servers, nor tags from link fragments', async () => {
    const app = makeTestApp();
    const [alice, bob] = [await signUp(app, { handle: 'alice' }), await signUp(app)];
    const p = await post(app, bob, 'good read https://medium.com/@alice/why-sqlite, ping @alice@mastodon.social, docs: https://github.com/org/repo/#readme');
    expect(p).toMatchObject({ mentions: [], tags: [] });
    expect((await notes(app, alice)).items).toEqual([]);
    expect((await call(app, '/api/timelines/tag/readme', { headers: alice.auth })).json.items).toEqual([]);
  });
});

describe('search and directory', () => {
  it('finds posts by words and prefixes, newest first or by relevance, and accounts by name', async () => {
    const app = makeTestApp();
    const a = await signUp(app, { handle: 'kafka_fan', displayName: 'Franz Kafka' });
    const p1 = await post(app, a, 'Kafka consumer lag again');
    const p2 = await post(app, a, 'Rebalancing consumers is an art. Kafka!');
    await post(app, a, 'unrelated lunch post');
    const r = await call(app, '/api/search?q=kafka%20consum', { headers: a.auth });
    expect(ids(r)).toEqual([p2.id, p1.id]);
    expect(r.json.accounts.map((x: { handle: string }) => x.handle)).toEqual([]);
    const people = await call(app, '/api/search?q=fran', { headers: a.auth });
    expect(people.json.accounts.map((x: { handle: string }) => x.handle)).toEqual(['kafka_fan']);
    const rel = await call(app, '/api/search?q=kafka&order=relevance&limit=1', { headers: a.auth });
    expect(rel.json.items).toHaveLength(1);
    expect(rel.json.next).toBeTruthy();
    const rel2 = await call(app, `/api/search?q=kafka&order=relevance&limit=1&cursor=${rel.json.next}`, { headers: a.auth });
    expect(new Set([...ids(rel), ...ids(rel2)])).toEqual(new Set([p1.id, p2.id]));
  });

  it('keeps relevance pages stable while new matching posts arrive', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await post(app, a, `kafka note ${i}`)).id);
    const seen: string[] = [];
    let url = '/api/search?q=kafka&order=relevance&limit=2';
    for (let guard = 0; guard < 10; guard++) {
      const r = await call(app, url, { headers: a.auth });
      seen.push(...ids(r));
      await post(app, a, `kafka interloper ${guard}`);
      if (!r.json.next) break;
      url = `/api/search?q=kafka&order=relevance&limit=2&cursor=${r.json.next}`;
    }
    expect([...seen].sort()).toEqual([...made].sort());
  });

  it('refuses a relevance cursor sent back with another query or bots= filter, which it did not page', async () => {
    const app = makeTestApp();
    const [a, bot] = [await signUp(app), await signUp(app, { bot: true })];
    for (let i = 0; i < 3; i++) await post(app, bot, `kafka bot note ${i}`);
    for (let i = 0; i < 3; i++) await post(app, a, `kafka human note ${i}`);
    const first = await call(app, '/api/search?q=kafka&order=relevance&limit=1', { headers: a.auth });
    expect(first.json.next).toBeTruthy();
    for (const query of ['q=kafka&bots=false', 'q=human', 'q=kafka%20kafka&bots=false']) {
      const r = await call(app, `/api/search?${query}&order=relevance&cursor=${first.json.next}`, { headers: a.auth });
      expect([r.status, r.json.error.code, r.json.error.details[0].field], query).toEqual([400, 'invalid_cursor', 'cursor']);
    }
    // The same search pages on: the query as matched and the filter are what count (bots=true is the default).
    expect((await call(app, `/api/search?q=%20KAFKA&order=relevance&limit=1&cursor=${first.json.next}`, { headers: a.auth })).status).toBe(200);
    expect((await call(app, `/api/search?q=kafka&bots=true&order=relevance&limit=1&cursor=${first.json.next}`, { headers: a.auth })).status).toBe(200);
  });

  it('pages by relevance exactly as the first page ranked, whatever is posted, deleted or muted meanwhile', async () => {
    let now = Date.parse('2026-11-27T10:00:00Z');
    const app = makeTestApp({}, { clock: () => now });
    const [a, b] = [await signUp(app), await signUp(app)];
    // Lengths differ, so bm25 (which weighs a match by the post's length against the average) moves as posts come.
    const mine = [
      await post(app, a, 'hello'),
      await post(app, a, `hello hello hello ${Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ')}`),
      await post(app, a, 'hello there friend'),
      await post(app, a, 'hello again, said the long post about nothing in particular at all'),
    ];
    const theirs = await post(app, b, 'hello from b');
    const pageAt = async (cursor?: string) =>
      call(app, `/api/search?q=hello&order=relevance&limit=1${cursor ? `&cursor=${cursor}` : ''}`, { headers: a.auth });
    const all: string[] = [];
    for (let r = await pageAt(); ; r = await pageAt(r.json.next)) {
      all.push(...ids(r));
      if (!r.json.next) break;
    }
    expect([...all].sort()).toEqual([...mine, theirs].map((p) => p.id).sort());

    const seen: string[] = [];
    let r = await pageAt();
    seen.push(...ids(r));
    // Meanwhile: 40 long posts that do not match, one that does, and the next-ranked post's author is muted.
    for (let i = 0; i < 40; i++) await post(app, b, `a much longer post about other things entirely, number ${i} of forty`);
    await post(app, b, 'hello late');
    r = await pageAt(r.json.next);
    seen.push(...ids(r));
    // Deleting a post already shown shifts nothing after it.
    await call(app, `/api/posts/${seen[0]}`, { method: 'DELETE', headers: (seen[0] === theirs.id ? b : a).auth });
    await call(app, `/api/accounts/${b.handle}/mute`, { method: 'PUT', headers: a.auth });
    for (r = await pageAt(r.json.next); ; r = await pageAt(r.json.next)) {
      seen.push(...ids(r));
      if (!r.json.next) break;
    }
    // The first ranking's order exactly, less b's post once b was muted (after the second page).
    expect(seen).toEqual(all.filter((id, i) => i < 2 || id !== theirs.id));

    // A cursor passed on to someone else is ranked again for them: the ranking kept was a's, without b's posts.
    const c = await signUp(app);
    const handedOver: string[] = [];
    for (let page = await pageAt(); page.json.next; ) {
      page = await call(app, `/api/search?q=hello&order=relevance&limit=1&cursor=${page.json.next}`, { headers: c.auth });
      handedOver.push(...ids(page));
    }
    expect(handedOver).toContain(theirs.id);

    // A cursor that outlived its ranking is ranked again rather than refused.
    const first = await pageAt();
    now += 31 * 60_000;
    const later = await pageAt(first.json.next);
    expect(later.status).toBe(200);
    expect(ids(later)).toHaveLength(1);
  });

  it('reads each word once: a repeated word neither costs another doclist nor crowds out the words after it', async () => {
    expect(ftsQuery('the the The th')).toBe('"the" "th" *');
    expect(ftsQuery(`${'spam '.repeat(20)}alpha`)).toBe('"spam" "alpha" *');
    // The same matches as before: a repeated last word is still whole, not a prefix.
    expect(ftsQuery('cat cat')).toBe('"cat"');
    expect(ftsQuery('the cat the')).toBe('"the" "cat"');
    expect(ftsQuery('a b c d e f g h i j')).toBe('"a" "b" "c" "d" "e" "f" "g" "h"');
    expect(ftsQuery('aa bb cc dd ee ff gg hh ii')).toBe('"aa" "bb" "cc" "dd" "ee" "ff" "gg" "hh" *');
    const app = makeTestApp();
    const a = await signUp(app);
    const both = await post(app, a, 'alpha beta gamma');
    await post(app, a, 'alpha only');
    const q = encodeURIComponent(`${'alpha '.repeat(8)}beta gamma`);
    expect(ids(await call(app, `/api/search?q=${q}`, { headers: a.auth }))).toEqual([both.id]);
    const category = await post(app, a, 'category theory');
    const cat = await post(app, a, 'cat there');
    expect(ids(await call(app, '/api/search?q=cat%20cat', { headers: a.auth }))).toEqual([cat.id]);
    expect(ids(await call(app, '/api/search?q=cat', { headers: a.auth }))).toEqual([cat.id, category.id]);
  });

  it('matches a one-letter last word as a whole word, and a longer one as a prefix', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const planB = await post(app, a, 'we need a plan b');
    const big = await post(app, a, 'big bang theory');
    const snake = await post(app, a, 'b_side of the record');
    const search = async (q: string) => ids(await call(app, `/api/search?q=${encodeURIComponent(q)}`, { headers: a.auth }));
    // `b` is the word b (also as the token after `_`), never every word starting with b.
    expect(await search('b')).toEqual([snake.id, planB.id]);
    expect(await search('plan b')).toEqual([planB.id]);
    // An underscore splits words in the index: `big_b` ends in the one-letter word b, not a prefix.
    expect(await search('big_b')).toEqual([]);
    expect(await search('bi')).toEqual([big.id]);
    expect(await search('plan b_')).toEqual([planB.id]);
    expect(ids(await call(app, '/api/search?q=b&order=relevance', { headers: a.auth })).sort()).toEqual([snake.id, planB.id].sort());
  });

  it('ranks only the newest RELEVANCE_WINDOW matches: paging ends there, and a cursor beyond it is a 400', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const id = (app.deps.db.$client.prepare('SELECT id FROM accounts WHERE handle = ?').get(a.handle) as { id: number }).id;
    const actor: Actor = { id, handle: a.handle, role: 'user', scopes: new Set(['read', 'write']), via: 'token', credential: 't' };
    // The oldest matches are the most relevant ones, and still outside the window.
    const old = new Set<string>();
    for (let i = 0; i < 30; i++) old.add(createPost(app.deps, actor, { text: `zeta zeta zeta ${i}` }).id);
    const inWindow = new Set<string>();
    let firstInWindow = 0;
    for (let i = 0; i < RELEVANCE_WINDOW; i++) {
      const p = createPost(app.deps, actor, { text: `zeta filler post with several other words ${i}` });
      firstInWindow ||= p.seq;
      inWindow.add(p.id);
    }
    const seen: string[] = [];
    let url = '/api/search?q=zeta&order=relevance&limit=100';
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let guard = 0; guard < 50; guard++) {
      last = await call(app, url, { headers: a.auth });
      expect(last.status).toBe(200);
      seen.push(...ids(last));
      if (!last.json.next) break;
      url = `/api/search?q=zeta&order=relevance&limit=100&cursor=${last.json.next}`;
    }
    expect(last!.json.next).toBeNull();
    expect(seen).toHaveLength(RELEVANCE_WINDOW);
    expect(new Set(seen)).toEqual(inWindow);
    // Newest first still reaches every match.
    expect(ids(await call(app, `/api/search?q=zeta&limit=100&cursor=${encodeCursor('p', [firstInWindow])}`, { headers: a.auth }))).toEqual([...old].reverse());
    // A crafted cursor past the window is refused like any invalid cursor, not ranked.
    const top = app.deps.db.$client.prepare('SELECT max(seq) FROM posts').pluck().get() as number;
    for (const offset of [RELEVANCE_WINDOW, 900_000]) {
      const r = await call(app, `/api/search?q=zeta&order=relevance&cursor=${encodeCursor('sr', ['made-up', offset, top])}`, { headers: a.auth });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'invalid_cursor', message: expect.any(String), details: [{ field: 'cursor', message: expect.any(String) }] });
    }
  });

  it('searches with the first MAX_SEARCH_WORDS words and leaves out the rest, so a pasted link still works', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const p = await post(app, a, 'one two three four five six seven eight nine');
    const link = await post(app, a, 'see https://wiki.example.com/teams/platform/oncall/runbook/pager/escalation for details');
    const q = (words: string[]) => encodeURIComponent(words.join(' '));
    const nine = 'one two three four five six seven eight nine'.split(' ');
    expect(ids(await call(app, `/api/search?q=${q(nine.slice(0, MAX_SEARCH_WORDS))}`, { headers: a.auth }))).toEqual([p.id]);
    // A ninth word that matches nothing changes nothing: it is not part of the search.
    for (const order of ['new', 'relevance']) {
      expect(ids(await call(app, `/api/search?q=${q([...nine.slice(0, MAX_SEARCH_WORDS), 'zzz'])}&order=${order}`, { headers: a.auth }))).toEqual([p.id]);
    }
    expect(ids(await call(app, `/api/search?q=${encodeURIComponent('https://wiki.example.com/teams/platform/oncall/runbook/pager/escalation')}`, { headers: a.auth }))).toEqual([link.id]);
  });

  it('matches a one-character prefix only where it begins few terms: a kanji, not a latin letter', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const tokyo = await post(app, a, '東京 offsite next week');
    await post(app, a, 'every evening');
    const vitamin = await post(app, a, 'vitamin e');
    expect(ids(await call(app, `/api/search?q=${encodeURIComponent('東')}`, { headers: a.auth }))).toEqual([tokyo.id]);
    // `é` folds to `e` in the index: as a prefix it would read every term that begins with e. It is the word e.
    expect(ids(await call(app, `/api/search?q=${encodeURIComponent('é')}`, { headers: a.auth }))).toEqual([vitamin.id]);
  });

  it.each(['"', '"unbalanced', 'a AND OR NOT', 'NEAR(a b)', '*', 'col:value', '()', '', '   ', "'; DROP TABLE posts; --", '😀', '^start', 'x'.repeat(400)])(
    'never errors on the query %j',
    async (q) => {
      const app = makeTestApp();
      const a = await signUp(app);
      await post(app, a, 'some text to search');
      const r = await call(app, `/api/search?q=${encodeURIComponent(q)}`, { headers: a.auth });
      expect(r.status).toBe(200);
      expect(Array.isArray(r.json.items)).toBe(true);
    },
  );

  it('matches unicode and accents, and forgets deleted posts', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const p = await post(app, a, 'Café meeting in Zürich über alles 東京');
    expect(ids(await call(app, '/api/search?q=cafe', { headers: a.auth }))).toEqual([p.id]);
    expect(ids(await call(app, `/api/search?q=${encodeURIComponent('zürich')}`, { headers: a.auth }))).toEqual([p.id]);
    await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth });
    expect(ids(await call(app, '/api/search?q=cafe', { headers: a.auth }))).toEqual([]);
  });

  it('says in every list of accounts whether the viewer follows each one', async () => {
    const app = makeTestApp({ openRead: true });
    const [me, friend, stranger] = [await signUp(app, { handle: 'viewer_me' }), await signUp(app, { handle: 'friend_x', displayName: 'Friend' }), await signUp(app, { handle: 'stranger_x', displayName: 'Stranger' })];
    await followUser(app, me, friend);
    await followUser(app, stranger, friend);
    const flags = (items: { handle: string; following?: boolean }[]) => Object.fromEntries(items.map((a) => [a.handle, a.following]));
    expect(flags((await call(app, '/api/accounts', { headers: me.auth })).json.items)).toEqual({ friend_x: true, stranger_x: false, viewer_me: false });
    expect(flags((await call(app, '/api/accounts/friend_x/followers', { headers: me.auth })).json.items)).toEqual({ stranger_x: false, viewer_me: false });
    expect(flags((await call(app, '/api/accounts/viewer_me/following', { headers: me.auth })).json.items)).toEqual({ friend_x: true });
    expect(flags((await call(app, '/api/search?q=friend', { headers: me.auth })).json.accounts)).toEqual({ friend_x: true });
    // The terminal's lists of followers and followed, as text and JSON.
    const followers = await call(app, '/@friend_x/followers', { headers: { ...me.auth, accept: '*/*' } });
    expect(followers.text.split('\n')[0]).toBe('following @friend_x');
    expect(followers.text).toMatch(/^@stranger_x /m);
    expect(followers.text).toMatch(/^@viewer_me /m);
    expect(flags((await call(app, '/@viewer_me/following?format=json', { headers: me.auth })).json.items)).toEqual({ friend_x: true });
    expect((await call(app, '/@viewer_me/following', { headers: { ...me.auth, accept: '*/*' } })).text).toMatch(/^@friend_x .*followed by you/m);
    expect((await call(app, '/@nobody_here/following', { headers: { ...me.auth, accept: '*/*' } })).status).toBe(404);
    // The terminal's JSON too.
    expect(flags((await call(app, '/directory?format=json', { headers: me.auth })).json.items)).toEqual({ friend_x: true, stranger_x: false, viewer_me: false });
    expect(flags((await call(app, '/search?q=friend&format=json', { headers: me.auth })).json.accounts)).toEqual({ friend_x: true });
    // And the terminal's text.
    const lines = (await call(app, '/directory', { headers: { ...me.auth, accept: '*/*' } })).text.split('\n');
    expect(lines.find((l) => l.startsWith('@friend_x'))).toContain('followed by you');
    expect(lines.find((l) => l.startsWith('@stranger_x'))).not.toContain('followed by you');
    // Signed out (open reading), there is no viewer to follow anyone.
    expect((await call(app, '/api/accounts')).json.items.every((a: object) => !('following' in a))).toBe(true);
  });

  it('lists the directory by display name, filters by prefix and department, and pages', async () => {
    const app = makeTestApp();
    const names = ['zoe', 'adam', 'Mia', 'bea', 'carl'];
    const users: User[] = [];
    for (const n of names) users.push(await signUp(app, { handle: `${n.toLowerCase()}_x`, displayName: `${n} Person` }));
    await call(app, '/api/me', { method: 'PATCH', body: { department: 'Research' }, headers: users[0].auth });
    await call(app, '/api/me', { method: 'PATCH', body: { department: 'research' }, headers: users[2].auth });
    const seen: string[] = [];
    let url = '/api/accounts?limit=2';
    for (;;) {
      const r = await call(app, url, { headers: users[0].auth });
      seen.push(...r.json.items.map((x: { displayName: string }) => x.displayName));
      if (!r.json.next) break;
      url = `/api/accounts?limit=2&cursor=${r.json.next}`;
    }
    expect(seen).toEqual(['adam Person', 'bea Person', 'carl Person', 'Mia Person', 'zoe Person']);
    const q = await call(app, '/api/accounts?q=mi', { headers: users[0].auth });
    expect(q.json.items.map((x: { handle: string }) => x.handle)).toEqual(['mia_x']);
    const dept = await call(app, '/api/accounts?department=Research', { headers: users[0].auth });
    expect(dept.json.items.map((x: { handle: string }) => x.handle)).toEqual(['mia_x', 'zoe_x']);
    expect((await call(app, '/api/accounts?q=%25', { headers: users[0].auth })).json.items).toEqual([]);
  });

  it('finds and sorts names that start with accented or other non-ASCII letters as colleagues type them', async () => {
    const app = makeTestApp();
    const me = await signUp(app, { handle: 'viewer', displayName: 'Viewer' });
    const names: Record<string, string> = { emile: 'Émile Zola', zoe: 'Zoe Ball', oyvind: 'Øyvind Berg', olga: 'Olga Petrova', lukasz: 'Łukasz Nowak', anna: 'anna Åberg' };
    for (const [handle, displayName] of Object.entries(names)) await signUp(app, { handle, displayName });
    await call(app, '/api/me', { method: 'PATCH', body: { department: 'Forschung & Entwicklung' }, headers: me.auth });
    const handles = (r: { json: { items: { handle: string }[] } }) => r.json.items.map((x) => x.handle);
    for (const [q, expected] of [['Émile', ['emile']], ['émile', ['emile']], ['emile', ['emile']], ['EMILE', ['emile']], ['Øy', ['oyvind']], ['oyv', ['oyvind']], ['lukasz', ['lukasz']], ['Łuk', ['lukasz']], ['åberg', ['anna']]] as const) {
      expect(handles(await call(app, `/api/accounts?q=${encodeURIComponent(q)}`, { headers: me.auth })), q).toEqual(expected);
    }
    expect((await call(app, `/api/search?q=${encodeURIComponent('øyvind')}`, { headers: me.auth })).json.accounts.map((a: { handle: string }) => a.handle)).toEqual(['oyvind']);
    // By name as people read it, across pages: Émile among the E's, Øyvind and Olga among the O's.
    const seen: string[] = [];
    for (let url = '/api/accounts?limit=2'; ; ) {
      const r = await call(app, url, { headers: me.auth });
      seen.push(...handles(r));
      if (!r.json.next) break;
      url = `/api/accounts?limit=2&cursor=${r.json.next}`;
    }
    expect(seen).toEqual(['anna', 'emile', 'lukasz', 'olga', 'oyvind', 'viewer', 'zoe']);
    expect(handles(await call(app, `/api/accounts?department=${encodeURIComponent('forschung & ENTWICKLUNG')}`, { headers: me.auth }))).toEqual(['viewer']);
    // A name that folds to something long (a ligature spelled out) still pages: its cursor fits.
    await signUp(app, { handle: 'long_fold', displayName: '\uFDFA'.repeat(50) });
    await signUp(app, { handle: 'long_fold2', displayName: '\uFDFA'.repeat(50) });
    const firstLong = await call(app, `/api/accounts?limit=1&q=${encodeURIComponent('\uFDFA')}`, { headers: me.auth });
    expect(firstLong.json.next).toBeTruthy();
    const secondLong = await call(app, `/api/accounts?limit=1&q=${encodeURIComponent('\uFDFA')}&cursor=${firstLong.json.next}`, { headers: me.auth });
    expect(secondLong.status).toBe(200);
    expect(handles(secondLong)).toEqual(['long_fold2']);
    // A renamed account moves to its new place.
    await call(app, '/api/me', { method: 'PATCH', body: { displayName: 'Ägir' }, headers: me.auth });
    expect(handles(await call(app, '/api/accounts?limit=1', { headers: me.auth }))).toEqual(['viewer']);
  });

  it('finds accounts by a prefix of their handle, name or any word of it exactly as reading every account would, few matches or many', async () => {
    const app = makeTestApp();
    const me = await signUp(app, { handle: 'viewer', displayName: 'Viewer' });
    const sqlite = app.deps.db.$client;
    // Written as the seeder writes them, straight into the table: the word index must follow any writer.
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 0) % n;
    const first = ['Ann', 'Anna', 'Annette', 'Émile', 'Øyvind', 'Mia', 'Mary Ann', 'Zoë', 'Łukasz', 'Li', 'José', 'O\'Brien', 'Ana_Maria', '50%', 'Back\\slash'];
    const last = ['Smith', 'Smithson', 'Smythe', 'Nguyen', 'Ng', 'van der Berg', 'Åberg', 'Müller', 'Mueller', '\uFB01nch', '𝒜rcher', 'Sm'];
    const depts = ['Research', 'Sales', 'Ops'];
    const insert = sqlite.prepare(
      'INSERT INTO accounts (handle, display_name, name_key, department, department_key, password_hash, created_at, followers_count) VALUES (?, ?, ?, ?, ?, ?, 0, ?)',
    );
    sqlite.transaction(() => {
      for (let i = 0; i < 1_200; i++) {
        const name = rand(20) === 0 ? `${first[rand(first.length)]}` : `${first[rand(first.length)]} ${last[rand(last.length)]}`;
        const dept = depts[rand(depts.length)];
        insert.run(`user${i}`, name, foldKey(name), dept, foldKey(dept), 'x', rand(50));
      }
    })();
    // And through the service: sign-ups and a rename.
    const renamed = await signUp(app, { handle: 'renamed', displayName: 'Quentin Smith' });
    await call(app, '/api/me', { method: 'PATCH', body: { displayName: 'Ann Quill' }, headers: renamed.auth });
    const everyone = sqlite.prepare('SELECT handle, name_key AS nameKey, department_key AS dept, followers_count AS followers FROM accounts').all() as { handle: string; nameKey: string; dept: string; followers: number }[];
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    const byName = (a: (typeof everyone)[number], b: (typeof everyone)[number]) => Buffer.compare(utf8(a.nameKey), utf8(b.nameKey)) || Buffer.compare(utf8(a.handle), utf8(b.handle));
    const matching = (q: string) => {
      const key = foldKey(q.trim());
      return everyone.filter((a) => !key || a.handle.startsWith(key) || a.nameKey.startsWith(key) || a.nameKey.includes(` ${key}`));
    };
    const wordRows = (q: string) => sqlite.prepare('SELECT count(*) FROM account_words WHERE word >= ? AND word < ?').pluck().get(foldKey(q), `${foldKey(q)}\u{10FFFF}`) as number;
    const queries = ['a', 'an', 'ann', 'ANN SM', 'mary ann', 'smi', 'smith', 'sm', 'ng', 'nguyen', 'van der', 'der b', 'emile', 'É', 'oyv', 'zoe', 'aberg', 'mu', 'fin', '𝒜', 'o\'b', 'ana_', 'ana%', '50%', 'back\\', 'user1', 'user11', 'u', 'quill', 'quentin', 'nobody', ' ann '];
    // Both ways of finding them are taken: through the word index (few rows) and walking every account (many).
    expect(wordRows('u')).toBeGreaterThanOrEqual(1_000);
    expect(wordRows('smi')).toBeLessThan(1_000);
    for (const q of queries) {
      for (const department of [undefined, 'research']) {
        const expected = matching(q).filter((a) => !department || a.dept === department).sort(byName).map((a) => a.handle);
        const seen: string[] = [];
        const query = `q=${encodeURIComponent(q)}${department ? `&department=${department}` : ''}`;
        for (let url = `/api/accounts?limit=100&${query}`; ; ) {
          const r = await call(app, url, { headers: me.auth });
          expect(r.status, url).toBe(200);
          seen.push(...r.json.items.map((x: { handle: string }) => x.handle));
          if (!r.json.next) break;
          url = `/api/accounts?limit=100&${query}&cursor=${r.json.next}`;
        }
        expect(seen, `${q} ${department ?? ''}`).toEqual(expected);
      }
      // Search's people: the five most followed matches.
      const term = q.trim().replace(/^@/, '');
      if ([...term].length < 2) continue;
      const top = matching(term).sort((a, b) => b.followers - a.followers || Buffer.compare(utf8(a.handle), utf8(b.handle))).slice(0, 5).map((a) => a.handle);
      const found = await call(app, `/api/search?q=${encodeURIComponent(q)}`, { headers: me.auth });
      expect(found.json.accounts.map((x: { handle: string }) => x.handle), q).toEqual(top);
    }
  });

  it('keeps the word index in step with renames, handle changes and deleted accounts', async () => {
    const app = makeTestApp();
    const me = await signUp(app, { handle: 'viewer', displayName: 'Viewer' });
    const ann = await signUp(app, { handle: 'annsmith', displayName: 'Ann Smith' });
    const found = async (q: string) => (await call(app, `/api/accounts?q=${encodeURIComponent(q)}`, { headers: me.auth })).json.items.map((x: { handle: string }) => x.handle);
    const sqlite = app.deps.db.$client;
    const words = (handle: string) => sqlite.prepare('SELECT word FROM account_words WHERE account_id = (SELECT id FROM accounts WHERE handle = ?) ORDER BY word').pluck().all(handle);
    expect(words('annsmith')).toEqual(['ann smith', 'annsmith', 'smith']);
    expect(await found('smith')).toEqual(['annsmith']);
    // A prefix few rows start with reads them from the index, and only their accounts.
    const { from, params } = accountsMatching(app.deps, 'smith');
    const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN SELECT a.id FROM ${from} ORDER BY a.name_key, a.handle LIMIT 20`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH account_words USING PRIMARY KEY \(word>\? AND word<\?\)/);
    expect(plan).toMatch(/SEARCH a USING INTEGER PRIMARY KEY/);
    expect(plan).not.toMatch(/SCAN a\b/);
    await call(app, '/api/me', { method: 'PATCH', body: { displayName: 'Bea  Jones-Okafor' }, headers: ann.auth });
    expect(await found('smith')).toEqual([]);
    expect(await found('jones')).toEqual(['annsmith']);
    expect(words('annsmith')).toEqual([' jones-okafor', 'annsmith', 'bea  jones-okafor', 'jones-okafor']);
    sqlite.prepare("UPDATE accounts SET handle = 'beajones' WHERE handle = 'annsmith'").run();
    expect(await found('annsm')).toEqual([]);
    expect(await found('beaj')).toEqual(['beajones']);
    const id = sqlite.prepare("SELECT id FROM accounts WHERE handle = 'beajones'").pluck().get();
    sqlite.prepare('DELETE FROM accounts WHERE id = ?').run(id);
    expect(sqlite.prepare('SELECT count(*) FROM account_words WHERE account_id = ?').pluck().get(id)).toBe(0);
    expect(await found('bea')).toEqual([]);
  });

  it('fills the name keys of accounts written before they existed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bluetwit-fold-'));
    const path = join(dir, 'old.db');
    const db = openDb(path);
    db.$client.prepare("INSERT INTO accounts (handle, display_name, department, password_hash, created_at) VALUES ('emile', 'Émile Zola', 'Ré', 'x', 0)").run();
    // As the database was before the migration (and those after it): keys empty, none of them applied.
    const journal = JSON.parse(readFileSync('src/db/migrations/meta/_journal.json', 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((e) => e.tag === '0003_fold_keys')!.when;
    db.$client.prepare("UPDATE accounts SET name_key = '', department_key = ''").run();
    db.$client.prepare('DELETE FROM __drizzle_migrations WHERE created_at >= ?').run(since);
    db.$client.exec(`DROP TABLE account_words; DROP TRIGGER account_words_ai; DROP TRIGGER account_words_au; DROP TRIGGER account_words_ad; DROP INDEX accounts_followers_idx;
      DROP INDEX notifications_follow_idx; DROP INDEX follows_followee_recent_idx; DROP INDEX follows_follower_recent_idx; DROP INDEX accounts_name_idx; DROP INDEX accounts_department_name_idx;
      DROP TABLE search_content; DROP TABLE search_deletions; DROP TRIGGER posts_search_ad;
      ALTER TABLE accounts DROP COLUMN name_key; ALTER TABLE accounts DROP COLUMN department_key;
      CREATE INDEX accounts_directory_idx ON accounts (display_name COLLATE NOCASE, handle);
      CREATE INDEX accounts_department_idx ON accounts (department COLLATE NOCASE, display_name COLLATE NOCASE, handle);`);
    closeDb(db);
    const reopened = openDb(path);
    expect(reopened.$client.prepare('SELECT name_key, department_key FROM accounts').get()).toEqual({ name_key: 'emile zola', department_key: 're' });
    // And the word index of accounts written before it existed.
    expect(reopened.$client.prepare('SELECT word FROM account_words ORDER BY word').pluck().all()).toEqual(['emile', 'emile zola', 'zola']);
    closeDb(reopened);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('mute, block and reports', () => {
  it('lets an account mute and block at most MAX_HIDDEN accounts, and repeating one is still fine', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    const [a, b] = [await signUp(app), await signUp(app)];
    const sqlite = app.deps.db.$client;
    const myId = sqlite.prepare('SELECT id FROM accounts WHERE handle = ?').pluck().get(me.handle) as number;
    // Everyone but two already hidden, written directly (signing up a thousand accounts over HTTP takes long).
    const insert = sqlite.prepare("INSERT INTO accounts (handle, display_name, password_hash, created_at) VALUES (?, ?, 'x', 0)");
    const hideRow = sqlite.prepare("INSERT INTO hides (account_id, target_id, kind, created_at) VALUES (?, ?, 'mute', 0)");
    sqlite.transaction(() => {
      for (let i = 0; i < MAX_HIDDEN - 1; i++) hideRow.run(myId, insert.run(`filler${i}`, `Filler ${i}`).lastInsertRowid);
    })();
    expect((await call(app, `/api/accounts/${a.handle}/mute`, { method: 'PUT', headers: me.auth })).status).toBe(204);
    const refused = await call(app, `/api/accounts/${b.handle}/block`, { method: 'PUT', headers: me.auth });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('too_many_hidden');
    // Idempotent as before for what is already hidden; room again after an unmute.
    expect((await call(app, `/api/accounts/${a.handle}/mute`, { method: 'PUT', headers: me.auth })).status).toBe(204);
    expect((await call(app, `/api/accounts/${a.handle}/mute`, { method: 'DELETE', headers: me.auth })).status).toBe(204);
    expect((await call(app, `/api/accounts/${b.handle}/block`, { method: 'PUT', headers: me.auth })).status).toBe(204);
  });

  it('mute hides an author from home, public, tag, search and notifications, and unmute restores', async () => {
    const app = makeTestApp();
    const [me, loud] = [await signUp(app), await signUp(app, { handle: 'loud' })];
    await followUser(app, me, loud);
    const meHandle = me.handle;
    const p = await post(app, loud, `#news shouting at @${meHandle}`);
    expect((await call(app, '/api/accounts/loud/mute', { method: 'PUT', headers: me.auth })).status).toBe(204);
    await call(app, '/api/accounts/loud/mute', { method: 'PUT', headers: me.auth });
    for (const path of ['/api/timelines/home', '/api/timelines/public', '/api/timelines/tag/news', '/api/search?q=shouting']) {
      expect(ids(await call(app, path, { headers: me.auth })), path).toEqual([]);
    }
    expect((await notes(app, me)).items).toEqual([]);
    expect((await call(app, '/api/accounts/loud', { headers: me.auth })).json.account).toMatchObject({ muted: true, following: true });
    await call(app, '/api/accounts/loud/mute', { method: 'DELETE', headers: me.auth });
    expect(ids(await call(app, '/api/timelines/home', { headers: me.auth }))).toEqual([p.id]);
  });

  it('block removes follows both ways and stops following, replying, liking or notifying either way', async () => {
    const app = makeTestApp();
    const [me, troll] = [await signUp(app, { handle: 'blocker' }), await signUp(app, { handle: 'troll' })];
    await followUser(app, me, troll);
    await followUser(app, troll, me);
    const mine = await post(app, me, 'my thoughts');
    await call(app, '/api/accounts/troll/block', { method: 'PUT', headers: me.auth });
    expect((await call(app, '/api/accounts/blocker', { headers: me.auth })).json.account).toMatchObject({ followersCount: 0, followingCount: 0 });
    // Nor does the blocker follow them again while the block stands.
    const mineAgain = await call(app, '/api/accounts/troll/follow', { method: 'PUT', headers: me.auth });
    expect(mineAgain.status).toBe(403);
    expect(mineAgain.json.error.code).toBe('blocking');
    expect((await call(app, '/api/accounts/troll', { headers: me.auth })).json.account.followersCount).toBe(0);
    const refollow = await call(app, '/api/accounts/blocker/follow', { method: 'PUT', headers: troll.auth });
    expect(refollow.status).toBe(403);
    const reply = await call(app, '/api/posts', { body: { text: 'reply', replyTo: mine.id }, headers: troll.auth });
    expect(reply.status).toBe(403);
    const mention = await call(app, '/api/posts', { body: { text: 'hey @blocker' }, headers: troll.auth });
    expect([mention.status, mention.json.error]).toEqual([403, { code: 'blocked', message: 'You cannot mention @blocker.' }]);
    const like = await call(app, `/api/posts/${mine.id}/like`, { method: 'PUT', headers: troll.auth });
    expect([like.status, like.json.error.code]).toEqual([403, 'blocked']);
    expect((await call(app, `/api/posts/${mine.id}`, { headers: me.auth })).json.post.likeCount).toBe(0);
    expect((await notes(app, me)).items).toEqual([]);
    // The block holds both ways: the blocker neither replies to, likes nor mentions the blocked account.
    const theirs = await post(app, troll, 'their thoughts');
    for (const [method, path, body] of [['POST', '/api/posts', { text: 'answer', replyTo: theirs.id }], ['PUT', `/api/posts/${theirs.id}/like`, undefined], ['POST', '/api/posts', { text: 'talking about @troll' }]] as const) {
      const r = await call(app, path, { method, body, headers: me.auth });
      expect([r.status, r.json.error.code], path).toEqual([403, 'blocking']);
    }
    expect((await call(app, '/api/posts', { body: { text: 'talking about @troll' }, headers: me.auth })).json.error.message).toBe('You have blocked @troll; unblock it first.');
    expect((await notes(app, troll)).items).toEqual([]);
    expect((await call(app, '/api/accounts/blocker/posts', { headers: me.auth })).json.items.map((p: { text: string }) => p.text)).toEqual(['my thoughts']);
    expect((await call(app, '/api/accounts/blocker/block', { method: 'PUT', headers: me.auth })).status).toBe(400);
    await call(app, '/api/accounts/troll/block', { method: 'DELETE', headers: me.auth });
    expect((await call(app, '/api/accounts/blocker/follow', { method: 'PUT', headers: troll.auth })).status).toBe(204);
    expect((await call(app, '/api/posts', { body: { text: 'hey @blocker, truce' }, headers: troll.auth })).status).toBe(201);
    expect((await notes(app, me)).items.map((n: { type: string }) => n.type)).toEqual(['mention', 'follow']);
  });

  it('takes reports with a reason; only admins list them and admins may delete any post', async () => {
    const app = makeTestApp();
    const [author, reporter, admin] = [await signUp(app), await signUp(app), await signUp(app)];
    app.deps.db.$client.prepare("UPDATE accounts SET role = 'admin' WHERE handle = ?").run(admin.handle);
    const p = await post(app, author, 'questionable');
    expect((await call(app, `/api/posts/${p.id}/report`, { body: { reason: '  ' }, headers: reporter.auth })).status).toBe(400);
    const rep = await call(app, `/api/posts/${p.id}/report`, { body: { reason: 'Shares a customer name' }, headers: reporter.auth });
    expect(rep.status).toBe(201);
    // Reporting again keeps one open report, with the newer reason.
    const again = await call(app, `/api/posts/${p.id}/report`, { body: { reason: 'Shares a customer name and their order' }, headers: reporter.auth });
    expect(again.json.id).toBe(rep.json.id);
    const open = (await call(app, '/api/reports', { headers: admin.auth })).json.items;
    expect(open.map((r: { reason: string }) => r.reason)).toEqual(['Shares a customer name and their order']);
    await call(app, `/api/posts/${p.id}/report`, { body: { reason: 'Shares a customer name' }, headers: reporter.auth });
    expect((await call(app, '/api/reports', { headers: reporter.auth })).status).toBe(403);
    const list = await call(app, '/api/reports', { headers: admin.auth });
    expect(list.json.items[0]).toMatchObject({ postId: p.id, reason: 'Shares a customer name', reporter: reporter.handle, post: { id: p.id } });
    expect((await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: admin.auth })).status).toBe(204);
    expect((await call(app, `/api/posts/${p.id}`, { headers: admin.auth })).status).toBe(404);
    expect((await call(app, '/api/reports', { headers: admin.auth })).json.items).toEqual([]);
  });
});

describe('idempotent posting', () => {
  it('returns the first response for a retried Idempotency-Key and 422 for a different body', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const send = (text: string, key = 'retry-key-1') => call(app, '/api/posts', { body: { text }, headers: { ...u.auth, 'idempotency-key': key } });
    const first = await send('exactly once');
    const second = await send('exactly once');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.post.id).toBe(first.json.post.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(app, `/api/accounts/${u.handle}`, { headers: u.auth })).json.account.postsCount).toBe(1);
    const clash = await send('something else');
    expect(clash.status).toBe(422);
    expect(clash.json.error.code).toBe('idempotency_key_reused');
    const other = await signUp(app);
    const theirs = await call(app, '/api/posts', { body: { text: 'exactly once' }, headers: { ...other.auth, 'idempotency-key': 'retry-key-1' } });
    expect(theirs.json.post.id).not.toBe(first.json.post.id);
  });

  it('forgets keys after 24 hours', async () => {
    let now = Date.now();
    const app = makeTestApp({}, { clock: () => now });
    const u = await signUp(app);
    const send = () => call(app, '/api/posts', { body: { text: 'daily' }, headers: { ...u.auth, 'idempotency-key': 'k' } });
    const first = await send();
    now += 25 * 3600 * 1000;
    const later = await send();
    expect(later.json.post.id).not.toBe(first.json.post.id);
  });
});
