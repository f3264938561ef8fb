import type { Db } from '../db/client';
import { prepared } from '../db/sql';
import { changes } from './changes';

/** How many of the newest posts the log can hold (4 bytes each). */
const CAPACITY = 1 << 20;
/** Posts read from the database at a time when a walk goes below what the log holds. */
const CHUNK = 4096;

const inBitmap = (bits: Uint32Array, n: number): boolean => n >>> 5 < bits.length && (bits[n >>> 5] & (1 << (n & 31))) !== 0;

/**
 * Who wrote each of the newest posts, by seq, in memory: a dense reader's home timeline walks it newest first,
 * testing follow membership in a bitmap, instead of asking SQLite about each post. The log fills lazily downwards
 * from the newest post as walks need older posts, is kept exact by createPost and deletePost, and starts over when
 * another process writes to the database.
 *
 * Authors are numbered in slots, in the order the log first meets them, newest posts first: the accounts that post
 * most hold the first slots. A reader's bitmap is by slot, so the bits a walk tests (mostly those of frequent
 * authors) sit in a few cache lines whatever the number of accounts: by account id, a walk at 100,000 accounts
 * touched bits all over a 12 KB bitmap and, between one reader's pages and the next, most of those reads missed
 * the CPU's caches (a heavy reader's walk took 10-13 µs instead of 3-4).
 */
export class PostLog {
  /** `(slot + 1) * 2 + bot` for each post; 0 for a deleted post or a seq that never held one. */
  private readonly ring = new Int32Array(CAPACITY);
  /** Seqs in [lo, hi) are known. */
  private lo = 0;
  private hi = 0;
  private started = false;
  /** Each account's slot + 1 (0: none yet), by account id. Slots are never reassigned, so bitmaps stay valid. */
  private slotOf = new Int32Array(1024);
  private slots = 0;

  constructor(private readonly db: Db) {
    changes(db).onExternalWrite(() => {
      this.started = false;
    });
  }

  private slot(accountId: number): number {
    if (accountId >= this.slotOf.length) {
      const grown = new Int32Array(Math.max(accountId + 1, this.slotOf.length * 2));
      grown.set(this.slotOf);
      this.slotOf = grown;
    }
    return (this.slotOf[accountId] ||= ++this.slots) - 1;
  }

  private entry(authorId: number, bot: boolean | number): number {
    return (this.slot(authorId) + 1) * 2 + (bot ? 1 : 0);
  }

  private start(): void {
    const newest = prepared(this.db, 'SELECT coalesce(max(seq), 0) FROM posts').pluck().get() as number;
    this.lo = this.hi = newest + 1;
    this.started = true;
    // The newest posts' authors first, so that the most active accounts hold the first slots.
    this.extend(this.hi - CHUNK);
  }

  /** The oldest seq a walk can reach in memory. */
  private get floor(): number {
    return Math.max(1, this.hi - CAPACITY);
  }

  /** Loads posts down to `lower` (bounded by the capacity); returns the lowest known seq. */
  private extend(lower: number): number {
    const target = Math.max(lower, this.floor);
    if (target >= this.lo) return this.lo;
    const rows = prepared(this.db, 'SELECT seq, author_id, author_bot FROM posts WHERE seq >= ? AND seq < ?', { raw: true })
      .all(target, this.lo) as [number, number, number][];
    for (let s = target; s < this.lo; s++) this.ring[s % CAPACITY] = 0;
    // Newest first, so slots follow recency.
    for (let i = rows.length - 1; i >= 0; i--) this.ring[rows[i][0] % CAPACITY] = this.entry(rows[i][1], rows[i][2]);
    this.lo = target;
    return this.lo;
  }

  /**
   * A bitmap of these accounts by slot, for `walk` and `has`. Every account in it gets a slot now if it had
   * none, so an account that first posts later is in the bitmap already, and one that was given a slot later
   * is not in the list the bitmap was made from.
   */
  bitmap(accountIds: ArrayLike<number>): Uint32Array {
    if (!this.started) this.start();
    // Sized for every slot there could be once these have theirs: one pass.
    const bits = new Uint32Array(((this.slots + accountIds.length) >>> 5) + 1);
    for (let i = 0; i < accountIds.length; i++) {
      const slot = this.slot(accountIds[i]);
      bits[slot >>> 5] |= 1 << (slot & 31);
    }
    return bits;
  }

  /** Whether an account is in a bitmap made by `bitmap`. */
  has(bits: Uint32Array, accountId: number): boolean {
    const slot = accountId < this.slotOf.length ? this.slotOf[accountId] - 1 : -1;
    return slot >= 0 && inBitmap(bits, slot);
  }

  /** Records a committed post. */
  added(seq: number, authorId: number, bot: boolean): void {
    if (!this.started) return;
    if (seq < this.hi) {
      if (seq >= this.lo) this.ring[seq % CAPACITY] = this.entry(authorId, bot);
      return;
    }
    for (let s = this.hi; s < seq; s++) this.ring[s % CAPACITY] = 0;
    this.ring[seq % CAPACITY] = this.entry(authorId, bot);
    this.hi = seq + 1;
    if (this.lo < this.floor) this.lo = this.floor;
  }

  /** Records a committed delete. */
  removed(seq: number): void {
    if (this.started && seq >= this.lo && seq < this.hi) this.ring[seq % CAPACITY] = 0;
  }

  /**
   * The newest `want` seqs below `upper` written by the accounts in `authors` (made by `bitmap`), newest first,
   * skipping bots unless `bots`.
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
        if (v !== 0 && (bots || (v & 1) === 0) && inBitmap(authors, (v >>> 1) - 1)) out.push(seq);
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
