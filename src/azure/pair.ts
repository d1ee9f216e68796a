// The template of Azure's tutorial "Use Spark Structured Streaming with Kafka on HDInsight" as one
// operation: a virtual network with one subnet and a storage account, then a Spark and a Kafka
// cluster with every role in that subnet, created in parallel. When a part fails the outcome says
// which, and what exists, so the caller can offer to delete it. No vscode import.
import { planInRegion, type RegionCapabilities } from './capabilities';
import type { AzureClient } from './client';
import {
  createRequest,
  estimatedCores,
  PAIR_NETWORK,
  pairPlans,
  validateStorageAccountName,
  type ClusterPlan,
  type LinuxLogin,
} from './createRequest';
import type { HDInsightCluster } from './model';
import { CancelledError, HDInsightError, InvalidInputError, isCancellation, sentence, throwIfAborted } from '../core/errors';

export type PairPart = 'network' | 'storage' | 'spark' | 'kafka';

export interface PairInput {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** The clusters are spark-BASE and kafka-BASE, as in the tutorial's template. */
  baseName: string;
  clusterLogin: { username: string; password: string };
  ssh: LinuxLogin;
  /** The new storage account's name; default derived from the base name. */
  storageAccount?: string;
  /** The new virtual network's name; default BASE-vnet. */
  virtualNetwork?: string;
}

export interface PairNames {
  spark: string;
  kafka: string;
  network: string;
  storage: string;
}

export interface PairCheck {
  names: PairNames;
  /** Cores both clusters need, and the region's quota. */
  cores: number;
  used: number;
  limit: number;
  /** What the region offers (kinds, VM sizes, component versions), for the creation to use. */
  capabilities: RegionCapabilities;
  /**
   * What HDInsight cannot check before anything exists, in words: the new storage account's key
   * and the new network. It checks both requests again once they exist, before either cluster.
   */
  notYetValidated: string[];
}

export interface PairOutcome {
  names: PairNames;
  network?: { id: string; subnetId: string };
  storage?: { id: string };
  /** Clusters Azure accepted (they exist, whatever became of them), by part. */
  clusterIds: Partial<Record<'spark' | 'kafka', string>>;
  clusters: Partial<Record<'spark' | 'kafka', HDInsightCluster>>;
  failures: { part: PairPart; error: unknown }[];
}

/**
 * The creation was cancelled (the user stopped waiting): Azure goes on with what it was asked to
 * create. `started` names those resources (some may not exist yet, or never will), so the caller
 * can offer to delete them; deleting what is not there succeeds.
 */
export class PairCancelledError extends CancelledError {
  constructor(readonly started: Pick<PairOutcome, 'names' | 'network' | 'storage' | 'clusterIds'>) {
    super('Cancelled');
  }

  /** What was asked of Azure, as the user would name it; empty when nothing was. */
  get startedList(): string[] {
    return pairResourceList(this.started);
  }
}

/**
 * A pair's resources as the user names them: "virtual network X", "storage account Y", then the
 * clusters, each with its state when `stateOf` gives one.
 */
export function pairResourceList(
  { names, network, storage, clusterIds }: Pick<PairOutcome, 'names' | 'network' | 'storage' | 'clusterIds'>,
  stateOf?: (part: 'spark' | 'kafka') => string,
): string[] {
  return [
    ...(network ? [`virtual network ${names.network}`] : []),
    ...(storage ? [`storage account ${names.storage}`] : []),
    ...(['spark', 'kafka'] as const)
      .filter((part) => clusterIds[part])
      .map((part) => (stateOf ? `${names[part]} (${stateOf(part)})` : names[part])),
  ];
}

export const PAIR_LABELS: Record<PairPart, string> = {
  network: 'virtual network',
  storage: 'storage account',
  spark: 'Spark cluster',
  kafka: 'Kafka cluster',
};

