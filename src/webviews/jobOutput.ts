// The job output panel's page. Everything it shows arrives as structured messages and is
// rendered with DOM APIs and textContent only: a log line that looks like HTML stays text.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  /** Most log lines kept in the page; the extension keeps the whole log. */
  const MAX_LINES = 20000;
  /** @type {any} */
  let snapshot;
  let snapshotAt = 0;
  let now = 0;
  let lineCount = 0;

  /** From dom.js, loaded before this script. */
  const el = /** @type {any} */ (window).hdiElement;

  const title = el('h1', { text: 'Job' });
  const state = el('span', { class: 'state', role: 'status' });
  const elapsed = el('span', { class: 'elapsed' });
  const app = el('span', { class: 'app' });
  const links = el('span', { class: 'links' });
  const note = el('p', { class: 'note', role: 'status' });
  const cancel = el('button', { text: 'Cancel', onclick: () => vscode.postMessage({ type: 'cancel' }) });
  const search = el('input', { type: 'search', placeholder: 'Search the log', 'aria-label': 'Search the log', oninput: () => filter() });
  const follow = el('input', { type: 'checkbox', id: 'follow', checked: '' });
  const matches = el('span', { class: 'count' });
  const output = el('section', { class: 'output', 'aria-label': 'Result' });
  const log = el('div', { class: 'log', role: 'log', 'aria-label': 'Job log' });

  document.body.append(
    el('header', {}, [
      title,
      el('div', { class: 'controls' }, [state, elapsed, app, links, cancel]),
      note,
      el('div', { class: 'controls' }, [search, matches, el('label', {}, [follow, ' Follow'])]),
    ]),
    output,
    log,
  );

  function level(text) {
    const m = /\b(ERROR|FATAL|SEVERE|WARN(?:ING)?|INFO|DEBUG|TRACE)\b/.exec(text);
    if (/^(Traceback|\s+File "|\w+(Error|Exception)\b)/.test(text)) return 'error';
    if (!m) return '';
    const l = m[1];
    return l === 'ERROR' || l === 'FATAL' || l === 'SEVERE' ? 'error' : l.startsWith('WARN') ? 'warn' : l === 'INFO' ? 'info' : 'debug';
  }

  function lineNode(entry) {
    if (entry.gap) {
      return el('div', {
        class: 'line gap',
        text: `Livy's log buffer overflowed between two reads: lines of ${entry.stream} are missing here.`,
      });
    }
    const cls = ['line', entry.stream, level(entry.text)].filter(Boolean).join(' ');
    return el('div', { class: cls, text: entry.text });
  }

  function appendLines(entries, reset, dropped) {
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    if (reset) {
      log.replaceChildren();
      lineCount = 0;
    }
    if (dropped)
      log.append(el('div', { class: 'line gap', text: `${dropped.toLocaleString()} earlier lines were let go to keep memory bounded.` }));
    const fragment = document.createDocumentFragment();
    const query = search.value.trim().toLowerCase();
    for (const entry of entries) {
      const node = lineNode(entry);
      if (query && !node.textContent.toLowerCase().includes(query)) node.hidden = true;
      fragment.append(node);
    }
    log.append(fragment);
    lineCount += entries.length;
    while (log.childElementCount > MAX_LINES && log.firstElementChild) log.firstElementChild.remove();
    if (follow.checked || (atEnd && reset)) log.scrollTop = log.scrollHeight;
    if (query) filter();
  }

  function filter() {
    const query = search.value.trim().toLowerCase();
    let shown = 0;
    for (const node of /** @type {HTMLElement[]} */ ([...log.children])) {
      const hit = !query || node.textContent.toLowerCase().includes(query);
      node.hidden = !hit;
      if (hit) shown++;
    }
    matches.textContent = query ? `${shown} of ${log.childElementCount} lines` : `${lineCount.toLocaleString()} lines`;
  }

  function clock() {
    if (!snapshot) return;
    const end = snapshot.endedAt ?? now + (Date.now() - snapshotAt);
    const seconds = Math.max(0, Math.round((end - snapshot.submittedAt) / 1000));
    const m = Math.floor(seconds / 60);
    elapsed.textContent = `${m > 0 ? `${m} min ` : ''}${seconds % 60} s`;
  }
  window.setInterval(clock, 1000);

  function renderOutput(out) {
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
    const columnsOf = table?.headers?.map((h) => h.name) ?? sql?.schema?.fields?.map((f) => f.name);
    const rowsOf = table?.data ?? sql?.data;
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
                columnsOf.map((_, i) =>
                  el('td', {
                    text: r[i] === null || r[i] === undefined ? '' : typeof r[i] === 'object' ? JSON.stringify(r[i]) : String(r[i]),
                  }),
                ),
              ),
            ),
          ),
        ]),
      );
    }
    const json = data['application/json'];
    if (json !== undefined) {
      const rows = Array.isArray(json) ? json : json && Array.isArray(json.data) ? json.data : undefined;
      if (rows && rows.length && typeof rows[0] === 'object' && rows[0] !== null && !Array.isArray(rows[0])) {
        const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
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
                  columns.map((c) =>
                    el('td', { text: r[c] === undefined ? '' : typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c]) }),
                  ),
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
    return output.replaceChildren(el('h2', { text: 'Result' }), el('pre', { class: 'result', text: String(text) }));
  }

  function renderSnapshot(s) {
    snapshot = s;
    title.textContent = `${s.name} · ${s.cluster}`;
    state.textContent =
      s.state === 'running' && s.progress !== undefined && s.progress > 0 ? `running ${Math.round(s.progress * 100)}%` : s.state;
    state.className = `state ${s.state}`;
    const where =
      s.batchId !== undefined
        ? `batch ${s.batchId}`
        : s.sessionId !== undefined
          ? `session ${s.sessionId}${s.statementId !== undefined ? ` · statement ${s.statementId}` : ''}`
          : s.mode;
    app.textContent = [where, s.appId ? `application ${s.appId}` : ''].filter(Boolean).join(' · ');
    const anchors = [];
    if (s.sparkUiUrl)
      anchors.push(
        el('a', {
          href: '#',
          text: 'Spark UI',
          onclick: (e) => (e.preventDefault(), vscode.postMessage({ type: 'open', url: s.sparkUiUrl })),
        }),
      );
    if (s.driverLogUrl)
      anchors.push(
        el('a', {
          href: '#',
          text: 'Driver log',
          onclick: (e) => (e.preventDefault(), vscode.postMessage({ type: 'open', url: s.driverLogUrl })),
        }),
      );
    links.replaceChildren(...anchors);
    note.textContent = s.note ?? '';
    const finished = ['succeeded', 'failed', 'cancelled', 'unknown'].includes(s.state);
    const streaming = s.mode === 'session' && s.state === 'succeeded';
    cancel.disabled = finished && !streaming;
    cancel.textContent = streaming ? 'Stop streaming queries' : 'Cancel';
    renderOutput(s.output);
    clock();
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'snapshot') {
      now = message.now;
      snapshotAt = Date.now();
      renderSnapshot(message.snapshot);
    } else if (message.type === 'log') {
      appendLines(message.entries, message.reset, message.dropped);
      filter();
    }
  });

  vscode.postMessage({ type: 'ready' });
})();
