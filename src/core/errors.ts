// Typed errors shared by the service modules. Each says what happened and what to do next;
// the VS Code layer shows `message` (and `action`) and logs the rest. No `vscode` import here.
import { redact } from './redact';

export type ErrorCode =
  | 'InvalidInput'
  | 'InvalidSettings'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Throttled'
  | 'Unreachable'
  | 'Timeout'
  | 'Remote'
  /** An SSH server offered a host key other than the one trusted for it. */
  | 'HostKeyMismatch'
  /** An SSH server's host key is not trusted yet, and no one could be asked. */
  | 'HostKeyUnknown';

// Lazy chunks are separate bundles with their own copy of this module, so `instanceof` must not
// depend on which copy made the error: a brand shared through the global symbol registry decides.
const brand = Symbol.for('hdinsight-streaming.HDInsightError');

export class HDInsightError extends Error {
  readonly [brand] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === HDInsightError && typeof value === 'object' && value !== null && brand in value;
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the user can do about it, as one sentence. */
    readonly action?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HDInsightError';
  }
}

/** Bad input found before any network call. */
export class InvalidInputError extends HDInsightError {
  constructor(message: string, action?: string) {
    super('InvalidInput', message, action);
    this.name = 'InvalidInputError';
  }
}

/** Thrown (or recognised) when the user or an AbortSignal cancelled the work. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function isCancellation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // AbortSignal reasons are DOMException('AbortError'); VS Code throws 'Canceled'.
  return err.name === 'AbortError' || err.name === 'CancelledError' || err.name === 'Canceled' || err.message === 'Canceled';
}

/** Throws a CancelledError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * The text as a finished sentence, to join another after it: a period is added unless it ends in
 * one (or in "!", "?" or "…", maybe before a closing quote or bracket). Services' messages (Azure's
 * among them) often end without one.
 */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return !trimmed || /[.!?…]["'”’)\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The one short line the user sees for an error, with any secret in it hidden. */
export function userMessage(err: unknown): string {
  if (err instanceof HDInsightError) return redact(err.action ? `${sentence(err.message)} ${err.action}` : err.message);
  if (err instanceof Error) return redact(err.message);
  return redact(String(err));
}

/** A command an error message offers as a button besides "Show Log", e.g. "Forget SSH Host Key". */
export interface ErrorFollowUp {
  title: string;
  command: string;
  args: unknown[];
}

/** Marks an error with the follow-up its message offers (a property: errors cross bundles). */
export function withFollowUp<E extends Error>(err: E, followUp: ErrorFollowUp): E {
  return Object.assign(err, { followUp });
}
