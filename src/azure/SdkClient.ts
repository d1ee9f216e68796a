// The Azure Resource Manager client on the Azure SDK (@azure/arm-hdinsight, arm-resources and
// arm-resources-subscriptions; every cluster at once through arm-resourcegraph, SdkGraph.ts):
// tenants, subscriptions, clusters and what creating one needs. The
// SDK loads with it, on first use (the chunk src/chunks/azure.ts, its own bundle
// dist/chunks/azure.js); everything else sees AzureClient.
import {
  getContinuationToken,
  HDInsightManagementClient,
  type Cluster,
  type ClusterCreateParametersExtended,
  type HDInsightManagementClientOptionalParams,
} from '@azure/arm-hdinsight';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { Limiter } from '../core/limiter';
import type { RegionCapabilities } from './capabilities';
import type { AzureClient, AzureClientOptions, ClusterPage, ClusterQuery, GatewayLogin, LongRunning, TokenSource } from './client';
import { toAzureError } from './errors';
import { parseResourceId, toCluster, type AzureSubscription, type AzureTenant, type HDInsightCluster } from './model';
import { allowPlainHttpLoopback, isPlainHttpLoopback } from './plainHttp';
import { longRunning, type Operation, type SdkAdapter } from './sdkCalls';
import { ClusterGraph } from './SdkGraph';
import type { Provisioning } from './SdkProvisioning';

/** A new Azure SDK client: what AzureAccount loads from the chunk. */
export function createAzureClient(options: AzureClientOptions): AzureClient {
  return new SdkClient(options);
}

export class SdkClient implements AzureClient {
  private readonly limiter: Limiter;
  private readonly clientOptions: HDInsightManagementClientOptionalParams;
  private readonly credential: TokenSource;
  private readonly sdk: SdkAdapter;
  private readonly subscriptions: SubscriptionClient;
  private readonly hdinsight = new Map<string, HDInsightManagementClient>();
  private readonly resources = new Map<string, ResourceManagementClient>();
  // A long-running operation: the request takes a limiter slot, waiting for the operation does not hold one.
  private readonly operation: Operation = longRunning((what, signal, task) => this.call(what, signal, task));
  // Network and storage clients load on first use (dist/chunks/armProvisioning.js).
  private provisioning: Promise<Provisioning> | undefined;
  private readonly graph: ClusterGraph;
  /** Region display names by name, once asked (Resource Graph writes names, Resource Manager's listing display names). */
  private regionNames?: Promise<Map<string, string>>;
  private subscriptionsInFlight?: { listing: Promise<AzureSubscription[]>; signal?: AbortSignal };

  constructor(options: AzureClientOptions) {
    this.limiter = new Limiter(options.concurrency ?? 8);
    this.clientOptions = {
      endpoint: options.endpoint,
      credentialScopes: [options.scope],
      tlsOptions: options.ca ? { ca: options.ca } : undefined,
      userAgentOptions: { userAgentPrefix: options.userAgent },
      retryOptions: { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 10_000 },
      allowInsecureConnection: isPlainHttpLoopback(options.endpoint),
    };
    const { credential } = options;
    this.credential = credential;
    this.sdk = (client) => allowPlainHttpLoopback(client, options.endpoint, credential, options.scope);
    this.subscriptions = this.sdk(new SubscriptionClient(credential, this.clientOptions));
    this.graph = new ClusterGraph(
      {
        endpoint: options.endpoint,
        scope: options.scope,
        credential,
        ca: options.ca,
        userAgent: options.userAgent,
        allowInsecureConnection: this.clientOptions.allowInsecureConnection ?? false,
      },
      this.sdk,
      (what, signal, task) => this.call(what, signal, task),
      (subscriptionId, signal) => this.regionDisplayNames(subscriptionId, signal),
    );
  }

  readonly createVirtualNetwork: AzureClient['createVirtualNetwork'] = async (...args) =>
    (await this.provision()).createVirtualNetwork(...args);
  readonly deleteVirtualNetwork: AzureClient['deleteVirtualNetwork'] = async (...args) =>
    (await this.provision()).deleteVirtualNetwork(...args);
  readonly listStorageAccounts: AzureClient['listStorageAccounts'] = async (...args) =>
    (await this.provision()).listStorageAccounts(...args);
  readonly checkStorageAccountName: AzureClient['checkStorageAccountName'] = async (...args) =>
    (await this.provision()).checkStorageAccountName(...args);
  readonly createStorageAccount: AzureClient['createStorageAccount'] = async (...args) =>
    (await this.provision()).createStorageAccount(...args);
  readonly storageAccountKey: AzureClient['storageAccountKey'] = async (...args) => (await this.provision()).storageAccountKey(...args);
  readonly deleteStorageAccount: AzureClient['deleteStorageAccount'] = async (...args) =>
    (await this.provision()).deleteStorageAccount(...args);

