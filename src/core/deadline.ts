// A task bounded in time under a long-lived signal: a job's follower runs one every few seconds for
// hours on the same signal, so each task's listener on it must go when the task ends
// (AbortSignal.any keeps its listeners on the outer signal until that is collected).

/** Runs `task` with a signal that aborts when `outer` does or after `ms`, unhooked from `outer` when the task ends. */
export async function withDeadline<T>(outer: AbortSignal, ms: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const inner = new AbortController();
  const abort = (): void => inner.abort(outer.reason);
  if (outer.aborted) abort();
  else outer.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(() => inner.abort(new DOMException(`No answer within ${ms / 1000} s`, 'TimeoutError')), ms);
  try {
    return await task(inner.signal);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', abort);
  }
}
