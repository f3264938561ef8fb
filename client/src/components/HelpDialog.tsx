import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useAppState } from '../state';

const KEYS: [string[], string][] = [
  [['j'], 'Next post'],
  [['k'], 'Previous post'],
  [['o', 'Enter'], 'Open the focused post'],
  [['n'], 'Write a post'],
  [['Ctrl+Enter'], 'Send the post you are writing'],
  [['Esc'], 'Leave the text box, or close this help'],
  [['?'], 'Show or hide this help'],
];

/** The keyboard help, a modal dialog toggled by "?". */
export function HelpDialog() {
  const { helpOpen } = useAppState();
  const dialog = useRef<HTMLDialogElement>(null);
  const open = helpOpen.value;

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    else if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog ref={dialog} class="help" aria-labelledby="help-title" onClose={() => (helpOpen.value = false)}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      <dl>
        {KEYS.map(([keys, what]) => (
          <div key={what}>
            <dt>
              {keys.map((k, i) => (
                <Fragment key={k}>
                  {i > 0 && ' or '}
                  <kbd>{k}</kbd>
                </Fragment>
              ))}
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
