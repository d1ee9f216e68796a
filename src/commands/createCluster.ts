import * as vscode from 'vscode';
import { type ClusterPlan, createRequest, estimatedCores } from '../azure/createRequest';
import type { ClusterLookup } from '../clusters/resolveCluster';
import { HDInsightError, InvalidInputError } from '../core/errors';
import type { ClusterLogins } from '../secrets/ClusterLogins';
import { isScripted } from './command';

export interface CreateDeps {
  lookup: ClusterLookup;
  logins: ClusterLogins;
  changed: () => void;
}

export interface CreateClusterArgs extends ClusterPlan {
  subscriptionId: string;
  resourceGroup: string;
}

/**
 * `hdinsight.createCluster` `{ subscriptionId, resourceGroup, location, name, kind, workerCount,
 * clusterLogin, ssh, storage, network?, headNodeSize?, workerNodeSize? }` → `{ id, state }` once
 * Azure finished. Before anything is created: the input rules, name availability, HDInsight's
 * validation of the request, and the region's core quota. The cluster login goes to secret storage.
 * (Scripted only for now: the interactive multi-step input is still to come.)
 */
export function createClusterCommand(deps: CreateDeps) {
  return async (arg?: unknown): Promise<{ id: string; state: string }> => {
    if (!isScripted([arg])) {
      throw new InvalidInputError('Creating a cluster takes an argument object for now.', 'See "hdinsight.createCluster" in the README.');
    }
    const { subscriptionId, resourceGroup, ...plan } = arg as CreateClusterArgs;
    if (typeof subscriptionId !== 'string' || !subscriptionId) throw new InvalidInputError('"subscriptionId" is needed.');
    if (typeof resourceGroup !== 'string' || !/^[-\w._()]{1,90}$/.test(resourceGroup)) {
      throw new InvalidInputError('"resourceGroup" must be 1 to 90 letters, digits, ".", "_", "-" or parentheses.');
    }
    if (typeof plan.location !== 'string' || !plan.location)
      throw new InvalidInputError('"location" is needed (a region such as westeurope).');
    if (!plan.clusterLogin || !plan.ssh || !plan.storage) throw new InvalidInputError('"clusterLogin", "ssh" and "storage" are needed.');
    if (plan.kind !== 'kafka' && plan.kind !== 'spark') throw new InvalidInputError('"kind" must be "kafka" or "spark".');
    const request = createRequest(plan); // every input rule, before any request

    const client = await deps.lookup.account.client();
    const name = await client.checkClusterName(subscriptionId, plan.location, plan.name);
    if (!name.available) throw new InvalidInputError(name.message ?? `The name ${plan.name} is taken.`, 'Choose another cluster name.');
    const problems = await client.validateCreate(subscriptionId, plan.location, plan.name, request);
    if (problems.length > 0) {
      throw new HDInsightError(
        'InvalidInput',
        `HDInsight would refuse ${plan.name}: ${problems.map((p) => `${p.message} (${p.code})`).join(' ')}`,
      );
    }
    const quota = await client.coreQuota(subscriptionId, plan.location);
    const cores = estimatedCores(request, (size) => quota.coresOf.get(size.toLowerCase()));
    if (quota.used + cores > quota.limit) {
      throw new HDInsightError(
        'InvalidInput',
        `${plan.name} needs ${cores} cores; ${quota.used} of the ${quota.limit} in ${plan.location} are in use.`,
        'Request a quota increase, or choose fewer or smaller nodes.',
      );
    }
    const cluster = await client.createCluster(subscriptionId, resourceGroup, plan.name, request, {
      accepted: () => deps.changed(), // the tree shows the cluster in its creating state
    });
    // The login is known: keep it in secret storage (never in settings), for when Azure will not hand it out.
    await deps.logins.store({ kind: 'azure', cluster }, plan.clusterLogin);
    deps.changed();
    if (!/^running$/i.test(cluster.state)) {
      throw new HDInsightError('Remote', `${plan.name} ended ${cluster.state}.`, 'See its properties in the HDInsight view.');
    }
    void vscode.window.setStatusBarMessage(`HDInsight: ${plan.name} is running.`, 10_000);
    return { id: cluster.id, state: cluster.state };
  };
}
