// The job output panel's page (its panel: src/panels/JobOutputPanel.ts). Everything it shows
// arrives as structured messages and is rendered with DOM APIs and textContent only: a log line
// that looks like HTML stays text.
import { connect, el } from './dom';
import type { JobCancelView, JobOutputToHost, JobOutputToPage, JobView, LogLine, LogStreamName, OutputView } from './protocol';
import { renderQueries } from './queryMonitor';

const post = connect<JobOutputToHost, JobOutputToPage>({ snapshot: true, log: true, queries: true }, receive);

/** Most log lines kept in the page; the extension keeps the whole log. */
const MAX_LINES = 20000;
let snapshot: JobView | undefined;
let snapshotAt = 0;
let now = 0;
let lineCount = 0;

const title = el('h1', { text: 'Job' });
const state = el('span', { class: 'state', role: 'status' });
const elapsed = el('span', { class: 'elapsed' });
const app = el('span', { class: 'app' });
const links = el('span', { class: 'links' });
const note = el('p', { class: 'note', role: 'status' });
const cancel = el('button', { text: 'Cancel', onclick: () => post({ type: 'cancel' }) });
const search = el('input', { type: 'search', placeholder: 'Search the log', 'aria-label': 'Search the log', oninput: () => filter() });
const follow = el('input', { type: 'checkbox', id: 'follow', checked: '' });
const matches = el('span', { class: 'count' });

/**
 * The sources a line can come from, as the filter offers them. Livy's stdout and stderr are named
 * for Livy: on a YARN cluster they hold the spark-submit launcher's lines, but where Spark runs
 * beside Livy (a local or client-mode Livy) they are the driver's own output.
 */
type Source = 'livy' | 'driverStdout' | 'driverStderr' | 'yarn';
const SOURCES: Record<Source, { label: string; tag: string; title: string }> = {
  livy: {
    label: 'Livy',
    tag: 'livy',
    title: "Livy's log: on a YARN cluster the spark-submit launcher's lines; where Spark runs beside Livy, the driver's own",
  },
  driverStdout: { label: 'Driver stdout', tag: 'stdout', title: "The driver's stdout, read from YARN" },
  driverStderr: { label: 'Driver stderr', tag: 'stderr', title: "The driver's stderr (Spark's log4j lines), read from YARN" },
  yarn: { label: 'YARN', tag: 'YARN', title: "YARN's diagnostics, from Livy's log" },
};
function sourceOf(stream: LogStreamName): Source {
  return stream === 'stdout' || stream === 'stderr' ? 'livy' : stream;
}
/** Sources the user turned off. */
const hiddenSources = new Set<Source>();
const sourceButtons = new Map<Source, HTMLButtonElement>();
const sourceFilter = el('span', { class: 'sources', role: 'group', 'aria-label': 'Show lines from', hidden: '' });
for (const source of Object.keys(SOURCES) as Source[]) {
  const button = el('button', {
    class: 'source',
    text: SOURCES[source].label,
    title: SOURCES[source].title,
    'aria-pressed': 'true',
    hidden: '',
    onclick: () => {
      if (hiddenSources.has(source)) hiddenSources.delete(source);
      else hiddenSources.add(source);
      button.setAttribute('aria-pressed', String(!hiddenSources.has(source)));
      filter();
    },
  });
  sourceButtons.set(source, button);
  sourceFilter.append(button);
}
/** The last entry of each stream on the page: its continuation lines join it. */
const lastEntry = new Map<LogStreamName, HTMLElement>();
const output = el('section', { class: 'output', 'aria-label': 'Result' });
/** The streaming-query monitor, above the log; hidden while the job reported no query. */
const queries = el('section', { class: 'queries', 'aria-label': 'Streaming queries', hidden: '' });
const log = el('div', { class: 'log', role: 'log', 'aria-label': 'Job log' });

document.body.append(
  el('header', {}, [
    title,
    el('div', { class: 'controls' }, [state, elapsed, app, links, cancel]),
    note,
    el('div', { class: 'controls' }, [search, sourceFilter, matches, el('label', {}, [follow, ' Follow'])]),
  ]),
  output,
  queries,
  log,
);

/**
 * What the Cancel button offers for a job in this state: nothing once it ended, except that a
 * session whose statement succeeded may still run streaming queries, which can be stopped.
 */
/** The Cancel button as the job says: whether it applies now, and "Stop streaming queries" when that is what it does. */
function cancelAction(c: JobCancelView): { enabled: boolean; label: string } {
  return { enabled: c.cancellable, label: c.cancellable && c.action === 'stopStreamingQueries' ? 'Stop streaming queries' : 'Cancel' };
}

