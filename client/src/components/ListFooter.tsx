import { loadMore } from '../actions';
import type { Feed } from '../state';
import { ErrorNote } from './ErrorNote';

/** The end of a paged list: its error with a retry, a loading note, or the "Load more" button. */
export function ListFooter<T>({ list }: { list: Feed<T> }) {
  const error = list.error.value;
  return (
    <>
      {error && <ErrorNote error={error} retry={() => loadMore(list)} />}
      {list.loading.value && (
        <p role="status" class="loading">
          Loading…
        </p>
      )}
      {list.next.value && !list.loading.value && !error && (
        <button type="button" class="more" onClick={() => loadMore(list)}>
          Load more
        </button>
      )}
    </>
  );
}
