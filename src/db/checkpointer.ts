import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Runs in its own thread with its own connection: PASSIVE checkpoints never block readers or the writer. It looks
// every intervalMs while anything is being written; when a look finds nothing new, the next comes twice as late,
// up to idleMs, so an idle server sleeps. It reports only what the writer acts on: a WAL past maxFrames that grew
// since the last look, and every look while posts are held for it (the writer says 'hold' and 'release').
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { path, intervalMs, idleMs, maxFrames } = workerData;
const db = new Database(path);
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -2048');
let holding = false;
let stopped = false;
let last = -1;
let delay = intervalMs;
let looks = 0;
let timer;
const look = () => {
  looks++;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // A long log that nothing was added to since the last look was already reported (and held for, if it could
    // be); the writer acts on it again once something is written.
    if (holding || (r.log > maxFrames && r.log !== last)) parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
    const quiet = !holding && r.log === last && r.log === r.checkpointed;
    // Going quiet: the writer wakes the thread at its next commit instead of waiting for a late look.
    if (quiet && delay === intervalMs) parentPort.postMessage({ quiet: true });
    delay = quiet ? Math.min(delay * 2, idleMs) : intervalMs;
    last = r.log;
  } catch {
    delay = intervalMs; // busy: try again soon
  }
  timer = setTimeout(look, delay);
};
timer = setTimeout(look, intervalMs);
parentPort.on('message', (m) => {
  // Messages posted before the writer learnt of the stop can still arrive behind it: a look at the closed
  // database would fail and be retried every intervalMs, and the thread would never exit.
  if (stopped) return;
  if (m === 'stop') {
    stopped = true;
    clearTimeout(timer);
    db.close();
    parentPort.postMessage({ looks });
    parentPort.close();
    return;
  }
  if (m === 'wake') {
    delay = intervalMs;
  } else {
    holding = m === 'hold';
    if (!holding) return;
  }
  clearTimeout(timer);
  timer = setTimeout(look, 0);
});
`;

/** The longest a quiet database goes between two looks at its WAL. */
const IDLE_MS = 250;
/** How long posts may be held for a checkpoint to copy the whole WAL. */
const MAX_HOLD_MS = 100;
/** How soon to hold them again after a hold that did not get there; doubled after each such hold. */
const RETRY_MS = 100;
const MAX_RETRY_MS = 10_000;

export type CheckpointHooks = {
  /** Holds the frequent writes (posts) until the returned function is called; reads go on meanwhile. */
  holdWrites: () => () => void;
  /** Checkpoints on the writer's own thread: the last resort when the WAL will not start over otherwise. */
  catchUp: () => void;
  /** The thread failed or exited on its own: from now on the writer must checkpoint for itself. */
  onStopped?: (err?: unknown) => void;
};

/**
 * Moves WAL checkpoints off the event loop. A checkpoint copies pages back into the database file and
 * fsyncs it; done inline by whichever commit crosses the autocheckpoint threshold, it stalls that request
 * (and every request queued behind it) for milliseconds.
 *
 * The WAL starts over at the first commit after a checkpoint has copied every frame, which under a steady
 * stream of posts never happens by itself: some commit always lands between two checkpoints. So past
 * `maxFrames`, posts are held (reads are not) until the next checkpoint has copied the whole log, at most
 * ~10-20 ms, and the commit that releases them starts the WAL over. Only if other writes keep that from
 * happening does `catchUp` run on the writer's thread (the whole event loop waits for its fsync); a RESTART
 * checkpoint from the worker would hold every writer, reads included, for its whole duration. A quiet database
 * is looked at less and less often (at most IDLE_MS apart), so an idle server, or one only serving reads, does
 * not spend a share of its two cores on a hundred checkpoints a second; the writer calls `written()` after
 * committing posts, which brings a quiet thread back at once.
 */
export type Checkpointer = {
  /** Posts were committed: a thread that went quiet looks again at once. */
  written: () => void;
  /** Stops the thread; resolves with how many looks it took. */
  stop: () => Promise<{ looks: number }>;
};

export function startCheckpointer(path: string, hooks: CheckpointHooks, intervalMs = 10, maxFrames = 50_000): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, driver, intervalMs, idleMs: Math.max(intervalMs, IDLE_MS), maxFrames } });
  let release: (() => void) | null = null;
  let holdTimer: NodeJS.Timeout | undefined;
  let triedAt = 0;
  let retryMs = RETRY_MS;
  let stopping = false;
  // On the writer's thread, at the end of this turn; not once stopped, when the database may be closed already.
  const catchUpSoon = () =>
    setImmediate(() => {
      if (!stopping) hooks.catchUp();
    });
  // Posts never wait longer than MAX_HOLD_MS, whatever the thread does (a long read elsewhere can keep a
  // checkpoint from copying everything; the thread can die): then the writer checkpoints itself.
  const endHold = (caughtUp: boolean) => {
    if (!release) return;
    clearTimeout(holdTimer);
    release();
    release = null;
    if (!stopping) worker.postMessage('release');
    // Something keeps the log from being copied (say, a long read): do not keep taxing posts for it.
    retryMs = caughtUp ? RETRY_MS : Math.min(retryMs * 2, MAX_RETRY_MS);
    if (!caughtUp) catchUpSoon();
  };
  let looks = 0;
  let quiet = false;
  let exited = false;
  worker.on('message', (m: { log: number; checkpointed: number } | { looks: number } | { quiet: true }) => {
    if ('looks' in m) {
      looks = m.looks;
      return;
    }
    if ('quiet' in m) {
      quiet = true;
      return;
    }
    // Reports still on their way when stop() was called: nothing is held or checkpointed for them.
    if (stopping) return;
    const { log, checkpointed } = m;
    // Everything copied while posts waited: the commit they make next starts the WAL over.
    if (release) {
      if (log === checkpointed) endHold(true);
      return;
    }
    const now = Date.now();
    if (log > maxFrames && now - triedAt > retryMs) {
      triedAt = now;
      release = hooks.holdWrites();
      worker.postMessage('hold');
      holdTimer = setTimeout(() => endHold(false), MAX_HOLD_MS);
      holdTimer.unref();
    } else if (log > 2 * maxFrames) {
      catchUpSoon();
    }
  });
  const stopped = (err?: unknown) => {
    endHold(true);
    if (!stopping) {
      stopping = true;
      hooks.onStopped?.(err);
    }
  };
  worker.on('error', stopped);
  worker.on('exit', () => {
    exited = true;
    stopped();
  });
  worker.unref();
  return {
    written: () => {
      if (!quiet || stopping) return;
      quiet = false;
      worker.postMessage('wake');
    },
    stop: () =>
      new Promise((resolve) => {
        stopping = true;
        endHold(true);
        if (exited) return resolve({ looks });
        // Held again while it finishes: otherwise a process with nothing else left would exit before the thread
        // does, and whoever awaits stop() (the shutdown's final checkpoint and close) would never run.
        worker.ref();
        worker.once('exit', () => resolve({ looks }));
        worker.postMessage('stop');
      }),
  };
}
