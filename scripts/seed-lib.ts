/**
 * Deterministic data generator for benchmarks, load tests and tests: writes accounts, follows, posts (with tags,
 * mentions, replies), likes and recent notifications straight into SQLite, with every counter kept exactly as the
 * services keep it. Everything derives from one integer seed; no Math.random.
 */
import { searchIndexer } from '../src/db/search-index';
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { nanoid, urlAlphabet } from 'nanoid';
import type { Db } from '../src/db/client';
import { hashPasswordWithSalt, hashSecret } from '../src/services/auth';
import { foldKey, parseMentions, parseTags, RESERVED_HANDLES } from '../src/services/text';
import * as W from './seed-words';

/** Bumped whenever the same seed would produce different data; stored in the seed meta file. */
export const GENERATOR_VERSION = 1;

/** The password of every seeded account. */
export const SEED_PASSWORD = 'password';

/** Default end of the seeded time window (a Monday, 00:00 UTC): fixed so a seed always gives the same rows. */
export const DEFAULT_END = Date.UTC(2025, 5, 2);

const DAY = 86_400_000;
const HOUR = 3_600_000;

export type TokenClass = 'light' | 'median' | 'heavy';

export type Profile = {
  name: string;
  accounts: number;
  posts: number;
  /** Length of the post window, ending at `end`. */
  days: number;
  botShare: number;
  /** Share of human accounts that never post. */
  lurkerShare: number;
  /** Share of all posts written by the top 1% of accounts (the author Zipf exponent is solved for it). */
  topAuthorShare: number;
  /** Followees per account: log-normal around the median, capped. */
  followMedian: number;
  followSigma: number;
  followMax: number;
  /** Zipf exponent of the preferential pick of followees. */
  popularityZipf: number;
  replyShare: number;
  /** Base mean of likes per post, scaled up for authors with many followers. */
  likeMean: number;
  /** Notifications are generated for events this many days before `end` (older ones count as pruned). */
  notificationDays: number;
  /** Following-count bands of the token classes. */
  classes: { lightMax: number; median: [number, number]; heavyMin: number };
  tokensPerClass: number;
};

const COMPANY_CLASSES = { lightMax: 20, median: [85, 115] as [number, number], heavyMin: 2000 };

export const PROFILES: Record<'small' | 'company' | 'ibm', Profile> = {
  small: {
    name: 'small', accounts: 300, posts: 10_000, days: 30, botShare: 0.03, lurkerShare: 0.1, topAuthorShare: 0.2,
    followMedian: 30, followSigma: 1.0, followMax: 250, popularityZipf: 1.0, replyShare: 0.12, likeMean: 2.0,
    notificationDays: 14, classes: { lightMax: 10, median: [25, 40], heavyMin: 150 }, tokensPerClass: 5,
  },
  company: {
    name: 'company', accounts: 20_000, posts: 1_000_000, days: 90, botShare: 0.03, lurkerShare: 0.15,
    topAuthorShare: 1 / 3, followMedian: 100, followSigma: 1.1, followMax: 5_000, popularityZipf: 1.0, replyShare: 0.1,
    likeMean: 1.8, notificationDays: 14, classes: COMPANY_CLASSES, tokensPerClass: 50,
  },
  ibm: {
    name: 'ibm', accounts: 100_000, posts: 5_000_000, days: 90, botShare: 0.03, lurkerShare: 0.15,
    topAuthorShare: 1 / 3, followMedian: 100, followSigma: 1.15, followMax: 8_000, popularityZipf: 1.0, replyShare: 0.1,
    likeMean: 1.8, notificationDays: 7, classes: COMPANY_CLASSES, tokensPerClass: 50,
  },
};

export type ProfileName = keyof typeof PROFILES;

/** Looks up a profile by name; throws listing the valid names. */
export function getProfile(name: string): Profile {
  const p = (PROFILES as Record<string, Profile>)[name];
  if (!p) throw new Error(`unknown profile "${name}" (choose ${Object.keys(PROFILES).join(', ')})`);
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// Randomness

/** A 32-bit integer hash (murmur3 finaliser): bijective, so distinct inputs give distinct outputs. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** sfc32, seeded through splitmix-style hashing of (seed, stream). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    let s = (seed ^ Math.imul(stream, 0x632be5ab)) | 0;
    const next = () => mix32((s = (s + 0x9e3779b9) | 0));
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() ^ stream;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Next 32 random bits as an unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(arr: readonly T[]): T {
    return arr[this.int(arr.length)];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Exponential with the given mean. */
  expo(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }
}

/** Samples indices in proportion to fixed weights (cumulative table + binary search). */
class Weighted {
  private readonly cdf: Float64Array;
  private readonly total: number;

  constructor(weights: ArrayLike<number>) {
    this.cdf = new Float64Array(weights.length);
    let acc = 0;
    for (let i = 0; i < weights.length; i++) this.cdf[i] = acc += weights[i];
    this.total = acc;
  }

