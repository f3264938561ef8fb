/**
 * The bluetwit benchmark: seeds (or reuses) a profile, then measures the home timeline in process, the HTTP
 * timeline against a same-size static baseline, writes under a read load, and the server's peak RSS.
 *
 *   npm run bench -- [--profile company] [--profiles company,ibm] [--seconds 10] [--write-rate 1500] [--quick] [--skip-http] [--skip-query]
 *
 * Exits non-zero when any request under load failed; `npm test` runs it on the small profile (--quick) so
 * the bench itself keeps working.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { build as esbuild } from 'esbuild';
import type { Recorded } from './pages';
import { testConfig } from '../src/config';
import { closeDb, openDb, type Db } from '../src/db/client';
import { createDeps, type Deps } from '../src/services/deps';
import { changes } from '../src/services/changes';
import { loadPosts } from '../src/services/posts';
import { homeTimeline } from '../src/services/timelines';

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string' },
    profiles: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    'skip-http': { type: 'boolean', default: false },
    'skip-query': { type: 'boolean', default: false },
    'write-rate': { type: 'string', default: '1500' },
  },
});
const profiles = (args.profiles ?? args.profile ?? 'company').split(',').map((s) => s.trim());
const seconds = args.quick ? 3 : Number(args.seconds);
const writeRate = Number(args['write-rate']);
const root = new URL('..', import.meta.url).pathname;
const dataDir = join(root, 'data');
const outDir = join(root, 'bench', 'results');

type Stat = { p50: number; p99: number; n: number };
const stat = (samples: number[]): Stat => {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: Math.round(at(0.5)), p99: Math.round(at(0.99)), n: s.length };
};
const micros = (fn: () => unknown) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1000;
};

function seed(profile: string) {
  const db = join(dataDir, `bench-${profile}.db`);
  const tokens = join(dataDir, `bench-${profile}-tokens.json`);
  console.error(`seeding (or reusing) ${profile} → ${db}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/seed.ts'), '--profile', profile, '--db', db, '--tokens', tokens, '--reuse'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`seeding ${profile} failed`);
  return { db, tokens };
}

/** Readers per class (by followee count), as the seeder's token classes define them. */
function readers(db: Db) {
  const pick = (sql: string, ...params: number[]) => (db.$client.prepare(sql).all(...params) as { id: number; following: number }[]);
  const band = (lo: number, hi: number) => pick('SELECT id, following_count AS following FROM accounts WHERE following_count BETWEEN ? AND ? ORDER BY (id * 2654435761) % 1000003 LIMIT 40', lo, hi);
  const nearest = (n: number) => pick('SELECT id, following_count AS following FROM accounts ORDER BY abs(following_count - ?), id LIMIT 15', n);
  return {
    classes: { light: band(1, 20), median: band(80, 120), heavy: band(2000, 1e9) },
    curve: Object.fromEntries([10, 100, 1000, 5000].map((n) => [n, nearest(n)])) as Record<number, { id: number; following: number }[]>,
  };
}

type Reader = { id: number; following: number };
type QueryResult = {
  classes: Record<string, { first: Stat; tenth: Stat; cold: Stat; following: number }>;
  curve: Record<string, Stat & { following: number }>;
  hydrate20: Stat;
  hydrate20cold: Stat;
};

/**
 * The in-process measurement of one profile, taken in rounds so that several profiles can be measured
 * alternately in one process: a slow spell on a shared machine then lands on all of them alike, and the
 * comparison between profiles (does cost grow with total posts?) measures the service, not the moment.
 */
class QueryRun {
  private readonly db: Db;
  private readonly deps: Deps;
  private readonly classes: Record<string, Reader[]>;
  private readonly curve: Record<number, Reader[]>;
  private readonly cursors = new Map<number, string | undefined>();
  private readonly seqs: number[];
  private readonly samples = new Map<string, number[]>();

  constructor(dbPath: string) {
    this.db = openDb(dbPath);
    this.deps = createDeps(this.db, testConfig({ dbPath }));
    ({ classes: this.classes, curve: this.curve } = readers(this.db));
    // Each class reader's tenth page is read at the cursor their first nine pages lead to.
    for (const list of Object.values(this.classes)) {
      for (const r of list) {
        let cursor: string | undefined;
        for (let i = 0; i < 9; i++) cursor = homeTimeline(this.deps, r.id, { limit: 20, cursor }).next ?? undefined;
        this.cursors.set(r.id, cursor);
      }
    }
    // Baseline: hydrating 20 known posts, the least work any page of 20 must do.
    this.seqs = (this.db.$client.prepare('SELECT seq FROM posts ORDER BY seq DESC LIMIT 20').all() as { seq: number }[]).map((r) => r.seq);
    // One round unrecorded: the page, post and followed-accounts caches, statements and the recent-posts
    // index warm, the way a running server has them.
    this.warm(false);
  }

