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
    parentPort.postMessage(r.log);
  } catch { /* busy: try again next tick */ }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * Moves WAL checkpoints off the event loop. A checkpoint copies pages back into the database file and
 * fsyncs it; done inline by whichever commit crosses the autocheckpoint threshold, it stalls that request
 * (and every request queued behind it) for milliseconds.
 *
 * The WAL starts over at the first commit after a checkpoint has copied every frame. Checkpointing every 10 ms
 * keeps each one short enough to fall between two commits even at 1,500 posts/s, so that happens on its own.
 * Should a passive checkpoint still never quite catch up, the WAL passes `maxFrames` and `catchUp` runs on the
 * writer's own thread between requests: it finishes the last frames (~25 ms), and the next commit starts the WAL
 * over. (A RESTART checkpoint from the worker would do the same but hold every writer for its whole duration.)
 * Returns the function that stops the thread.
 */
export function startCheckpointer(path: string, catchUp: () => void, intervalMs = 10, maxFrames = 50_000): () => Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, driver, intervalMs } });
  worker.on('message', (frames: number) => {
    if (frames > maxFrames) setImmediate(catchUp);
  });
  worker.unref();
  return () =>
    new Promise((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    });
}