  sample(rng: Rng): number {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

const zipfWeights = (n: number, s: number) => Float64Array.from({ length: n }, (_, r) => 1 / Math.pow(r + 1, s));

/** Share of the total weight held by the first `top` of `n` Zipf(s) ranks. */
function zipfTopShare(n: number, s: number, top: number): number {
  let total = 0;
  let head = 0;
  for (let r = 1; r <= n; r++) {
    const w = 1 / Math.pow(r, s);
    total += w;
    if (r <= top) head += w;
  }
  return head / total;
}

/** The Zipf exponent for which the first `top` of `n` ranks hold `share` of the weight (bisection). */
export function solveZipfExponent(n: number, top: number, share: number): number {
  let lo = 0;
  let hi = 4;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (zipfTopShare(n, mid, top) < share) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function shuffle<T extends { length: number; [i: number]: number }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

/** The public id of the post with this seq: 21 nanoid-alphabet characters derived from (seed, seq). */
export function postIdFor(seed: number, seq: number): string {
  const r = new Rng(seed ^ 0x5eed1d, seq);
  let id = '';
  for (let i = 0; i < 21; i++) id += urlAlphabet[r.u32() >>> 26];
  return id;
}

/** A growable typed-array column. */
class Column<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(
    private data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i];
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
const f64 = (n = 1024) => new Column(new Float64Array(n), (m) => new Float64Array(m));
const i32 = (n = 1024) => new Column(new Int32Array(n), (m) => new Int32Array(m));

// ---------------------------------------------------------------------------------------------------------------
// Accounts

type Accounts = {
  n: number;
  handle: string[];
  displayName: string[];
  bio: string[];
  department: Uint8Array;
  title: string[];
  bot: Uint8Array;
  createdAt: Float64Array;
};

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .toLowerCase();

function planAccounts(p: Profile, rng: Rng, start: number): Accounts {
  const n = p.accounts;
  const a: Accounts = {
    n,
    handle: new Array(n),
    displayName: new Array(n),
    bio: new Array(n),
    department: new Uint8Array(n),
    title: new Array(n),
    bot: new Uint8Array(n),
    createdAt: new Float64Array(n),
  };
  // Sign-up dates over the three years before the window, in id order (ids are handed out at sign-up).
  for (let i = 0; i < n; i++) a.createdAt[i] = Math.floor(start - DAY * (3 + rng.float() * 1100));
  a.createdAt.sort();

  const bots = Math.max(2, Math.round(n * p.botShare));
  const order = shuffle(Int32Array.from({ length: n }, (_, i) => i), rng);
  for (let k = 0; k < bots; k++) a.bot[order[k]] = 1;

  const deptPick = new Weighted(W.DEPARTMENTS.map((d) => d.weight));
  const taken = new Set<string>();
  const suffix = new Map<string, number>();
  const claim = (stem: string): string => {
    stem = stem.replace(/[^a-z0-9_]/g, '').slice(0, 25) || 'user';
    if (stem.length < 2) stem = `${stem}_x`;
    let h = stem;
    while (taken.has(h) || RESERVED_HANDLES.has(h)) {
      const k = (suffix.get(stem) ?? 1) + 1;
      suffix.set(stem, k);
      h = `${stem}${stem.endsWith('_') ? '' : '_'}${k}`;
    }
    taken.add(h);
    return h;
  };

  let botKind = 0;
  for (let i = 0; i < n; i++) {
    if (a.bot[i]) {
      const kind = W.BOT_KINDS[botKind++ % W.BOT_KINDS.length];
      a.handle[i] = claim(`${kind.stem}_bot`);
      const nth = Math.floor((botKind - 1) / W.BOT_KINDS.length);
      a.displayName[i] = nth ? `${kind.name} ${nth + 1}` : kind.name;
      a.department[i] = W.DEPARTMENTS.findIndex((d) => d.name === kind.department);
      a.title[i] = 'Automation';
      a.bio[i] = `Automated posts from the ${kind.name.toLowerCase()} integration. Owned by ${kind.department}.`;
      continue;
    }
    const d = deptPick.sample(rng);
    a.department[i] = d;
    a.title[i] = rng.pick(W.DEPARTMENTS[d].titles);
    a.bio[i] = rng.chance(0.6) ? rng.pick(W.BIOS) : '';
    const roll = rng.float();
    if (roll < 0.015) {
      const [name, stem] = rng.pick(W.NON_LATIN_NAMES);
      a.displayName[i] = name;
      a.handle[i] = claim(stem);
      continue;
    }
    const first = roll < 0.09 ? rng.pick(W.ACCENTED_FIRST) : cap(rng.pick(W.FIRST_NAMES).replace('_', '-'));
    const last = rng.pick(W.LAST_NAMES);
    a.displayName[i] = `${first} ${cap(last)}`;
    const f = fold(first).replace('-', '_');
    const style = rng.float();
    a.handle[i] = claim(style < 0.55 ? `${f}_${last}` : style < 0.75 ? `${f}${last}` : style < 0.9 ? `${f[0]}${last}` : `${f}_${last[0]}`);
  }
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Follow graph (CSR: the followees of account i are targets[offsets[i] .. offsets[i+1]), ascending)

type Graph = { offsets: Int32Array; targets: Int32Array };

function planFollows(p: Profile, acc: Accounts, rng: Rng): Graph {
  const n = acc.n;
  const maxK = Math.min(p.followMax, Math.floor((n - 1) * 0.9));
  const k = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    k[i] = acc.bot[i]
      ? rng.int(6)
      : Math.min(maxK, Math.max(0, Math.round(Math.exp(Math.log(p.followMedian) + p.followSigma * rng.normal()))));
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + k[i];
  const targets = new Int32Array(offsets[n]);

  // Preferential pick: popularity ranks over a random permutation of accounts, Zipf-weighted.
  const byPopularity = shuffle(Int32Array.from({ length: n }, (_, i) => i), rng);
  const popular = new Weighted(zipfWeights(n, p.popularityZipf));
  const members: number[][] = W.DEPARTMENTS.map(() => []);
  for (let i = 0; i < n; i++) members[acc.department[i]].push(i);

  const mark = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const stamp = i + 1;
    mark[i] = stamp;
    const team = members[acc.department[i]];
    let got = 0;
    const base = offsets[i];
    while (got < k[i]) {
      const r = rng.float();
      const j = r < 0.3 ? team[rng.int(team.length)] : r < 0.8 ? byPopularity[popular.sample(rng)] : rng.int(n);
      if (mark[j] === stamp) continue;
      mark[j] = stamp;
      targets[base + got++] = j;
    }
    targets.subarray(base, base + got).sort();
  }
  return { offsets, targets };
}

function reverseGraph(n: number, g: Graph): Graph {
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < g.targets.length; e++) offsets[g.targets[e] + 1]++;
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, n);
  const targets = new Int32Array(g.targets.length);
  for (let i = 0; i < n; i++) for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) targets[fill[g.targets[e]]++] = i;
  return { offsets, targets };
}

