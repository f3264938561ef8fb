import { useRef } from 'preact/hooks';
import { loadMore, showPending } from '../actions';
import type { Feed } from '../state';
import type { Post } from '../types';
import { ErrorNote } from './ErrorNote';
import { PostCard } from './PostCard';

type Props = { feed: Feed<Post>; label: string; empty: string };

/** A post feed: the "N new posts" bar, the posts, and cursor pagination with "Load more". */
export function FeedView({ feed, label, empty }: Props) {
  const list = useRef<HTMLDivElement>(null);
  const items = feed.items.value;
  const pending = feed.pending.value.length;
  const loading = feed.loading.value;
  const error = feed.error.value;

  const focusPost = (i: number) =>
    requestAnimationFrame(() => list.current?.querySelectorAll<HTMLElement>('article[data-post-id]')[i]?.focus());

  const more = async () => {
    const shown = feed.items.value.length;
    await loadMore(feed);
    if (feed.items.value.length > shown) focusPost(shown);
  };

  return (
    <section class="feed-wrap">
      {/* Arrivals wait here instead of pushing the list down; the bar floats over the page. */}
      <div role="status" class="new-posts-slot">
        {pending > 0 && (
          <button
            type="button"
            class="new-posts"
            onClick={() => {
              showPending(feed);
              focusPost(0);
            }}
          >
            {pending === 1 ? '1 new post' : `${pending}${feed.overflowed.value ? '+' : ''} new posts`}
          </button>
        )}
      </div>
      <div role="feed" class="feed" aria-label={label} aria-busy={loading} ref={list}>
        {items.map((p, i) => (
          <PostCard key={p.id} post={p} pos={i + 1} size={feed.next.value ? -1 : items.length} />
        ))}
      </div>
      {error && <ErrorNote error={error} retry={error.status === 401 ? undefined : more} />}
      {feed.loaded.value && items.length === 0 && !error && <p class="empty">{empty}</p>}
      {loading && (
        <p role="status" class="loading">
          Loading…
        </p>
      )}
      {feed.next.value && !loading && !error && (
        <button type="button" class="more" onClick={more}>
          Load more
        </button>
      )}
    </section>
  );
}
