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

/** One message as a line of JSON (with its newline): the whole value, nothing previewed. */
export function jsonLine(topic: string, m: StreamedMessage): string {
  const [key, keyEncoding]: [string | null, ExportEncoding] = m.key ? exported(m.key) : [null, 'utf8'];
  const [value, valueEncoding]: [string | null, ExportEncoding] = m.value ? exported(m.value) : [null, 'utf8'];
  const headers: Record<string, string> = {};
  const headerEncodings: Record<string, ExportEncoding> = {};
  for (const [name, raw] of Object.entries(m.headers)) [headers[name], headerEncodings[name]] = exported(raw);
  const line: ExportedMessage = {
    topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: new Date(m.timestamp).toISOString(),
    key,
    keyEncoding,
    value,
    valueEncoding,
    headers,
    headerEncodings,
  };
  return `${JSON.stringify(line)}\n`;
}
