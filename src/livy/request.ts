// What a job submission asks for, and its checks before anything is sent. No vscode import.
import { InvalidInputError } from '../core/errors';
import { parseJsonText } from '../core/json';
import type { JobLanguage } from './LivyJob';

export interface SubmitRequest {
  language: JobLanguage;
  mode: 'session' | 'batch';
  /** The code to run (session mode; batch mode uploads it). */
  code?: string;
  /** A file already in the cluster's storage (batch mode), e.g. wasbs://…/job.py or a jar. */
  file?: string;
  className?: string;
  conf?: Record<string, string>;
  args?: string[];
  name: string;
}

/** Checks a request before anything is sent. */
export function checkSubmit(request: SubmitRequest): void {
  if (request.mode === 'session' && !request.code?.trim())
    throw new InvalidInputError('There is no code to run: the file or selection is empty.');
  if (request.mode === 'batch') {
    if (!request.file && !request.code?.trim()) throw new InvalidInputError('There is no code to run: the file or selection is empty.');
    if (request.language === 'scala' && !(request.file && request.className)) {
      throw new InvalidInputError(
        'A Scala batch runs a built jar: give "file" (the jar in the cluster storage) and "className".',
        'Or submit the Scala code in session mode.',
      );
    }
  }
}

/**
 * `conf` as an object of strings, or JSON text of one. Its values may be secrets (a storage
 * account key), so a malformed text is reported by position, never quoted.
 */
export function parseSparkConf(conf: unknown): Record<string, string> | undefined {
  if (conf === undefined || conf === null) return undefined;
  const value = typeof conf === 'string' ? parseJsonText(conf, '"conf"', 'Write it as {"spark.some.setting": "value"}.') : conf;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidInputError('"conf" must map Spark settings to values.');
  const entries = Object.entries(value as Record<string, unknown>);
  const bad = entries.find(([, v]) => typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean');
  if (bad) throw new InvalidInputError(`"conf": the value of ${bad[0]} must be text, a number or true/false.`);
  return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}