// ---------------------------------------------------------------------------------------------------------------
// Post timeline: when, by whom, replying to what

// Relative activity per hour of day (UTC, the company's time zone) and per weekday (Sunday first).
const HOUR_WEIGHTS = [0.04, 0.03, 0.02, 0.02, 0.03, 0.05, 0.12, 0.3, 0.65, 0.95, 1.0, 0.95, 0.7, 0.85, 0.95, 0.9, 0.8, 0.6, 0.4, 0.28, 0.2, 0.14, 0.09, 0.06];
const DAY_WEIGHTS = [0.08, 1.0, 1.05, 1.05, 1.0, 0.85, 0.12];

type Timeline = { time: Float64Array; author: Int32Array; parent: Int32Array; replyCount: Int32Array };

function planPosts(p: Profile, acc: Accounts, rng: Rng, start: number): Timeline {
  const hours = p.days * 24;
  const hourWeights = new Float64Array(hours);
  for (let h = 0; h < hours; h++) {
    const t = start + h * HOUR;
    hourWeights[h] = DAY_WEIGHTS[new Date(t).getUTCDay()] * HOUR_WEIGHTS[new Date(t).getUTCHours()];
  }
  const hourPick = new Weighted(hourWeights);
  const P = p.posts;
  const time = new Float64Array(P);
  for (let i = 0; i < P; i++) time[i] = Math.floor(start + hourPick.sample(rng) * HOUR + rng.float() * HOUR);
  time.sort();

  // Authors: Zipf over a random order of the accounts that post, the exponent solved so the top 1% of all
  // accounts write `topAuthorShare` of the posts.
  const posters: number[] = [];
  for (const i of shuffle(Int32Array.from({ length: acc.n }, (_, i) => i), rng)) {
    if (acc.bot[i] || !rng.chance(p.lurkerShare)) posters.push(i);
  }
  const s = solveZipfExponent(posters.length, Math.max(1, Math.round(acc.n / 100)), p.topAuthorShare);
  const authorPick = new Weighted(zipfWeights(posters.length, s));
  const author = new Int32Array(P);
  for (let i = 0; i < P; i++) author[i] = posters[authorPick.sample(rng)];

  // Replies go to a recent post (about four hours back on average) by someone else.
  const parent = new Int32Array(P).fill(-1);
  const replyCount = new Int32Array(P);
  const meanGap = Math.max(2, P / p.days / 6);
  for (let i = 1; i < P; i++) {
    if (acc.bot[author[i]] || !rng.chance(p.replyShare)) continue;
    const j = i - 1 - Math.floor(rng.expo(meanGap));
    if (j < 0) continue;
    for (let t = 0; t < 4 && (author[i] === author[j] || acc.bot[author[i]]); t++) author[i] = posters[authorPick.sample(rng)];
    if (author[i] === author[j] || acc.bot[author[i]]) continue;
    parent[i] = j;
    replyCount[j]++;
  }
  return { time, author, parent, replyCount };
}

