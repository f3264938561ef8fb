import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { startCheckpointer } from './db/checkpointer';
import { closeDb, openDb } from './db/client';
import { seedDemo } from './services/demo';
import { holdPosts, onPostsCommitted } from './services/post-batch';
import { searchIndexPath } from './db/search-index';
import { inlineSearchIndex, startSearchWorker } from './services/search-worker';
import { createLogger } from './http/observability';
import { writeAfterPollPhase } from './http/coalesce';

const REQUEST_TIMEOUT_MS = 30_000;
/** A second signal sooner than this after the same one is the same signal, delivered twice (see stop()). */
const SAME_SIGNAL_MS = 500;

/** A reason the server cannot start, told in one line naming the setting to fix. */
class StartupError extends Error {}

async function start(config: Config) {
  const logger = createLogger(config.logLevel);
  const fileDb = config.dbPath !== ':memory:';
  let db: ReturnType<typeof openDb>;
  try {
    db = openDb(config.dbPath, { backgroundCheckpoints: fileDb });
  } catch (err) {
    // One line naming the setting, not a stack trace: a missing permission, a file that is not SQLite, a newer schema.
    throw new StartupError(`BLUETWIT_DB=${config.dbPath}: cannot open the database: ${(err as Error).message}`);
  }
  try {
    // SQLite opens a file it may not write read-only, silently: the first post would fail instead of the start.
    // Only writing a page tells (taking the write lock does not); this write is rolled back.
    db.$client.exec('BEGIN IMMEDIATE; CREATE TABLE bluetwit_write_check (x); ROLLBACK');
  } catch (err) {
    if (db.$client.inTransaction) db.$client.exec('ROLLBACK');
    db.$client.close();
    throw new StartupError(`BLUETWIT_DB=${config.dbPath}: cannot write the database: ${(err as Error).message}`);
  }
  const checkpointer = fileDb
    ? startCheckpointer(config.dbPath, {
        holdWrites: () => holdPosts(db),
        catchUp: () => db.$client.pragma('main.wal_checkpoint(PASSIVE)'),
        onStopped: (err) => {
          logger.error({ err }, 'the WAL checkpointer stopped; checkpointing on the writer from now on');
          db.$client.pragma('wal_autocheckpoint = 1000');
        },
      })
    : null;
  if (checkpointer) onPostsCommitted(db, checkpointer.written);
  // New posts are indexed for search on a thread of its own; an in-memory database only on this one.
  const searchIndex = searchIndexPath(config.dbPath) !== ':memory:' ? startSearchWorker(db, config.dbPath, logger) : inlineSearchIndex(db);
  const app = createApp({ db, config, logger, processMetrics: true, searchIndex });
  // Seeded before listening, so no sign-up can race the demo accounts.
  if (config.seedDemo) {
    const n = await seedDemo(app.deps);
    if (n) logger.info(`demo: seeded ${n} posts`);
  }
  // A request (headers and body) must arrive within 30 s, not Node's default 300 s: a client trickling a body in
  // holds a connection and its parser that long. Responses (event streams) are not bounded by it.
  const server = serve({ fetch: writeAfterPollPhase(app.fetch), port: config.port, hostname: config.host, serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS } }, (info) => {
    logger.info({ db: config.dbPath }, `bluetwit listening on http://${info.address}:${info.port}`);
  });
  server.once('error', (err: NodeJS.ErrnoException) => {
    const reason = err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
    console.error(`HOST=${config.host} PORT=${config.port}: cannot listen: ${reason}`);
    process.exit(2);
  });

  // Served over HTTP/1.1 (serve() without createServer options), so Node's own http.Server.
  const http = server as unknown as HttpServer;
  let stopping: { signal: string; at: number } | null = null;
  const stop = (signal: string) => {
    // A terminal's Ctrl-C (and systemd's stop) signals the whole process group: under `npm start`, node has it
    // from there and again from npm, which passes it on. The same signal within moments is that one press.
    if (stopping && stopping.signal === signal && performance.now() - stopping.at < SAME_SIGNAL_MS) return;
    if (stopping) {
      // A second signal: the operator does not want to wait for the graceful part.
      logger.warn(`${signal} again: closing every connection and exiting now`);
      logger.flush();
      process.exit(1);
    }
    stopping = { signal, at: performance.now() };
    logger.info(`${signal}: shutting down`);
    app.deps.events.publish({ type: 'shutdown' });
    const force = setTimeout(() => {
      logger.warn('shutdown timed out; closing the remaining connections');
      http.closeAllConnections();
    }, config.shutdownMs);
    force.unref();
    // server.close() waits for every open connection, and a connection kept alive outlives its last response (a
    // stream just ended, a request that was in flight) by the keep-alive timeout, or carries the next request of
    // a client that reconnects: close each as soon as it is idle. One busy with a request is left to finish.
    const sweep = setInterval(() => http.closeIdleConnections(), 50);
    sweep.unref();
    server.close(async () => {
      clearTimeout(force);
      clearInterval(sweep);
      try {
        await searchIndex.stop();
      } catch (err) {
        // Still in the database: the next start indexes them.
        logger.error({ err }, 'indexing the last new posts for search failed');
      }
      await checkpointer?.stop();
      closeDb(db);
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    });
    http.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

try {
  const config = loadConfig();
  // `npm start -- --demo` fills an empty database with a few colleagues and posts.
  await start(process.argv.includes('--demo') ? { ...config, seedDemo: true } : config);
} catch (err) {
  if (err instanceof ConfigError || err instanceof StartupError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
