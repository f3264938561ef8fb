import type { Db } from '../db/client';
import { prepared } from '../db/sql';
import { changes } from './changes';

/** How many of the newest posts the log can hold (4 bytes each). */
const CAPACITY = 1 << 20;
/** Posts read from the database at a time when a walk goes below what the log holds. */
const CHUNK = 4096;

/** A bitmap of account ids: a few KB even for 100,000 accounts, and built and tested faster than a Set. */
export function bitmapOf(ids: ArrayLike<number>): Uint32Array {
  let max = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] > max) max = ids[i];
  const bits = new Uint32Array((max >>> 5) + 1);
  for (let i = 0; i < ids.length; i++) bits[ids[i] >>> 5] |= 1 << (ids[i] & 31);
  return bits;
}

/** Whether `id` is in a bitmap made by `bitmapOf`. */
export const inBitmap = (bits: Uint32Array, id: number): boolean => id >>> 5 < bits.length && (bits[id >>> 5] & (1 << (id & 31))) !== 0;

/**
 * Who wrote each of the newest posts, by seq, in memory (a ring of `authorId * 2 + bot`; 0 for a deleted post):
 * a dense reader's home timeline walks it newest first, testing follow membership in a bitmap, instead of asking
 * SQLite about each post. The log fills lazily downwards from the newest post as walks need older posts, is
 * kept exact by createPost and deletePost, and starts over when another process writes to the database.
 */
export class PostLog {
  private readonly ring = new Int32Array(CAPACITY);
  /** Seqs in [lo, hi) are known. */
  private lo = 0;
  private hi = 0;
  private started = false;

  constructor(private readonly db: Db) {
    changes(db).onExternalWrite(() => {
      this.started = false;
    });
  }

  private start(): void {
    const newest = prepared(this.db, 'SELECT coalesce(max(seq), 0) FROM posts').pluck().get() as number;
    this.lo = this.hi = newest + 1;
    this.started = true;
  }

  /** The oldest seq a walk can reach in memory. */
  private get floor(): number {
    return Math.max(1, this.hi - CAPACITY);
  }

  /** Loads posts down to `lower` (bounded by the capacity); returns the lowest known seq. */
  private extend(lower: number): number {
    const target = Math.max(lower, this.floor);
    if (target >= this.lo) return this.lo;
    const rows = prepared(this.db, 'SELECT seq, author_id * 2 + author_bot FROM posts WHERE seq >= ? AND seq < ?', { raw: true })
      .all(target, this.lo) as [number, number][];
    for (let s = target; s < this.lo; s++) this.ring[s % CAPACITY] = 0;
    for (const [seq, v] of rows) this.ring[seq % CAPACITY] = v;
    this.lo = target;
    return this.lo;
  }

  /** Records a committed post. */
  added(seq: number, authorId: number, bot: boolean): void {
    if (!this.started) return;
    if (seq < this.hi) {
      if (seq >= this.lo) this.ring[seq % CAPACITY] = authorId * 2 + (bot ? 1 : 0);
      return;
    }
    for (let s = this.hi; s < seq; s++) this.ring[s % CAPACITY] = 0;
    this.ring[seq % CAPACITY] = authorId * 2 + (bot ? 1 : 0);
    this.hi = seq + 1;
    if (this.lo < this.floor) this.lo = this.floor;
  }

  /** Records a committed delete. */
  removed(seq: number): void {
    if (this.started && seq >= this.lo && seq < this.hi) this.ring[seq % CAPACITY] = 0;
  }

  /**
   * The newest `want` seqs below `upper` written by `authors` (a bitmap by account id), newest first, skipping
   * bots unless `bots`.
   * `done` is false when the log ran out before the page was full: the caller continues below `reached`.
   */
  walk(authors: Uint32Array, upper: number, want: number, bots: boolean): { seqs: number[]; reached: number; done: boolean } {
    if (!this.started) this.start();
    const out: number[] = [];
    let seq = Math.min(upper, this.hi) - 1;
    const ring = this.ring;
    while (out.length < want && seq >= 1) {
      if (seq < this.lo && this.extend(Math.max(1, seq + 1 - CHUNK)) > seq) return { seqs: out, reached: seq + 1, done: false };
      const stop = Math.max(this.lo, 1);
      for (; seq >= stop && out.length < want; seq--) {
        const v = ring[seq % CAPACITY];
        if (v !== 0 && (bots || (v & 1) === 0) && inBitmap(authors, v >>> 1)) out.push(seq);
      }
    }
    return { seqs: out, reached: seq + 1, done: true };
  }
}

const logs = new WeakMap<Db, PostLog>();

/** The post log of this database connection. */
export function postLog(db: Db): PostLog {
  let log = logs.get(db);
  if (!log) logs.set(db, (log = new PostLog(db)));
  return log;
}
