// The Azure SDK, loaded on first use (its own bundle, dist/chunks/azure.js).
import { getContinuationToken, HDInsightManagementClient, type Cluster, type ClusterCreateParametersExtended } from '@azure/arm-hdinsight';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { Limiter } from '../core/limiter';
import type { RegionCapabilities } from './capabilities';
import type { AzureClient, AzureClientOptions, GatewayLogin, LongRunning } from './client';
import { toAzureError } from './errors';
import { allowPlainHttpLoopback, isPlainHttpLoopback, type SdkClient } from './plainHttp';
import type { Provisioning } from './SdkProvisioning';
import { parseResourceId, toCluster, type AzureSubscription, type AzureTenant } from './model';

export function createAzureClient(options: AzureClientOptions): AzureClient {
  const limiter = new Limiter(options.concurrency ?? 8);
  const clientOptions = {
    endpoint: options.endpoint,
    credentialScopes: [options.scope],
    tlsOptions: options.ca ? { ca: options.ca } : undefined,
    userAgentOptions: { userAgentPrefix: options.userAgent },
    retryOptions: { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 10_000 },
    allowInsecureConnection: isPlainHttpLoopback(options.endpoint),
  };
  const { credential } = options;
  const sdk = <C extends SdkClient>(client: C): C => allowPlainHttpLoopback(client, options.endpoint, credential, options.scope);
  const subscriptions = sdk(new SubscriptionClient(credential, clientOptions));
  const hdinsight = new Map<string, HDInsightManagementClient>();
  const hdinsightFor = (subscriptionId: string): HDInsightManagementClient => {
    let client = hdinsight.get(subscriptionId);
    if (!client) {
      client = sdk(new HDInsightManagementClient(credential, subscriptionId, clientOptions));
      hdinsight.set(subscriptionId, client);
    }
    return client;
  };
  const resources = new Map<string, ResourceManagementClient>();
  const resourcesFor = (subscriptionId: string): ResourceManagementClient => {
    let client = resources.get(subscriptionId);
    if (!client) {
      client = sdk(new ResourceManagementClient(credential, subscriptionId, clientOptions));
      resources.set(subscriptionId, client);
    }
    return client;
  };
  const call = async <T>(what: string, signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> => {
    try {
      return await limiter.run(task, signal);
    } catch (err) {
      throw toAzureError(err, what);
    }
  };

  // A long-running operation: the request takes a limiter slot, waiting for the operation does not hold one.
  const operation: Operation = async (what, { signal, accepted }, begin) => {
    const poller = await call(what, signal, begin);
    accepted?.();
    await waitFor(poller, what, signal);
  };

  // Network and storage clients load on first use (dist/chunks/armProvisioning.js).
  let provisioning: Promise<Provisioning> | undefined;
  const provision = (): Promise<Provisioning> =>
    (provisioning ??= import('../chunks/armProvisioning').then((m) =>
      m.createProvisioning(credential, clientOptions, call, operation, sdk),
    ));

  return {
    createVirtualNetwork: async (...args) => (await provision()).createVirtualNetwork(...args),
    deleteVirtualNetwork: async (...args) => (await provision()).deleteVirtualNetwork(...args),
    listStorageAccounts: async (...args) => (await provision()).listStorageAccounts(...args),
    checkStorageAccountName: async (...args) => (await provision()).checkStorageAccountName(...args),
    createStorageAccount: async (...args) => (await provision()).createStorageAccount(...args),
    storageAccountKey: async (...args) => (await provision()).storageAccountKey(...args),
    deleteStorageAccount: async (...args) => (await provision()).deleteStorageAccount(...args),

    listTenants: (signal) =>
      call('Listing your Azure tenants', signal, async () => {
        const tenants: AzureTenant[] = [];
        for await (const t of subscriptions.tenants.list({ abortSignal: signal })) {
          if (t.tenantId) tenants.push({ tenantId: t.tenantId, displayName: t.displayName, defaultDomain: t.defaultDomain });
        }
        return tenants;
      }),

    listSubscriptions: (signal) =>
      call('Listing your Azure subscriptions', signal, async () => {
        const result: AzureSubscription[] = [];
        for await (const s of subscriptions.subscriptions.list({ abortSignal: signal })) {
          if (s.subscriptionId) {
            result.push({
              subscriptionId: s.subscriptionId,
              displayName: s.displayName ?? s.subscriptionId,
              tenantId: s.tenantId,
              state: s.state,
            });
          }
        }
        return result.sort((a, b) => a.displayName.localeCompare(b.displayName));
      }),

    listClusters: (subscriptionId, signal, continuationToken) =>
      call(`Listing the clusters of subscription ${subscriptionId}`, signal, async () => {
        const pages = hdinsightFor(subscriptionId).clusters.list({ abortSignal: signal }).byPage({ continuationToken });
        const next = await pages.next();
        if (next.done) return { clusters: [] };
        const page: Cluster[] = next.value;
        return { clusters: page.map(toCluster), continuationToken: getContinuationToken(page) };
      }),

    getCluster: (clusterId, signal) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
      return call(`Reading cluster ${name}`, signal, async () =>
        toCluster(await hdinsightFor(subscriptionId).clusters.get(resourceGroup, name, { abortSignal: signal })),
      );
    },

    getGatewayLogin: (clusterId, signal) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
      return call(`Reading the login of cluster ${name}`, signal, async (): Promise<GatewayLogin | undefined> => {
        const settings = await hdinsightFor(subscriptionId).clusters.getGatewaySettings(resourceGroup, name, { abortSignal: signal });
        if (!settings.userName || !settings.password) return undefined; // Entra-user gateways have no password
        return { username: settings.userName, password: settings.password };
      });
    },

    resizeCluster: async (clusterId, workerCount, options: LongRunning = {}) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
      const client = hdinsightFor(subscriptionId);
      const { signal } = options;
      await operation(`Resizing cluster ${name}`, options, () =>
        client.clusters.beginResize(resourceGroup, name, 'workernode', { targetInstanceCount: workerCount }, { abortSignal: signal }),
      );
      return call(`Reading cluster ${name}`, signal, async () =>
        toCluster(await client.clusters.get(resourceGroup, name, { abortSignal: signal })),
      );
    },

    deleteCluster: async (clusterId, options: LongRunning = {}) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
      await operation(`Deleting cluster ${name}`, options, () =>
        hdinsightFor(subscriptionId).clusters.beginDelete(resourceGroup, name, { abortSignal: options.signal }),
      );
    },

    listLocations: (subscriptionId, signal) =>
      call('Listing the Azure regions', signal, async () => {
        const result: { name: string; displayName: string }[] = [];
        for await (const l of subscriptions.subscriptions.listLocations(subscriptionId, { abortSignal: signal })) {
          if (l.name) result.push({ name: l.name, displayName: l.displayName ?? l.name });
        }
        return result.sort((a, b) => a.displayName.localeCompare(b.displayName));
      }),

    listResourceGroups: (subscriptionId, signal) =>
      call('Listing the resource groups', signal, async () => {
        const result: { name: string; location: string }[] = [];
        for await (const g of resourcesFor(subscriptionId).resourceGroups.list({ abortSignal: signal })) {
          if (g.name) result.push({ name: g.name, location: g.location });
        }
        return result.sort((a, b) => a.name.localeCompare(b.name));
      }),

    createResourceGroup: (subscriptionId, name, location, signal) =>
      call(`Creating resource group ${name}`, signal, async () => {
        await resourcesFor(subscriptionId).resourceGroups.createOrUpdate(name, { location }, { abortSignal: signal });
      }),

    checkClusterName: (subscriptionId, location, name, signal) =>
      call(`Checking the cluster name ${name}`, signal, async () => {
        const result = await hdinsightFor(subscriptionId).locations.checkNameAvailability(
          location,
          { name, type: 'clusters' },
          { abortSignal: signal },
        );
        return { available: result.nameAvailable !== false, message: result.message };
      }),

    validateCreate: (subscriptionId, location, name, request, signal) =>
      call(`Validating cluster ${name}`, signal, async () => {
        const result = await hdinsightFor(subscriptionId).locations.validateClusterCreateRequest(
          location,
          { ...(request as ClusterCreateParametersExtended), name, type: 'clusters', fetchAaddsResource: false },
          { abortSignal: signal },
        );
        return (result.validationErrors ?? []).map((e) => ({ code: e.code ?? 'ValidationError', message: e.message ?? '' }));
      }),

    coreQuota: (subscriptionId, location, signal) =>
      call(`Reading the core quota in ${location}`, signal, async () => {
        const client = hdinsightFor(subscriptionId);
        const [usages, specs] = await Promise.all([
          client.locations.listUsages(location, { abortSignal: signal }),
          client.locations.listBillingSpecs(location, { abortSignal: signal }),
        ]);
        const cores = (usages.value ?? []).find((u) => u.name?.value?.toLowerCase() === 'cores');
        const coresOf = new Map(
          (specs.vmSizeProperties ?? []).filter((v) => v.name && v.cores).map((v) => [v.name!.toLowerCase(), v.cores!] as const),
        );
        return { used: cores?.currentValue ?? 0, limit: cores?.limit ?? Number.POSITIVE_INFINITY, coresOf };
      }),

    regionCapabilities: (subscriptionId, location, signal) =>
      call(`Reading what HDInsight offers in ${location}`, signal, async (): Promise<RegionCapabilities> => {
        const client = hdinsightFor(subscriptionId);
        const [capabilities, specs] = await Promise.all([
          client.locations.getCapabilities(location, { abortSignal: signal }),
          client.locations.listBillingSpecs(location, { abortSignal: signal }),
        ]);
        // Versions come grouped (by tier or by cluster type); the same version may appear in several groups.
        const versions = new Map<string, RegionCapabilities['versions'][number]>();
        for (const group of Object.values(capabilities.versions ?? {})) {
          for (const v of group.available ?? []) {
            if (!v.friendlyName) continue;
            const known = versions.get(v.friendlyName) ?? { version: v.friendlyName, isDefault: false, components: {} };
            known.isDefault ||= v.isDefault === true;
            Object.assign(known.components, v.componentVersions ?? {});
            versions.set(v.friendlyName, known);
          }
        }
        const properties = new Map((specs.vmSizeProperties ?? []).filter((p) => p.name).map((p) => [p.name!.toLowerCase(), p] as const));
        const names = specs.vmSizes?.length ? specs.vmSizes : [...properties.values()].map((p) => p.name!);
        return {
          location,
          versions: [...versions.values()],
          vmSizes: names.map((name) => {
            const p = properties.get(name.toLowerCase());
            return { name: p?.name ?? name, cores: p?.cores, memoryInMb: p?.memoryInMb };
          }),
          vmSizeFilters: (specs.vmSizeFilters ?? []).map((f) => ({ ...f, osType: f.osType?.map(String) })),
        };
      }),

    createCluster: async (subscriptionId, resourceGroup, name, request, options: LongRunning = {}) => {
      const client = hdinsightFor(subscriptionId);
      const { signal } = options;
      await operation(`Creating cluster ${name}`, options, () =>
        client.clusters.beginCreate(resourceGroup, name, request, { abortSignal: signal }),
      );
      return call(`Reading cluster ${name}`, signal, async () =>
        toCluster(await client.clusters.get(resourceGroup, name, { abortSignal: signal })),
      );
    },
  };
}

interface Poller {
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Starts a long-running operation with `begin`, tells `accepted` once Azure took it, and waits until it ends. */
export type Operation = (what: string, options: LongRunning, begin: () => Promise<Poller>) => Promise<void>;

async function waitFor(poller: Poller, what: string, signal?: AbortSignal): Promise<void> {
  try {
    await poller.pollUntilDone({ abortSignal: signal });
  } catch (err) {
    throw toAzureError(err, what);
  }
}
