import { useSignal } from '@preact/signals';
import { useRef } from 'preact/hooks';
import { api } from '../api';
import { asApiError, deletePost } from '../actions';
import { ListFooter } from '../components/ListFooter';
import { PageTitle, SignInFirst } from '../components/Page';
import { PostCard } from '../components/PostCard';
import { RelTime } from '../components/RelTime';
import { useList } from '../hooks';
import { useAppState } from '../state';
import type { Report } from '../types';

function AdminsOnly() {
  return (
    <p class="note">
      Admins only: this page lists the reports people send about posts, for the admins who look after bluetwit. If a post bothers you, use
      “Report” under it, or mute or block its author from their profile.
    </p>
  );
}

/** /reports: open reports for admins; a polite note for everyone else. */
export function ReportsPage() {
  const { me, role } = useAppState();
  if (!me.value) return <SignInFirst />;
  return (
    <>
      <PageTitle title="Reports" />
      {role.value === undefined ? (
        <p role="status" class="loading">
          Loading…
        </p>
      ) : role.value === 'admin' ? (
        <ReportList />
      ) : (
        <AdminsOnly />
      )}
    </>
  );
}

/** One report: who sent it and why, the post as it stands (if it still does), and "Delete post". */
function ReportItem({ report: r, onDeleted }: { report: Report; onDeleted: (postId: string) => void }) {
  const state = useAppState();
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const id = `rep-${r.id}`;

  const remove = async () => {
    if (!confirm('Delete this post? This cannot be undone.')) return;
    busy.value = true;
    error.value = null;
    try {
      await deletePost(state, r.postId);
      onDeleted(r.postId);
    } catch (e) {
      const err = asApiError(e);
      // Someone else deleted it first: the outcome is the one wanted.
      if (err.status === 404) onDeleted(r.postId);
      else error.value = err.message;
      busy.value = false;
    }
  };

  return (
    <li class="report" tabIndex={-1} aria-labelledby={`${id}-head`} data-report-id={r.id}>
      <p id={`${id}-head`} class="report-head">
        Reported by <a href={`/@${r.reporter}`}>@{r.reporter}</a> · <RelTime iso={r.createdAt} />
      </p>
      <p class="report-reason" dir="auto">
        <span class="sr-only">Reason: </span>
        {r.reason}
      </p>
      {r.post ? <PostCard post={r.post} idScope={`${id}-`} /> : <p class="empty">(post already deleted)</p>}
      {r.post && (
        <div class="row">
          <button type="button" class="secondary danger" disabled={busy.value} onClick={remove} aria-describedby={`${id}-head`}>
            Delete post
          </button>
        </div>
      )}
      {error.value && (
        <p role="alert" class="note error">
          {error.value}
        </p>
      )}
    </li>
  );
}

function ReportList() {
  const list = useList('reports', (cursor) => api.reports(cursor), (r: Report) => r.id);
  const ol = useRef<HTMLOListElement>(null);
  const status = useSignal('');
  const items = list.items.value;
  const error = list.error.value;

  // Drops every report of the deleted post and moves focus to what took its place.
  const onDeleted = (postId: string) => {
    const at = list.items.value.findIndex((r) => r.postId === postId);
    list.items.value = list.items.value.filter((r) => r.postId !== postId);
    const left = list.items.value.length;
    status.value = `Post deleted. ${left} ${left === 1 ? 'report' : 'reports'} left on this page.`;
    requestAnimationFrame(() => {
      const next = ol.current?.querySelectorAll<HTMLElement>(':scope > li')[Math.max(0, at)];
      (next ?? document.querySelector<HTMLElement>('main h1'))?.focus();
    });
  };

  if (error?.status === 403) return <AdminsOnly />;
  return (
    <>
      <p role="status" class="sr-only">
        {status.value}
      </p>
      <ol class="reports" ref={ol} aria-busy={list.loading.value} aria-label="Open reports">
        {items.map((r) => (
          <ReportItem key={r.id} report={r} onDeleted={onDeleted} />
        ))}
      </ol>
      {list.loaded.value && items.length === 0 && !error && <p class="empty">No open reports.</p>}
      <ListFooter list={list} />
    </>
  );
}
