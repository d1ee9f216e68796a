// The message browser's page (its panel: src/panels/MessageBrowserPanel.ts). It renders what the
// extension posts with DOM APIs and textContent only: a message value that looks like HTML or
// script stays text.
import { connect, el } from './dom';
import type { ComposedMessage, LoadFrom, MessageBrowserToHost, MessageBrowserToPage, MessageView, TextEncoding } from './protocol';

const post = connect<MessageBrowserToHost, MessageBrowserToPage>(
  { init: true, messages: true, status: true, opened: true, openFailed: true, produced: true, produceFailed: true },
  receive,
);

/**
 * Messages as the list holds them: each value only its first kilobyte; opening one asks the
 * extension for the whole value (up to 256 KB), and only the opened one is kept whole.
 */
let messages: MessageView[] = [];
let selected = -1;
/** The opened message with its whole value, once the extension sent it. */
let opened: MessageView | undefined;

const title = el('h1', { text: 'Messages' });
const fromSelect = el('select', { 'aria-label': 'Start from' }, [
  el('option', { value: 'newest', text: 'Newest' }),
  el('option', { value: 'earliest', text: 'Earliest' }),
  el('option', { value: 'offset', text: 'Offset' }),
  el('option', { value: 'timestamp', text: 'Time' }),
]);
const fromValue = el('input', { type: 'text', placeholder: 'offset or 2026-11-23T10:00', 'aria-label': 'Offset or time', size: '18' });
const partitionsInput = el('input', { type: 'text', placeholder: 'all partitions', 'aria-label': 'Partitions', size: '10' });
const load = el('button', {
  text: 'Load',
  onclick: () => {
    const message = readLoad();
    if (message) post(message);
  },
});
const older = el('button', { text: '◀ Older', onclick: () => post({ type: 'older' }) });
const newer = el('button', { text: 'Newer ▶', onclick: () => post({ type: 'newer' }) });
const tail = el('input', { type: 'checkbox', id: 'tail', onchange: (): void => post({ type: 'tail', enabled: tail.checked }) });
const search = el('input', { type: 'search', placeholder: 'Search loaded messages', 'aria-label': 'Search', oninput: () => render() });
const status = el('span', { class: 'status', role: 'status' });
const count = el('span', { class: 'count' });
const tbody = el('tbody');
const table = el('table', {}, [
  el('thead', {}, [
    el(
      'tr',
      {},
      ['Partition', 'Offset', 'Time', 'Key', 'Value', 'Headers'].map((h) => el('th', { text: h })),
    ),
  ]),
  tbody,
]);
const details = el('section', { class: 'details', 'aria-label': 'Message details' });

// Composing a message: what the user types stays in the form, whatever the broker answers.
const composeKey = el('input', { type: 'text', 'aria-label': 'New message key', placeholder: '(no key)', size: '24' });
const composePartition = el('select', { 'aria-label': 'New message partition' }, [el('option', { value: '', text: 'Partition by key' })]);
const composeValue = el('textarea', { 'aria-label': 'New message value', rows: '6', placeholder: 'Value' });
const composeHeaders = el('textarea', {
  'aria-label': 'New message headers',
  rows: '2',
  placeholder: 'Headers: one name=value per line',
});
const composeStatus = el('span', { class: 'status', role: 'status' });
const send = el('button', { text: 'Send', onclick: () => sendMessage() });
const compose = el('section', { class: 'compose', 'aria-label': 'New message', hidden: '' }, [
  el('h2', { text: 'New message' }),
  el('div', { class: 'controls' }, [el('label', {}, ['Key ', composeKey]), composePartition]),
  composeValue,
  composeHeaders,
  el('div', { class: 'controls' }, [
    send,
    el('button', { text: 'Close', class: 'secondary', onclick: (): void => compose.setAttribute('hidden', '') }),
    composeStatus,
  ]),
]);
const newMessage = el('button', { text: 'New message…', onclick: () => openCompose() });

document.body.append(
  el('header', {}, [
    title,
    el('div', { class: 'controls' }, [
      fromSelect,
      fromValue,
      partitionsInput,
      load,
      older,
      newer,
      el('label', {}, [tail, ' Live tail']),
      search,
      newMessage,
      count,
      status,
    ]),
  ]),
  compose,
  el('main', {}, [el('div', { class: 'table' }, [table]), details]),
);

