// Writes a topic's messages to a file as JSON Lines, from the service's stream: a batch is
// written, and the next one asked for, only once the file has taken the last (back-pressure
// from the disk to the brokers), so memory stays bounded however large the topic.
import fs from 'node:fs';
import { isCancellation } from '../core/errors';
import type { KafkaService, StreamRequest } from './client';
import { jsonLine } from './decode';

export interface ExportResult {
  /** Messages written: the file holds exactly these lines, each whole. */
  messages: number;
  /** The signal was aborted: the file holds the messages read until then. */
  cancelled: boolean;
}

/** A failed export: what was written until then stays in the file, whole lines only. */
export class ExportFailure extends Error {
  constructor(
    readonly written: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ExportFailure';
  }
}

/** Lines are gathered up to this many bytes before they are written. */
const WRITE_BYTES = 256 * 1024;

/**
 * Exports what `request` reads to `file` (created; an existing file only when `overwrite`), one
 * JSON object per line (decode.ts: jsonLine). Cancelling (the signal) stops at a message boundary
 * and keeps the file; `onProgress` hears the count written after each batch, and the planned total.
 */
export async function exportMessages(
  service: KafkaService,
  request: StreamRequest,
  file: string,
  options: { overwrite?: boolean; signal?: AbortSignal; onProgress?: (written: number, planned: number | undefined) => void } = {},
): Promise<ExportResult> {
  const handle = await fs.promises.open(file, options.overwrite ? 'w' : 'wx');
  // Lines go straight into one buffer, written when it is nearly full and reused once written:
  // the next batch is asked for only once the file has taken this one, and neither a string of
  // many lines nor a new buffer per write is left for the GC to free late.
  let buffer = Buffer.allocUnsafeSlow(WRITE_BYTES);
  let filled = 0;
  const flush = async (): Promise<void> => {
    for (let at = 0; at < filled;) at += (await handle.write(buffer, at, filled - at)).bytesWritten;
    filled = 0;
  };
  let written = 0;
  let cancelled = false;
  try {
    const stream = service.stream({ ...request, dedicated: true }, options.signal);
    for await (const batch of stream) {
      for (const m of batch) {
        const line = jsonLine(request.topic, m);
        // At most 3 bytes per UTF-16 unit: a line that might not fit is measured exactly.
        if (filled + 3 * line.length > buffer.length) {
          const size = Buffer.byteLength(line);
          if (filled + size > buffer.length) await flush();
          if (size > buffer.length) buffer = Buffer.allocUnsafeSlow(size); // a message larger than the buffer
        }
        filled += buffer.write(line, filled, 'utf8');
      }
      await flush();
      written += batch.length;
      options.onProgress?.(written, stream.planned);
    }
  } catch (err) {
    if (!isCancellation(err)) {
      await handle.close().catch(() => undefined);
      throw new ExportFailure(written, err);
    }
    cancelled = true;
  }
  await handle.close();
  return { messages: written, cancelled };
}
