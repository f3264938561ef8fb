import { prepared } from '../db/sql';
import { insertAccount, updateProfile } from './accounts';
import { hashPassword } from './auth';
import type { Actor, Deps } from './deps';
import { follow } from './follows';
import { announcePost, createPost, likePost } from './posts';
import type { PostRow } from './types';

export const DEMO_PASSWORD = 'bluetwit-demo';

const PEOPLE = [
  { handle: 'alice', displayName: 'Alice Chen', department: 'Research', title: 'Research Staff Member', bio: 'Compilers, caches and coffee.' },
  { handle: 'bob', displayName: 'Bob Okafor', department: 'Cloud', title: 'SRE', bio: 'Keeping the lights on. Ask me about on-call.' },
  { handle: 'carmen', displayName: 'Carmen Ruiz', department: 'Design', title: 'UX Lead', bio: 'Accessibility is a feature.' },
  { handle: 'dev_kumar', displayName: 'Dev Kumar', department: 'Cloud', title: 'Software Engineer', bio: 'Go, Rust, and the occasional COBOL.' },
  { handle: 'emi', displayName: 'Emi Tanaka', department: 'Research', title: 'Data Scientist', bio: '統計とコーヒー ☕' },
  { handle: 'buildbot', displayName: 'Build Bot', department: 'Engineering Services', title: 'Bot', bio: 'Posts nightly build results.', bot: true },
];

const POSTS: [string, string][] = [
  ['alice', 'Morning all! Profiling the new cache layer today. Anyone seen weird tail latencies on #zos boxes?'],
  ['bob', '@alice yes, saw p99 spikes last week, turned out to be GC pauses. Happy to pair. #oncall'],
  ['carmen', 'New design review slots on Thursday. Bring your prototypes, rough is fine! #design'],
  ['dev_kumar', 'TIL you can EXPLAIN QUERY PLAN in SQLite and it tells you when an index is skipped. #til #sqlite'],
  ['emi', 'Our notebook on forecasting ticket volume is up on the wiki. Feedback welcome 🙏 #datascience'],
  ['buildbot', 'Nightly build 2026.11.27 passed: 4,812 tests, 0 failures. #builds'],
  ['alice', 'Found it: a lock convoy in the allocator. Fix in review. Thanks @bob! #zos'],
  ['carmen', 'Reminder: every button needs a label a screen reader can say. #a11y #design'],
  ['bob', 'Change freeze starts Friday 18:00. Please land risky stuff before then. #oncall'],
  ['emi', 'Looking for someone who knows the billing data model, who should I ask? #help'],
  ['dev_kumar', '@emi @alice knows it best, she wrote half of it.'],
];

/**
 * Fills an empty database with a handful of colleagues and posts, so a newcomer sees a living feed. Returns the
 * post count. All in one transaction (the password is hashed once, first): a seed cut short leaves nothing, and the
 * next start seeds again.
 */
export async function seedDemo(deps: Deps): Promise<number> {
  const empty = () => (prepared(deps.db, 'SELECT count(*) AS n FROM accounts').get() as { n: number }).n === 0;
  if (!empty()) return 0;
  const passwordHash = await hashPassword(DEMO_PASSWORD, deps.config.scryptCost);
  const posts = deps.db.$client.transaction(() => (empty() ? seedDemoRows(deps, passwordHash) : []))();
  // Posts made inside a transaction are announced (to the in-memory indexes and live streams) once it commits.
  for (const post of posts) announcePost(deps, post);
  return posts.length;
}

function seedDemoRows(deps: Deps, passwordHash: string): PostRow[] {
  const actors = new Map<string, Actor>();
  for (const p of PEOPLE) {
    const account = insertAccount(deps, { handle: p.handle, displayName: p.displayName, bot: p.bot }, passwordHash);
    updateProfile(deps, account.id, { bio: p.bio, department: p.department, title: p.title });
    actors.set(p.handle, { id: account.id, handle: p.handle, role: 'user', scopes: new Set(['read', 'write']), via: 'session', credential: 'demo' });
  }
  for (const a of actors.values()) {
    for (const b of actors.values()) if (a !== b && b.handle !== 'buildbot') follow(deps, a, b.handle);
  }
  const posts: PostRow[] = [];
  for (const [handle, text] of POSTS) {
    const replyTo = text.startsWith('@alice yes') ? posts[0].id : text.startsWith('@emi @alice') ? posts[9].id : undefined;
    posts.push(createPost(deps, actors.get(handle)!, { text, replyTo }));
  }
  likePost(deps, actors.get('bob')!, posts[6].id);
  likePost(deps, actors.get('carmen')!, posts[6].id);
  likePost(deps, actors.get('alice')!, posts[3].id);
  return posts;
}
