import type { ComponentChildren } from 'preact';

/** A labelled form control with an optional hint and field error (ids `${id}-hint`, `${id}-error`). */
export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

/** The aria attributes that tie a control to its Field's hint and error. */
export function describedBy(id: string, hint?: string, error?: string) {
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return { 'aria-describedby': ids || undefined, 'aria-invalid': error ? true : undefined };
}

/** The first message the server gave about `field`, from an error's details. */
export function fieldError(details: { field?: string; message: string }[] | undefined, field: string): string | undefined {
  return details?.find((d) => d.field === field)?.message;
}