/** The resources' names; throws InvalidInputError for a base name that makes an invalid cluster name. */
export function pairNames(input: Pick<PairInput, 'baseName' | 'storageAccount' | 'virtualNetwork'>): PairNames {
  const base = input.baseName;
  if (typeof base !== 'string' || !/^[a-zA-Z0-9-]{1,53}$/.test(base) || base.startsWith('-') || base.endsWith('-')) {
    throw new InvalidInputError(
      `"${String(base)}" cannot be the pair's base name.`,
      'Use 1 to 53 letters, digits and hyphens, not starting or ending with a hyphen: the clusters become spark-NAME and kafka-NAME.',
    );
  }
  const storage =
    input.storageAccount ??
    `${base
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 19)}store`;
  const network = input.virtualNetwork ?? `${base}-vnet`;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$/.test(network)) {
    throw new InvalidInputError(
      `"${network}" is not a valid virtual network name.`,
      'Use 2 to 64 letters, digits, "_", "." or "-", starting with a letter or digit.',
    );
  }
  validateStorageAccountName(storage);
  return { spark: `spark-${base}`.toLowerCase(), kafka: `kafka-${base}`.toLowerCase(), network, storage };
}

/** The ids the pair's network and its subnet will have: they follow from the names, before either exists. */
export function pairNetworkIds(
  input: Pick<PairInput, 'subscriptionId' | 'resourceGroup'>,
  names: PairNames,
): { id: string; subnetId: string } {
  const id = `/subscriptions/${input.subscriptionId}/resourceGroups/${input.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${names.network}`;
  return { id, subnetId: `${id}/subnets/${PAIR_NETWORK.subnetName}` };
}

/**
 * Both clusters' plans for the network and the storage account, which may not exist yet: then
 * the network's future ids, and the account without its key (it has one once it is made).
 */
export function pairClusterPlans(
  input: PairInput,
  names: PairNames,
  network: { id: string; subnetId?: string } = pairNetworkIds(input, names),
  storage?: { key: string; blobEndpointSuffix?: string },
): [ClusterPlan, ClusterPlan] {
  return pairPlans(
    {
      location: input.location,
      clusterLogin: input.clusterLogin,
      ssh: input.ssh,
      storage: { accountName: names.storage, key: storage?.key ?? '', blobEndpointSuffix: storage?.blobEndpointSuffix },
    },
    names,
    network,
  );
}

/**
 * Both plans as the region offers them (see planInRegion): Spark and Kafka in HDInsight 5.1, the
 * tutorial's VM sizes allowed there for each kind and role, the region's component versions.
 * The pair's sizes are fixed, so a refusal asks for another region.
 */
export function pairPlansInRegion(
  plans: [ClusterPlan, ClusterPlan],
  capabilities: RegionCapabilities,
  regionLabel?: string,
): [ClusterPlan, ClusterPlan] {
  const inRegion = (plan: ClusterPlan): ClusterPlan => {
    try {
      return planInRegion(plan, capabilities, regionLabel);
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      throw new InvalidInputError(
        err.message,
        "Choose another region: the pair needs Spark and Kafka in HDInsight 5.1 with the VM sizes of Azure's tutorial.",
      );
    }
  };
  return [inRegion(plans[0]), inRegion(plans[1])];
}

/**
 * Whether a problem HDInsight finds before the creation is only that the pair's network or
 * storage account is not there yet: it names the network and says it does not exist (or, as
 * HDInsight puts it, does not belong to the subscription), or it is about the new account's key.
 * Anything else about the network (its region, its ids' shape) is a refusal. Both requests are
 * validated once more, whole, when the network and the account exist.
 */
function notThereYet(message: string, names: PairNames): boolean {
  const text = message.toLowerCase();
  if (text.includes(names.network.toLowerCase()) && /not exist|n't exist|not found|could not be found|not belong|n't belong/.test(text)) {
    return true;
  }
  return text.includes(names.storage) && /\bkey\b/.test(text);
}

