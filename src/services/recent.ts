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
 * deletePost, which report every commit here; a commit by another process starts it over.
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
   * posts from the database only for an author whose cached ones run out. The merge state lives in arrays
   * reused from call to call (merges never nest), so a merge over hundreds of accounts allocates only its
   * result: per-call cursor objects outlived young-generation collections often enough to slow them down.
   */
  merge(authors: ArrayLike<number>, upper: number, want: number): number[] {
    const m = this.scratch(authors.length);
    const { lists, pos, done, author, heap } = m;
    const head = (c: number) => lists[c][pos[c]];
    let size = 0;
    const push = (c: number) => {
      let k = size++;
      const v = head(c);
      while (k > 0) {
        const parent = (k - 1) >> 1;
        if (head(heap[parent]) >= v) break;
        heap[k] = heap[parent];
        k = parent;
      }
      heap[k] = c;
    };
    const pop = (): number => {
      const top = heap[0];
      const last = heap[--size];
      if (size > 0) {
        const v = head(last);
        let k = 0;
        for (;;) {
          const l = 2 * k + 1;
          if (l >= size) break;
          const r = l + 1;
          const child = r < size && head(heap[r]) > head(heap[l]) ? r : l;
          if (head(heap[child]) <= v) break;
          heap[k] = heap[child];
          k = child;
        }
        heap[k] = last;
      }
      return top;
    };
    // Moves a cursor to its next seq, reading older posts when its list runs out; false when the author has no more.
    const refill = (c: number, below: number): boolean => {
      if (pos[c] < lists[c].length) return true;
      if (done[c]) return false;
      lists[c] = this.older(author[c], below, want);
      pos[c] = 0;
      done[c] = lists[c].length < want ? 1 : 0;
      return lists[c].length > 0;
    };
    for (let c = 0; c < authors.length; c++) {
      const entry = this.get(authors[c]);
      let i = 0;
      while (i < entry.seqs.length && entry.seqs[i] >= upper) i++;
      lists[c] = entry.seqs;
      pos[c] = i;
      done[c] = entry.complete ? 1 : 0;
      author[c] = authors[c];
      if (refill(c, upper)) push(c);
    }
    const out: number[] = [];
    while (out.length < want && size > 0) {
      const c = pop();
      const seq = lists[c][pos[c]++];
      out.push(seq);
      if (refill(c, seq)) push(c);
    }
    lists.fill(EMPTY, 0, authors.length);
    return out;
  }

  private merging: { lists: number[][]; pos: Int32Array; done: Uint8Array; author: Int32Array; heap: Int32Array } | null = null;

  /** The merge's arrays, grown to hold `n` cursors. */
  private scratch(n: number) {
    if (!this.merging || this.merging.pos.length < n) {
      const size = Math.max(n, 2 * (this.merging?.pos.length ?? 64));
      this.merging = { lists: new Array<number[]>(size).fill(EMPTY), pos: new Int32Array(size), done: new Uint8Array(size), author: new Int32Array(size), heap: new Int32Array(size) };
    }
    return this.merging;
  }
}

const EMPTY: number[] = [];

const indexes = new WeakMap<Db, RecentPosts>();

/** The recent-posts index of this database connection. */
export function recentPosts(db: Db): RecentPosts {
  let index = indexes.get(db);
  if (!index) indexes.set(db, (index = new RecentPosts(db)));
  return index;
}
