import * as vscode from 'vscode';
import type { AzureAccount } from '../auth/AzureAccount';
import type { HDInsightCluster } from '../azure/model';
import { clusterSummary, ClusterNode } from '../tree/nodes/AzureNodes';
import { LinkedClusterNode } from '../tree/nodes/LinkedClusterNodes';
import { CancelledError, HDInsightError, InvalidInputError } from '../core/errors';
import type { LinkedCluster } from '../core/linkedClusters';
import type { Settings } from '../settings';

export type ClusterTarget = { kind: 'azure'; cluster: HDInsightCluster } | { kind: 'linked'; cluster: LinkedCluster };

export interface ClusterLookup {
  account: AzureAccount;
  settings: Settings;
}

/**
 * The cluster a command acts on: a tree node, `{ cluster: name | resource id }`, or, with neither,
 * the user's pick among every cluster the extension knows.
 */
export async function resolveCluster(arg: unknown, lookup: ClusterLookup, signal?: AbortSignal): Promise<ClusterTarget> {
  if (arg instanceof ClusterNode) return { kind: 'azure', cluster: arg.cluster };
  if (arg instanceof LinkedClusterNode) return { kind: 'linked', cluster: arg.cluster };
  const wanted = typeof arg === 'object' && arg !== null ? (arg as { cluster?: unknown }).cluster : undefined;
  if (wanted !== undefined) {
    if (typeof wanted !== 'string' || !wanted.trim()) throw new InvalidInputError('"cluster" must be a cluster name or resource id.');
    return findByName(wanted.trim(), lookup, signal);
  }
  return pickCluster(lookup, signal);
}

async function findByName(wanted: string, lookup: ClusterLookup, signal?: AbortSignal): Promise<ClusterTarget> {
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

async function allAzureClusters(lookup: ClusterLookup, signal?: AbortSignal): Promise<HDInsightCluster[]> {
  if (!(await lookup.account.isSignedIn())) return [];
  const client = await lookup.account.client();
  const filter = new Set(lookup.settings.azureSubscriptionFilter.map((s) => s.toLowerCase()));
  const subscriptions = (await client.listSubscriptions(signal)).filter(
    (s) => filter.size === 0 || filter.has(s.subscriptionId.toLowerCase()),
  );
  const perSubscription = await Promise.all(
    subscriptions.map(async (s) => {
      const clusters: HDInsightCluster[] = [];
      let token: string | undefined;
      do {
        const page = await client.listClusters(s.subscriptionId, signal, token);
        clusters.push(...page.clusters);
        token = page.continuationToken;
      } while (token);
      return clusters;
    }),
  );
  return perSubscription.flat();
}

async function pickCluster(lookup: ClusterLookup, signal?: AbortSignal): Promise<ClusterTarget> {
  type Item = vscode.QuickPickItem & { target: ClusterTarget };
  const items = (async (): Promise<Item[]> => {
    const linked: Item[] = lookup.settings.linkedClusters.clusters.map((c) => ({
      label: c.name,
      description: 'linked',
      target: { kind: 'linked', cluster: c },
    }));
    const azure: Item[] = (await allAzureClusters(lookup, signal)).map((c) => ({
      label: c.name,
      description: clusterSummary(c),
      detail: c.resourceGroup,
      target: { kind: 'azure', cluster: c },
    }));
    if (linked.length + azure.length === 0) {
      throw new HDInsightError('NotFound', 'There is no cluster to choose from.', 'Sign in to Azure or link a cluster first.');
    }
    return [...azure, ...linked];
  })();
  const picked = await vscode.window.showQuickPick(items, { title: 'Choose a cluster', matchOnDescription: true, ignoreFocusOut: true });
  if (!picked) throw new CancelledError();
  return picked.target;
}