// ---------------------------------------------------------------------------------------------------------------
// Post text

type Said = { text: string; mentions: number[] };

const hashTag = (rng: Rng, tagPick: Weighted) => {
  const t = W.TAGS[tagPick.sample(rng)];
  return rng.chance(0.12) ? `#${cap(t)}` : `#${t}`;
};

const version = (rng: Rng) => `v${1 + rng.int(9)}.${rng.int(30)}.${rng.int(20)}`;

const HUMAN_LINES: ((r: Rng) => string)[] = [
  (r) => `Shipping ${r.pick(W.PROJECTS)} ${version(r)} today, thanks to everyone who reviewed.`,
  (r) => `Anyone else seeing ${r.pick(W.SYSTEMS)} ${r.pick(W.PROBLEMS)}?`,
  (r) => `${r.pick(W.SYSTEMS)} is ${r.pick(W.PROBLEMS)}, I am on it.`,
  (r) => `Demo of ${r.pick(W.PROJECTS)} at 3pm ${r.pick(W.PLACES)}, come by!`,
  (r) => `Wrote up the RFC for ${r.pick(W.PROJECTS)}, comments welcome before ${r.pick(W.WEEKDAYS)}.`,
  (r) => `TIL you can cut our build time in half by caching ${r.pick(['node_modules', 'the docker layers', 'test fixtures', 'the schema'])}.`,
  (r) => `Who wants ${r.pick(W.FOODS)} for lunch? Meeting ${r.pick(W.PLACES)} at 12:30.`,
  (r) => `Retro notes for ${r.pick(W.PROJECTS)} are up. Biggest lesson: write the runbook first.`,
  (r) => `We are hiring a ${r.pick(W.DEPARTMENTS.flatMap((d) => d.titles))}, referrals very welcome.`,
  (r) => `Postmortem for last ${r.pick(W.WEEKDAYS)}'s outage in ${r.pick(W.SYSTEMS)} is published. No blame, lots of learning.`,
  (r) => `Customer call went great, they love ${r.pick(W.PROJECTS)}.`,
  (r) => `Reminder that the all-hands is ${r.pick(W.WEEKDAYS)} at ${9 + r.int(8)}:00.`,
  (r) => `Pairing on ${r.pick(W.PROJECTS)} all afternoon, ping me if it is urgent.`,
  (r) => `Just merged PR #${1000 + r.int(9000)}: ${r.pick(['fix flaky test', 'bump dependencies', 'faster cold start', 'new onboarding step', 'remove dead code', 'better error messages'])}.`,
  (r) => `Hot take: ${r.pick(W.SYSTEMS)} deserves more love than it gets.`,
  (r) => `Finally closed ticket ${r.pick(['OPS', 'ENG', 'SUP', 'DATA'])}-${100 + r.int(9900)} after ${2 + r.int(40)} days.`,
  (r) => `Q${1 + r.int(4)} planning doc for ${r.pick(W.PROJECTS)} is ready for review.`,
  (r) => `Latency on ${r.pick(W.PROJECTS)} is down ${5 + r.int(60)}% since the cache change 🚀`,
  (r) => `Coffee machine on the 4th floor is fixed ☕`,
  (r) => `Office hours for ${r.pick(W.PROJECTS)} moved to ${r.pick(W.WEEKDAYS)}.`,
  (r) => `Does anyone have a good doc on how ${r.pick(W.SYSTEMS)} works?`,
  (r) => `Spent the morning migrating ${r.pick(W.PROJECTS)} off ${r.pick(W.SYSTEMS)}. Going well so far.`,
  (r) => `Welcome to the team, new folks in ${r.pick(W.DEPARTMENTS).name}! 👋`,
  (r) => `Dashboards for ${r.pick(W.PROJECTS)} now show p95 and p99.`,
  (r) => `Heading out early today, back online ${r.pick(W.WEEKDAYS)}.`,
  (r) => `Our ${r.pick(W.DEPARTMENTS).name} offsite agenda:\n- roadmap\n- ${r.pick(W.PROJECTS)}\n- ${r.pick(W.FOODS)}`,
  (r) => `Reading group this week: chapter ${1 + r.int(12)} of the SRE book.`,
  (r) => `Big thanks to everyone who helped with the ${r.pick(W.PROJECTS)} launch.`,
  (r) => `Running the ${r.pick(['5k', '10k', 'half marathon'])} on Sunday, who is joining?`,
  (r) => `Load test results for ${r.pick(W.PROJECTS)}: ${100 + r.int(5000)} req/s without breaking a sweat.`,
];