/**
 * A node for an entry of the log, or undefined when the entry continues the one above it on its
 * stream (a stack trace, pretty-printed JSON), which then takes its text: an entry is coloured,
 * searched and filtered as one. The entry's source shows as a tag drawn by the style sheet from
 * `data-source`, so it is not part of the text that is searched or copied.
 */
function lineNode(entry: LogLine): HTMLElement | undefined {
  if ('gap' in entry) {
    lastEntry.delete(entry.stream);
    return el('div', {
      class: 'line gap',
      text: `Livy's log buffer overflowed between two reads: lines of ${entry.stream} are missing here.`,
    });
  }
  if (entry.stream === 'notice') return el('div', { class: 'line notice', role: 'note', text: entry.text });
  const above = entry.continued ? lastEntry.get(entry.stream) : undefined;
  if (above?.isConnected || (above && pending.has(above))) {
    above.append(`\n${entry.text}`);
    return undefined;
  }
  const source = sourceOf(entry.stream);
  const button = sourceButtons.get(source);
  if (button?.hidden) {
    button.hidden = false;
    // The filter shows once there is something to choose between.
    sourceFilter.hidden = [...sourceButtons.values()].filter((b) => !b.hidden).length < 2;
  }
  const cls = ['line', entry.stream, entry.level, entry.continued ? 'continued' : undefined].filter(Boolean).join(' ');
  const node = el('div', { class: cls, 'data-source': SOURCES[source].tag, title: SOURCES[source].title, text: entry.text });
  node.dataset.filter = source;
  lastEntry.set(entry.stream, node);
  return node;
}

/** Nodes made for the entries of one message, not on the page yet. */
const pending = new Set<HTMLElement>();

/** Whether a node shows under the search and the source filter (notices and gaps obey only the search). */
function shows(node: HTMLElement, query: string): boolean {
  const source = node.dataset.filter as Source | undefined;
  if (source && hiddenSources.has(source)) return false;
  return !query || (node.textContent ?? '').toLowerCase().includes(query);
}

function appendLines(entries: LogLine[], reset: boolean, dropped: number): void {
  const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  if (reset) {
    log.replaceChildren();
    lastEntry.clear();
    lineCount = 0;
  }
  if (dropped)
    log.append(el('div', { class: 'line gap', text: `${dropped.toLocaleString()} earlier lines were let go to keep memory bounded.` }));
  const fragment = document.createDocumentFragment();
  for (const entry of entries) {
    const node = lineNode(entry);
    if (!node) continue;
    pending.add(node);
    fragment.append(node);
  }
  log.append(fragment);
  // An entry with its continuation lines counts as one, as it shows and filters as one.
  lineCount += pending.size;
  pending.clear();
  while (log.childElementCount > MAX_LINES && log.firstElementChild) log.firstElementChild.remove();
  // A continued entry may have grown: the filter looks at every entry again.
  filter();
  if (follow.checked || (atEnd && reset)) log.scrollTop = log.scrollHeight;
}

function filter(): void {
  const query = search.value.trim().toLowerCase();
  let shown = 0;
  for (const child of log.children) {
    const node = child as HTMLElement;
    const hit = shows(node, query);
    node.hidden = !hit;
    if (hit) shown++;
  }
  matches.textContent =
    query || hiddenSources.size > 0 ? `${shown} of ${log.childElementCount} lines` : `${lineCount.toLocaleString()} lines`;
}

function clock(): void {
  if (!snapshot) return;
  const end = snapshot.endedAt ?? now + (Date.now() - snapshotAt);
  const seconds = Math.max(0, Math.round((end - snapshot.submittedAt) / 1000));
  const m = Math.floor(seconds / 60);
  elapsed.textContent = `${m > 0 ? `${m} min ` : ''}${seconds % 60} s`;
}
window.setInterval(clock, 1000);

/** `value[key]` when `value` is an object, else undefined: Livy's output data arrives unchecked. */
function field(value: unknown, key: string | number): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[key] : undefined;
}

/** The `name` of each column, when `list` is a list of columns. */
function columnNames(list: unknown): unknown[] | undefined {
  return Array.isArray(list) ? list.map((c) => field(c, 'name')) : undefined;
}

/**
 * A value of Livy's output as text: a string as it is, `null` as `nullText`, nothing as '', and
 * anything else as JSON (a number or boolean prints the same as with String()).
 */
