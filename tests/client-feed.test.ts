import { afterEach, describe, expect, it, vi } from 'vitest';
import { catchUp, MAX_PENDING, receive, setLiked, showPending, signOut } from '../client/src/actions';
import { createAppState, createFeed } from '../client/src/state';
import type { Post } from '../client/src/types';

type P = { id: string };
const ids = (ps: P[]) => ps.map((p) => p.id);

/** A feed over a server timeline that the test edits: newest first, one page of `size`. */
function feedOver(server: P[], size = 20) {
  const feed = createFeed<P>(async () => ({ items: server.slice(0, size), next: server.length > size ? 'more' : null }), (p) => p.id);
  return feed;
}

describe('the web client catching up after a reconnection', () => {
  it('keeps arrivals newest first, with the ones it missed in their place', async () => {
    const server = [{ id: 'x2' }, { id: 'x1' }];
    const feed = feedOver(server);
    feed.items.value = [...server];
    feed.loaded.value = true;
    // Two arrive live, the stream drops, two more are posted, then it reconnects.
    for (const id of ['p1', 'p2']) {
      server.unshift({ id });
      receive(feed, { id });
    }
    server.unshift({ id: 'p4' }, { id: 'p3' });
    await catchUp(feed);
    expect(ids(feed.pending.value)).toEqual(['p4', 'p3', 'p2', 'p1']);
    showPending(feed);
    expect(ids(feed.items.value)).toEqual(ids(server));
  });

  it('drops posts deleted while it was away, shown or waiting, and keeps what is older than the page', async () => {
    const server = Array.from({ length: 30 }, (_, i) => ({ id: `x${String(30 - i).padStart(2, '0')}` }));
    const feed = feedOver(server, 20);
    feed.items.value = server.slice(0, 25);
    feed.loaded.value = true;
    receive(feed, { id: 'y1' });
    server.unshift({ id: 'y1' });
    // Away: y1 (waiting) and x28 (shown) are deleted; x07 is beyond the first page, which cannot tell.
    server.splice(server.findIndex((p) => p.id === 'y1'), 1);
    server.splice(server.findIndex((p) => p.id === 'x28'), 1);
    await catchUp(feed);
    expect(ids(feed.pending.value)).toEqual([]);
    expect(ids(feed.items.value)).toEqual(ids(server.slice(0, 24)));
  });

  it('keeps what arrived while the page was on its way', async () => {
    const server = [{ id: 'a' }];
    let release!: () => void;
    const feed = createFeed<P>(
      () => new Promise((resolve) => (release = () => resolve({ items: [...server], next: null }))),
      (p) => p.id,
    );
    feed.items.value = [{ id: 'a' }];
    feed.loaded.value = true;
    const caught = catchUp(feed);
    receive(feed, { id: 'b' });
    release();
    await caught;
    expect(ids(feed.pending.value)).toEqual(['b']);
    expect(ids(feed.items.value)).toEqual(['a']);
  });

  it('takes back the posts made before one of the reader\'s own that went straight to the top', async () => {
    const server = [{ id: 'x3' }, { id: 'x2' }, { id: 'x1' }];
    const feed = feedOver(server);
    feed.items.value = [...server];
    feed.loaded.value = true;
    // Away from this timeline: colleagues post y1 and y2, then the reader posts p, which publish() put on top.
    server.unshift({ id: 'p' }, { id: 'y2' }, { id: 'y1' });
    feed.items.value = [{ id: 'p' }, ...feed.items.value];
    await catchUp(feed);
    expect(ids(feed.items.value)).toEqual(['p', 'y2', 'y1', 'x3', 'x2', 'x1']);
    expect(ids(feed.pending.value)).toEqual([]);
  });

  it('holds at most MAX_PENDING arrivals, and then starts over from the newest page when they are shown', async () => {
    const server = [{ id: 'old' }];
    const feed = feedOver(server);
    feed.items.value = [{ id: 'old' }];
    feed.loaded.value = true;
    for (let i = 0; i < MAX_PENDING + 50; i++) {
      server.unshift({ id: `n${i}` });
      receive(feed, { id: `n${i}` });
    }
    expect(feed.pending.value).toHaveLength(MAX_PENDING);
    expect(feed.pending.value[0].id).toBe(`n${MAX_PENDING + 49}`);
    expect(feed.overflowed.value).toBe(true);
    showPending(feed);
    await vi.waitFor(() => expect(feed.loaded.value).toBe(true));
    // The newest page, with no hole where the let-go arrivals were.
    expect(ids(feed.items.value)).toEqual(ids(server.slice(0, 20)));
    expect(feed.overflowed.value).toBe(false);
  });
});

