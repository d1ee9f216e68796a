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
  const out = fs.createWriteStream(file, { flags: options.overwrite ? 'w' : 'wx' });
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  let failure: Error | undefined;
  out.on('error', (err) => (failure ??= err));
  let written = 0;
  let cancelled = false;
  try {
    const stream = service.stream({ ...request, dedicated: true }, options.signal);
    for await (const batch of stream) {
      let lines = '';
      for (const m of batch) lines += jsonLine(request.topic, m);
      written += batch.length;
      if (!out.write(lines)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done);
            out.off('error', done);
            resolve();
          };
          out.on('drain', done);
          out.on('error', done);
        });
      }
      if (failure) throw failure;
      options.onProgress?.(written, stream.planned);
    }
  } catch (err) {
    if (!isCancellation(err)) {
      await close(out);
      throw new ExportFailure(written, err);
    }
    cancelled = true;
  }
  await close(out);
  if (failure) throw new ExportFailure(written, failure);
  return { messages: written, cancelled };
}

/** Ends the file once every line handed to it is on disk. */
function close(out: fs.WriteStream): Promise<void> {
  return new Promise<void>((resolve) => {
    if (out.destroyed) return resolve();
    out.end(() => resolve());
    out.once('error', () => resolve());
  });
}