function valueText(v: unknown, nullText: string): string {
  if (v === undefined) return '';
  if (v === null) return nullText;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function renderOutput(out: OutputView | undefined): void {
  if (!out) return output.replaceChildren();
  if (out.status === 'error') {
    return output.replaceChildren(
      el('h2', { class: 'error', text: `${out.ename}: ${out.evalue}` }),
      el('pre', { class: 'traceback', text: (out.traceback ?? []).join('') }),
    );
  }
  const data = out.data ?? {};
  // Livy's %table magic and SQL results: column names, then rows of values.
  const table = data['application/vnd.livy.table.v1+json'];
  const sql = data['application/json'];
  const columnsOf = columnNames(field(table, 'headers')) ?? columnNames(field(field(sql, 'schema'), 'fields'));
  const rowsOf = field(table, 'data') ?? field(sql, 'data');
  if (columnsOf && Array.isArray(rowsOf)) {
    return output.replaceChildren(
      el('h2', { text: `Result (${rowsOf.length} rows)` }),
      el('table', {}, [
        el('thead', {}, [
          el(
            'tr',
            {},
            columnsOf.map((c) => el('th', { text: String(c) })),
          ),
        ]),
        el(
          'tbody',
          {},
          rowsOf.map((r) =>
            el(
              'tr',
              {},
              columnsOf.map((_, i) => el('td', { text: valueText(field(r, i), '') })),
            ),
          ),
        ),
      ]),
    );
  }
  const json = data['application/json'];
  if (json !== undefined) {
    const inner = field(json, 'data');
    const rows = Array.isArray(json) ? (json as unknown[]) : Array.isArray(inner) ? (inner as unknown[]) : undefined;
    if (rows && rows.length && typeof rows[0] === 'object' && rows[0] !== null && !Array.isArray(rows[0])) {
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
      return output.replaceChildren(
        el('h2', { text: 'Result' }),
        el('table', {}, [
          el('thead', {}, [
            el(
              'tr',
              {},
              columns.map((c) => el('th', { text: c })),
            ),
          ]),
          el(
            'tbody',
            {},
            rows.map((r) =>
              el(
                'tr',
                {},
                columns.map((c) => el('td', { text: valueText(field(r, c), 'null') })),
              ),
            ),
          ),
        ]),
      );
    }
    return output.replaceChildren(el('h2', { text: 'Result' }), el('pre', { text: JSON.stringify(json, null, 2) }));
  }
  const text = data['text/plain'];
  if (text === undefined || text === '') return output.replaceChildren();
  return output.replaceChildren(el('h2', { text: 'Result' }), el('pre', { class: 'result', text: valueText(text, 'null') }));
}

function renderSnapshot(s: JobView, cancellation: JobCancelView): void {
  snapshot = s;
  title.textContent = `${s.name} · ${s.cluster}`;
  state.textContent =
    s.state === 'running' && s.progress !== undefined && s.progress > 0 ? `running ${Math.round(s.progress * 100)}%` : s.state;
  state.className = `state ${s.state}`;
  const where =
    s.batchId !== undefined
      ? `Livy batch ${s.batchId}`
      : s.sessionId !== undefined
        ? `Livy session ${s.sessionId}${s.statementId !== undefined ? ` · statement ${s.statementId}` : ''}`
        : s.mode;
  const ended = s.state !== 'submitting' && s.state !== 'starting' && s.state !== 'running';
  // A statement's session (and the queries it started) runs on after the statement; a batch's driver is done.
  const driverLog =
    s.driverLog === 'reading' && ended
      ? s.sessionId !== undefined
        ? "following the session driver's log…"
        : "reading the driver's last lines…"
      : '';
  app.textContent = [where, s.appId ? `application ${s.appId}` : '', driverLog].filter(Boolean).join(' · ');
  // Opened by the extension, which opens only the links the job itself reported.
  const link = (text: string, url: string | undefined): HTMLElement[] =>
    url ? [el('a', { href: '#', text, onclick: (e) => (e.preventDefault(), post({ type: 'open', url })) })] : [];
  links.replaceChildren(...link('Spark UI', s.sparkUiUrl), ...link('Driver log', s.driverLogUrl));
  note.textContent = s.note ?? '';
  const action = cancelAction(cancellation);
  cancel.disabled = !action.enabled;
  cancel.textContent = action.label;
  renderOutput(s.output);
  clock();
}

function receive(message: JobOutputToPage): void {
  switch (message.type) {
    case 'snapshot':
      now = message.now;
      snapshotAt = Date.now();
      renderSnapshot(message.snapshot, message.cancellation);
      return;
    case 'log':
      appendLines(message.entries, message.reset, message.dropped);
      return;
    case 'queries':
      renderQueries(queries, message.queries);
      return;
  }
}

post({ type: 'ready' });
