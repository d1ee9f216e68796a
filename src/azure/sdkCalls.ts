// How the Azure SDK's requests are made, shared by the Resource Manager client (SdkClient.ts) and
// its provisioning of networks and storage (SdkProvisioning.ts): each SDK client adapted to the
// endpoint, each request named in its error, a long-running operation waited for.
import type { LongRunning } from './client';
import { toAzureError } from './errors';
import type { PipelineClient } from './plainHttp';

/** Runs one request (under the client's limiter); its error becomes an HDInsightError naming `what`. */
export type Call = <T>(what: string, signal: AbortSignal | undefined, task: () => Promise<T>) => Promise<T>;

/** Adapts each SDK client to the endpoint (plain http on loopback). */
export type SdkAdapter = <C extends PipelineClient>(client: C) => C;

interface Poller {
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Starts a long-running operation with `begin`, tells `accepted` once Azure took it, and waits until it ends. */
export type Operation = (what: string, options: LongRunning, begin: () => Promise<Poller>) => Promise<void>;

/** A long-running operation: the request takes a limiter slot, waiting for the operation does not hold one. */
export function longRunning(call: Call): Operation {
  return async (what, { signal, accepted }, begin) => {
    const poller = await call(what, signal, begin);
    accepted?.();
    await waitFor(poller, what, signal);
  };
}

async function waitFor(poller: Poller, what: string, signal?: AbortSignal): Promise<void> {
  try {
    await poller.pollUntilDone({ abortSignal: signal });
  } catch (err) {
    throw toAzureError(err, what);
  }
}