describe('the web client while a page is on its way', () => {
  /** A feed whose next fetch waits for release(): the server's list as it is then. */
  function deferred(server: P[]) {
    let release!: () => void;
    const feed = createFeed<P>(() => new Promise((resolve) => (release = () => resolve({ items: server.slice(0, 20), next: null }))), (p) => p.id);
    return { feed, release: () => release() };
  }

  it('does not bring back a post deleted while catching up', async () => {
    const server = [{ id: 'c' }, { id: 'b' }, { id: 'a' }];
    const { feed, release } = deferred(server);
    feed.items.value = [...server];
    feed.loaded.value = true;
    const caught = catchUp(feed);
    // The page left the server before the deletes; their events reach the feed first.
    feed.items.value = feed.items.value.filter((p) => p.id !== 'b' && p.id !== 'c');
    release();
    await caught;
    expect(ids(feed.items.value)).toEqual(['a']);
    expect(ids(feed.pending.value)).toEqual([]);
  });

  it('shows an arrival once when starting over finds it on the new first page', async () => {
    const server: P[] = [{ id: 'old' }];
    const { feed, release } = deferred(server);
    feed.items.value = [{ id: 'old' }];
    feed.loaded.value = true;
    for (let i = 0; i <= MAX_PENDING; i++) receive(feed, { id: `n${i}` });
    showPending(feed);
    // While the first page is on its way, one more arrives; the page has it too.
    server.unshift({ id: 'late' });
    receive(feed, { id: 'late' });
    release();
    await vi.waitFor(() => expect(feed.loaded.value).toBe(true));
    expect(ids(feed.items.value).filter((i) => i === 'late')).toHaveLength(1);
    expect(ids(feed.pending.value)).not.toContain('late');
  });
});

describe('the web client\'s kept state', () => {
  afterEach(() => vi.unstubAllGlobals());
  const post = (id: string, liked = false, likeCount = 0) => ({ id, liked, likeCount }) as Post;

  it('shows a like in every kept timeline, so coming back to one does not undo it', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })));
    const state = createAppState();
    for (const key of ['home', 'public']) {
      const feed = createFeed<Post>(async () => ({ items: [], next: null }), (p) => p.id);
      feed.items.value = [post('a'), post('b', false, 2)];
      state.timelines.set(key, feed);
    }
    await setLiked(state, 'b', true);
    for (const key of ['home', 'public']) expect(state.timelines.get(key)!.items.value[1]).toMatchObject({ id: 'b', liked: true, likeCount: 3 });
    await setLiked(state, 'b', false);
    expect(state.timelines.get('home')!.items.value[1]).toMatchObject({ liked: false, likeCount: 2 });
  });

  it('stays signed in when signing out failed, and signs out when the session had already ended', async () => {
    const state = createAppState();
    state.me.value = { handle: 'ann' } as never;
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'internal_error', message: 'Something went wrong' } }), { status: 500 })));
    await expect(signOut(state)).rejects.toThrow();
    expect(state.me.value).toMatchObject({ handle: 'ann' });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Sign in' } }), { status: 401 })));
    await signOut(state);
    expect(state.me.value).toBeNull();
  });
});