/** The Load request the form describes, or undefined (the status says what is wrong). */
function readLoad(): MessageBrowserToHost | undefined {
  const partitions = partitionsInput.value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(Number);
  if (partitions.some((p) => !Number.isInteger(p) || p < 0)) return showStatus('Partitions are numbers separated by commas.', true);
  const kind = fromSelect.value;
  let from: LoadFrom;
  if (kind === 'offset') {
    const offset = Number(fromValue.value);
    if (!Number.isInteger(offset) || offset < 0) return showStatus('Enter an offset: a whole number.', true);
    from = { offset };
  } else if (kind === 'timestamp') {
    const time = Date.parse(fromValue.value);
    if (Number.isNaN(time)) return showStatus('Enter a time such as 2026-11-23T10:00.', true);
    from = { timestamp: time };
  } else {
    from = kind === 'earliest' ? 'earliest' : 'newest';
  }
  return { type: 'load', from, partitions };
}

function openCompose(): void {
  compose.removeAttribute('hidden');
  composeValue.focus();
}

function composeStatusText(text: string, error = false): void {
  composeStatus.textContent = text;
  composeStatus.classList.toggle('error', error);
}

function sendMessage(): void {
  const headers: Record<string, string> = {};
  const lines = composeHeaders.value.split('\n').filter((line) => line.trim());
  for (const line of lines) {
    const at = line.indexOf('=');
    if (at < 1) return composeStatusText(`Header "${line.trim()}" is not name=value.`, true);
    headers[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  const message: ComposedMessage = { key: composeKey.value === '' ? null : composeKey.value, value: composeValue.value };
  if (lines.length) message.headers = headers;
  if (composePartition.value !== '') message.partition = Number(composePartition.value);
  send.setAttribute('disabled', '');
  composeStatusText('Sending…');
  post({ type: 'produce', message });
}

/** Fills the form with a browsed message, to send it again or edited. */
function copyToCompose(m: MessageView): void {
  composeKey.value = m.key ?? '';
  composeValue.value = m.value ?? '';
  composeHeaders.value = Object.entries(m.headers)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  composePartition.value = '';
  openCompose();
  composeStatusText(
    m.truncated ? 'Only the first 256 KB of the value was copied.' : `Copied from partition ${m.partition}, offset ${m.offset}.`,
    m.truncated,
  );
}

function showStatus(text: string, error = false): undefined {
  status.textContent = text;
  status.classList.toggle('error', error);
  return undefined;
}

function preview(m: MessageView): string {
  if (m.value === null) return '(null)';
  const text = m.valueEncoding === 'hex' ? `0x${m.value.slice(0, 64)}` : m.value;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A small "hex" mark: these bytes are not UTF-8 text and are shown as hex. */
function hexBadge(what: string): HTMLElement {
  return el('span', { class: 'badge', text: 'hex', title: `${what}: not UTF-8 text, shown as hex` });
}

/** The text of a key, value or header, marked "hex" when its bytes are not text. */
function marked(text: string, encoding: TextEncoding | undefined, what: string): (Node | string)[] {
  return encoding === 'hex' ? [hexBadge(what), text] : [text];
}

/** Header cells: name=value, each binary value marked "hex". */
function headerParts(m: MessageView): (Node | string)[] {
  const parts: (Node | string)[] = [];
  Object.entries(m.headers).forEach(([k, v], i) => {
    if (i > 0) parts.push(', ');
    parts.push(`${k}=`, ...marked(v, m.headerEncodings[k], `Header ${k}`));
  });
  return parts;
}

function isBinary(m: MessageView): boolean {
  return m.valueEncoding === 'hex' || m.keyEncoding === 'hex' || Object.values(m.headerEncodings).includes('hex');
}

// Search looks at what the list holds: keys, headers and the first kilobyte of each value.
function matches(m: MessageView, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return [m.key ?? '', m.value ?? '', ...Object.entries(m.headers).flat()].some((s) => s.toLowerCase().includes(q));
}

function render(): void {
  const query = search.value.trim();
  const rows: HTMLElement[] = [];
  messages.forEach((m, i) => {
    if (!matches(m, query)) return;
    const row = el('tr', { tabindex: '0', onclick: () => select(i), onkeydown: (e) => e.key === 'Enter' && select(i) }, [
      el('td', { text: String(m.partition) }),
      el('td', { text: m.offset }),
      el('td', { text: new Date(m.timestamp).toLocaleString() }),
      el('td', { class: 'key' }, marked(m.key ?? '', m.keyEncoding, 'Key')),
      el('td', { class: m.valueEncoding === 'hex' ? 'value binary' : 'value' }, marked(preview(m), m.valueEncoding, 'Value')),
      el('td', { class: 'headers' }, headerParts(m)),
    ]);
    if (i === selected) row.classList.add('selected');
    rows.push(row);
  });
  tbody.replaceChildren(...rows);
  count.textContent = query ? `${rows.length} of ${messages.length} loaded` : `${messages.length} loaded`;
}

function select(i: number): void {
  selected = i;
  const m = messages[i];
  // The list's preview at once; the whole value when the extension sends it.
  opened = m.truncated ? undefined : m;
  showDetails(m, opened ? 'whole' : 'loading');
  if (!opened) post({ type: 'open', partition: m.partition, offset: m.offset });
  render();
}

function isSelected(partition: number, offset: string): boolean {
  const m = messages[selected] as MessageView | undefined;
  return !!m && m.partition === partition && m.offset === offset;
}

/**
 * @param state whether `m` holds its whole value (up to 256 KB) or the list's preview
 * @param problem why the whole value could not be read
 */
function showDetails(m: MessageView, state: 'whole' | 'loading' | 'failed', problem?: string): void {
  const loading = state !== 'whole';
  let body = m.value ?? '(null)';
  if (m.valueEncoding === 'hex' && m.value)
    body = (m.value.match(/.{1,32}/g) ?? []).map((line) => line.replace(/(..)/g, '$1 ').trim()).join('\n');
  else if (m.value && !loading) {
    try {
      body = JSON.stringify(JSON.parse(m.value), null, 2);
    } catch {
      // not JSON: shown as it is
    }
  }
  const previewed = m.valueEncoding === 'hex' ? `${(m.value ?? '').length / 2} bytes` : `${(m.value ?? '').length} characters`;
  const shown = loading
    ? ` (the first ${previewed}${state === 'loading' ? '; loading the rest…' : ''})`
    : m.truncated
      ? ' (preview of the first 256 KB)'
      : '';
  const size = `${m.valueSize.toLocaleString()} bytes${shown}${m.valueEncoding === 'hex' ? ', binary: shown as hex' : ''}`;
  const copy = isBinary(m)
    ? el('button', { text: 'Copy to new message', disabled: '', title: 'A binary key, value or header cannot be edited as text.' })
    : loading
      ? el('button', { text: 'Copy to new message', disabled: '', title: 'Loading the whole value…' })
      : el('button', { text: 'Copy to new message', onclick: () => copyToCompose(m) });
  // (Only a whole value can be copied: a preview would send a shortened message.)
  details.replaceChildren(
    el('h2', { text: `Partition ${m.partition} · offset ${m.offset} · ${new Date(m.timestamp).toLocaleString()}` }),
    el('p', { class: 'key' }, ['Key: ', ...(m.key === null ? ['(none)'] : marked(m.key, m.keyEncoding, 'Key')), ` · ${size}`]),
    ...(problem ? [el('p', { class: 'status error', role: 'alert', text: problem })] : []),
    copy,
    el('pre', { class: 'value', text: body }),
    ...(Object.keys(m.headers).length ? [el('p', { class: 'headers' }, ['Headers: ', ...headerParts(m)])] : []),
  );
}

function receive(message: MessageBrowserToPage): void {
  switch (message.type) {
    case 'init': {
      // No partitions: the topic could not be read yet (the status says why).
      const partitions = message.partitions.length ? ` (${message.partitions.length} partitions)` : '';
      title.textContent = `${message.topic} · ${message.cluster}${partitions}`;
      composePartition.replaceChildren(
        el('option', { value: '', text: 'Partition by key' }),
        ...message.partitions.map((p) => el('option', { value: String(p), text: `Partition ${p}` })),
      );
      return;
    }
    case 'messages': {
      if (message.mode === 'replace') {
        messages = message.messages;
        selected = -1;
        details.replaceChildren();
      } else {
        const current = messages[selected] as MessageView | undefined;
        if (message.mode === 'append') {
          messages = [...messages, ...message.messages].slice(message.dropped);
        } else {
          messages = [...message.messages, ...messages].slice(0, messages.length + message.messages.length - message.dropped);
        }
        selected = current ? messages.indexOf(current) : -1;
      }
      showStatus(message.note ?? '');
      render();
      return;
    }
    case 'opened':
      if (isSelected(message.message.partition, message.message.offset)) {
        opened = message.message;
        showDetails(message.message, 'whole');
      }
      return;
    case 'openFailed':
      if (isSelected(message.partition, message.offset)) showDetails(messages[selected], 'failed', message.text);
      return;
    case 'status':
      showStatus(message.text, message.error);
      return;
    case 'produced':
      send.removeAttribute('disabled');
      composeStatusText(`Written to partition ${message.partition} at offset ${message.offset}.`);
      return;
    case 'produceFailed':
      send.removeAttribute('disabled');
      composeStatusText(message.text, true);
      return;
  }
}

post({ type: 'ready' });