/** HDInsight's problems with a request, as one finished sentence each. */
function refusal(name: string, problems: { code: string; message: string }[]): string {
  return problems.map((p) => `${name}: ${sentence(p.message)} (${p.code})`).join(' ');
}

/** Every check that needs no request: the names and both clusters' input rules. */
export function checkPairInput(input: PairInput): PairNames {
  for (const key of ['subscriptionId', 'resourceGroup', 'location'] as const) {
    if (typeof input[key] !== 'string' || !input[key]) throw new InvalidInputError(`"${key}" is needed.`);
  }
  if (!input.clusterLogin || !input.ssh) throw new InvalidInputError('"clusterLogin" and "ssh" are needed.');
  const names = pairNames(input);
  for (const plan of pairClusterPlans(input, names)) createRequest(plan);
  return names;
}

/** Azure's answer for the network had no subnet: every node of both clusters would have to join it. */
function missingSubnet(names: PairNames): HDInsightError {
  return new HDInsightError(
    'Remote',
    `Azure returned virtual network ${names.network} without its subnet ${PAIR_NETWORK.subnetName} (neither in the network's subnets nor on its own), so no cluster was requested.`,
    'Check whether a policy of the subscription changes new virtual networks, then delete what was created and try again.',
  );
}

/**
 * What Azure can check before anything exists: the region offers Spark and Kafka in HDInsight 5.1
 * with the pair's VM sizes, both cluster names and the storage account name are free, HDInsight
 * would accept both requests as they will be sent (the account's name, the network's future ids
 * on every role; not yet the account's key, nor the network itself, which `notYetValidated`
 * names), and the region's core quota holds both.
 */
export async function checkPair(client: AzureClient, input: PairInput, signal?: AbortSignal, regionLabel?: string): Promise<PairCheck> {
  const names = checkPairInput(input);
  const { subscriptionId, location } = input;
  const capabilities = await client.regionCapabilities(subscriptionId, location, signal);
  const plans = pairPlansInRegion(pairClusterPlans(input, names), capabilities, regionLabel);
  const requests = plans.map((plan) => ({ name: plan.name, body: createRequest(plan) }));
  const [spark, kafka, account, quota] = await Promise.all([
    client.checkClusterName(subscriptionId, location, names.spark, signal),
    client.checkClusterName(subscriptionId, location, names.kafka, signal),
    client.checkStorageAccountName(subscriptionId, names.storage, signal),
    client.coreQuota(subscriptionId, location, signal),
  ]);
  const taken = [
    spark.available ? undefined : (spark.message ?? `The cluster name ${names.spark} is taken.`),
    kafka.available ? undefined : (kafka.message ?? `The cluster name ${names.kafka} is taken.`),
    account.available ? undefined : (account.message ?? `The storage account name ${names.storage} is taken.`),
  ].filter((m): m is string => !!m);
  if (taken.length > 0) throw new InvalidInputError(taken.join(' '), 'Choose another base name or storage account name.');
  const problems = (
    await Promise.all(
      requests.map(async ({ name, body }) => {
        const found = await client.validateCreate(subscriptionId, location, name, body, signal);
        return refusal(
          name,
          found.filter((p) => !notThereYet(p.message, names)),
        );
      }),
    )
  ).filter(Boolean);
  if (problems.length > 0) throw new HDInsightError('InvalidInput', `HDInsight would refuse the pair: ${problems.join(' ')}`);
  const cores = requests.reduce((sum, { body }) => sum + estimatedCores(body, (size) => quota.coresOf.get(size.toLowerCase())), 0);
  if (quota.used + cores > quota.limit) {
    throw new HDInsightError(
      'InvalidInput',
      `The pair needs ${cores} cores; ${quota.used} of the ${quota.limit} in ${location} are in use.`,
      'Request a quota increase, or choose another region.',
    );
  }
  return {
    names,
    cores,
    used: quota.used,
    limit: quota.limit,
    capabilities,
    notYetValidated: [
      `the key of storage account ${names.storage} (it has one once it is made)`,
      `virtual network ${names.network} and its subnet ${PAIR_NETWORK.subnetName} (they are made first)`,
    ],
  };
}

