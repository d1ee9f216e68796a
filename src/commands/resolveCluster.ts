// The cluster a command acts on, from what it was called with: a tree node, `{ cluster }`, or
// nothing (then the user picks one).
import * as vscode from 'vscode';
import { clusterSummary } from '../azure/model';
import { allAzureClusters, findClusterByName, type ClusterLookup, type ClusterTarget } from '../clusters/ClusterTarget';
import { CancelledError, HDInsightError, InvalidInputError } from '../core/errors';
import { ClusterNode } from '../tree/nodes/AzureNodes';
import { LinkedClusterNode } from '../tree/nodes/LinkedClusterNodes';

/**
 * The cluster a command acts on: a tree node, `{ cluster: name | resource id }`, or, with neither,
 * the user's pick among every cluster the extension knows.
 */
export async function resolveCluster(arg: unknown, lookup: ClusterLookup, signal?: AbortSignal): Promise<ClusterTarget> {
  if (arg instanceof ClusterNode) return { kind: 'azure', cluster: arg.cluster };
  if (arg instanceof LinkedClusterNode) return { kind: 'linked', cluster: arg.cluster };
  const wanted = typeof arg === 'object' && arg !== null ? (arg as { cluster?: unknown }).cluster : undefined;
  if (wanted !== undefined) {
    if (typeof wanted !== 'string') throw new InvalidInputError('"cluster" must be a cluster name or resource id.');
    return findClusterByName(wanted, lookup, signal);
  }
  return pickCluster(lookup, signal);
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