const BOT_LINES: Record<string, (r: Rng) => string> = {
  deploy: (r) => `✅ Deployed ${r.pick(W.PROJECTS)} ${version(r)} to ${r.pick(['production', 'staging', 'canary'])} in ${1 + r.int(9)}m${r.int(60)}s.`,
  ci: (r) => `${r.chance(0.85) ? '🟢 Build passed' : '🔴 Build failed'} on main (#${10000 + r.int(90000)}), ${200 + r.int(3000)} tests.`,
  oncall: (r) => `Page: ${r.pick(W.SYSTEMS)} ${r.pick(W.PROBLEMS)}. Acknowledged by the on-call engineer.`,
  standup: () => `Standup in 10 minutes. What did you ship yesterday?`,
  lunch: (r) => `Today in the cafeteria: ${r.pick(W.FOODS)} and ${r.pick(W.FOODS)}.`,
  release: (r) => `Release notes for ${r.pick(W.PROJECTS)} ${version(r)}:\n- faster search\n- fewer bugs`,
  security: (r) => `Advisory: please update ${r.pick(['your laptop', 'the VPN client', 'the browser', 'your phone'])} this week.`,
  status: (r) => `${r.pick(W.SYSTEMS)}: ${r.pick(['operational', 'degraded performance', 'partial outage resolved'])}.`,
  metrics: (r) => `Daily active users: ${1000 + r.int(20000)}. Error rate ${(r.float() * 0.5).toFixed(2)}%.`,
  welcome: (r) => `Please welcome ${1 + r.int(12)} new colleagues who joined this week!`,
};

const MENTION_CLAUSES: ((h: string) => string)[] = [
  (h) => ` cc @${h}`,
  (h) => ` Thanks @${h}!`,
  (h) => ` @${h} can you take a look?`,
  (h) => ` (with @${h})`,
];

// ---------------------------------------------------------------------------------------------------------------
// Writing

export type SeedOptions = {
  /** End of the post window (ms epoch); default DEFAULT_END. */
  end?: number;
  /** Drop secondary indexes during the bulk insert and rebuild them after (default true). */
  deferIndexes?: boolean;
  log?: (message: string) => void;
};

export type SeedSummary = {
  profile: string;
  seed: number;
  generator: number;
  start: string;
  end: string;
  accounts: number;
  bots: number;
  follows: number;
  posts: number;
  replies: number;
  likes: number;
  mentions: number;
  tags: number;
  notifications: number;
  ms: Record<string, number>;
};

/** True when the database holds no accounts and no posts. */
export function isEmpty(db: Db): boolean {
  const row = db.$client.prepare('SELECT EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM posts) AS used').get() as { used: number };
  return row.used === 0;
}

/** The scrypt hash of SEED_PASSWORD in auth.ts's format, with a salt derived from the seed. */
export function seedPasswordHash(seed: number): string {
  const r = new Rng(seed, 0x9a55);
  const salt = Buffer.alloc(16);
  for (let i = 0; i < 16; i += 4) salt.writeUInt32LE(r.u32(), i);
  return hashPasswordWithSalt(SEED_PASSWORD, 16384, salt);
}

type Saved = { type: string; name: string; sql: string };

const BULK_TABLES = ['posts', 'follows', 'likes', 'post_tags', 'post_mentions', 'notifications'];

/** Runs `fn` with bulk-load pragmas, restoring the connection's settings afterwards. */
function withBulkPragmas<T>(sqlite: Database.Database, fn: () => T): T {
  const saved = {
    synchronous: sqlite.pragma('synchronous', { simple: true }) as number,
    cache_size: sqlite.pragma('cache_size', { simple: true }) as number,
    foreign_keys: sqlite.pragma('foreign_keys', { simple: true }) as number,
    journal_mode: sqlite.pragma('journal_mode', { simple: true }) as string,
  };
  // The generated rows are consistent by construction, so foreign keys are verified by the tests, not per row.
  // A fresh file has no pages to journal, so an in-memory journal costs nothing and keeps ROLLBACK working.
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -1000000');
  if (saved.journal_mode !== 'memory') sqlite.pragma('journal_mode = MEMORY');
  try {
    return fn();
  } finally {
    sqlite.pragma(`journal_mode = ${saved.journal_mode}`);
    sqlite.pragma(`cache_size = ${saved.cache_size}`);
    sqlite.pragma(`synchronous = ${saved.synchronous}`);
    sqlite.pragma(`foreign_keys = ${saved.foreign_keys}`);
  }
}

/**
 * Indexes every post not yet in the search index (all of them after seeding, or a seeded database copied
 * without its index file), so a server started on it has nothing to catch up on. Returns how many it indexed.
 */
export function buildSearchIndex(db: Db): number {
  const step = searchIndexer(db.$client);
  let total = 0;
  for (let done = step(SEARCH_BATCH); ; done = step(SEARCH_BATCH)) {
    total += done.indexed;
    if (done.indexed < SEARCH_BATCH) return total;
  }
}
const SEARCH_BATCH = 250_000;

/**
 * Seeds an empty, migrated database with the profile's data, deterministically from `seed`.
 * Throws if the database already holds accounts or posts.
 */