/**
 * Checks what the region offers (refusing before any request that creates), creates the network
 * and the storage account in parallel, has HDInsight validate both clusters' requests as they
 * will be sent, then creates both clusters in parallel. Resolves with what exists and what
 * failed; rejects when the region does not offer the pair, and when cancelled, with a
 * PairCancelledError that names what Azure was asked to create.
 */
export async function createPair(
  client: AzureClient,
  input: PairInput,
  options: {
    signal?: AbortSignal;
    progress?: (part: PairPart, state: string) => void;
    accepted?: () => void;
    /** The region's capabilities when already read (checkPair reads them). */
    capabilities?: RegionCapabilities;
    regionLabel?: string;
  } = {},
): Promise<PairOutcome> {
  const { signal, progress = () => undefined, regionLabel } = options;
  const names = checkPairInput(input);
  const { subscriptionId, resourceGroup, location } = input;
  const capabilities = options.capabilities ?? (await client.regionCapabilities(subscriptionId, location, signal));
  pairPlansInRegion(pairClusterPlans(input, names), capabilities, regionLabel);
  const outcome: PairOutcome = { names, clusterIds: {}, clusters: {}, failures: [] };
  const attempt = async (part: PairPart, task: () => Promise<void>): Promise<void> => {
    progress(part, 'creating');
    try {
      await task();
      progress(part, 'done');
    } catch (err) {
      if (isCancellation(err) || signal?.aborted) throw err;
      outcome.failures.push({ part, error: err });
      progress(part, 'failed');
    }
  };
  // What Azure was asked to create, by id, for a cancellation to name: ids follow from the names.
  const group = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers`;
  const started: PairCancelledError['started'] = { names, clusterIds: {} };
  let key = '';
  let blobEndpointSuffix: string | undefined;
  try {
    await Promise.all([
      attempt('network', async () => {
        started.network = { id: `${group}/Microsoft.Network/virtualNetworks/${names.network}`, subnetId: '' };
        const network = await client.createVirtualNetwork(
          subscriptionId,
          resourceGroup,
          names.network,
          {
            location,
            addressPrefix: PAIR_NETWORK.addressPrefix,
            subnetName: PAIR_NETWORK.subnetName,
            subnetPrefix: PAIR_NETWORK.subnetPrefix,
          },
          { signal },
        );
        // It exists (to list and delete) even without the subnet, which no cluster may then assume.
        outcome.network = { id: network.id, subnetId: network.subnetId ?? '' };
        if (!network.subnetId) throw missingSubnet(names);
      }),
      attempt('storage', async () => {
        started.storage = { id: `${group}/Microsoft.Storage/storageAccounts/${names.storage}` };
        const account = await client.createStorageAccount(subscriptionId, resourceGroup, names.storage, { location }, { signal });
        outcome.storage = { id: account.id };
        key = await client.storageAccountKey(account.id, signal);
        blobEndpointSuffix = /^https:\/\/[^.]+\.blob\.(.+?)\/?$/.exec(account.blobEndpoint)?.[1];
      }),
    ]);
    throwIfAborted(signal);
    if (outcome.failures.length > 0) return outcome;

    const plans = pairPlansInRegion(
      pairClusterPlans(input, names, outcome.network, { key, blobEndpointSuffix }),
      capabilities,
      regionLabel,
    );
    // HDInsight validates both requests as they will be sent, now that the key and the subnet
    // exist; neither cluster is requested unless both pass.
    await Promise.all(
      (['spark', 'kafka'] as const).map(async (part, i) => {
        const plan = plans[i];
        progress(part, 'validating');
        try {
          const problems = await client.validateCreate(subscriptionId, location, plan.name, createRequest(plan), signal);
          if (problems.length === 0) return;
          outcome.failures.push({
            part,
            error: new HDInsightError(
              'InvalidInput',
              `HDInsight refused its request. ${problems.map((p) => `${sentence(p.message)} (${p.code})`).join(' ')}`,
            ),
          });
        } catch (err) {
          if (isCancellation(err) || signal?.aborted) throw err;
          outcome.failures.push({ part, error: err });
        }
        progress(part, 'refused');
      }),
    );
    throwIfAborted(signal);
    if (outcome.failures.length > 0) return outcome;

    await Promise.all(
      (['spark', 'kafka'] as const).map((part, i) => {
        const plan = plans[i];
        return attempt(part, async () => {
          started.clusterIds[part] = clusterResourceId(subscriptionId, resourceGroup, plan.name);
          const cluster = await client.createCluster(subscriptionId, resourceGroup, plan.name, createRequest(plan), {
            signal,
            accepted: () => {
              outcome.clusterIds[part] = clusterResourceId(subscriptionId, resourceGroup, plan.name);
              progress(part, 'accepted');
              options.accepted?.();
            },
          });
          outcome.clusters[part] = cluster;
          if (!/^running$/i.test(cluster.state)) throw new HDInsightError('Remote', `${plan.name} ended ${cluster.state}.`);
        });
      }),
    );
    throwIfAborted(signal);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // A part Azure refused is not there; a cluster it accepted is, even if it then failed.
    for (const { part } of outcome.failures) {
      if (part === 'network' || part === 'storage') delete started[part];
      else if (!outcome.clusterIds[part]) delete started.clusterIds[part];
    }
    throw new PairCancelledError(started);
  }
  return outcome;
}

/** What a creation made, to delete again: clusters, and the network and account they used. */
export interface CreatedResources {
  clusterIds: string[];
  network?: { id: string; name: string };
  storage?: { id: string; name: string };
}

/**
 * Deletes what a creation left: the clusters first (their nodes hold the subnet and use the
 * account), then the network and the storage account, each only once no cluster is left on it.
 * Returns what could not be deleted, with why.
 */
export async function deleteCreated(
  client: AzureClient,
  { clusterIds, network, storage }: CreatedResources,
  options: { signal?: AbortSignal; progress?: (what: string) => void } = {},
): Promise<{ what: string; error: unknown }[]> {
  const { signal, progress = () => undefined } = options;
  const left: { what: string; error: unknown }[] = [];
  const remove = async (what: string, task: () => Promise<void>): Promise<boolean> => {
    progress(`Deleting ${what}`);
    try {
      await task();
      return true;
    } catch (err) {
      if (isCancellation(err) || signal?.aborted) throw err;
      left.push({ what, error: err });
      return false;
    }
  };
  const clusters = await Promise.all(
    clusterIds.map((id) => remove(`cluster ${id.split('/').pop()}`, () => client.deleteCluster(id, { signal }))),
  );
  const clustersGone = clusters.every(Boolean);
  const after = async (what: string, task: () => Promise<void>): Promise<void> => {
    if (clustersGone) await remove(what, task);
    else left.push({ what, error: new Error('a cluster that uses it is still there') });
  };
  if (network) await after(`virtual network ${network.name}`, () => client.deleteVirtualNetwork(network.id, { signal }));
  if (storage) await after(`storage account ${storage.name}`, () => client.deleteStorageAccount(storage.id, signal));
  return left;
}

/** Deletes what a pair's creation left (see deleteCreated). */
export function deletePairResources(
  client: AzureClient,
  outcome: Pick<PairOutcome, 'names' | 'network' | 'storage' | 'clusterIds'>,
  options: { signal?: AbortSignal; progress?: (what: string) => void } = {},
): Promise<{ what: string; error: unknown }[]> {
  const { names, network, storage, clusterIds } = outcome;
  return deleteCreated(
    client,
    {
      clusterIds: Object.values(clusterIds),
      network: network && { id: network.id, name: names.network },
      storage: storage && { id: storage.id, name: names.storage },
    },
    options,
  );
}

export function clusterResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.HDInsight/clusters/${name}`;
}
