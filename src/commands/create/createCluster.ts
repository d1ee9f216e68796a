// "Create Cluster": a script's arguments checked, or the answers of clusterSteps.ts, then Azure's
// checks, the storage account and the cluster created, and the offer to delete it after a cancel.
import * as vscode from 'vscode';
import { planInRegion } from '../../azure/capabilities';
import type { AzureClient } from '../../azure/client';
import type { HDInsightCluster } from '../../azure/model';
import { type ClusterPlan, createRequest, estimatedCores, validatePlan, validateStorageAccountName } from '../../azure/createRequest';
import { clusterResourceId, deleteCreated } from '../../azure/pair';
import { HDInsightError, InvalidInputError, isCancellation } from '../../core/errors';
import { isScripted, withCancellableProgress } from '../command';
import { askForCluster } from './clusterSteps';
import { offerToDeleteStarted } from './cleanUp';
import { RESOURCE_GROUP } from './sharedSteps';
import type { ClusterToCreate, CreateDeps, StoragePlan } from './types';

/**
 * The cluster's default storage, as a script gives it:
 * - `{ accountName, key }`: any account (also one outside the subscription), with its key;
 * - `{ accountName }`: an account of the subscription, whose key is read from Azure;
 * - `{ create: true, accountName }`: a new account in the cluster's resource group and region,
 *   created after every check and right before the cluster.
 */
export type StorageChoice = { accountName: string; key?: string; create?: boolean; container?: string };

export interface CreateClusterArgs extends Omit<ClusterPlan, 'storage'> {
  subscriptionId: string;
  resourceGroup: string;
  storage: StorageChoice;
}

export interface CreateClusterResult {
  id: string;
  state: string;
  /** The storage account this command created, when it created one. */
  storageAccountId?: string;
}

/**
 * `hdinsight.createCluster` `{ subscriptionId, resourceGroup, location, name, kind, workerCount,
 * clusterLogin, ssh, storage, network?, headNodeSize?, workerNodeSize? }` → `{ id, state,
 * storageAccountId? }` once Azure finished. Before anything is created: the input rules, what the
 * region offers (the kind, the VM sizes), name availability, the region's core quota and
 * HDInsight's validation of the request. The cluster login goes to secret storage.
 * From the palette it asks step by step (Back keeps the answers) and shows a summary first.
 */
export function createClusterCommand(deps: CreateDeps) {
  return async (arg?: unknown): Promise<CreateClusterResult> => {
    if (!isScripted([arg])) {
      const client = await deps.lookup.account.client();
      const chosen = await askForCluster(client);
      if (chosen.newGroup) await client.createResourceGroup(chosen.subscriptionId, chosen.resourceGroup, chosen.plan.location);
      return create(deps, chosen, true);
    }
    const args = arg as CreateClusterArgs;
    const plan = checkArgs(args);
    const client = await deps.lookup.account.client();
    const storage = await storagePlan(client, args);
    return create(deps, { subscriptionId: args.subscriptionId, resourceGroup: args.resourceGroup, plan, storage }, false);
  };
}

/** Every input rule, before any request; returns the plan (its storage key filled in later). */
function checkArgs(args: CreateClusterArgs): ClusterPlan {
  const { subscriptionId, resourceGroup, storage, ...rest } = args;
  if (typeof subscriptionId !== 'string' || !subscriptionId) throw new InvalidInputError('"subscriptionId" is needed.');
  if (typeof resourceGroup !== 'string' || !RESOURCE_GROUP.test(resourceGroup)) {
    throw new InvalidInputError('"resourceGroup" must be 1 to 90 letters, digits, ".", "_", "-" or parentheses.');
  }
  if (typeof rest.location !== 'string' || !rest.location)
    throw new InvalidInputError('"location" is needed (a region such as westeurope).');
  if (!rest.clusterLogin || !rest.ssh || !storage || typeof storage !== 'object') {
    throw new InvalidInputError('"clusterLogin", "ssh" and "storage" are needed.');
  }
  if (storage.key !== undefined && (typeof storage.key !== 'string' || !storage.key.trim())) {
    throw new InvalidInputError('"storage.key" is empty.', 'Leave it out to read the key of an account of the subscription from Azure.');
  }
  if (storage.create && storage.key !== undefined) {
    throw new InvalidInputError('A new storage account has no key yet: give "storage.create" or "storage.key", not both.');
  }
  const plan: ClusterPlan = {
    ...rest,
    storage: { accountName: storage.accountName, key: storage.key ?? '', container: storage.container },
  };
  validatePlan(plan);
  return plan;
}

/** A script's storage choice, resolved: an account of the subscription is looked up (region and id). */
async function storagePlan(client: AzureClient, args: CreateClusterArgs): Promise<StoragePlan> {
  const { accountName, key, create, container } = args.storage;
  if (create) return { mode: 'new', accountName, container };
  if (key) return { mode: 'key', accountName, key, container };
  const accounts = await client.listStorageAccounts(args.subscriptionId);
  const found = accounts.find((a) => a.name === accountName);
  if (!found) {
    throw new InvalidInputError(
      `Subscription ${args.subscriptionId} has no storage account ${accountName}.`,
      'Give its "key" for an account elsewhere, or "create": true for a new one.',
    );
  }
  if (found.location.toLowerCase().replace(/\s+/g, '') !== args.location.toLowerCase().replace(/\s+/g, '')) {
    throw new InvalidInputError(
      `Storage account ${accountName} is in ${found.location}; HDInsight needs its default storage in the cluster's region, ${args.location}.`,
    );
  }
  return { mode: 'existing', accountName, id: found.id, container };
}

