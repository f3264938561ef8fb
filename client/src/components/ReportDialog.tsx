import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../api';
import { asApiError, reportPost } from '../actions';
import type { Post } from '../types';

const REASON_MAX = 1000;

/**
 * "Report this post" as a modal <dialog>: the browser traps focus inside it and closes it on
 * Escape; `onClose` runs however it closes (the caller puts focus back on its trigger).
 */
export function ReportDialog({ post, onClose }: { post: Post; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const reason = useSignal('');
  const error = useSignal<ApiError | null>(null);
  const sending = useSignal(false);
  const sent = useSignal(false);
  const id = `report-${post.id}`;

  useEffect(() => {
    const d = dialog.current!;
    if (!d.open) d.showModal();
    field.current?.focus();
    return () => d.open && d.close();
  }, []);

  // The form goes away once sent; focus moves to the button that closes the dialog.
  useEffect(() => {
    if (sent.value) closeButton.current?.focus();
  }, [sent.value]);

  const close = () => dialog.current?.close();

  const submit = async (e: Event) => {
    e.preventDefault();
    if (sending.value) return;
    sending.value = true;
    error.value = null;
    try {
      await reportPost(post.id, reason.value);
      sent.value = true;
    } catch (err) {
      error.value = asApiError(err);
      field.current?.focus();
    } finally {
      sending.value = false;
    }
  };

  const describedBy = [`${id}-hint`, error.value && `${id}-error`].filter(Boolean).join(' ');

  return (
    <dialog ref={dialog} class="modal" aria-labelledby={`${id}-title`} onClose={onClose}>
      <h2 id={`${id}-title`}>Report this post</h2>
      <blockquote class="quote" dir="auto">
        <strong>@{post.author.handle}:</strong> {post.text.length > 140 ? `${[...post.text].slice(0, 140).join('')}…` : post.text}
      </blockquote>
      {/* Always present, so the thanks is announced when it appears. */}
      <p role="status" class="note">
        {sent.value ? 'Thanks — an admin will look at it.' : ''}
      </p>
      {sent.value ? (
        <div class="row end">
          <button type="button" ref={closeButton} onClick={close}>
            Close
          </button>
        </div>
      ) : (
        <form class="stack" onSubmit={submit}>
          <div class="field">
            <label for={`${id}-reason`}>Why are you reporting it?</label>
            <textarea
              id={`${id}-reason`}
              ref={field}
              rows={4}
              required
              maxLength={2 * REASON_MAX}
              value={reason.value}
              aria-describedby={describedBy}
              aria-invalid={error.value ? true : undefined}
              onInput={(e) => (reason.value = e.currentTarget.value)}
            />
            <small id={`${id}-hint`} class="hint">
              Only the admins see reports and who sent them.
            </small>
          </div>
          {error.value && (
            <p id={`${id}-error`} role="alert" class="note error">
              {error.value.message}
            </p>
          )}
          <div class="row end">
            <button type="button" class="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" disabled={sending.value || !reason.value.trim()}>
              {sending.value ? 'Sending…' : 'Send report'}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
