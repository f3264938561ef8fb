import { useSignal } from '@preact/signals';
import type { ApiError } from '../api';
import { api } from '../api';
import { asApiError, createToken, revokeToken, saveProfile } from '../actions';
import { ErrorNote } from '../components/ErrorNote';
import { describedBy, Field, fieldError } from '../components/Field';
import { PageTitle, SignInFirst } from '../components/Page';
import { RelTime } from '../components/RelTime';
import { useResource } from '../hooks';
import { useAppState } from '../state';
import type { Account, Scope, Token } from '../types';

type ProfileField = 'displayName' | 'department' | 'title' | 'bio';

const FIELDS: { name: ProfileField; label: string; max: number }[] = [
  { name: 'displayName', label: 'Display name', max: 50 },
  { name: 'title', label: 'Job title', max: 80 },
  { name: 'department', label: 'Department', max: 80 },
  { name: 'bio', label: 'Bio', max: 500 },
];

/** The profile form: PATCH /api/me with the four editable fields. */
function ProfileForm({ me }: { me: Account }) {
  const state = useAppState();
  const values = useSignal<Record<ProfileField, string>>({
    displayName: me.displayName,
    title: me.title,
    department: me.department,
    bio: me.bio,
  });
  const error = useSignal<ApiError | null>(null);
  const saved = useSignal(false);
  const busy = useSignal(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    saved.value = false;
    try {
      await saveProfile(state, values.value);
      saved.value = true;
    } catch (err) {
      error.value = asApiError(err);
    } finally {
      busy.value = false;
    }
  };

  return (
    <form class="card stack" onSubmit={submit} aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      {FIELDS.map(({ name, label, max }) => {
        const id = `profile-${name}`;
        const problem = fieldError(error.value?.details, name);
        const common = {
          id,
          name,
          // The server counts characters (code points), the browser UTF-16 units: an emoji is two of those.
          maxLength: 2 * max,
          value: values.value[name],
          onInput: (e: Event) => {
            values.value = { ...values.value, [name]: (e.currentTarget as HTMLInputElement).value };
            saved.value = false;
          },
          ...describedBy(id, undefined, problem),
        };
        return (
          <Field key={name} id={id} label={label} error={problem}>
            {name === 'bio' ? <textarea rows={4} {...common} /> : <input required={name === 'displayName'} {...common} />}
          </Field>
        );
      })}
      {error.value && (
        <p role="alert" class="note error">
          {error.value.message}
        </p>
      )}
      <div class="row">
        <button type="submit" aria-disabled={busy.value || undefined}>
          {busy.value ? 'Saving…' : 'Save profile'}
        </button>
        <span role="status">{saved.value ? 'Saved.' : ''}</span>
      </div>
    </form>
  );
}

/** API tokens for bots and terminals: create (secret shown once), list, revoke. */
function Tokens() {
  const tokens = useResource(() => api.tokens(), []);
  const name = useSignal('');
  const scopes = useSignal<Record<Scope, boolean>>({ read: true, write: false });
  const created = useSignal<(Token & { token: string }) | null>(null);
  const error = useSignal<ApiError | null>(null);
  const busy = useSignal(false);
  const copied = useSignal(false);
  const chosen = (Object.keys(scopes.value) as Scope[]).filter((s) => scopes.value[s]);

  const create = async (e: Event) => {
    e.preventDefault();
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    copied.value = false;
    try {
      const token = await createToken(name.value, chosen);
      created.value = token;
      name.value = '';
      // To the secret (selected on focus, ready to copy): the emptied form disables its button, which would drop focus.
      setTimeout(() => document.getElementById('token-secret')?.focus());
      // The list never holds the secret.
      const listed: Token = { id: token.id, name: token.name, scopes: token.scopes, createdAt: token.createdAt };
      tokens.data.value = [listed, ...(tokens.data.value ?? [])];
    } catch (err) {
      error.value = asApiError(err);
    } finally {
      busy.value = false;
    }
  };

  const revoke = async (t: Token) => {
    if (!confirm(`Revoke the token “${t.name}”? Anything using it stops working.`)) return;
    try {
      await revokeToken(t.id);
      tokens.data.value = (tokens.data.value ?? []).filter((x) => x.id !== t.id);
      if (created.value?.id === t.id) created.value = null;
      // The row and its button are gone: keep the keyboard in the section.
      document.getElementById('tokens-title')?.focus();
    } catch (err) {
      error.value = asApiError(err);
    }
  };

  const copy = async () => {
    if (!created.value) return;
    try {
      await navigator.clipboard.writeText(created.value.token);
      copied.value = true;
    } catch {
      (document.getElementById('token-secret') as HTMLInputElement | null)?.select();
    }
  };

  const problem = fieldError(error.value?.details, 'name');
  return (
    <section class="card stack" aria-labelledby="tokens-title">
      <h2 id="tokens-title" tabIndex={-1}>
        API tokens
      </h2>
      <p class="hint">
        Tokens let bots and terminals use bluetwit as you: send <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <form class="stack" onSubmit={create} aria-label="Create a token">
        <Field id="token-name" label="Token name" error={problem}>
          <input id="token-name" required maxLength={2 * 100} value={name.value} onInput={(e) => (name.value = e.currentTarget.value)} {...describedBy('token-name', undefined, problem)} />
        </Field>
        <fieldset>
          <legend>Scopes</legend>
          {(['read', 'write'] as const).map((s) => (
            <label key={s} class="check">
              <input
                type="checkbox"
                name="scopes"
                value={s}
                checked={scopes.value[s]}
                onChange={(e) => (scopes.value = { ...scopes.value, [s]: e.currentTarget.checked })}
              />{' '}
              {s === 'read' ? 'read: see posts, people and notifications' : 'write: post, like, follow'}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={chosen.length === 0 || !name.value.trim()} aria-disabled={busy.value || undefined}>
          Create token
        </button>
      </form>
      {error.value && <ErrorNote error={error.value} />}
      {created.value && (
        <div class="secret" role="status">
          <p>
            <strong>Copy the token “{created.value.name}” now.</strong> It is shown only this once.
          </p>
          <div class="row">
            <label for="token-secret" class="sr-only">
              New token secret
            </label>
            <input id="token-secret" readOnly value={created.value.token} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={copy}>
              {copied.value ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      )}
      {tokens.error.value && <ErrorNote error={tokens.error.value} />}
      {tokens.data.value && (
        <table class="tokens">
          <caption class="sr-only">Your tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.value.length === 0 && (
              <tr>
                <td colSpan={4}>No tokens yet.</td>
              </tr>
            )}
            {tokens.data.value.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.scopes.join(', ')}</td>
                <td>{t.createdAt ? <RelTime iso={t.createdAt} /> : '—'}</td>
                <td>
                  <button type="button" class="link danger" onClick={() => revoke(t)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** /settings: profile fields and API tokens. */
export function SettingsPage() {
  const me = useAppState().me.value;
  if (!me) return <SignInFirst />;
  return (
    <>
      <PageTitle title="Settings" />
      <ProfileForm me={me} />
      <Tokens />
    </>
  );
}
