import type Database from 'better-sqlite3';
import type { Db } from '../db/client';
import { socketRequestPhase } from './poll-phase';

/** Past this many per-post or per-reader versions, everything is invalidated at once and the maps start over. */
const MAX_VERSIONS = 200_000;

/**
 * Tells read caches exactly what changed since they cached something, so they can keep it.
 *
 * Safe by default: every row any statement changes counts (SQLite's `total_changes()`), and so does any commit by
 * another connection (`PRAGMA data_version`); either one moves the `epoch`, which invalidates everything. The
 * routine writes run inside `tracked()` and report precisely what they touched instead: a new post (by author),
 * a post whose counts or likes changed or that was deleted, a reader whose follows changed, a credential
 * deleted. A write path nobody annotated costs cache hits, never correctness.
 */
export class Changes {
  private epochValue = 0;
  private credentialsValue = 0;
  private accounted = 0;
  private untracked = 0;
  private dataVersion: number;
  private depth = 0;
  private readonly total: Database.Statement;
  private readonly version: Database.Statement;
  private readonly readers = new Map<number, number>();
  private readonly posts = new Map<number, number>();
  /** Author id → newest seq this process published for them (0: none since it started). */
  private lastPost = new Float64Array(1024);
  /** Newest seq this process published. */
  private newest = 0;
  private readonly resetListeners: (() => void)[] = [];

  constructor(private readonly sqlite: Database.Database) {
    this.total = sqlite.prepare('SELECT total_changes()').pluck();
    this.version = sqlite.prepare('PRAGMA data_version').pluck();
    this.untracked = this.total.get() as number;
    this.dataVersion = this.version.get() as number;
  }

  /**
   * The current epoch; moves when anything changed that was not reported precisely.
   *
   * This connection's own changes are counted on every call (`total_changes()` is nearly free). Another
   * connection's commits are looked for (`PRAGMA data_version`, which opens a read transaction) on the first
   * call after `newRequest()` or the first `socketRequest()` of a poll phase, and at least once per turn of
   * the event loop, so every request is answered as of a moment after it arrived.
   */
  epoch(): number {
    const untracked = (this.total.get() as number) - this.accounted;
    if (!this.looked) {
      this.looked = true;
      if (!this.forgetting) {
        this.forgetting = true;
        setImmediate(this.forget);
      }
      this.checkDataVersion();
    }
    if (untracked !== this.untracked) {
      this.untracked = untracked;
      this.bump();
    }
    return this.epochValue;
  }

  /** A request arrived: the next epoch() looks for other connections' commits again. */
  newRequest(): void {
    this.looked = false;
  }

  /**
   * A request read from a socket. Those read in one poll phase of the event loop all arrived before it began,
   * so the first of them makes the next epoch() look again and the others share that look; a look taken in
   * any other phase (by a timer's or a setImmediate's work) may predate them and does not count.
   */
  socketRequest(): void {
    const phase = socketRequestPhase();
    if (phase === this.phase) return;
    this.phase = phase;
    this.looked = false;
  }

  /** The poll phase whose socket requests last made epoch() look again. */
  private phase = 0;

  private looked = false;
  private forgetting = false;
  private readonly forget = () => {
    this.looked = false;
    this.forgetting = false;
  };

  private checkDataVersion(): void {
    const dataVersion = this.version.get() as number;
    if (dataVersion !== this.dataVersion) {
      // Another process wrote: in-memory indexes built from the database may be stale too.
      this.dataVersion = dataVersion;
      for (const listener of this.resetListeners) listener();
      this.bump();
    }
  }

  /** Calls `listener` whenever another connection commits (in-memory copies of the database must reload). */
  onExternalWrite(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  /**
   * Runs a write whose effect on cached reads `fn` reports itself (postAdded, postChanged, readerChanged); its
   * row changes then do not move the epoch. Nested calls count once.
   */
  tracked<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    // Settle anything untracked first, so it cannot be mistaken for part of this write.
    this.epoch();
    const before = this.total.get() as number;
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      this.accounted += (this.total.get() as number) - before;
    }
  }

  /** `tracked()` around a transaction: the usual shape of a write that reports what it touched. */
  transaction<T>(fn: () => T): T {
    return this.tracked(() => this.sqlite.transaction(fn)());
  }

  /** A post was published: first pages of everyone who follows its author are stale. */
  postAdded(authorId: number, seq: number): void {
    if (authorId >= this.lastPost.length) {
      const grown = new Float64Array(Math.max(authorId + 1, this.lastPost.length * 2));
      grown.set(this.lastPost);
      this.lastPost = grown;
    }
    this.lastPost[authorId] = seq;
    if (seq > this.newest) this.newest = seq;
  }

  /** A post's counts or likes changed: any cached page showing it is stale. */
  postChanged(seq: number): void {
    this.posts.set(seq, (this.posts.get(seq) ?? 0) + 1);
    if (this.posts.size > MAX_VERSIONS) this.bump();
  }

  /** A session or token was deleted: credentials resolved before may no longer be valid. */
  credentialsChanged(): void {
    this.credentialsValue++;
  }

  /** Moves whenever a credential is deleted here (anything else moves the epoch). */
  get credentials(): number {
    return this.credentialsValue;
  }

  /** A reader's follows changed: what they see is stale. */
  readerChanged(accountId: number): void {
    this.readers.set(accountId, (this.readers.get(accountId) ?? 0) + 1);
    if (this.readers.size > MAX_VERSIONS) this.bump();
  }

  readerVersion(accountId: number): number {
    return this.readers.get(accountId) ?? 0;
  }

  postVersion(seq: number): number {
    return this.posts.get(seq) ?? 0;
  }

  /** True when none of `authors` published after `seq` (a first page built when `seq` was newest still holds). */
  quietSince(authors: ArrayLike<number>, seq: number): boolean {
    if (this.newest <= seq) return true;
    const last = this.lastPost;
    for (let i = 0; i < authors.length; i++) {
      const a = authors[i];
      if (a < last.length && last[a] > seq) return false;
    }
    return true;
  }

  /** Forgets everything cached (for measuring cold reads; also what any untracked write does). */
  invalidateAll(): void {
    this.bump();
  }

  private bump(): void {
    this.epochValue++;
    this.readers.clear();
    this.posts.clear();
  }
}

const trackers = new WeakMap<Database.Database, Changes>();

/** The change tracker of this database connection. */
export function changes(db: Db): Changes {
  let tracker = trackers.get(db.$client);
  if (!tracker) trackers.set(db.$client, (tracker = new Changes(db.$client)));
  return tracker;
}
