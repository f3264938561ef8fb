import { parseArgs } from 'node:util';
import { nanoid } from 'nanoid';
import { ConfigError, loadConfig } from './config';
import { closeDb, openDb } from './db/client';
import { EventHub } from './live/hub';
import { postJson } from './render/json';
import { backup, createAdmin, exportPosts, issueToken, resetPassword, stats } from './services/admin';
import type { Deps, Scope } from './services/deps';

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
    return command ? 0 : 1;
  }
  const config = loadConfig();
  const db = openDb(config.dbPath);
  const deps: Deps = { db, config, clock: Date.now, newId: () => nanoid(12), events: new EventHub() };
  const need = (what: string) => {
    if (!arg) throw new Error(`${command} needs ${what}`);
    return arg;
  };
  try {
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
        const t = issueToken(deps, need('a handle'), values.name ?? 'admin-issued', scopes);
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
        for (const p of exportPosts(deps, need('a handle'))) process.stdout.write(`${JSON.stringify(postJson(p, base))}\n`);
        return 0;
      }
      case 'stats':
        console.log(JSON.stringify(stats(deps), null, 2));
        return 0;
      default:
        process.stderr.write(`unknown command: ${command}\n\n${USAGE}`);
        return 1;
    }
  } finally {
    closeDb(db);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? err.message : `error: ${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