  private add(key: string, us: number): void {
    let list = this.samples.get(key);
    if (!list) this.samples.set(key, (list = []));
    list.push(us);
  }

  /** One round over every reader, first and tenth page, the followee curve and the hydration baseline. */
  warm(record = true): void {
    const add = record ? (key: string, us: number) => this.add(key, us) : () => {};
    for (const [name, list] of Object.entries(this.classes)) {
      for (const r of list) {
        add(`${name}.first`, micros(() => homeTimeline(this.deps, r.id, { limit: 20 })));
        const cursor = this.cursors.get(r.id);
        if (cursor) add(`${name}.tenth`, micros(() => homeTimeline(this.deps, r.id, { limit: 20, cursor })));
      }
    }
    for (const [n, list] of Object.entries(this.curve)) for (const r of list) add(`curve.${n}`, micros(() => homeTimeline(this.deps, r.id, { limit: 20 })));
    for (let i = 0; i < 40; i++) add('hydrate', micros(() => loadPosts(this.deps, 1, this.seqs)));
  }

  /** One round with every cache the change tracker governs (pages, posts, followed accounts) emptied before each read. */
  cold(): void {
    const tracker = changes(this.db);
    for (const [name, list] of Object.entries(this.classes)) {
      for (const r of list) {
        tracker.invalidateAll();
        this.add(`${name}.cold`, micros(() => homeTimeline(this.deps, r.id, { limit: 20 })));
      }
    }
    for (let i = 0; i < 8; i++) {
      tracker.invalidateAll();
      this.add('hydrate.cold', micros(() => loadPosts(this.deps, 1, this.seqs)));
    }
  }

  result(): QueryResult {
    const of = (key: string) => stat(this.samples.get(key) ?? []);
    const avg = (list: Reader[]) => (list.length ? Math.round(list.reduce((a, r) => a + r.following, 0) / list.length) : 0);
    return {
      classes: Object.fromEntries(Object.entries(this.classes).map(([name, list]) => [name, { first: of(`${name}.first`), tenth: of(`${name}.tenth`), cold: of(`${name}.cold`), following: avg(list) }])),
      curve: Object.fromEntries(Object.entries(this.curve).map(([n, list]) => [n, { ...of(`curve.${n}`), following: avg(list) }])),
      hydrate20: of('hydrate'),
      hydrate20cold: of('hydrate.cold'),
    };
  }

  close(): void {
    closeDb(this.db);
  }
}

