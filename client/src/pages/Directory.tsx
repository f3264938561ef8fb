import { useSignal } from '@preact/signals';
import { useLocation } from 'preact-iso/router';
import { useEffect, useRef } from 'preact/hooks';
import { asApiError, setFollowing } from '../actions';
import { api, withQuery } from '../api';
import { ListFooter } from '../components/ListFooter';
import { PageTitle } from '../components/Page';
import { useList } from '../hooks';
import { useAppState } from '../state';
import type { Account } from '../types';

/**
 * Follow or unfollow from a list of people, for a signed-in reader (the list says whom they follow). A toggle
 * button: its name stays "Follow @handle", aria-pressed says whether they do.
 */
function FollowToggle({ account }: { account: Account }) {
  const state = useAppState();
  const following = useSignal(account.following ?? false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const me = state.me.value;
  if (account.following === undefined || !me || me.handle === account.handle) return null;
  const toggle = async () => {
    if (busy.value) return;
    busy.value = true;
    error.value = null;
    const on = !following.value;
    try {
      await setFollowing(state, account.handle, on);
      following.value = on;
    } catch (e) {
      error.value = asApiError(e).message;
    } finally {
      busy.value = false;
    }
  };
  return (
    <>
      <button
        type="button"
        class={following.value ? 'secondary follow' : 'follow'}
        aria-label={`Follow @${account.handle}`}
        aria-pressed={following.value}
        // aria-disabled while busy: a disabled button would drop keyboard focus to the page.
        aria-disabled={busy.value || undefined}
        onClick={toggle}
      >
        {following.value ? 'Following' : 'Follow'}
      </button>
      {error.value && (
        <span role="alert" class="note error">
          {error.value}
        </span>
      )}
    </>
  );
}

/** Accounts as a list of names linking to profiles, with title and department, and a follow toggle. */
export function PeopleList({ people }: { people: Account[] }) {
  return (
    <ul class="people">
      {people.map((a) => (
        <li key={a.handle}>
          <a href={`/@${a.handle}`}>
            <strong>{a.displayName || a.handle}</strong> <span class="handle">@{a.handle}</span>
          </a>
          {a.bot && <span class="badge">bot</span>}
          <FollowToggle account={a} />
          {(a.title || a.department) && <span class="role">{[a.title, a.department].filter(Boolean).join(' · ')}</span>}
        </li>
      ))}
    </ul>
  );
}

/** /directory?q=&department=: colleagues by name, filtered as you type. */
export function DirectoryPage() {
  const { query, route } = useLocation();
  const q = query.q ?? '';
  const department = query.department ?? '';
  const qDraft = useSignal(q);
  const deptDraft = useSignal(department);
  const departments = useSignal<string[]>([]);
  const list = useList(`${q}\n${department}`, (cursor) => api.directory(q.trim(), department.trim(), cursor), (a: Account) => a.handle);

  const written = useRef(`${q}\n${department}`);

  // Back and forward change the URL under the inputs; our own writes must not undo fresh typing.
  useEffect(() => {
    if (written.current === `${q}\n${department}`) return;
    written.current = `${q}\n${department}`;
    qDraft.value = q;
    deptDraft.value = department;
  }, [q, department]);

  // The filters live in the URL (replaced, not pushed), a moment after typing stops.
  useEffect(() => {
    const wanted = `${qDraft.value}\n${deptDraft.value}`;
    if (wanted === written.current) return;
    const timer = setTimeout(() => {
      written.current = wanted;
      route(withQuery('/directory', { q: qDraft.value, department: deptDraft.value }), true);
    }, 250);
    return () => clearTimeout(timer);
  }, [qDraft.value, deptDraft.value]);

  // Suggest every department seen so far.
  useEffect(() => {
    const seen = new Set(departments.value);
    for (const a of list.items.value) if (a.department) seen.add(a.department);
    if (seen.size !== departments.value.length) departments.value = [...seen].sort((x, y) => x.localeCompare(y));
  }, [list.items.value]);

  const items = list.items.value;
  const error = list.error.value;
  return (
    <>
      <PageTitle title="Directory" />
      <form class="filters" role="search" aria-label="Filter the directory" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="dir-q">Name or handle starts with</label>
          <input id="dir-q" type="search" value={qDraft.value} onInput={(e) => (qDraft.value = e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="dir-dept">Department</label>
          <input id="dir-dept" type="search" list="dir-depts" value={deptDraft.value} onInput={(e) => (deptDraft.value = e.currentTarget.value)} />
          <datalist id="dir-depts">
            {departments.value.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
        </div>
      </form>
      <p role="status" class="sr-only">
        {list.loaded.value ? `${items.length} ${items.length === 1 ? 'person' : 'people'} shown${list.next.value ? ', more to load' : ''}` : ''}
      </p>
      <div aria-busy={list.loading.value}>
        <PeopleList people={items} />
        {list.loaded.value && items.length === 0 && !error && <p class="empty">Nobody matches.</p>}
      </div>
      <ListFooter list={list} />
    </>
  );
}
