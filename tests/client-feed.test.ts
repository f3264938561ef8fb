import { describe, expect, it } from 'vitest';
import { catchUp, receive, showPending } from '../client/src/actions';
import { createFeed } from '../client/src/state';

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
});
