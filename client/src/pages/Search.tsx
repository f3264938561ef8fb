import { useSignal } from '@preact/signals';
import { useLocation } from 'preact-iso/router';
import { useEffect } from 'preact/hooks';
import { api } from '../api';
import { FeedView } from '../components/FeedView';
import { PageTitle } from '../components/Page';
import { usePostFeed } from '../hooks';
import type { Account } from '../types';
import { PeopleList } from './Directory';

/** The posts (and, from the first page, the people) matching `q`. */
function Results({ q }: { q: string }) {
  const people = useSignal<Account[]>([]);
  const feed = usePostFeed(`search:${q}`, async (cursor) => {
    const page = await api.search(q, cursor);
    if (!cursor) people.value = page.accounts ?? [];
    return page;
  });
  return (
    <>
      {people.value.length > 0 && (
        <section aria-labelledby="people-title">
          <h2 id="people-title">People</h2>
          <PeopleList people={people.value} />
        </section>
      )}
      <h2>Posts</h2>
      <FeedView feed={feed} label={`Posts matching ${q}`} empty="No posts match." />
    </>
  );
}

/** /search?q=: a search box and its results. */
export function SearchPage() {
  const { query, route } = useLocation();
  const q = (query.q ?? '').trim();
  const draft = useSignal(q);
  useEffect(() => {
    draft.value = q;
  }, [q]);

  return (
    <>
      <PageTitle title={q ? `Search: ${q}` : 'Search'} />
      <form
        role="search"
        class="searchbar"
        onSubmit={(e) => {
          e.preventDefault();
          const next = draft.value.trim();
          route(next ? `/search?q=${encodeURIComponent(next)}` : '/search');
        }}
      >
        <label for="search-q">Search posts and people</label>
        <div class="row">
          <input id="search-q" type="search" name="q" value={draft.value} onInput={(e) => (draft.value = e.currentTarget.value)} />
          <button type="submit">Search</button>
        </div>
      </form>
      {q && <Results key={q} q={q} />}
    </>
  );
}
