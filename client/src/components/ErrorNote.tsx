import type { ApiError } from '../api';

/** An API failure as an alert; "not signed in" becomes a link to sign in and come back. */
export function ErrorNote({ error, retry }: { error: ApiError; retry?: () => void }) {
  if (error.status === 401) {
    const next = encodeURIComponent(location.pathname + location.search);
    return (
      <p role="alert" class="note">
        <a href={`/login?next=${next}`}>Sign in</a> to see this.
      </p>
    );
  }
  return (
    <p role="alert" class="note error">
      {error.message}{' '}
      {retry && (
        <button type="button" class="link" onClick={retry}>
          Try again
        </button>
      )}
    </p>
  );
}
