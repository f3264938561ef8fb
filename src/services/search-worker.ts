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
  /** Indexes what is left and stops. */
  stop(): Promise<void>;
}

/** How long a search waits for the index to reach the newest posts: only a rebuild ever takes this long. */
export const CATCH_UP_WAIT_MS = 2_000;
/** The worker thread's nice value (0 is the server's; 19 the lowest priority). */
const NICE = 10;
/** Posts indexed in one transaction when catching up. */
const BATCH = 2_000;

type Log = { error(obj: object, msg: string): void; info(msg: string): void };

const newestSeq = (db: Db) => prepared(db, 'SELECT coalesce(max(seq), 0) FROM posts').pluck().get() as number;

/** Forgets the deletions the index has applied: the queue in the database stays as short as the index's lag. */
function pruneDeletions(db: Db, upTo: number): void {
  // Tracked: the queue is not part of anything the read caches hold.
  changes(db).transaction(() => prepared(db, 'DELETE FROM search_deletions WHERE id <= ?').run(upTo));
}

/**
 * Indexes on the calling thread, as each search asks: for in-memory databases (tests, demos), which no other
 * thread can open, and when the worker has stopped.
 */
export function inlineSearchIndex(db: Db): SearchIndex & { step(max?: number): IndexStep } {
  let indexer: ((max: number) => IndexStep) | null = null;
  let pruned = 0;
  const step = (max = BATCH): IndexStep => {
    indexer ??= searchIndexer(db.$client);
    const done = changes(db).transaction(() => indexer!(max));
    if (done.deletionsSeen > pruned) pruneDeletions(db, (pruned = done.deletionsSeen));
    return done;
  };
  return {
    step,
    caughtUp: async () => {
      while (step().indexed === BATCH);
    },
    stop: async () => {
      while (step().indexed === BATCH);
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
const { path, indexPath, everyMs, max, nice } = workerData;
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
const run = () => {
  timer = undefined;
  if (stopped) return;
  let done;
  try {
    done = step(max);
  } catch (err) {
    // Busy past the timeout, a full disk: reported, and tried again at the next tick.
    parentPort.postMessage({ failed: String(err && err.message || err) });
    timer = setTimeout(run, everyMs);
    return;
  }
  if (done.seq !== last.seq || done.deletionsSeen !== last.deletionsSeen) {
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
    later();
    timer = setImmediate(run);
    return;
  }
  if (m === 'stop') {
    stopped = true;
    later();
    try {
      let done;
      do {
        done = step(max);
        parentPort.postMessage(done);
      } while (done.indexed === max);
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
    workerData: { driver, path: dbPath, indexPath: searchIndexPath(dbPath), everyMs, max, nice: NICE },
  });
  worker.unref();
  let indexed = -1;
  let pruned = 0;
  let failing = false;
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
      return;
    }
    if (failing) log.info('indexing new posts for search works again');
    failing = false;
    indexed = m.seq;
    if (m.deletionsSeen > pruned && !fallback) pruneDeletions(db, (pruned = m.deletionsSeen));
    settle();
  });
  let exited: Promise<void> | null = null;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const takeOver = (err?: unknown) => {
    if (fallback || exited) return;
    log.error({ err }, 'the search indexing thread stopped; indexing on the server thread from now on');
    fallback = inlineSearchIndex(db);
    settle();
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
        worker.postMessage('now');
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
