// Every HDInsight cluster of many subscriptions in one Azure Resource Graph query, on the official
// SDK (@azure/arm-resourcegraph, loaded with the Azure chunk): batches of at most 1000
// subscriptions, pages of 1000 rows followed by $skipToken, and the per-user quota respected
// (x-ms-user-quota-remaining / -resets-after; a 429 waits as long as the service says). When
// Resource Graph answers with an error (403 for a principal it denies, the provider missing from
// a cloud, throttling that does not end, its own failures) the query is "refused" with the
// reason, so the caller can list subscription by subscription instead.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { CancelledError, isCancellation, sentence } from '../core/errors';
import type { ClusterQuery, TokenSource } from './client';
import { fromResourceGraphRow, type HDInsightCluster } from './model';
import type { Call, SdkAdapter } from './sdkCalls';

/** Documented limits: $top at most 1000 rows, at most 1000 subscriptions per request. */
const PAGE_ROWS = 1000;
const SUBSCRIPTIONS_PER_QUERY = 1000;
/** How often a throttled query is tried again, and the longest wait the quota may ask for. */
const THROTTLE_RETRIES = 3;
const LONGEST_QUOTA_WAIT_MS = 30_000;

/** The query: id first and ordered by, so that pages are stable (the REST examples say id is needed for that). */
export const CLUSTERS_QUERY =
  "Resources | where type =~ 'microsoft.hdinsight/clusters' | project id, name, type, location, resourceGroup, subscriptionId, tags, properties | order by id asc";

interface RawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
}

export interface GraphOptions {
  endpoint: string;
  scope: string;
  credential: TokenSource;
  ca?: string;
  userAgent?: string;
  allowInsecureConnection: boolean;
}

export class ClusterGraph {
  private readonly client: ResourceGraphClient;
  /** Set once Resource Graph refused for good (not in this cloud): asked no more by this client. */
  private refusedForGood?: string;
  /** No query before this time: the user's quota is used up until then. */
  private quotaResetsAt = 0;

  constructor(
    options: GraphOptions,
    sdk: SdkAdapter,
    private readonly call: Call,
    /** Region display names by name ('westeurope' -> 'West Europe'), as Resource Manager's listing gives them. */
    private readonly regionNames: (subscriptionId: string | undefined, signal?: AbortSignal) => Promise<Map<string, string>>,
  ) {
    this.client = sdk(
      new ResourceGraphClient(options.credential, {
        endpoint: options.endpoint,
        credentials: { scopes: [options.scope] },
        tlsOptions: options.ca ? { ca: options.ca } : undefined,
        userAgentOptions: { userAgentPrefix: options.userAgent },
        retryOptions: { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 10_000 },
        allowInsecureConnection: options.allowInsecureConnection,
      }),
    );
  }

  async queryClusters(subscriptionIds: string[] | undefined, signal?: AbortSignal): Promise<ClusterQuery> {
    if (this.refusedForGood) return { refused: `${this.refusedForGood} (earlier in this session)` };
    if (subscriptionIds?.length === 0) return { clusters: [] };
    // Resource Graph writes region names; Resource Manager's listing writes display names: asked once, beside the first page.
    const names = this.regionNames(subscriptionIds?.[0], signal).catch((err: unknown) => {
      if (isCancellation(err)) throw err;
      return new Map<string, string>();
    });
    const rows: Record<string, unknown>[] = [];
    try {
      // Without subscriptions: the tenant's, as far as the sign-in reaches (one batch).
      const batches: (string[] | undefined)[] = [];
      for (let i = 0; i < (subscriptionIds?.length ?? 1); i += SUBSCRIPTIONS_PER_QUERY) {
        batches.push(subscriptionIds?.slice(i, i + SUBSCRIPTIONS_PER_QUERY));
      }
      for (const subscriptions of batches) {
        let skipToken: string | undefined;
        do {
          const page = await this.page(subscriptions, skipToken, signal);
          rows.push(...page.rows);
          skipToken = page.skipToken;
        } while (skipToken);
      }
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err;
      if (refusal.forGood) this.refusedForGood = refusal.why;
      return { refused: refusal.why };
    }
    const displayNames = await names;
    const clusters: HDInsightCluster[] = [];
    for (const row of rows) {
      const cluster = fromResourceGraphRow(row);
      if (cluster) clusters.push({ ...cluster, location: displayNames.get(cluster.location.toLowerCase()) ?? cluster.location });
    }
    return { clusters };
  }