/** Measures every profile in process, in alternating rounds (warm rounds first, then cold ones). */
function queryLevel(dbPaths: string[]): QueryResult[] {
  const runs = dbPaths.map((path) => new QueryRun(path));
  // 50 rounds: 2,000 reads per class and page, so a p99 is the 20th slowest, not an accident.
  const rounds = args.quick ? 5 : 50;
  for (let round = 0; round < rounds; round++) for (const run of runs) run.warm();
  for (let round = 0; round < Math.ceil(rounds / 2); round++) for (const run of runs) run.cold();
  const results = runs.map((run) => run.result());
  for (const run of runs) run.close();
  return results;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a server process and waits until `readyUrl` answers; its logs go nowhere so a full pipe never stalls it. */
async function startProcess(argv: string[], env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(readyUrl)).status < 500) return proc;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`${argv.join(' ')} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
}

const stop = (p: ChildProcess) => new Promise<void>((resolve) => {
  p.once('exit', () => resolve());
  p.kill('SIGTERM');
});

type Cannon = { rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number; roundRps?: number[] };
async function cannon(opts: autocannon.Options): Promise<Cannon> {
  const r = await autocannon({ duration: seconds, ...opts });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx, total: r.requests.total };
}

/**
 * Reads against several servers in alternating rounds (each round in a rotated order), after a second of warm-up
 * each, so a slow spell of the shared machine lands on all of them alike: rates averaged over the rounds, the
 * median round's p50, the worst round's p99.
 */
async function alternately<K extends string>(urls: Record<K, string>, requests: autocannon.Request[]): Promise<Record<K, Cannon>> {
  const names = Object.keys(urls) as K[];
  const rounds = args.quick ? 1 : 4;
  const runs = new Map<K, Cannon[]>(names.map((n) => [n, []]));
  for (const n of names) await cannon({ url: urls[n], connections: 10, requests, duration: 1 } as autocannon.Options);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length];
      runs.get(n)!.push(await cannon({ url: urls[n], connections: 10, requests, duration: seconds / rounds } as autocannon.Options));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return Object.fromEntries(names.map((n) => {
    const rs = runs.get(n)!;
    return [n, {
      rps: Math.round(sum(rs.map((r) => r.rps)) / rs.length), p50: median(rs.map((r) => r.p50)), p99: Math.max(...rs.map((r) => r.p99)),
      errors: sum(rs.map((r) => r.errors)), non2xx: sum(rs.map((r) => r.non2xx)), total: sum(rs.map((r) => r.total)), roundRps: rs.map((r) => r.rps),
    }];
  })) as Record<K, Cannon>;
}

/**
 * The server's own request-duration histogram for one route (cumulative count per bucket bound, in ms), read
 * from /metrics: what the server spent on the requests, without the load generator's share of the machine.
 */
async function serverHistogram(url: string, method: string, route: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets = new Map<number, number>();
  const line = /^bluetwit_http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/;
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m || !m[1].includes(`method="${method}"`) || !m[1].includes(`route="${route}"`)) continue;
    const le = /le="([^"]+)"/.exec(m[1])![1];
    buckets.set(le === '+Inf' ? Infinity : Number(le) * 1000, Number(m[2]));
  }
  return buckets;
}

/** The smallest bucket bound (ms) holding 99 % of the requests counted between two readings of a histogram. */
function p99Bucket(before: Map<number, number>, after: Map<number, number>): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return null;
  return bounds.find((b) => (after.get(b)! - (before.get(b) ?? 0)) / total >= 0.99) ?? null;
}

async function httpLevel(seededPath: string, tokensPath: string) {
  const tokens = JSON.parse(readFileSync(tokensPath, 'utf8')).tokens as { class: string; token: string }[];
  // The write phase adds posts: measure on a scratch copy so every run starts from the same seeded data.
  const dbPath = seededPath.replace(/\.db$/, '-scratch.db');
  // With its search index (a file of its own beside it), or the server would index every post again meanwhile.
  for (const suffix of ['-wal', '-shm', '-search-wal', '-search-shm']) rmSync(dbPath + suffix, { force: true });
  for (const suffix of ['', '-search']) {
    copyFileSync(seededPath + suffix, dbPath + suffix);
    // On disk before anything is timed: the kernel writing back gigabytes of the copy meanwhile would take CPU
    // from whichever process had the least to spare, the static baseline's load generator most of all.
    const copy = openSync(dbPath + suffix, 'r+');
    fsyncSync(copy);
    closeSync(copy);
  }
  const port = await freePort();
  // Started as `npm start` starts it: the bundle, with a young generation of 32 MB (most per-request garbage dies
  // before a scavenge).
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-server.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the server failed');
  const server = await startProcess(['--enable-source-maps', '--max-semi-space-size=32', 'dist/server.mjs'], {
    PORT: String(port), HOST: '127.0.0.1', BLUETWIT_DB: dbPath, BLUETWIT_RATE_LIMITS: 'off', BLUETWIT_LOG_LEVEL: 'info',
  }, `http://127.0.0.1:${port}/healthz`);
  const url = `http://127.0.0.1:${port}`;
  const pagesFile = seededPath.replace(/\.db$/, '-pages.json');
  try {
    // A realistic mix: every class, mostly first pages; the same sequence for every connection.
    const byClass = ['light', 'median', 'heavy'].map((c) => tokens.filter((t) => t.class === c));
    const mix = Array.from({ length: 60 }, (_, i) => byClass[i % 3][Math.floor(i / 3) % byClass[i % 3].length]).filter(Boolean);
    const reads = mix.map((t) => ({ method: 'GET' as const, path: '/api/timelines/home', headers: { authorization: `Bearer ${t.token}` } }));
    // Each reader's page as the real server sends it, for the baseline and floor servers to send that reader: the
    // load generator decodes every body it reads (autocannon appends it to a string), at a cost that depends on the
    // characters as well as the size (one median page read 20% slower than another of the same length), so the
    // servers are compared on the same bytes. The file holds tokens: readable by its owner only.
    // Recorded as the load generator reads them: it asks for no compression.
    const recorded: Recorded[] = [];
    for (const token of new Set(mix.map((t) => t.token))) {
      const page = await fetch(`${url}/api/timelines/home`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'identity' } });
      if (page.status !== 200) throw new Error(`recording a reader's page: HTTP ${page.status}`);
      recorded.push({ token, body: await page.text(), etag: page.headers.get('etag') ?? '', link: page.headers.get('link') ?? '' });
    }
    rmSync(pagesFile, { force: true });
    writeFileSync(pagesFile, JSON.stringify({ pages: recorded }), { mode: 0o600, flag: 'wx' });
    // The average page as the mix requests them, so a reader who comes up more often weighs more.
    const sizes = new Map(recorded.map((r) => [r.token, Buffer.byteLength(r.body)]));
    const pageBytes = Math.round(mix.reduce((n, t) => n + sizes.get(t.token)!, 0) / mix.length);
    // The static baseline and the contract's floor, each bundled and started the same way as the server.
    const reference = async (name: string) => {
      const port = await freePort();
      await esbuild({ entryPoints: [join(root, `bench/${name}.ts`)], outfile: join(root, `dist/${name}.mjs`), bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
      const proc = await startProcess(['--max-semi-space-size=32', `dist/${name}.mjs`], { PORT: String(port), BENCH_PAGES: pagesFile }, `http://127.0.0.1:${port}/`);
      return { proc, url: `http://127.0.0.1:${port}` };
    };
    const baseline = await reference('baseline-server');
    const floorServer = await reference('floor-server').catch(async (err) => {
      await stop(baseline.proc);
      throw err;
    });
    const { real, baseline: base, floor } = await alternately({ real: url, baseline: baseline.url, floor: floorServer.url }, reads)
      .finally(() => Promise.all([stop(baseline.proc), stop(floorServer.proc)]));

    // Writers rotate over every seeded account with a token, so no single author floods the timelines.
    const writes = tokens.map((t) => ({
      method: 'POST' as const, path: '/api/posts', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'bench post [<id>] shipping the quarterly numbers #bench' }),
    }));
    const writesAlone = await cannon({ url, connections: 8, idReplacement: true, requests: writes } as autocannon.Options);
    const before = await serverHistogram(url, 'POST', '/api/posts');
    const writer = cannon({ url, connections: 16, overallRate: writeRate, idReplacement: true, requests: writes } as autocannon.Options);
    const reader = cannon({ url, connections: 9, requests: reads });
    const [writesDuringReads, readsDuringWrites] = await Promise.all([writer, reader]);
    const serverWriteP99Ms = p99Bucket(before, await serverHistogram(url, 'POST', '/api/posts'));
    const rss = peakRssMb(server.pid!);

    const ratio = (r: Cannon) => Math.round((r.rps / base.rps) * 100) / 100;
    // Each round's own ratio (the servers of a round ran back to back): how far the machine's noise moves the figure.
    const roundRatios = (r: Cannon) => r.roundRps!.map((rps, i) => Math.round((rps / base.roundRps![i]) * 100) / 100);
    return {
      pageBytes, real, baseline: base, ratio: ratio(real), ratioRounds: roundRatios(real), floor, floorRatio: ratio(floor),
      floorRatioRounds: roundRatios(floor), writesAlone, writesDuringReads, readsDuringWrites, serverWriteP99Ms, peakRssMb: rss,
    };
  } finally {
    await stop(server);
    rmSync(pagesFile, { force: true });
  }
}

