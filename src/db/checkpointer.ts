import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Runs in its own thread with its own connection: PASSIVE checkpoints never block readers or the writer.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -2048');
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Under sustained writes a passive checkpoint never catches up and the WAL never restarts:
    // past the limit, wait for a gap between commits and start the WAL over.
    if (r.log > workerData.maxFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch { /* busy: try again next tick */ }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * Moves WAL checkpoints off the event loop. A checkpoint copies pages back into the database file and
 * fsyncs it; done inline by whichever commit crosses the autocheckpoint threshold, it stalls that request
 * (and every request queued behind it) for milliseconds. Returns the function that stops the thread.
 */
export function startCheckpointer(path: string, intervalMs = 500, maxFrames = 10_000): () => Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, driver, intervalMs, maxFrames } });
  worker.unref();
  return () =>
    new Promise((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    });
}