  /** One page; a throttled query waits for the quota to reset (as the headers say) and is tried again. */
  private async page(
    subscriptions: string[] | undefined,
    skipToken: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ rows: Record<string, unknown>[]; skipToken?: string }> {
    for (let attempt = 0; ; attempt++) {
      await sleepUntil(this.quotaResetsAt, signal);
      try {
        const response = await this.call('Querying Azure Resource Graph for HDInsight clusters', signal, () =>
          this.client.resources(
            {
              subscriptions,
              query: CLUSTERS_QUERY,
              options: { top: PAGE_ROWS, skipToken, resultFormat: 'objectArray' },
            },
            { abortSignal: signal, onResponse: (raw) => this.noteQuota(raw) },
          ),
        );
        if (!Array.isArray(response.data)) throw new Error('Azure Resource Graph answered without rows (data is not an array).');
        return { rows: response.data as Record<string, unknown>[], skipToken: response.skipToken || undefined };
      } catch (err) {
        const throttled = statusOf(err) === 429;
        if (!throttled || attempt >= THROTTLE_RETRIES || this.quotaResetsAt - Date.now() > LONGEST_QUOTA_WAIT_MS) throw err;
      }
    }
  }

  /** Remembers when the quota resets, once it is used up (or the query was throttled). */
  private noteQuota(raw: RawResponse): void {
    const remaining = Number(raw.headers.get('x-ms-user-quota-remaining'));
    const resetsAfter = parseDuration(raw.headers.get('x-ms-user-quota-resets-after'));
    if (raw.status === 429 && resetsAfter === undefined) {
      this.quotaResetsAt = Date.now() + 5_000; // the documented window, when the service names none
    } else if ((raw.status === 429 || remaining <= 0) && resetsAfter !== undefined) {
      this.quotaResetsAt = Date.now() + resetsAfter;
    }
  }
}

/** What Resource Graph's refusal was, for the log; undefined for what listing per subscription would not escape. */
function refusalOf(err: unknown): { why: string; forGood: boolean } | undefined {
  if (isCancellation(err)) return undefined;
  const cause = (err as { cause?: unknown }).cause ?? err;
  const status = statusOf(cause) ?? statusOf(err);
  // No answer at all (the network) or a sign-in Azure refused: Resource Manager would fail the same way.
  if (status === undefined || status === 401) return undefined;
  const { code, message } = serviceError(cause);
  const why = `Azure Resource Graph answered ${status}${code ? ` ${code}` : ''}${message ? `: ${sentence(message)}` : ''}`;
  // Not in this cloud: asking again in this session would be refused again. (A 403 depends on the
  // subscriptions asked for: one the user lost access to refuses the whole query.)
  const forGood = status === 404 || /^(NoRegisteredProviderFound|InvalidResourceNamespace|InvalidApiVersionParameter)$/i.test(code ?? '');
  return { why, forGood };
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number') return status;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const inner = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof inner === 'number' ? inner : undefined;
}

/** The reason in Resource Graph's error: its details (the top message is only a support line). */
function serviceError(err: unknown): { code?: string; message?: string } {
  type Body = { error?: { code?: string; message?: string; details?: { code?: string; message?: string }[] } };
  const e = err as { details?: Body; response?: { bodyAsText?: string }; code?: string; message?: string };
  // The SDK keeps the parsed body as `details`; a plain pipeline error has only the text.
  let body = e.details;
  if (!body?.error && e.response?.bodyAsText) {
    try {
      body = JSON.parse(e.response.bodyAsText) as Body;
    } catch {
      body = undefined;
    }
  }
  const detail = body?.error?.details?.find((d) => d.message);
  return {
    code: detail?.code ?? body?.error?.code ?? e.code,
    message: detail?.message ?? body?.error?.message ?? e.message?.split('\n')[0],
  };
}

/** hh:mm:ss (or d.hh:mm:ss) to milliseconds. */
function parseDuration(text: string | undefined): number | undefined {
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  return (((Number(m[1] ?? 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1000;
}

function sleepUntil(time: number, signal?: AbortSignal): Promise<void> {
  const ms = time - Date.now();
  if (signal?.aborted) return Promise.reject(new CancelledError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
