// Listing what the user has in Azure, the way the tree and the commands need it: the chosen
// subscriptions, then every cluster of them in one Azure Resource Graph query, or, where Resource
// Graph is refused, subscription by subscription (every page of each). No SDK here: it works on
// the AzureClient interface.
import type { AzureClient } from './client';
import type { AzureSubscription, HDInsightCluster } from './model';

/** Which subscriptions the user chose: a tenant (empty for all) and a filter of ids (empty for all). */
export interface SubscriptionChoice {
  tenant?: string;
  subscriptionFilter: string[];
}

export interface AzureListing {
  subscriptions: AzureSubscription[];
  /** Each subscription's clusters by lower-case subscription id; absent when Resource Graph refused. */
  clusters?: Map<string, HDInsightCluster[]>;
  /** Why Resource Graph refused (for the log), when it did. */
  refused?: string;
}

/** The chosen subscriptions, sorted by name. */
export async function chosenSubscriptions(
  client: AzureClient,
  choice: SubscriptionChoice,
  signal?: AbortSignal,
): Promise<AzureSubscription[]> {
  const filter = new Set(choice.subscriptionFilter.map((s) => s.toLowerCase()));
  return (await client.listSubscriptions(signal)).filter(
    (s) =>
      (!choice.tenant || !s.tenantId || s.tenantId === choice.tenant) && (filter.size === 0 || filter.has(s.subscriptionId.toLowerCase())),
  );
}

/**
 * The chosen subscriptions and, from Resource Graph, their clusters sorted by name. The query does
 * not wait for the subscriptions: it asks for the chosen ones when the filter names them, else for
 * every subscription of the sign-in's tenant, and only the chosen ones' clusters are kept. Where
 * that is refused, or the tenant has more subscriptions than one query may cover, the listed
 * subscriptions are asked for by id (in batches).
 */
export async function listSubscriptionsAndClusters(
  client: AzureClient,
  choice: SubscriptionChoice,
  signal?: AbortSignal,
): Promise<AzureListing> {
  const named = choice.subscriptionFilter.length > 0 ? choice.subscriptionFilter : undefined;
  const early = client.queryClusters(named, signal);
  early.catch(() => undefined); // awaited below, unless the subscriptions fail first
  const subscriptions = await chosenSubscriptions(client, choice, signal);
  if (subscriptions.length === 0) return { subscriptions, clusters: new Map() };
  let query = await early;
  if ('refused' in query || (!named && subscriptions.length > TENANT_QUERY_LIMIT)) {
    query = await client.queryClusters(
      subscriptions.map((s) => s.subscriptionId),
      signal,
    );
  }
  if ('refused' in query) return { subscriptions, refused: query.refused };
  return { subscriptions, clusters: bySubscription(subscriptions, query.clusters) };
}

/** Subscriptions a query of the tenant covers without asking for partial scopes (documented limit). */
const TENANT_QUERY_LIMIT = 1000;

/** Every cluster of these subscriptions: one Resource Graph query, else every page of each subscription. */
export async function listEveryCluster(
  client: AzureClient,
  subscriptionIds: string[],
  signal?: AbortSignal,
  onRefused?: (why: string) => void,
): Promise<HDInsightCluster[]> {
  const query = await client.queryClusters(subscriptionIds, signal);
  if (!('refused' in query)) return query.clusters;
  onRefused?.(query.refused);
  const perSubscription = await Promise.all(subscriptionIds.map((id) => allPages(client, id, signal)));
  return perSubscription.flat();
}

/** Every page of one subscription's clusters (the client bounds how many requests run at once). */
export async function allPages(client: AzureClient, subscriptionId: string, signal?: AbortSignal): Promise<HDInsightCluster[]> {
  const clusters: HDInsightCluster[] = [];
  let token: string | undefined;
  do {
    const page = await client.listClusters(subscriptionId, signal, token);
    clusters.push(...page.clusters);
    token = page.continuationToken;
  } while (token);
  return clusters;
}

function bySubscription(subscriptions: AzureSubscription[], clusters: HDInsightCluster[]): Map<string, HDInsightCluster[]> {
  const result = new Map(subscriptions.map((s) => [s.subscriptionId.toLowerCase(), [] as HDInsightCluster[]]));
  for (const c of clusters) result.get(c.subscriptionId.toLowerCase())?.push(c);
  for (const list of result.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return result;
}
