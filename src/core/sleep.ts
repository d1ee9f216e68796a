// Waiting under an AbortSignal: Node's own timer promise, which drops its listener on the signal
// when the timer fires (a follower waits every second for hours on one signal).
import { setTimeout as timer } from 'node:timers/promises';
import { CancelledError } from './errors';

/** Waits `ms`; rejects with a CancelledError as soon as `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await timer(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw new CancelledError();
    throw err;
  }
}

/** Waits `ms`, or less when `signal` aborts: for loops that check the signal themselves. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch(() => undefined);
}
