import { useSignal } from '@preact/signals';
import { useLocation } from 'preact-iso/router';
import type { ApiError } from '../api';
import { asApiError, signIn, signUp } from '../actions';
import { useAppState } from '../state';
import { describedBy, Field, fieldError } from './Field';

/** Where to go after signing in: `?next=` when it is a path on this site, else home. */
function nextPath(query: Record<string, string>): string {
  const next = query.next ?? '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/home';
}

/** Submits an auth form: shows the server's error, or goes to `?next=` (or /home) on success. */
function useAuthSubmit(action: () => Promise<unknown>) {
  const { query, route } = useLocation();
  const error = useSignal<ApiError | null>(null);
  const busy = useSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await action();
      route(nextPath(query), true);
    } catch (err) {
      error.value = asApiError(err);
      busy.value = false;
    }
  };
  return { error, busy, submit };
}

/** The sign-in form (POST /api/sessions); on success goes to `?next=` or /home. */
export function SignInForm({ heading = true }: { heading?: boolean }) {
  const state = useAppState();
  const handle = useSignal('');
  const password = useSignal('');
  const { error, busy, submit } = useAuthSubmit(() => signIn(state, handle.value, password.value));

  return (
    <form class="card stack" onSubmit={submit} aria-label="Sign in">
      {heading && <h2>Sign in</h2>}
      <Field id="signin-handle" label="Handle">
        <input id="signin-handle" name="username" autocomplete="username" autocapitalize="none" spellcheck={false} required value={handle.value} onInput={(e) => (handle.value = e.currentTarget.value)} />
      </Field>
      <Field id="signin-password" label="Password">
        <input id="signin-password" name="password" type="password" autocomplete="current-password" required value={password.value} onInput={(e) => (password.value = e.currentTarget.value)} />
      </Field>
      <Submit error={error.value} busy={busy.value} label="Sign in" busyLabel="Signing in…" />
    </form>
  );
}

/**
 * A form's failure (as the server put it) and its submit button, marked busy while the request runs: aria-disabled,
 * not disabled, which would drop keyboard focus to the page.
 */
function Submit({ error, busy, label, busyLabel }: { error: ApiError | null; busy: boolean; label: string; busyLabel: string }) {
  return (
    <>
      {error && (
        <p role="alert" class="note error">
          {error.message}
        </p>
      )}
      <button type="submit" aria-disabled={busy || undefined}>
        {busy ? busyLabel : label}
      </button>
    </>
  );
}

/** The sign-up form (POST /api/accounts); field problems from the server show by their field. */
export function SignUpForm({ heading = true }: { heading?: boolean }) {
  const state = useAppState();
  const handle = useSignal('');
  const displayName = useSignal('');
  const password = useSignal('');
  const { error, busy, submit } = useAuthSubmit(() => signUp(state, handle.value, displayName.value, password.value));

  const details = error.value?.details;
  const handleError = fieldError(details, 'handle') ?? (error.value?.status === 409 ? error.value.message : undefined);
  const nameError = fieldError(details, 'displayName');
  const passwordError = fieldError(details, 'password');
  const handleHint = '2–30 letters, digits or underscores';
  const passwordHint = 'At least 8 characters';

  return (
    <form class="card stack" onSubmit={submit} aria-label="Create an account">
      {heading && <h2>Create an account</h2>}
      <Field id="signup-handle" label="Handle" hint={handleHint} error={handleError}>
        <input
          id="signup-handle"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck={false}
          required
          minLength={2}
          maxLength={30}
          pattern="[A-Za-z0-9_]{2,30}"
          value={handle.value}
          onInput={(e) => (handle.value = e.currentTarget.value)}
          {...describedBy('signup-handle', handleHint, handleError)}
        />
      </Field>
      <Field id="signup-name" label="Display name" error={nameError}>
        <input id="signup-name" name="name" autocomplete="name" required maxLength={2 * 50} value={displayName.value} onInput={(e) => (displayName.value = e.currentTarget.value)} {...describedBy('signup-name', undefined, nameError)} />
      </Field>
      <Field id="signup-password" label="Password" hint={passwordHint} error={passwordError}>
        <input
          id="signup-password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          value={password.value}
          onInput={(e) => (password.value = e.currentTarget.value)}
          {...describedBy('signup-password', passwordHint, passwordError)}
        />
      </Field>
      {/* A taken handle is said by the handle field; the summary would only repeat it. */}
      <Submit error={error.value?.status === 409 ? null : error.value} busy={busy.value} label="Create account" busyLabel="Creating…" />
    </form>
  );
}
