/**
 * Seeds a bluetwit database for benchmarks and load tests, and writes a file of API tokens for k6.
 *
 *   npm run seed -- --profile <small|company|ibm> [--db path] [--seed 42] [--tokens path]
 *                   [--per-class n] [--end ISO|now] [--force] [--reuse]
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { closeDb, openDb } from '../src/db/client';
import {
  buildSearchIndex,
  GENERATOR_VERSION,
  getProfile,
  isEmpty,
  issueTokens,
  seedDatabase,
  tokensStillValid,
  type SeedSummary,
  type TokensFile,
} from './seed-lib';

const USAGE = `usage: npm run seed -- --profile <small|company|ibm> [options]

  --profile NAME   small (300 accounts, 10k posts), company (20k, 1M), ibm (100k, 5M)   [small]
  --db PATH        SQLite file                                   [$BLUETWIT_DB or ./data/bluetwit.db]
  --seed N         generator seed; the same seed gives the same data                    [42]
  --tokens PATH    where to write the k6 tokens file                                    [./data/tokens.json]
  --per-class N    tokens per class (light, median, heavy)                              [profile default]
  --end ISO|now    end of the seeded time window                                        [2025-06-02T00:00:00Z]
  --force          delete a non-empty database (and its -wal/-shm files and search index) and seed anew
  --reuse          keep a database already seeded with the same profile and seed; only refresh tokens
  --keep-indexes   keep secondary indexes during the bulk insert (slower; for comparison)
`;

type Meta = { profile: string; seed: number; generator: number; end: string; seededAt: string; summary: SeedSummary };

const fail = (message: string, code = 1): never => {
  process.stderr.write(`seed: ${message}\n`);
  process.exit(code);
};

/** Opens the database, or fails in one line (a file that is not SQLite, a newer schema), as the server does. */
const open = (path: string) => {
  try {
    return openDb(path);
  } catch (err) {
    return fail(`--db ${path}: cannot open the database: ${(err as Error).message}`, 2);
  }
};

function parse() {
  try {
    return parseArgs({
      options: {
        profile: { type: 'string', default: 'small' },
        db: { type: 'string', default: process.env.BLUETWIT_DB || './data/bluetwit.db' },
        seed: { type: 'string', default: '42' },
        tokens: { type: 'string', default: './data/tokens.json' },
        'per-class': { type: 'string' },
        end: { type: 'string' },
        force: { type: 'boolean', default: false },
        reuse: { type: 'boolean', default: false },
        'keep-indexes': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${USAGE}`, 2);
  }
}

function main(): void {
  const args = parse();
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  let profile;
  try {
    profile = getProfile(args.profile);
  } catch (err) {
    return fail((err as Error).message, 2);
  }
  if (!/^\d{1,10}$/.test(args.seed) || Number(args.seed) > 0xffffffff) return fail('--seed must be an integer in 0..4294967295', 2);
  const seed = Number(args.seed);
  const perClass = args['per-class'] === undefined ? undefined : Number(args['per-class']);
  if (perClass !== undefined && !(Number.isInteger(perClass) && perClass >= 0)) return fail('--per-class must be a non-negative integer', 2);
  let end: number | undefined;
  if (args.end === 'now') end = Math.floor(Date.now() / 60_000) * 60_000;
  else if (args.end !== undefined) {
    end = Date.parse(args.end);
    if (Number.isNaN(end)) return fail('--end must be an ISO date or "now"', 2);
  }
  if (args.db === ':memory:') return fail('--db must be a file', 2);

  const dbPath = args.db;
  const metaPath = `${dbPath}.seed-meta.json`;
  const readMeta = (): Meta | null => {
    try {
      return JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
    } catch {
      return null;
    }
  };
  const wipe = () => {
    const search = `${dbPath}-search`;
    for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`, search, `${search}-wal`, `${search}-shm`, metaPath]) rmSync(f, { force: true });
  };

  let reuse = false;
  if (existsSync(dbPath)) {
    const db = open(dbPath);
    const empty = isEmpty(db);
    closeDb(db);
    if (!empty) {
      const meta = readMeta();
      const matches = meta !== null && meta.profile === profile.name && meta.seed === seed && meta.generator === GENERATOR_VERSION;
      if (args.reuse && matches) reuse = true;
      else if (args.force) {
        process.stderr.write(`seed: --force: deleting ${dbPath}\n`);
        wipe();
      } else if (args.reuse) {
        const held = meta ? `profile ${meta.profile}, seed ${meta.seed}, generator ${meta.generator}` : 'data not written by this seeder';
        return fail(`${dbPath} holds ${held}; asked for profile ${profile.name}, seed ${seed}. Add --force to replace it.`);
      } else {
        return fail(`${dbPath} is not empty; add --force to replace it or --reuse to keep a matching seed.`);
      }
    }
  }

  const t0 = performance.now();
  const db = open(dbPath);
  let summary: SeedSummary | undefined;
  let tokens: TokensFile | undefined;
  try {
    if (reuse) {
      process.stderr.write(`seed: reusing ${dbPath} (profile ${profile.name}, seed ${seed})\n`);
      // Copied without its index file, or seeded by a build that kept the index inside the database.
      const indexed = buildSearchIndex(db);
      if (indexed) process.stderr.write(`seed: indexed ${indexed} posts for search\n`);
      const existing = readTokensFile(args.tokens);
      const same = existing && existing.baseline.profile === profile.name && existing.baseline.seed === seed;
      if (same && tokensStillValid(db, existing)) {
        process.stderr.write(`seed: ${args.tokens} still valid, kept\n`);
      } else {
        tokens = issueTokens(db, profile, seed, perClass);
      }
    } else {
      process.stderr.write(`seed: profile ${profile.name} (${profile.accounts} accounts, ${profile.posts} posts), seed ${seed} → ${dbPath}\n`);
      summary = seedDatabase(db, profile, seed, {
        end,
        deferIndexes: !args['keep-indexes'],
        log: (m) => process.stderr.write(`  ${m}\n`),
      });
      tokens = issueTokens(db, profile, seed, perClass);
    }
  } finally {
    const tc = performance.now();
    closeDb(db);
    if (summary) summary.ms.close = Math.round(performance.now() - tc);
  }

  if (summary) {
    const meta: Meta = { profile: profile.name, seed, generator: GENERATOR_VERSION, end: summary.end, seededAt: new Date().toISOString(), summary };
    writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  }
  if (tokens) {
    mkdirSync(dirname(args.tokens), { recursive: true });
    writeFileSync(args.tokens, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    // The mode applies only to a new file: an existing one is made private too.
    chmodSync(args.tokens, 0o600);
    const per = (c: string) => tokens!.tokens.filter((t) => t.class === c).length;
    process.stderr.write(`seed: wrote ${args.tokens} (light ${per('light')}, median ${per('median')}, heavy ${per('heavy')})\n`);
  }
  const total = ((performance.now() - t0) / 1000).toFixed(1);
  if (summary) {
    const { ms, ...counts } = summary;
    process.stdout.write(`${JSON.stringify({ ...counts, seconds: Number(total), ms })}\n`);
  } else {
    process.stdout.write(`${JSON.stringify({ reused: dbPath, profile: profile.name, seed, seconds: Number(total) })}\n`);
  }
}

function readTokensFile(path: string): TokensFile | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TokensFile;
  } catch {
    return null;
  }
}

main();
