import { AppError } from '../errors';
import type { Deps } from '../services/deps';
import { loadPosts } from '../services/posts';
import { belongsToHome, hides, homeTimeline, publicTimeline } from '../services/timelines';
import type { PostRow } from '../services/types';
import type { LiveEvent } from './hub';

/** `reset`: more posts were missed than a resumed stream replays; the client should reload the timeline. */
export type LiveItem = { type: 'post'; post: PostRow } | { type: 'delete'; id: string } | { type: 'reset' };

/** Most posts a resumed stream replays; a reader who missed more is told to reload instead (`reset`). */
export const MAX_REPLAY = 100;

/** A reader this far behind (a stalled connection) is dropped: `onDrop` closes its connection, since a write
 * waiting on a client that reads nothing never returns; the client reconnects and catches up by paging. */
const MAX_QUEUED = 1000;
export type Timeline = 'home' | 'public';
/** Streams one account (or, signed out, one address) may hold open at once: a few tabs and a terminal or two.
 * Each costs ~40 KB and work on every post, so without a bound one token could open thousands. */
export const MAX_STREAMS_PER_CLIENT = 10;

/**
 * A live view of one timeline for one reader: `next()` waits up to `ms` for new items and returns them,
 * `[]` on timeout (time for a heartbeat), or null once the server shuts down or `close()` was called.
 *
 * Resumed (`since`, the seq of the last post the reader got), it first replays the timeline's posts after that
 * one, oldest first, or a `reset` when there are more than MAX_REPLAY of them. Subscribing and reading the
 * timeline happen in one synchronous step, and a post announced after that which the replay already held (its
 * batch committed before its announcement) is not sent twice. Deletes made while the reader was away are not
 * replayed: their posts are simply absent from the replay.
 */
export function subscribeTimeline(
  deps: Deps,
  viewerId: number | null,
  timeline: Timeline,
  bots: boolean,
  opts: { client: string; onDrop?: () => void; since?: number },
) {
  const release = deps.events.admit(opts.client, MAX_STREAMS_PER_CLIENT);
  if (!release) throw new AppError(429, 'too_many_streams', `At most ${MAX_STREAMS_PER_CLIENT} live streams can be open at once; close one first.`);
  const onDrop = opts.onDrop ?? (() => {});
  const queue: LiveItem[] = [];
  /** Posts up to this seq came with the replay. */
  let replayed = 0;
  let closed = deps.events.closed;
  let wake: (() => void) | null = null;

  const accepts = (event: Extract<LiveEvent, { type: 'post' }>) => {
    if (!bots && event.authorBot) return false;
    if (viewerId === null) return true;
    return timeline === 'home' ? belongsToHome(deps, viewerId, event.authorId) : !hides(deps, viewerId, event.authorId);
  };

  const unsubscribe = deps.events.subscribe((event) => {
    if (event.type === 'shutdown') {
      closed = true;
    } else if (event.type === 'delete') {
      // A post deleted before it was sent is not sent at all (nor its delete).
      const queued = queue.findIndex((item) => item.type === 'post' && item.post.id === event.id);
      if (queued >= 0) queue.splice(queued, 1);
      else queue.push({ type: 'delete', id: event.id });
    } else if (event.seq > replayed && accepts(event)) {
      const [post] = loadPosts(deps, viewerId, [event.seq]);
      if (post) queue.push({ type: 'post', post });
    } else {
      return;
    }
    if (queue.length > MAX_QUEUED) {
      queue.length = 0;
      close();
      onDrop();
      return;
    }
    wake?.();
  }, () => {
    // Whatever failed (reading the post, say), this reader's stream ends and its client reconnects.
    queue.length = 0;
    close();
    onDrop();
  });

  if (opts.since !== undefined) {
    const since = opts.since;
    const read = { limit: MAX_REPLAY + 1, bots };
    const page = timeline === 'home' && viewerId !== null ? homeTimeline(deps, viewerId, read) : publicTimeline(deps, viewerId, read);
    const missed = page.items.filter((p) => p.seq > since);
    replayed = page.items[0]?.seq ?? 0;
    if (missed.length > MAX_REPLAY) queue.push({ type: 'reset' });
    else for (const post of missed.reverse()) queue.push({ type: 'post', post });
  }

  let done = false;
  const close = () => {
    if (done) return;
    done = closed = true;
    unsubscribe();
    release();
    wake?.();
  };

  async function next(ms: number): Promise<LiveItem[] | null> {
    if (!closed && queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
    if (closed) return null;
    return queue.splice(0);
  }

  return { next, close };
}
