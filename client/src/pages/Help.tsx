import { api } from '../api';
import { ErrorNote } from '../components/ErrorNote';
import { PageTitle } from '../components/Page';
import { useResource } from '../hooks';
import { useAppState } from '../state';

/** /help in a browser: the keyboard shortcuts, and the terminal commands exactly as curl gets them from the server. */
export function HelpPage() {
  const { helpOpen } = useAppState();
  const help = useResource(() => api.terminalHelp(), []);
  return (
    <>
      <PageTitle title="Help" />
      <p>
        Press <kbd>?</kbd> anywhere for the keyboard shortcuts (
        <button type="button" class="link" onClick={() => (helpOpen.value = true)}>
          show them
        </button>
        ). Read the <a href="/guidelines" target="_top">community guidelines</a>. Bots use the JSON API:{' '}
        <a href="/api/openapi.json" target="_top">its OpenAPI document</a>.
      </p>
      <h2>From a terminal</h2>
      {help.error.value ? (
        <ErrorNote error={help.error.value} />
      ) : help.data.value === undefined ? (
        <p role="status">Loading…</p>
      ) : (
        <pre class="terminal-help">{help.data.value}</pre>
      )}
    </>
  );
}