export function seedDatabase(db: Db, profileOrName: Profile | string, seed: number, opts: SeedOptions = {}): SeedSummary {
  const p = typeof profileOrName === 'string' ? getProfile(profileOrName) : profileOrName;
  if (!isEmpty(db)) throw new Error('refusing to seed a database that already has accounts or posts');
  const sqlite = db.$client;
  const log = opts.log ?? (() => {});
  const end = opts.end ?? DEFAULT_END;
  const start = end - p.days * DAY;
  const deferIndexes = opts.deferIndexes ?? true;
  const ms: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    ms[name] = Math.round(t - t0);
    log(`${name}: ${ms[name]} ms`);
    t0 = t;
  };

  // Independent streams, so changing one phase does not reshuffle the others.
  const acc = planAccounts(p, new Rng(seed, 1), start);
  const graph = planFollows(p, acc, new Rng(seed, 2));
  const followers = reverseGraph(acc.n, graph);
  const plan = planPosts(p, acc, new Rng(seed, 3), start);
  const passwordHash = seedPasswordHash(seed);
  lap('plan');

  const postsCount = new Int32Array(acc.n);
  for (let i = 0; i < plan.author.length; i++) postsCount[plan.author[i]]++;
  const notifyFrom = end - p.notificationDays * DAY;
  const readBefore = end - 2 * DAY;
  const note = { time: f64(), recipient: i32(), actor: i32(), type: i32(), post: i32() };
  const NOTE_TYPES = ['mention', 'reply', 'like', 'follow'] as const;
  const addNote = (time: number, recipient: number, type: number, actor: number, postSeq: number) => {
    if (time < notifyFrom || recipient === actor) return;
    note.time.push(time);
    note.recipient.push(recipient);
    note.type.push(type);
    note.actor.push(actor);
    note.post.push(postSeq);
  };

  const summary: SeedSummary = {
    profile: p.name, seed, generator: GENERATOR_VERSION, start: new Date(start).toISOString(), end: new Date(end).toISOString(),
    accounts: acc.n, bots: 0, follows: graph.targets.length, posts: p.posts, replies: 0, likes: 0, mentions: 0, tags: 0,
    notifications: 0, ms,
  };

  withBulkPragmas(sqlite, () => {
    const deferred: Saved[] = [];
    const placeholders = BULK_TABLES.map(() => '?').join(',');
    if (deferIndexes) {
      deferred.push(...(sqlite.prepare(`SELECT type, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${placeholders}) ORDER BY rowid`).all(...BULK_TABLES) as Saved[]));
    }
    for (const o of deferred) sqlite.exec(`DROP ${o.type.toUpperCase()} "${o.name}"`);
    try {
      sqlite.transaction(() => {
        const insAccount = sqlite.prepare(
          `INSERT INTO accounts (id, handle, display_name, name_key, bio, department, department_key, title, bot, role, password_hash,
             created_at, followers_count, following_count, posts_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'user', ?, ?, ?, ?, ?)`,
        );
        for (let i = 0; i < acc.n; i++) {
          summary.bots += acc.bot[i];
          const department = W.DEPARTMENTS[acc.department[i]].name;
          insAccount.run(
            i + 1, acc.handle[i], acc.displayName[i], foldKey(acc.displayName[i]), acc.bio[i], department, foldKey(department), acc.title[i],
            acc.bot[i], passwordHash, acc.createdAt[i], followers.offsets[i + 1] - followers.offsets[i], graph.offsets[i + 1] - graph.offsets[i],
            postsCount[i],
          );
        }
      })();
      lap('accounts');

      const rFollow = new Rng(seed, 4);
      sqlite.transaction(() => {
        const ins = sqlite.prepare('INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)');
        for (let i = 0; i < acc.n; i++) {
          for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) {
            const j = graph.targets[e];
            const from = Math.max(acc.createdAt[i], acc.createdAt[j]);
            // Most follows happen soon after both accounts exist; some keep trickling in until the end.
            const at = Math.floor(Math.min(end - 1, from + (rFollow.chance(0.7) ? rFollow.expo(20 * DAY) : rFollow.float() * (end - from))));
            ins.run(i + 1, j + 1, at);
            addNote(at, j, 3, i, 0);
          }
        }
      })();
      lap('follows');

      const mentionKeys = f64(1 << 16);
      const likeKeys = f64(1 << 16);
      const likeSalt = mix32(seed ^ 0x11ce);
      const likeDelay = (acct: number, seq: number) => {
        const h = mix32(likeSalt ^ mix32(acct * 0x9e3779b1 + seq));
        return -Math.log(1 - h / 4294967296) * 3 * HOUR;
      };
      const rText = new Rng(seed, 5);
      const rLike = new Rng(seed, 6);
      const tagPick = new Weighted(zipfWeights(W.TAGS.length, 1));
      const popularPick = new Weighted(zipfWeights(acc.n, 1));
      const SEQ_SHIFT = 2 ** 26;
      sqlite.transaction(() => {
        const insPost = sqlite.prepare(
          `INSERT INTO posts (seq, id, author_id, author_bot, text, reply_to, reply_to_author_id, mentions, tags, like_count,
             reply_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        const insTag = sqlite.prepare('INSERT INTO post_tags (tag, post_seq) VALUES (?, ?)');
        const likers = new Set<number>();
        for (let i = 0; i < plan.author.length; i++) {
          const seq = i + 1;
          const a = plan.author[i];
          const at = plan.time[i];
          const parent = plan.parent[i];
          const said = compose(rText, acc, graph, a, parent >= 0 ? plan.author[parent] : -1, tagPick, popularPick);
          const tags = parseTags(said.text);
          const mentionHandles = parseMentions(said.text);
          // Generated mentions always name existing accounts, in order of appearance.
          const mentioned = said.mentions;
          if (mentionHandles.length !== mentioned.length) throw new Error(`mention mismatch in generated text: ${said.text}`);

          // Likes: more for authors with a following, now and then a post that takes off.
          const f = followers.offsets[a + 1] - followers.offsets[a];
          let mean = p.likeMean * (0.35 + 0.3 * Math.log1p(f / 25));
          if (rLike.chance(0.002)) mean *= 25;
          const want = Math.min(Math.floor(rLike.expo(mean)), 400, acc.n - 2);
          likers.clear();
          for (let tries = 0; likers.size < want && tries < want * 4 + 8; tries++) {
            const j = f > 0 && rLike.chance(0.7) ? followers.targets[followers.offsets[a] + rLike.int(f)] : rLike.int(acc.n);
            if (j !== a) likers.add(j);
          }
          const parentSeq = parent >= 0 ? parent + 1 : 0;
          insPost.run(
            seq, postIdFor(seed, seq), a + 1, acc.bot[a], said.text, parent >= 0 ? postIdFor(seed, parentSeq) : null,
            parent >= 0 ? plan.author[parent] + 1 : null, JSON.stringify(mentionHandles), JSON.stringify(tags), likers.size,
            plan.replyCount[i], at,
          );
          for (const tag of tags) insTag.run(tag, seq);
          summary.tags += tags.length;
          for (const m of mentioned) {
            mentionKeys.push(m * SEQ_SHIFT + seq);
            addNote(at, m, 0, a, seq);
          }
          if (parent >= 0) {
            summary.replies++;
            const pa = plan.author[parent];
            if (!mentioned.includes(pa)) addNote(at, pa, 1, a, seq);
          }
          for (const j of likers) {
            likeKeys.push(j * SEQ_SHIFT + seq);
            if (at >= notifyFrom - 2 * DAY) addNote(Math.floor(Math.min(end - 1, at + likeDelay(j, seq))), a, 2, j, seq);
          }
        }
      })();
      lap('posts');

      // Side tables in primary-key order, so their b-trees are appended to rather than split at random.
      sqlite.transaction(() => {
        const keys = mentionKeys.view().sort();
        const ins = sqlite.prepare('INSERT INTO post_mentions (account_id, post_seq) VALUES (?, ?)');
        for (const k of keys) ins.run(Math.floor(k / SEQ_SHIFT) + 1, k % SEQ_SHIFT);
        summary.mentions = keys.length;
      })();
      sqlite.transaction(() => {
        const keys = likeKeys.view().sort();
        const ins = sqlite.prepare('INSERT INTO likes (account_id, post_seq, created_at) VALUES (?, ?, ?)');
        for (const k of keys) {
          const j = Math.floor(k / SEQ_SHIFT);
          const seq = k % SEQ_SHIFT;
          ins.run(j + 1, seq, Math.floor(Math.min(end - 1, plan.time[seq - 1] + likeDelay(j, seq))));
        }
        summary.likes = keys.length;
      })();
      lap('mentions+likes');

      // Notification ids follow time, as they would have been handed out live.
      sqlite.transaction(() => {
        const t = note.time.view();
        const order = Int32Array.from({ length: t.length }, (_, i) => i).sort((x, y) => t[x] - t[y] || x - y);
        const ins = sqlite.prepare('INSERT INTO notifications (recipient_id, type, actor_id, post_seq, created_at, read) VALUES (?, ?, ?, ?, ?, ?)');
        for (const k of order) {
          const postSeq = note.post.get(k);
          ins.run(note.recipient.get(k) + 1, NOTE_TYPES[note.type.get(k)], note.actor.get(k) + 1, postSeq || null, t[k], t[k] < readBefore ? 1 : 0);
        }
        summary.notifications = t.length;
      })();
      lap('notifications');
    } finally {
      for (const o of deferred) sqlite.exec(o.sql);
    }
    if (deferIndexes) lap('indexes');
    buildSearchIndex(db);
    lap('search index');
  });
  return summary;
}

/** Writes one post's text: a reply, a bot notice or work chatter, with mentions and tags. */
function compose(r: Rng, acc: Accounts, graph: Graph, a: number, parentAuthor: number, tagPick: Weighted, popularPick: Weighted): Said {
  const mentions: number[] = [];
  if (acc.bot[a]) {
    const kind = acc.handle[a].split('_')[0];
    let text = (BOT_LINES[kind] ?? BOT_LINES.status)(r);
    if (r.chance(0.5)) text += ` ${hashTag(r, tagPick)}`;
    return { text, mentions };
  }
  let text: string;
  if (parentAuthor >= 0) {
    text = r.pick(W.REPLIES);
    if (r.chance(0.8)) {
      text = `@${acc.handle[parentAuthor]} ${text}`;
      mentions.push(parentAuthor);
    }
  } else {
    text = r.pick(HUMAN_LINES)(r);
    if (r.chance(0.15)) text = `${r.pick(W.GREETINGS)} ${text}`;
    const roll = r.float();
    const want = roll < 0.05 ? 2 : roll < 0.25 ? 1 : 0;
    const k = graph.offsets[a + 1] - graph.offsets[a];
    for (let t = 0; mentions.length < want && t < 6; t++) {
      const m = k > 0 && r.chance(0.7) ? graph.targets[graph.offsets[a] + r.int(k)] : popularPick.sample(r);
      if (m === a || mentions.includes(m)) continue;
      mentions.push(m);
      text += r.pick(MENTION_CLAUSES)(acc.handle[m]);
    }
  }
  const tagRoll = r.float();
  const tagCount = tagRoll < 0.1 ? 2 : tagRoll < 0.45 ? 1 : 0;
  for (let t = 0; t < tagCount; t++) text += ` ${hashTag(r, tagPick)}`;
  if ([...text].length > 280) throw new Error(`generated post longer than 280 code points: ${text}`);
  return { text, mentions };
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens for load tests

export type TokenEntry = { class: TokenClass; handle: string; token: string; following: number };

export type TokensFile = {
  baseline: {
    profile: string;
    seed: number;
    generator: number;
    password: string;
    accounts: number;
    posts: number;
    follows: number;
    classes: Profile['classes'];
    issuedAt: string;
  };
  tokens: TokenEntry[];
  /** Handles of ordinary accounts that load scripts may follow, mention or look up. */
  targets: string[];
};

/**
 * Issues read+write API tokens for a sample of accounts per following class and returns the tokens file content.
 * Tokens are random (they are credentials); which accounts are sampled follows from `seed`.
 */
export function issueTokens(db: Db, profileOrName: Profile | string, seed: number, perClass?: number): TokensFile {
  const p = typeof profileOrName === 'string' ? getProfile(profileOrName) : profileOrName;
  const n = perClass ?? p.tokensPerClass;
  const sqlite = db.$client;
  const rng = new Rng(seed, 7);
  const band = (lo: number, hi: number) =>
    sqlite.prepare('SELECT id, handle, following_count AS following FROM accounts WHERE bot = 0 AND following_count BETWEEN ? AND ? ORDER BY id').all(lo, hi) as {
      id: number;
      handle: string;
      following: number;
    }[];
  const sample = <T>(rows: T[], k: number): T[] => {
    const idx = shuffle(Int32Array.from({ length: rows.length }, (_, i) => i), rng);
    return Array.from(idx.subarray(0, Math.min(k, rows.length)), (i) => rows[i]);
  };
  const c = p.classes;
  const picked: [TokenClass, ReturnType<typeof band>][] = [
    ['light', sample(band(1, c.lightMax), n)],
    ['median', sample(band(c.median[0], c.median[1]), n)],
    ['heavy', sample(band(c.heavyMin, 1e9), n)],
  ];
  const now = Date.now();
  const tokens: TokenEntry[] = [];
  const ins = sqlite.prepare('INSERT INTO tokens (id, account_id, name, scopes, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  sqlite.transaction(() => {
    for (const [cls, rows] of picked) {
      for (const row of rows) {
        // Same shape as services/auth.ts createToken.
        const token = `bt_${randomBytes(24).toString('base64url')}`;
        ins.run(nanoid(), row.id, `load-${cls}`, 'read write', hashSecret(token), now);
        tokens.push({ class: cls, handle: row.handle, token, following: row.following });
      }
    }
  })();
  const counts = sqlite.prepare('SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM follows) AS follows').get() as {
    accounts: number;
    posts: number;
    follows: number;
  };
  const targets = sample(sqlite.prepare('SELECT handle FROM accounts WHERE bot = 0 ORDER BY id').all() as { handle: string }[], 200).map((r) => r.handle);
  return {
    baseline: { profile: p.name, seed, generator: GENERATOR_VERSION, password: SEED_PASSWORD, ...counts, classes: c, issuedAt: new Date(now).toISOString() },
    tokens,
    targets,
  };
}

/** True when every token in the file is still stored (by hash) in the database. */
export function tokensStillValid(db: Db, file: TokensFile): boolean {
  const stmt = db.$client.prepare('SELECT 1 FROM tokens WHERE hash = ?');
  return file.tokens.length > 0 && file.tokens.every((t) => stmt.get(hashSecret(t.token)) !== undefined);
}
