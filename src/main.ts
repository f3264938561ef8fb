import { serve } from '@hono/node-server';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { closeDb, openDb } from './db/client';
import { seedDemo } from './services/demo';

function start(config: Config) {
  const db = openDb(config.dbPath);
  const app = createApp({ db, config });
  if (config.seedDemo) seedDemo(app.deps).then((n) => n && console.log(JSON.stringify({ level: 'info', msg: `demo: seeded ${n} posts` })));
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    console.log(JSON.stringify({ level: 'info', msg: `bluetwit listening on http://${info.address}:${info.port}`, db: config.dbPath }));
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: 'info', msg: `${signal}: shutting down` }));
    app.deps.events.publish({ type: 'shutdown' });
    const force = setTimeout(() => {
      console.error(JSON.stringify({ level: 'error', msg: 'shutdown timed out; closing connections' }));
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }, config.shutdownMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      closeDb(db);
      process.exit(0);
    });
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

try {
  const config = loadConfig();
  // `npm start -- --demo` fills an empty database with a few colleagues and posts.
  start(process.argv.includes('--demo') ? { ...config, seedDemo: true } : config);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