// A class the profile has no readers for (the small profile has no heavy readers) has no samples.
const fmt = (s: Stat) => (s.n === 0 ? '–' : `${s.p50} / ${s.p99}`);
const all: Record<string, unknown> = {};
const seeded = profiles.map((profile) => ({ profile, ...seed(profile) }));
if (!args['skip-query']) console.error(`measuring ${profiles.join(' and ')} in process${profiles.length > 1 ? ', alternately' : ''}…`);
const queries = args['skip-query'] ? null : queryLevel(seeded.map((p) => p.db));
for (const [i, { profile, db, tokens }] of seeded.entries()) {
  const q = queries?.[i] ?? null;
  const h = args['skip-http'] ? null : (console.error(`measuring ${profile} over HTTP…`), await httpLevel(db, tokens));
  all[profile] = { query: q, http: h };
  const lines = [`## ${profile}`];
  if (q) {
    lines.push(
      '',
      '| home timeline, in process | followees (avg) | first page p50 / p99 µs | 10th page p50 / p99 µs | first page, caches cold |',
      '|---|---|---|---|---|',
      ...Object.entries(q.classes).map(([k, v]) => `| ${k} | ${v.following} | ${fmt(v.first)} | ${fmt(v.tenth)} | ${fmt(v.cold)} |`),
      `| baseline: hydrate 20 known posts | – | ${fmt(q.hydrate20)} | – | ${fmt(q.hydrate20cold)} |`,
      '',
      '| followee count | first page p50 / p99 µs |',
      '|---|---|',
      ...Object.entries(q.curve).map(([k, v]) => `| ${k} (avg ${v.following}) | ${fmt(v)} |`),
    );
  }
  if (h) {
    lines.push(
      '',
      '| HTTP | req/s | p50 ms | p99 ms | errors | non-2xx |',
      '|---|---|---|---|---|---|',
      `| GET /api/timelines/home (mix) | ${h.real.rps} | ${h.real.p50} | ${h.real.p99} | ${h.real.errors} | ${h.real.non2xx} |`,
      `| baseline: each reader's page, recorded (${h.pageBytes} B on average) | ${h.baseline.rps} | ${h.baseline.p50} | ${h.baseline.p99} | ${h.baseline.errors} | ${h.baseline.non2xx} |`,
      `| floor: the contract's headers and an in-memory token lookup, nothing else | ${h.floor.rps} | ${h.floor.p50} | ${h.floor.p99} | ${h.floor.errors} | ${h.floor.non2xx} |`,
      `| **ratio real / baseline** (each round) | **${h.ratio}** (${h.ratioRounds.join(', ')}) | | | | |`,
      `| ratio floor / baseline (each round) | ${h.floorRatio} (${h.floorRatioRounds.join(', ')}) | | | | |`,
      `| POST /api/posts alone (8 conns) | ${h.writesAlone.rps} | ${h.writesAlone.p50} | ${h.writesAlone.p99} | ${h.writesAlone.errors} | ${h.writesAlone.non2xx} |`,
      `| POST /api/posts offered at ${writeRate}/s during reads | ${h.writesDuringReads.rps} | ${h.writesDuringReads.p50} | ${h.writesDuringReads.p99} | ${h.writesDuringReads.errors} | ${h.writesDuringReads.non2xx} |`,
      `| reads during those writes (9 conns) | ${h.readsDuringWrites.rps} | ${h.readsDuringWrites.p50} | ${h.readsDuringWrites.p99} | ${h.readsDuringWrites.errors} | ${h.readsDuringWrites.non2xx} |`,
      '',
      `Those posts, p99 as the server measured them (its request-duration histogram, so a bucket bound): ≤ ${h.serverWriteP99Ms} ms.`,
      '',
      `Peak server RSS: ${h.peakRssMb} MB`,
    );
  }
  console.log(`${lines.join('\n')}\n`);
}
// Does a page cost more when the company is bigger? Each profile against the first, measured alternately.
if (queries && queries.length > 1) {
  const [ref, ...others] = queries;
  const x = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '–');
  const lines = ['## scale: each profile against ' + profiles[0] + ' (p50 ×, p99 ×)', '', `| | ${profiles.slice(1).map((p) => `${p} first page | ${p} 10th page`).join(' | ')} |`, `|---|${others.map(() => '---|---|').join('')}`];
  for (const name of Object.keys(ref.classes)) {
    const cells = others.map((q) => {
      const a = q.classes[name];
      const b = ref.classes[name];
      return `${x(a.first.p50, b.first.p50)} · ${x(a.first.p99, b.first.p99)} | ${x(a.tenth.p50, b.tenth.p50)} · ${x(a.tenth.p99, b.tenth.p99)}`;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  console.log(`${lines.join('\n')}\n`);
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, `bench-${profiles.join('-')}.json`), `${JSON.stringify({ at: new Date().toISOString(), seconds, results: all }, null, 2)}\n`);
// Figures measured on failures are no figures: any error or non-2xx answer under load fails the run.
const failures = Object.entries(all).flatMap(([profile, r]) => {
  const h = (r as { http: Record<string, unknown> | null }).http;
  if (!h) return [];
  return Object.entries(h)
    .filter(([, v]) => typeof v === 'object' && v !== null && 'errors' in v && ((v as Cannon).errors > 0 || (v as Cannon).non2xx > 0))
    .map(([phase, v]) => `${profile} ${phase}: ${(v as Cannon).errors} errors, ${(v as Cannon).non2xx} non-2xx`);
});
if (failures.length) {
  console.error(`requests failed under load:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