  listTenants(signal?: AbortSignal): Promise<AzureTenant[]> {
    return this.call('Listing your Azure tenants', signal, async () => {
      const tenants: AzureTenant[] = [];
      for await (const t of this.subscriptions.tenants.list({ abortSignal: signal })) {
        if (t.tenantId) tenants.push({ tenantId: t.tenantId, displayName: t.displayName, defaultDomain: t.defaultDomain });
      }
      return tenants;
    });
  }

  listSubscriptions(signal?: AbortSignal): Promise<AzureSubscription[]> {
    // Asked by several at once (the tree, and the region names beside its Resource Graph query): one request.
    const inFlight = this.subscriptionsInFlight;
    if (inFlight && inFlight.signal === signal && !signal?.aborted) return inFlight.listing;
    const listing = this.call('Listing your Azure subscriptions', signal, async () => {
      const result: AzureSubscription[] = [];
      for await (const s of this.subscriptions.subscriptions.list({ abortSignal: signal })) {
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
    });
    this.subscriptionsInFlight = { listing, signal };
    const done = (): void => {
      if (this.subscriptionsInFlight?.listing === listing) this.subscriptionsInFlight = undefined;
    };
    listing.then(done, done);
    return listing;
  }

  listClusters(subscriptionId: string, signal?: AbortSignal, continuationToken?: string): Promise<ClusterPage> {
    return this.call(`Listing the clusters of subscription ${subscriptionId}`, signal, async () => {
      const pages = this.hdinsightFor(subscriptionId).clusters.list({ abortSignal: signal }).byPage({ continuationToken });
      const next = await pages.next();
      if (next.done) return { clusters: [] };
      const page: Cluster[] = next.value;
      return { clusters: page.map(toCluster), continuationToken: getContinuationToken(page) };
    });
  }

  queryClusters(subscriptionIds: string[] | undefined, signal?: AbortSignal): Promise<ClusterQuery> {
    return this.graph.queryClusters(subscriptionIds, signal);
  }

  private regionDisplayNames(subscriptionId: string | undefined, signal?: AbortSignal): Promise<Map<string, string>> {
    if (!this.regionNames) {
      // Regions are the same for every subscription: any of the sign-in's will do.
      const some = subscriptionId ? Promise.resolve(subscriptionId) : this.listSubscriptions(signal).then((s) => s[0]?.subscriptionId);
      const names = some
        .then((id) => (id ? this.listLocations(id, signal) : []))
        .then((ls) => new Map(ls.map((l) => [l.name.toLowerCase(), l.displayName])));
      // A failed or cancelled ask is asked again next time.
      names.catch(() => (this.regionNames = undefined));
      this.regionNames = names;
    }
    return this.regionNames;
  }

  getCluster(clusterId: string, signal?: AbortSignal): Promise<HDInsightCluster> {
    const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
    return this.call(`Reading cluster ${name}`, signal, async () =>
      toCluster(await this.hdinsightFor(subscriptionId).clusters.get(resourceGroup, name, { abortSignal: signal })),
    );
  }

  getGatewayLogin(clusterId: string, signal?: AbortSignal): Promise<GatewayLogin | undefined> {
    const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
    return this.call(`Reading the login of cluster ${name}`, signal, async (): Promise<GatewayLogin | undefined> => {
      const settings = await this.hdinsightFor(subscriptionId).clusters.getGatewaySettings(resourceGroup, name, { abortSignal: signal });
      if (!settings.userName || !settings.password) return undefined; // Entra-user gateways have no password
      return { username: settings.userName, password: settings.password };
    });
  }

  async resizeCluster(clusterId: string, workerCount: number, options: LongRunning = {}): Promise<HDInsightCluster> {
    const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
    const client = this.hdinsightFor(subscriptionId);
    const { signal } = options;
    await this.operation(`Resizing cluster ${name}`, options, () =>
      client.clusters.beginResize(resourceGroup, name, 'workernode', { targetInstanceCount: workerCount }, { abortSignal: signal }),
    );
    return this.call(`Reading cluster ${name}`, signal, async () =>
      toCluster(await client.clusters.get(resourceGroup, name, { abortSignal: signal })),
    );
  }

  async deleteCluster(clusterId: string, options: LongRunning = {}): Promise<void> {
    const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
    await this.operation(`Deleting cluster ${name}`, options, () =>
      this.hdinsightFor(subscriptionId).clusters.beginDelete(resourceGroup, name, { abortSignal: options.signal }),
    );
  }

  listLocations(subscriptionId: string, signal?: AbortSignal): Promise<{ name: string; displayName: string }[]> {
    return this.call('Listing the Azure regions', signal, async () => {
      const result: { name: string; displayName: string }[] = [];
      for await (const l of this.subscriptions.subscriptions.listLocations(subscriptionId, { abortSignal: signal })) {
        if (l.name) result.push({ name: l.name, displayName: l.displayName ?? l.name });
      }
      return result.sort((a, b) => a.displayName.localeCompare(b.displayName));
    });
  }

  listResourceGroups(subscriptionId: string, signal?: AbortSignal): Promise<{ name: string; location: string }[]> {
    return this.call('Listing the resource groups', signal, async () => {
      const result: { name: string; location: string }[] = [];
      for await (const g of this.resourcesFor(subscriptionId).resourceGroups.list({ abortSignal: signal })) {
        if (g.name) result.push({ name: g.name, location: g.location });
      }
      return result.sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  createResourceGroup(subscriptionId: string, name: string, location: string, signal?: AbortSignal): Promise<void> {
    return this.call(`Creating resource group ${name}`, signal, async () => {
      await this.resourcesFor(subscriptionId).resourceGroups.createOrUpdate(name, { location }, { abortSignal: signal });
    });
  }

  checkClusterName(
    subscriptionId: string,
    location: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<{ available: boolean; message?: string }> {
    return this.call(`Checking the cluster name ${name}`, signal, async () => {
      const result = await this.hdinsightFor(subscriptionId).locations.checkNameAvailability(
        location,
        { name, type: 'clusters' },
        { abortSignal: signal },
      );
      return { available: result.nameAvailable !== false, message: result.message };
    });
  }

  validateCreate(
    subscriptionId: string,
    location: string,
    name: string,
    request: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<{ code: string; message: string }[]> {
    return this.call(`Validating cluster ${name}`, signal, async () => {
      const result = await this.hdinsightFor(subscriptionId).locations.validateClusterCreateRequest(
        location,
        { ...(request as ClusterCreateParametersExtended), name, type: 'clusters', fetchAaddsResource: false },
        { abortSignal: signal },
      );
      return (result.validationErrors ?? []).map((e) => ({ code: e.code ?? 'ValidationError', message: e.message ?? '' }));
    });
  }

  coreQuota(
    subscriptionId: string,
    location: string,
    signal?: AbortSignal,
  ): Promise<{ used: number; limit: number; coresOf: Map<string, number> }> {
    return this.call(`Reading the core quota in ${location}`, signal, async () => {
      const client = this.hdinsightFor(subscriptionId);
      const [usages, specs] = await Promise.all([
        client.locations.listUsages(location, { abortSignal: signal }),
        client.locations.listBillingSpecs(location, { abortSignal: signal }),
      ]);
      const cores = (usages.value ?? []).find((u) => u.name?.value?.toLowerCase() === 'cores');
      const coresOf = new Map(
        (specs.vmSizeProperties ?? []).filter((v) => v.name && v.cores).map((v) => [v.name!.toLowerCase(), v.cores!] as const),
      );
      return { used: cores?.currentValue ?? 0, limit: cores?.limit ?? Number.POSITIVE_INFINITY, coresOf };
    });
  }

  regionCapabilities(subscriptionId: string, location: string, signal?: AbortSignal): Promise<RegionCapabilities> {
    return this.call(`Reading what HDInsight offers in ${location}`, signal, async (): Promise<RegionCapabilities> => {
      const client = this.hdinsightFor(subscriptionId);
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
    });
  }

  async createCluster(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    request: Record<string, unknown>,
    options: LongRunning = {},
  ): Promise<HDInsightCluster> {
    const client = this.hdinsightFor(subscriptionId);
    const { signal } = options;
    await this.operation(`Creating cluster ${name}`, options, () =>
      client.clusters.beginCreate(resourceGroup, name, request, { abortSignal: signal }),
    );
    return this.call(`Reading cluster ${name}`, signal, async () =>
      toCluster(await client.clusters.get(resourceGroup, name, { abortSignal: signal })),
    );
  }

  private hdinsightFor(subscriptionId: string): HDInsightManagementClient {
    let client = this.hdinsight.get(subscriptionId);
    if (!client) {
      client = this.sdk(new HDInsightManagementClient(this.credential, subscriptionId, this.clientOptions));
      this.hdinsight.set(subscriptionId, client);
    }
    return client;
  }

  private resourcesFor(subscriptionId: string): ResourceManagementClient {
    let client = this.resources.get(subscriptionId);
    if (!client) {
      client = this.sdk(new ResourceManagementClient(this.credential, subscriptionId, this.clientOptions));
      this.resources.set(subscriptionId, client);
    }
    return client;
  }

  private async call<T>(what: string, signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    try {
      return await this.limiter.run(task, signal);
    } catch (err) {
      throw toAzureError(err, what);
    }
  }

  private provision(): Promise<Provisioning> {
    return (this.provisioning ??= import('../chunks/armProvisioning').then(
      (m) =>
        new m.SdkProvisioning(
          this.credential,
          this.clientOptions,
          (what, signal, task) => this.call(what, signal, task),
          this.operation,
          this.sdk,
        ),
    ));
  }
}
