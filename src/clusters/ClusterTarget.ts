// The cluster a command, a tree node or a panel acts on, and how one is found by name. Plain data
// and lookups: nothing of the tree or of VS Code (the picker and the tree's nodes live in
// src/commands/resolveCluster.ts).
import type { AzureAccount } from '../auth/AzureAccount';
import type { HDInsightCluster } from '../azure/model';
import { HDInsightError, InvalidInputError } from '../core/errors';
import type { LinkedCluster } from '../core/linkedClusters';
import type { Settings } from '../settings';

export type ClusterTarget = { kind: 'azure'; cluster: HDInsightCluster } | { kind: 'linked'; cluster: LinkedCluster };

/** Where clusters are found: the Azure account's subscriptions and the linked clusters of the settings. */
export interface ClusterLookup {
  account: AzureAccount;
  settings: Settings;
}

/** The cluster named `wanted`: a resource id, a linked cluster's name, or an Azure cluster's unique name. */
export async function findClusterByName(wanted: string, lookup: ClusterLookup, signal?: AbortSignal): Promise<ClusterTarget> {
  if (!wanted.trim()) throw new InvalidInputError('"cluster" must be a cluster name or resource id.');
  wanted = wanted.trim();
  if (wanted.startsWith('/subscriptions/')) {
    return { kind: 'azure', cluster: await (await lookup.account.client()).getCluster(wanted, signal) };
  }
  const linked = lookup.settings.linkedClusters.clusters.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (linked) return { kind: 'linked', cluster: linked };
  const matches = (await allAzureClusters(lookup, signal)).filter((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (matches.length === 1) return { kind: 'azure', cluster: matches[0] };
  if (matches.length > 1) {
    throw new InvalidInputError(`${matches.length} clusters are named ${wanted}.`, 'Pass the resource id instead of the name.');
  }
  throw new HDInsightError(
    'NotFound',
    `No cluster named ${wanted} was found among linked clusters or your Azure subscriptions.`,
    'Check the name, or refresh the HDInsight view.',
  );
}

/** Every cluster of the subscriptions the user chose (none when signed out). */
export async function allAzureClusters(lookup: ClusterLookup, signal?: AbortSignal): Promise<HDInsightCluster[]> {
  if (!(await lookup.account.isSignedIn())) return [];
  const client = await lookup.account.client();
  const { chosenSubscriptions, listEveryCluster } = await import('../chunks/azure');
  const subscriptions = await chosenSubscriptions(client, { subscriptionFilter: lookup.settings.azureSubscriptionFilter }, signal);
  // One Resource Graph query for all of them (every page of each subscription where it is refused).
  return listEveryCluster(
    client,
    subscriptions.map((s) => s.subscriptionId),
    signal,
  );
}
