import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { prepared } from '../db/sql';
import { searchIndexer, searchIndexPath, type IndexStep } from '../db/search-index';
import type { Db } from '../db/client';
import { changes } from './changes';

/** Keeps the search index up to date with the posts. */
export interface SearchIndex {
  /**
   * Resolves once every post committed before the call is searchable. While the index is being built again from
   * scratch, it resolves after at most `waitMs` (default CATCH_UP_WAIT_MS) with the posts indexed so far.
   */
  caughtUp(waitMs?: number): Promise<void>;
  /** Indexes what is left (the worker for at most STOP_WITHIN_MS; a rebuild goes on at the next start) and stops. */
  stop(): Promise<void>;
}

/** How long a search waits for the index to reach the newest posts: only a rebuild ever takes this long. */
export const CATCH_UP_WAIT_MS = 2_000;
/** The worker thread's nice value (0 is the server's; 19 the lowest priority). */
const NICE = 10;
/** How long the worker goes on indexing once asked to stop; a rebuild under way goes on at the next start. */
const STOP_WITHIN_MS = 1_000;
/** Posts indexed in one transaction when catching up. */
const BATCH = 2_000;

type Log = { error(obj: object, msg: string): void; info(msg: string): void };

const newestSeq = (db: Db) => prepared(db, 'SELECT coalesce(max(seq), 0) FROM posts').pluck().get() as number;

/**
 * Forgets the deletions the index has applied: the queue in the database stays as short as the index's lag.
 * Returns whether it did; one that fails (the database busy past the timeout, a full disk) is tried again with
 * the next report, and until then the queue is only longer.
 */
function pruneDeletions(db: Db, upTo: number): boolean {
  try {
    // Tracked: the queue is not part of anything the read caches hold.
    changes(db).transaction(() => prepared(db, 'DELETE FROM search_deletions WHERE id <= ?').run(upTo));
    return true;
  } catch {
    return false;
  }
}

/** After the worker died: how long one search may spend indexing on the server's thread (a rebuild under way
 * would otherwise hold it for all of it) before it answers with what is indexed. */
const FALLBACK_BUDGET_MS = 50;
/** Posts indexed at a time by the background indexing on the server's thread: a few milliseconds' work. */
const BACKGROUND_BATCH = 200;
/** Posts indexed between two checkpoints of the index's WAL on the server's thread. */
const CHECKPOINT_EVERY = 5_000;

/**
 * Indexes on the calling thread, as each search asks (everything, or what `budgetMs` allows): for in-memory
 * databases (tests, demos), which no other thread can open, and when the worker has stopped. With `everyMs`, it
 * also indexes in the background, a batch of `BACKGROUND_BATCH` at a time.
 */
export function inlineSearchIndex(db: Db, opts: { everyMs?: number; budgetMs?: number } = {}): SearchIndex & { step(max?: number): IndexStep } {
  let indexer: ((max: number) => IndexStep) | null = null;
  let pruned = 0;
  let sinceCheckpoint = 0;
  const step = (max = BATCH): IndexStep => {
    indexer ??= searchIndexer(db.$client);
    const done = changes(db).transaction(() => indexer!(max));
    if (done.deletionsSeen > pruned && pruneDeletions(db, done.deletionsSeen)) pruned = done.deletionsSeen;
    // The server's connection leaves checkpoints to the checkpointer thread, which knows only the database.
    sinceCheckpoint += done.indexed + done.removed;
    if (sinceCheckpoint >= CHECKPOINT_EVERY) {
      sinceCheckpoint = 0;
      db.$client.pragma('search.wal_checkpoint(PASSIVE)');
    }
    return done;
  };
  const catchUp = async () => {
    const end = performance.now() + (opts.budgetMs ?? Infinity);
    while (step().indexed === BATCH && performance.now() < end);
  };
  const timer = opts.everyMs
    ? setInterval(() => {
        try {
          step(BACKGROUND_BATCH);
        } catch {
          // Tried again at the next tick; a search meanwhile indexes (or fails) for itself.
        }
      }, opts.everyMs)
    : undefined;
  timer?.unref();
  return {
    step,
    caughtUp: catchUp,
    stop: async () => {
      clearInterval(timer);
      await catchUp();
    },
  };
}
/**
 * The worker thread: its own connection to the database (read only in effect) with the index attached; every
 * `everyMs` it indexes what was posted since (at most `max` posts a transaction, one after another while there
 * is more), at once when asked, and reports how far it got.
 */
