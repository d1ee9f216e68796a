// Turns fetched bytes into text: a message as the browser lists it (UTF-8 text, else hex), and as
// an export writes it (one JSON line; UTF-8 text, else base64).
import type { BrowsedMessage, Encoding, StreamedMessage } from './client';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as text when they are UTF-8, else as hex. `cut` says the bytes are the start of a longer
 * value: a character the cut split in two at the end does not make the text binary.
 */
function text(bytes: Buffer, cut = false): { text: string; encoding: Encoding } {
  for (let trim = 0; trim <= (cut ? Math.min(3, bytes.length - 1) : 0); trim++) {
    try {
      return { text: utf8.decode(bytes.subarray(0, bytes.length - trim)), encoding: 'utf8' };
    } catch {
      // not UTF-8 (yet): try without the last bytes of a split character, then give hex
    }
  }
  return { text: bytes.toString('hex'), encoding: 'hex' };
}

/** A message as the browser lists it: values up to `previewBytes`, keys and headers whole. */
export function toBrowsed(m: StreamedMessage, previewBytes: number): BrowsedMessage {
  const valueSize = m.value?.length ?? 0;
  const truncated = valueSize > previewBytes;
  const value = m.value ? text(m.value.subarray(0, previewBytes), truncated) : undefined;
  const key = m.key ? text(m.key) : undefined;
  const headers: Record<string, string> = {};
  const headerEncodings: Record<string, Encoding> = {};
  for (const [name, raw] of Object.entries(m.headers)) {
    const header = text(raw);
    headers[name] = header.text;
    headerEncodings[name] = header.encoding;
  }
  return {
    partition: m.partition,
    offset: m.offset,
    timestamp: new Date(m.timestamp).toISOString(),
    key: key?.text ?? null,
    keyEncoding: key?.encoding ?? 'utf8',
    value: value?.text ?? null,
    valueEncoding: value?.encoding ?? 'utf8',
    valueSize,
    truncated,
    headers,
    headerEncodings,
  };
}

/** How an exported key, value or header was written: UTF-8 text as it is, other bytes in base64. */
export type ExportEncoding = 'utf8' | 'base64';

/** One line of an export, as JSON.parse gives it back. */
export interface ExportedMessage {
  topic: string;
  partition: number;
  offset: string;
  /** ISO 8601 */
  timestamp: string;
  key: string | null;
  keyEncoding: ExportEncoding;
  value: string | null;
  valueEncoding: ExportEncoding;
  headers: Record<string, string>;
  /** Per header name, as for the key and value. */
  headerEncodings: Record<string, ExportEncoding>;
}

function exported(bytes: Buffer): [string, ExportEncoding] {
  try {
    return [utf8.decode(bytes), 'utf8'];
  } catch {
    return [bytes.toString('base64'), 'base64'];
  }
}

/** What JSON.stringify escapes in well-formed text (decoded UTF-8 has no lone surrogates). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const ESCAPED = /["\\\u0000-\u001f]/;

/** A string as JSON: most values need no escaping, and testing for that is cheaper than stringifying. */
function quoted(text: string): string {
  return ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * One message as a line of JSON (with its newline), the fields in ExportedMessage's order: the
 * whole value, nothing previewed. Written out by hand rather than through an object: this runs
 * for every message of an export.
 */
export function jsonLine(topic: string, m: StreamedMessage): string {
  let key = 'null,"keyEncoding":"utf8"';
  if (m.key) {
    const [text, encoding] = exported(m.key);
    key = `${quoted(text)},"keyEncoding":"${encoding}"`;
  }
  let value = 'null,"valueEncoding":"utf8"';
  if (m.value) {
    const [text, encoding] = exported(m.value);
    value = `${quoted(text)},"valueEncoding":"${encoding}"`;
  }
  let headers = '{}';
  let headerEncodings = '{}';
  const names = Object.keys(m.headers);
  if (names.length > 0) {
    const texts: Record<string, string> = {};
    const encodings: Record<string, ExportEncoding> = {};
    for (const name of names) [texts[name], encodings[name]] = exported(m.headers[name]);
    headers = JSON.stringify(texts);
    headerEncodings = JSON.stringify(encodings);
  }
  const time = new Date(m.timestamp).toISOString();
  return `{"topic":${JSON.stringify(topic)},"partition":${m.partition},"offset":"${m.offset}","timestamp":"${time}","key":${key},"value":${value},"headers":${headers},"headerEncodings":${headerEncodings}}\n`;
}
