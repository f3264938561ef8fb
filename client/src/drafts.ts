/**
 * Drafts live in this tab's session storage, per account and per post replied to, until posted: a session that
 * ended under a half-written post signs the tab out, and signing back in finds the draft where it was.
 */
const DRAFT_PREFIX = 'bluetwit-draft:';

/** Where an account's draft of a new post, or of a reply to a post, is kept. */
export const draftKey = (handle: string, replyTo?: string) => `${DRAFT_PREFIX}${handle}:${replyTo ?? 'new'}`;

export function readDraft(key: string | null): string | null {
  try {
    return key ? sessionStorage.getItem(key) : null;
  } catch {
    return null;
  }
}

export function keepDraft(key: string | null, text: string | null): void {
  if (!key) return;
  try {
    if (text) sessionStorage.setItem(key, text);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage full or refused: the draft is only on screen.
  }
}

/** Forgets every draft in this tab (signing out on purpose). */
export function forgetDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(DRAFT_PREFIX)) sessionStorage.removeItem(key);
  } catch {
    // Nothing kept.
  }
}