/**
 * The checks Azure can make before anything exists (what the region offers, the name, the quota),
 * then the storage account (created, or its key read), HDInsight's validation of the whole
 * request, and the creation itself. A storage account made here is deleted again if the cluster
 * is refused before Azure accepts it.
 */
async function create(deps: CreateDeps, target: ClusterToCreate, interactive: boolean): Promise<CreateClusterResult> {
  const { subscriptionId, resourceGroup, storage } = target;
  const client = await deps.lookup.account.client();
  const location = target.plan.location;
  const capabilities = target.capabilities ?? (await client.regionCapabilities(subscriptionId, location));
  const plan = planInRegion(target.plan, capabilities, target.regionLabel ?? location);
  const name = await client.checkClusterName(subscriptionId, location, plan.name);
  if (!name.available) throw new InvalidInputError(name.message ?? `The name ${plan.name} is taken.`, 'Choose another cluster name.');
  if (storage.mode === 'new') {
    validateStorageAccountName(storage.accountName);
    const free = await client.checkStorageAccountName(subscriptionId, storage.accountName);
    if (!free.available) {
      throw new InvalidInputError(free.message ?? `The storage account name ${storage.accountName} is taken.`, 'Choose another name.');
    }
  }
  const quota = await client.coreQuota(subscriptionId, location);
  const cores = estimatedCores(createRequest(plan), (size) => quota.coresOf.get(size.toLowerCase()));
  if (quota.used + cores > quota.limit) {
    throw new HDInsightError(
      'InvalidInput',
      `${plan.name} needs ${cores} cores; ${quota.used} of the ${quota.limit} in ${location} are in use.`,
      'Request a quota increase, or choose fewer or smaller nodes.',
    );
  }

  let storageAccountId: string | undefined;
  let accepted = false;
  const run = async (signal: AbortSignal | undefined, report: (message: string) => void): Promise<HDInsightCluster> => {
    let key: string;
    if (storage.mode === 'new') {
      report(`creating storage account ${storage.accountName}…`);
      const account = await client.createStorageAccount(
        subscriptionId,
        resourceGroup,
        storage.accountName,
        { location, tags: plan.tags },
        { signal },
      );
      storageAccountId = account.id;
      key = await client.storageAccountKey(account.id, signal);
    } else if (storage.mode === 'existing') {
      key = await client.storageAccountKey(storage.id, signal);
    } else {
      key = storage.key;
    }
    const request = createRequest({ ...plan, storage: { accountName: storage.accountName, key, container: storage.container } });
    try {
      const problems = await client.validateCreate(subscriptionId, location, plan.name, request, signal);
      if (problems.length > 0) {
        throw new HDInsightError(
          'InvalidInput',
          `HDInsight would refuse ${plan.name}: ${problems.map((p) => `${p.message} (${p.code})`).join(' ')}`,
        );
      }
      report('HDInsight takes about 20 minutes…');
      return await client.createCluster(subscriptionId, resourceGroup, plan.name, request, {
        signal,
        accepted: () => {
          accepted = true;
          deps.changed(); // the tree shows the cluster in its creating state
        },
      });
    } catch (err) {
      if (accepted || !storageAccountId) throw err;
      const removed = await removeStorage(client, storageAccountId, storage.accountName);
      if (isCancellation(err)) throw err;
      throw err instanceof HDInsightError
        ? new HDInsightError(err.code, `${err.message} ${removed}`, err.action, { cause: err })
        : new HDInsightError('Remote', `${err instanceof Error ? err.message : String(err)} ${removed}`, undefined, { cause: err });
    }
  };
  let cluster: HDInsightCluster;
  try {
    cluster = interactive
      ? await withCancellableProgress(`Creating ${plan.name}`, (signal, report) => run(signal, report))
      : await run(undefined, () => undefined);
  } catch (err) {
    if (interactive && accepted && isCancellation(err)) {
      const account = storageAccountId ? { id: storageAccountId, name: storage.accountName } : undefined;
      const started = [plan.name, ...(account ? [`storage account ${account.name}`] : [])];
      await offerToDeleteStarted(plan.name, started, deps.changed, (signal, report) =>
        deleteCreated(
          client,
          { clusterIds: [clusterResourceId(subscriptionId, resourceGroup, plan.name)], storage: account },
          { signal, progress: report },
        ),
      );
    }
    throw err;
  }
  // The login is known: keep it in secret storage (never in settings), for when Azure will not hand it out.
  await deps.logins.store({ kind: 'azure', cluster }, plan.clusterLogin);
  deps.changed();
  if (!/^running$/i.test(cluster.state)) {
    throw new HDInsightError('Remote', `${plan.name} ended ${cluster.state}.`, 'See its properties in the HDInsight view.');
  }
  if (interactive) void vscode.window.showInformationMessage(`${plan.name} is running.`);
  return { id: cluster.id, state: cluster.state, ...(storageAccountId ? { storageAccountId } : {}) };
}

/** The cluster was refused before Azure took it: the empty storage account made for it goes again. */
function removeStorage(client: AzureClient, id: string, name: string): Promise<string> {
  return client.deleteStorageAccount(id).then(
    () => `The new storage account ${name} was deleted again.`,
    () => `The new storage account ${name} is left; delete it if you do not need it.`,
  );
}
