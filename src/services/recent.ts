import type { Db } from '../db/client';
import { prepared } from '../db/sql';
import { changes } from './changes';

/** How many of an author's newest post seqs are kept; deeper reads go to the database. */
const KEEP = 64;

type Entry = {
  /** Newest first. */
  seqs: number[];
  /** True when `seqs` holds every post the author has (no older ones in the database). */
  complete: boolean;
};

/**
 * Each author's newest post numbers, in memory: the home timeline merges these instead of seeking the posts
 * index once per followed account. Entries load lazily from the database and are kept exact by createPost and
 * deletePost, which report every commit here; the process serving the API is the only writer of posts.
 */
export class RecentPosts {
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly db: Db) {
    // Another process wrote posts: start over from the database.
    changes(db).onExternalWrite(() => this.entries.clear());
  }

  /** The author's newest seqs (newest first) and whether that is all of them. */
  get(authorId: number): Entry {
    let entry = this.entries.get(authorId);
    if (!entry) {
      const seqs = prepared(this.db, 'SELECT seq FROM posts WHERE author_id = ? ORDER BY seq DESC LIMIT ?').pluck().all(authorId, KEEP + 1) as number[];
      entry = { seqs: seqs.slice(0, KEEP), complete: seqs.length <= KEEP };
      this.entries.set(authorId, entry);
    }
    return entry;
  }

  /** Seqs of the author's posts strictly below `below`, newest first, at most `limit`, from the database. */
  older(authorId: number, below: number, limit: number): number[] {
    return prepared(this.db, 'SELECT seq FROM posts WHERE author_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?').pluck().all(authorId, below, limit) as number[];
  }

  /** Records a committed post. */
  added(authorId: number, seq: number): void {
    const entry = this.entries.get(authorId);
    if (!entry) return;
    entry.seqs.unshift(seq);
    if (entry.seqs.length > KEEP) {
      entry.seqs.length = KEEP;
      entry.complete = false;
    }
  }

  /** Records a committed delete. */
  removed(authorId: number, seq: number): void {
    const entry = this.entries.get(authorId);
    if (!entry) return;
    const i = entry.seqs.indexOf(seq);
    if (i >= 0) entry.seqs.splice(i, 1);
  }

  /**
   * The newest `want` seqs below `upper` across `authors`: a k-way merge over the cached lists, reading older
   * posts from the database only for an author whose cached ones run out.
   */
  merge(authors: ArrayLike<number>, upper: number, want: number): number[] {
    type Cursor = { author: number; list: number[]; i: number; done: boolean };
    const heap: Cursor[] = [];
    const push = (c: Cursor) => {
      heap.push(c);
      for (let k = heap.length - 1; k > 0; ) {
        const parent = (k - 1) >> 1;
        if (heap[parent].list[heap[parent].i] >= c.list[c.i]) break;
        [heap[parent], heap[k]] = [heap[k], heap[parent]];
        k = parent;
      }
    };
    const pop = (): Cursor => {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let k = 0; ; ) {
          const l = 2 * k + 1;
          const r = l + 1;
          let m = k;
          if (l < heap.length && heap[l].list[heap[l].i] > heap[m].list[heap[m].i]) m = l;
          if (r < heap.length && heap[r].list[heap[r].i] > heap[m].list[heap[m].i]) m = r;
          if (m === k) break;
          [heap[m], heap[k]] = [heap[k], heap[m]];
          k = m;
        }
      }
      return top;
    };
    // Moves a cursor to its next seq, reading older posts when its list runs out; false when the author has no more.
    const refill = (c: Cursor, below: number): boolean => {
      if (c.i < c.list.length) return true;
      if (c.done) return false;
      c.list = this.older(c.author, below, want);
      c.i = 0;
      c.done = c.list.length < want;
      return c.list.length > 0;
    };
    for (let a = 0; a < authors.length; a++) {
      const author = authors[a];
      const entry = this.get(author);
      let i = 0;
      while (i < entry.seqs.length && entry.seqs[i] >= upper) i++;
      const c: Cursor = { author, list: entry.seqs, i, done: entry.complete };
      if (refill(c, upper)) push(c);
    }
    const out: number[] = [];
    while (out.length < want && heap.length > 0) {
      const c = pop();
      const seq = c.list[c.i++];
      out.push(seq);
      if (refill(c, seq)) push(c);
    }
    return out;
  }
}

const indexes = new WeakMap<Db, RecentPosts>();

/** The recent-posts index of this database connection. */
export function recentPosts(db: Db): RecentPosts {
  let index = indexes.get(db);
  if (!index) indexes.set(db, (index = new RecentPosts(db)));
  return index;
}
