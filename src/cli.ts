import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { closeDb, openDb } from './db/client';
import { postJson } from './render/json';
import { backup, createAdmin, exportPosts, issueToken, resetPassword, stats } from './services/admin';
import { createDeps, type Scope } from './services/deps';

const USAGE = `bluetwit admin — operate a bluetwit database (BLUETWIT_DB, default ./data/bluetwit.db)

  npm run admin -- create-admin <handle> [--name "Display Name"]   create (or promote) an admin; prints a new password
  npm run admin -- reset-password <handle>                         new random password; ends sessions, revokes tokens
  npm run admin -- issue-token <handle> [--name bot] [--scopes read,write]   print a new API token
  npm run admin -- backup <file>                                   online backup, safe while the server runs
  npm run admin -- export <handle>                                 the account's posts as JSON lines on stdout
  npm run admin -- stats                                           counts and database size
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string', default: 'read,write' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, arg] = positionals;
  if (!command || values.help) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 1;
  }
  if (positionals.length > 2) throw new Error(`${command} takes one argument; unexpected: ${positionals.slice(2).join(' ')}`);
  const config = loadConfig();
  // Only create-admin may start a database (a fresh install); anything else on a path with no database is a mistake
  // (a typo'd BLUETWIT_DB in a nightly backup job would otherwise back up a new, empty database).
  const exists = config.dbPath === ':memory:' || existsSync(config.dbPath);
  if (!exists && command !== 'create-admin') throw new Error(`no database at ${config.dbPath} (BLUETWIT_DB)`);
  if (!exists) console.error(`creating a new database at ${config.dbPath}`);
  const db = openDb(config.dbPath);
  const deps = createDeps(db, config);
  const need = (what: string) => {
    if (!arg) throw new Error(`${command} needs ${what}`);
    return arg;
  };
  let ok = false;
  try {
    const code = await run();
    ok = code === 0;
    return code;
  } finally {
    closeDb(db);
    // A create-admin that failed (a reserved handle, say) leaves no new database behind to be mistaken for one.
    if (!exists && !ok) for (const suffix of ['', '-wal', '-shm', '-search', '-search-wal', '-search-shm']) rmSync(config.dbPath + suffix, { force: true });
  }

  async function run(): Promise<number> {
    switch (command) {
      case 'create-admin': {
        const handle = need('a handle');
        const r = await createAdmin(deps, handle, values.name ?? handle);
        console.log(r.created ? `created admin @${handle.toLowerCase()} with password: ${r.password}` : `@${handle.toLowerCase()} is now an admin`);
        return 0;
      }
      case 'reset-password':
        console.log(`new password for @${need('a handle').toLowerCase()}: ${await resetPassword(deps, arg)}`);
        return 0;
      case 'issue-token': {
        const scopes = values.scopes!.split(',').map((s) => s.trim()) as Scope[];
        if (!scopes.every((s) => s === 'read' || s === 'write')) throw new Error('scopes are read and/or write');
        const name = (values.name ?? 'admin-issued').trim();
        // The same bounds as POST /api/tokens.
        if (name.length < 1 || name.length > 100) throw new Error('--name is 1 to 100 characters');
        const t = issueToken(deps, need('a handle'), name, scopes);
        console.log(t.token);
        return 0;
      }
      case 'backup': {
        const r = await backup(deps, need('a destination file'));
        console.error(`backed up ${r.pages} pages to ${arg}`);
        return 0;
      }
      case 'export': {
        const base = config.publicUrl ?? `http://localhost:${config.port}`;
        // Respects a slow pipe (| gzip): waits for stdout to drain instead of queueing everything in memory.
        for (const p of exportPosts(deps, need('a handle'))) {
          if (!process.stdout.write(`${JSON.stringify(postJson(p, base))}\n`)) await once(process.stdout, 'drain');
        }
        return 0;
      }
      case 'stats':
        console.log(JSON.stringify(stats(deps), null, 2));
        return 0;
      default:
        process.stderr.write(`unknown command: ${command}\n\n${USAGE}`);
        return 1;
    }
  }
}

// A reader that stopped reading (`stats | head -3`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// The exit code is set, not forced: process.exit() would cut off output still queued for a pipe.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
