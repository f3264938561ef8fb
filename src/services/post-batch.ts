import type { Actor, Deps } from './deps';
import { once } from './idempotency';
import { announcePost, createPost } from './posts';
import type { PostRow } from './types';

type Pending = { deps: Deps; actor: Actor; input: { text: string; replyTo?: string | null }; resolve: (post: PostRow) => void; reject: (err: unknown) => void };

const queues = new WeakMap<Deps['db'], Pending[]>();
const holds = new WeakMap<Deps['db'], number>();
const committedListeners = new WeakMap<Deps['db'], () => void>();

/** Calls `listener` after each commit of a batch of posts (the WAL checkpointer wakes up for them). */
export function onPostsCommitted(db: Deps['db'], listener: () => void): void {
  committedListeners.set(db, listener);
}

/**
 * Holds post commits (submitted posts wait, reads go on) until the returned function is called; the WAL
 * checkpointer uses this to let a checkpoint copy the whole log, so the next commit can start it over.
 */
export function holdPosts(db: Deps['db']): () => void {
  holds.set(db, (holds.get(db) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = holds.get(db)! - 1;
    holds.set(db, left);
    if (left === 0 && queues.get(db)?.length) setImmediate(() => flush(db));
  };
}

/**
 * Publishes a post in a group commit: posts submitted in the same turn of the event loop are written in one
 * transaction, each inside its own savepoint (so one refused post never takes the others with it), and each
 * promise settles only after that transaction commits. Under load this writes a page touched by several posts
 * (the newest leaf of the posts table, the search queue) once instead of once per post, and saves a commit per
 * post; alone, a post waits for nothing but the end of the current turn.
 */
export function submitPost(deps: Deps, actor: Actor, input: { text: string; replyTo?: string | null }): Promise<PostRow> {
  return new Promise((resolve, reject) => {
    let queue = queues.get(deps.db);
    if (!queue) queues.set(deps.db, (queue = []));
    queue.push({ deps, actor, input, resolve, reject });
    if (queue.length === 1) setImmediate(() => flush(deps.db));
  });
}

function flush(db: Deps['db']): void {
  // Held: the release flushes what waited.
  if (holds.get(db)) return;
  const batch = queues.get(db)!.splice(0);
  if (batch.length === 0) return;
  const deps = batch[0].deps;
  let results: ({ post: PostRow } | { err: unknown })[];
  try {
    results = deps.db.$client.transaction(() =>
      batch.map((p) => {
        try {
          return { post: createPost(deps, p.actor, p.input) };
        } catch (err) {
          return { err };
        }
      }),
    )();
  } catch (err) {
    // The commit itself failed: nothing was written.
    for (const p of batch) p.reject(err);
    return;
  }
  committedListeners.get(db)?.();
  results.forEach((r, i) => {
    if ('post' in r) {
      announcePost(deps, r.post);
      batch[i].resolve(r.post);
    } else {
      batch[i].reject(r.err);
    }
  });
}

/**
 * Publishes a post as POST /api/posts does. Without an Idempotency-Key it joins the group commit; with one, the
 * key's check, the post and the stored response (`render`ed once, so a retry gets the very same bytes) share a
 * transaction of their own, and the post is announced after that commits. Returns the response body, the post's
 * id and whether it was a replay.
 */
export async function publishPost(
  deps: Deps,
  actor: Actor,
  input: { text: string; replyTo?: string | null },
  opts: { idempotencyKey?: string; render: (post: PostRow) => string },
): Promise<{ body: string; id: string; replayed: boolean }> {
  if (opts.idempotencyKey === undefined) {
    const post = await submitPost(deps, actor, input);
    return { body: opts.render(post), id: post.id, replayed: false };
  }
  let created: PostRow | undefined;
  const res = once(deps, actor.id, opts.idempotencyKey, input, () => {
    created = createPost(deps, actor, input);
    return { status: 201, body: opts.render(created) };
  });
  if (created) announcePost(deps, created);
  // A replay has only the stored response, `{"post": {...}}` as rendered the first time.
  const id = created?.id ?? (JSON.parse(res.body) as { post: { id: string } }).post.id;
  return { id, body: res.body, replayed: res.replayed };
}