const WORKER = (indexerSource: string) => `
const __name = (f) => f;
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { path, indexPath, everyMs, max, nice, stopWithinMs } = workerData;
// Behind the server's own thread for the CPU: on Linux a thread has a nice value of its own, set by its id.
// Indexing takes a few percent of a core; when both cores are busy it waits, rather than the requests.
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) require('node:os').setPriority(tid, nice);
} catch {}
const db = new Database(path);
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -2048');
db.prepare('ATTACH DATABASE ? AS search').run(indexPath);
db.pragma('search.synchronous = NORMAL');
db.pragma('search.cache_size = -16384');
const searchIndexer = ${indexerSource};
const step = searchIndexer(db);
let timer;
let stopped = false;
let last = { seq: -1, deletionsSeen: -1 };
let asked = false;
const run = () => {
  timer = undefined;
  if (stopped) return;
  let done;
  try {
    done = step(max);
  } catch (err) {
    // Busy past the timeout, a full disk: reported, and tried again at the next tick.
    asked = false;
    parentPort.postMessage({ failed: String(err && err.message || err) });
    timer = setTimeout(run, everyMs);
    return;
  }
  // Reported when it moved, and always when asked: the server asks again only after a report.
  if (asked || done.seq !== last.seq || done.deletionsSeen !== last.deletionsSeen) {
    asked = false;
    last = done;
    parentPort.postMessage(done);
  }
  // A full batch: more is waiting (a rebuild, a burst); go on at once, letting messages in between.
  timer = done.indexed === max ? setImmediate(run) : setTimeout(run, everyMs);
};
const later = () => { if (timer !== undefined) { clearTimeout(timer); clearImmediate(timer); } };
timer = setImmediate(run);
parentPort.on('message', (m) => {
  if (stopped) return;
  if (m === 'now') {
    asked = true;
    later();
    timer = setImmediate(run);
    return;
  }
  if (m === 'stop') {
    stopped = true;
    later();
    // What is left after stopWithinMs (a rebuild under way) is indexed at the next start.
    const end = Date.now() + stopWithinMs;
    try {
      let done;
      do {
        done = step(max);
        parentPort.postMessage(done);
      } while (done.indexed === max && Date.now() < end);
    } catch (err) {
      parentPort.postMessage({ failed: String(err && err.message || err) });
    }
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Indexes new posts for search on a worker thread, with its own connection: the index is written in its own
 * file (src/db/search-index.ts), so neither the indexing nor FTS5's merges ever hold the server's event loop
 * or its write lock. A search first waits for the index to reach every post committed before it (the worker
 * is asked to go at once; it is usually there within a millisecond or two). If the thread dies, indexing goes
 * on in the server's own thread, as each search asks.
 */
export function startSearchWorker(
  db: Db,
  dbPath: string,
  log: Log,
  opts: { everyMs?: number; max?: number; /** The SQLite driver the thread loads (tests make it fail). */ driver?: string } = {},
): SearchIndex {
  const everyMs = opts.everyMs ?? 50;
  const max = opts.max ?? BATCH;
  const driver = opts.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER(searchIndexer.toString()), {
    eval: true,
    workerData: { driver, path: dbPath, indexPath: searchIndexPath(dbPath), everyMs, max, nice: NICE, stopWithinMs: STOP_WITHIN_MS },
  });
  worker.unref();
  let indexed = -1;
  let pruned = 0;
  let failing = false;
  // Asked to go at once, and not reported since: the searches waiting meanwhile need not ask again.
  let asked = false;
  let fallback: ReturnType<typeof inlineSearchIndex> | null = null;
  const waiting = new Set<{ seq: number; done: () => void }>();
  const settle = () => {
    for (const w of waiting) {
      if (fallback || indexed >= w.seq) {
        waiting.delete(w);
        w.done();
      }
    }
  };
  worker.on('message', (m: IndexStep | { failed: string }) => {
    if ('failed' in m) {
      if (!failing) log.error({ err: new Error(m.failed) }, 'indexing new posts for search failed; retrying (they are searchable once it works)');
      failing = true;
      asked = false;
      return;
    }
    if (failing) log.info('indexing new posts for search works again');
    failing = false;
    indexed = m.seq;
    asked = false;
    if (m.deletionsSeen > pruned && !fallback && pruneDeletions(db, m.deletionsSeen)) pruned = m.deletionsSeen;
    settle();
  });
  let exited: Promise<void> | null = null;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const takeOver = (err?: unknown) => {
    if (fallback || exited) return;
    log.error({ err }, 'the search indexing thread stopped; indexing on the server thread from now on');
    fallback = inlineSearchIndex(db, { everyMs, budgetMs: FALLBACK_BUDGET_MS });
    // The searches waiting for the thread get what this thread can index for them first.
    void fallback.caughtUp().catch(() => {}).finally(settle);
  };
  worker.on('error', takeOver);
  worker.on('exit', () => takeOver());
  return {
    caughtUp: (waitMs = CATCH_UP_WAIT_MS) => {
      if (fallback) return fallback.caughtUp();
      const seq = newestSeq(db);
      if (indexed >= seq) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const w = {
          seq,
          done: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiting.delete(w);
          resolve();
        }, waitMs);
        waiting.add(w);
        if (!asked) worker.postMessage('now');
        asked = true;
      });
    },
    stop: () => {
      if (fallback) return fallback.stop();
      if (!exited) {
        // Held while it finishes the last batch: a process with nothing else left would exit first.
        worker.ref();
        exited = exit;
        worker.postMessage('stop');
      }
      return exited;
    },
  };
}
