import { useComputed, useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../api';
import { asApiError, publish } from '../actions';
import { useAppState } from '../state';
import { POST_MAX, postLength } from '../text';
import type { Post } from '../types';
import { draftKey as keyOf, keepDraft, readDraft } from '../drafts';

/** A random key for the Idempotency-Key header (crypto.randomUUID needs a secure context). */
function newKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The counter in words: "1 character left", "3 characters over the limit". */
function countText(left: number): string {
  const n = Math.abs(left);
  const chars = n === 1 ? 'character' : 'characters';
  return left < 0 ? `${n} ${chars} over the limit` : `${n} ${chars} left`;
}

type Props = { replyTo?: Post; initial?: string; onPosted?: (post: Post) => void };

/** The post form: live remaining-character counter, inline server errors, draft kept on failure and across a sign-in. */
export function Composer({ replyTo, initial = '', onPosted }: Props) {
  const state = useAppState();
  const draftKey = state.me.value ? keyOf(state.me.value.handle, replyTo?.id) : null;
  const text = useSignal(readDraft(draftKey) ?? initial);
  const sending = useSignal(false);
  const error = useSignal<ApiError | null>(null);
  const remaining = useComputed(() => POST_MAX - postLength(text.value));
  // One key per draft: resubmitting the same text after a lost answer cannot post twice.
  const key = useRef(newKey());
  const field = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (state.composeRequested.value) {
      state.composeRequested.value = false;
      field.current?.focus();
    }
  }, []);

  const left = remaining.value;
  const empty = left === POST_MAX;
  const label = replyTo ? `Reply to @${replyTo.author.handle}` : 'New post';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (empty || left < 0 || sending.value) return;
    sending.value = true;
    error.value = null;
    try {
      const post = await publish(state, text.value, replyTo?.id, key.current);
      // Back to the text box for the next one if the keyboard was still in the composer: the emptied composer
      // disables its button, which would drop focus to the page.
      const active = document.activeElement;
      if (!active || active === document.body || field.current?.form?.contains(active)) field.current?.focus();
      text.value = '';
      keepDraft(draftKey, null);
      key.current = newKey();
      onPosted?.(post);
    } catch (err) {
      error.value = asApiError(err);
    } finally {
      sending.value = false;
    }
  };

  return (
    <form class="composer" onSubmit={submit}>
      <label for="composer-text">{label}</label>
      <textarea
        id="composer-text"
        ref={field}
        rows={3}
        value={text.value}
        // Nothing typed while the post is on its way can be lost when it lands and the box empties.
        readOnly={sending.value}
        placeholder={replyTo ? 'Write a reply' : 'What are you working on?'}
        aria-describedby="composer-count"
        aria-invalid={left < 0 || undefined}
        onInput={(e) => {
          text.value = e.currentTarget.value;
          keepDraft(draftKey, text.value === initial ? null : text.value);
          key.current = newKey();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
          else if (e.key === 'Escape') e.currentTarget.blur();
        }}
      />
      <div class="composer-bar">
        <span id="composer-count" class={left < 0 ? 'count over' : left <= 20 ? 'count near' : 'count'}>
          <span aria-hidden="true">{left}</span>
          <span class="sr-only">{countText(left)}</span>
        </span>
        <span class="sr-only" aria-live="polite">
          {left <= 20 ? countText(left) : ''}
        </span>
        <button type="submit" disabled={empty || left < 0} aria-disabled={sending.value || undefined}>
          {sending.value ? 'Posting…' : replyTo ? 'Reply' : 'Post'}
        </button>
      </div>
      {error.value && (
        <p role="alert" class="note error">
          {error.value.message}
        </p>
      )}
    </form>
  );
}
