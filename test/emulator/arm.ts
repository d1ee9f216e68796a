// The emulated Azure Resource Manager: tenants, subscriptions, resource groups and
// Microsoft.HDInsight clusters, shaped like the public REST specs (HDInsight 2021-06-01,
// subscriptions 2022-12-01, resources 2025-04-01) so that the real Azure SDK clients work
// against it over HTTPS. Every ARM request needs the development bearer token and an
// api-version; paths are matched case-insensitively as ARM does; lists are paged with absolute
// nextLinks; Resource Graph answers its query API (armGraph.ts). Faults (throttling, 500s, latency, drops) come from the generic Emulator.inject().
import crypto from 'node:crypto';
import { COMPONENTS, NODE_TYPES, RegionOffers, VM_SIZES } from './armCapabilities';
import { GRAPH_API_VERSIONS, ResourceGraphEmulator } from './armGraph';
import { ArmResources } from './armResources';
import { type Emulator, type EmulatorRequest, type EmulatorResponse, type Fault, errorResponse } from './server';

/** The fixed development bearer token the extension sends to a loopback endpoint. */
export const DEV_TOKEN = 'hdinsight-dev-token';

/** Who the emulator pretends the caller is (in 403 messages). */
export const DEV_USER = { upn: 'developer@contoso.onmicrosoft.com', objectId: '6b1d3a52-4f0e-4c6e-9d7a-2f1c8e5b9a10' };

export type ClusterKind = 'kafka' | 'spark' | 'hadoop' | 'interactivehive' | 'hbase';

export interface ClusterSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** A region name (`westeurope`) or display name (`West Europe`). */
  location: string;
  /** Stored and returned UPPER-CASE in clusterDefinition.kind. */
  kind: ClusterKind;
  /** Default 'Running'; others 'Accepted', 'Deleting', 'Error', 'InProgress'. */
  clusterState?: string;
  /** Default 'Succeeded'; e.g. 'InProgress', 'Failed'. */
  provisioningState?: string;
  /** Default 4 (kafka 3). */
  workerCount?: number;
  /** Default 'admin'. */
  gatewayUsername?: string;
  /** Default a generated strong password; getGatewaySettings returns it. */
  gatewayPassword?: string;
  /** As HDInsight sends it: ISO 8601 without a zone, e.g. '2024-05-03T09:12:44.187'. */
  createdDate?: string;
  /** Sets virtualNetworkProfile on every role. */
  vnet?: { id: string; subnet: string };
  /** Extra knobs (defaults in brackets). */
  tags?: Record<string, string>;
  clusterVersion?: string; // [5.1.3000.0]
  componentVersion?: Record<string, string>; // [per kind: Kafka 3.2, Spark 3.3, Hadoop 3.3, ...]
  headNodeSize?: string; // [Standard_E8_V3]
  workerNodeSize?: string; // [kafka Standard_D4_V2, others Standard_E8_V3]
  sshUsername?: string; // [sshuser]
  storageAccount?: string; // [derived from the name]
  errors?: { code: string; message: string }[];
  /** Where this emulator really serves the cluster's gateway and SSH, instead of *.azurehdinsight.net. */
  endpoints?: { gateway?: { host: string; port: number }; ssh?: { host: string; port: number } };
}

/** A cluster with every default filled in. */
export type ResolvedClusterSpec = Required<Omit<ClusterSpec, 'vnet' | 'errors' | 'endpoints'>> &
  Pick<ClusterSpec, 'vnet' | 'errors' | 'endpoints'>;

export interface TenantSpec {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
  domains?: string[];
  countryCode?: string;
  tenantCategory?: 'Home' | 'ProjectedBy' | 'ManagedBy';
}

export interface SubscriptionSpec {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  /** Enabled (default), Warned, PastDue, Disabled, Deleted. */
  state?: string;
  tags?: Record<string, string>;
}

export interface ResourceGroupSpec {
  subscriptionId: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
}

export interface ArmEmulatorOptions {
  /** Items per list page; default 10. */
  pageSize?: number;
}

/** API versions each resource provider accepts (as ARM checks them). */
export const API_VERSIONS = {
  hdinsight: [
    '2015-03-01-preview',
    '2018-06-01-preview',
    '2021-06-01',
    '2023-04-15-preview',
    '2023-08-15-preview',
    '2024-08-01-preview',
    '2025-01-15-preview',
  ],
  subscriptions: [
    '2014-04-01',
    '2015-11-01',
    '2016-06-01',
    '2018-06-01',
    '2019-06-01',
    '2019-11-01',
    '2020-01-01',
    '2021-01-01',
    '2022-01-01',
    '2022-09-01',
    '2022-12-01',
  ],
};

/** The regions the emulator knows: name -> display name (HDInsight answers with display names). */
export const REGIONS: Record<string, { displayName: string; geography: string; geographyGroup: string; pairedRegion: string }> = {
  westeurope: { displayName: 'West Europe', geography: 'Europe', geographyGroup: 'Europe', pairedRegion: 'northeurope' },
  northeurope: { displayName: 'North Europe', geography: 'Europe', geographyGroup: 'Europe', pairedRegion: 'westeurope' },
  uksouth: { displayName: 'UK South', geography: 'United Kingdom', geographyGroup: 'Europe', pairedRegion: 'ukwest' },
  swedencentral: { displayName: 'Sweden Central', geography: 'Sweden', geographyGroup: 'Europe', pairedRegion: 'swedensouth' },
  germanywestcentral: { displayName: 'Germany West Central', geography: 'Germany', geographyGroup: 'Europe', pairedRegion: 'germanynorth' },
  francecentral: { displayName: 'France Central', geography: 'France', geographyGroup: 'Europe', pairedRegion: 'francesouth' },
  eastus: { displayName: 'East US', geography: 'United States', geographyGroup: 'US', pairedRegion: 'westus' },
  eastus2: { displayName: 'East US 2', geography: 'United States', geographyGroup: 'US', pairedRegion: 'centralus' },
  centralus: { displayName: 'Central US', geography: 'United States', geographyGroup: 'US', pairedRegion: 'eastus2' },
  southcentralus: { displayName: 'South Central US', geography: 'United States', geographyGroup: 'US', pairedRegion: 'northcentralus' },
  westus: { displayName: 'West US', geography: 'United States', geographyGroup: 'US', pairedRegion: 'eastus' },
  westus2: { displayName: 'West US 2', geography: 'United States', geographyGroup: 'US', pairedRegion: 'westcentralus' },
  canadacentral: { displayName: 'Canada Central', geography: 'Canada', geographyGroup: 'Canada', pairedRegion: 'canadaeast' },
  southeastasia: { displayName: 'Southeast Asia', geography: 'Asia Pacific', geographyGroup: 'Asia Pacific', pairedRegion: 'eastasia' },
  japaneast: { displayName: 'Japan East', geography: 'Japan', geographyGroup: 'Asia Pacific', pairedRegion: 'japanwest' },
  australiaeast: {
    displayName: 'Australia East',
    geography: 'Australia',
    geographyGroup: 'Asia Pacific',
    pairedRegion: 'australiasoutheast',
  },
};

/** Cores per VM size (lower-case keys), for quotaInfo.coresUsed. */
export const VM_CORES: Record<string, number> = Object.fromEntries(Object.entries(VM_SIZES).map(([size, { cores }]) => [size, cores]));

const COMPONENT_VERSIONS = Object.fromEntries(
  Object.entries(COMPONENTS).map(([kind, [component, version]]) => [kind, { [component]: version }]),
) as Record<ClusterKind, Record<string, string>>;

interface SubscriptionRecord extends SubscriptionSpec {
  state: string;
}

/** The parts of a create request (ClusterCreateParametersExtended) the emulator reads. */
interface CreateBody {
  location?: string;
  tags?: Record<string, string>;
  properties?: {
    clusterVersion?: string;
    clusterDefinition?: { kind?: string; configurations?: { gateway?: Record<string, unknown> } };
    computeProfile?: {
      roles?: {
        name?: string;
        targetInstanceCount?: number;
        hardwareProfile?: { vmSize?: string };
        dataDisksGroups?: { disksPerNode?: number }[];
        osProfile?: { linuxOperatingSystemProfile?: { username?: string } };
        virtualNetworkProfile?: { id?: string; subnet?: string };
      }[];
    };
    storageProfile?: { storageaccounts?: { name?: string; isDefault?: boolean; key?: string }[] };
  };
}

interface Operation {
  status: 'InProgress' | 'Succeeded' | 'Failed';
  doneAt: number;
  failWith?: { code: string; message: string };
  error?: { code: string; message: string };
  asyncUrl: string;
  locationUrl: string;
  finish: () => void;
}

interface ClusterRecord {
  spec: ResolvedClusterSpec;
  etag: string;
  clusterId: string;
}

type ArmHandler = (req: EmulatorRequest, apiVersion: string) => EmulatorResponse;

const SUB = '(?<sub>[^/]+)';
const RG = '(?<rg>[^/]+)';
const CLUSTERS = 'providers/microsoft\\.hdinsight/clusters';

export class ArmEmulator {
  /** Cluster resource ids (any case) or subscription ids where getGatewaySettings answers 403, as for the Reader role. */
  readerOnly = new Set<string>();
  /** Items per list page; nextLinks are absolute (emulator.url) and carry api-version and $skiptoken. */
  pageSize: number;

  private readonly tenantStore = new Map<string, TenantSpec>();
  private readonly subscriptionStore = new Map<string, SubscriptionRecord>();
  private readonly groupStore = new Map<string, ResourceGroupSpec>();
  private readonly clusterStore = new Map<string, ClusterRecord>();
  private readonly operations = new Map<string, Operation>();
  /** How long a long-running operation runs before it ends (tests shorten or lengthen it). */
  operationMs = 2_500;
  /** How long a cluster's operations run, when not operationMs (a network and an account quick, the clusters slow). */
  clusterOperationMs?: number;
  /** The next long-running operation ends Failed with this error (one-shot). */
  failNextOperation?: { code: string; message: string };
  /** The next operation on the resource with this name (lower case) ends Failed with this error (one-shot). */
  readonly failOperationOf = new Map<string, { code: string; message: string }>();
  /** Virtual networks and storage accounts (the Spark + Kafka pair's other resources). */
  readonly resources: ArmResources;
  /** Azure Resource Graph's query API over the clusters, networks and accounts above. */
  readonly graph: ResourceGraphEmulator;
  /** Regional core quota per subscription (HDInsight's "cores" usage limit). */
  coreLimit = 200;
  /** Cluster names someone else takes right before our PUT (the race between validation and creation). */
  readonly takenBeforeCreate = new Set<string>();
  /** What each region offers (kinds, VM sizes); tests take some away. */
  readonly offers = new RegionOffers();

  constructor(
    private readonly emulator: Emulator,
    options: ArmEmulatorOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 10;
    this.resources = new ArmResources({
      url: () => this.emulator.url,
      hasGroup: (sub, rg) => this.groupStore.has(groupKey(sub, rg)),
      operationMs: () => this.operationMs,
      failureFor: (name) => this.takeFailure(name),
      subnetsInUse: () => this.clusters().flatMap((c) => (c.vnet ? [c.vnet.subnet] : [])),
      page: (req, apiVersion, items) => this.page(req, apiVersion, items),
    });
    this.graph = new ResourceGraphEmulator({
      subscriptions: () =>
        [...this.subscriptionStore.values()].filter((s) => s.state !== 'Deleted').map((s) => s.subscriptionId.toLowerCase()),
      resources: () => [...[...this.clusterStore.values()].map((c) => this.renderCluster(c)), ...this.resources.rendered()],
      regionName,
      tenantOf: (sub) => this.subscriptionStore.get(sub.toLowerCase())?.tenantId ?? '',
    });
    this.registerRoutes();
  }

  // ---- state -------------------------------------------------------------------------------

  addTenant(t: TenantSpec): void {
    this.tenantStore.set(t.tenantId.toLowerCase(), { ...t });
  }

  addSubscription(s: SubscriptionSpec): void {
    this.subscriptionStore.set(s.subscriptionId.toLowerCase(), { ...s, state: s.state ?? 'Enabled' });
  }

  /** Adds (or replaces) a resource group; clusters add theirs on their own. */
  addResourceGroup(g: ResourceGroupSpec): Record<string, unknown> {
    this.requireSubscription(g.subscriptionId);
    const group = { ...g, location: regionName(g.location) };
    this.groupStore.set(groupKey(g.subscriptionId, g.name), group);
    return this.renderGroup(group);
  }

  /** Adds (or replaces) a cluster; returns the ARM Cluster resource JSON as GET returns it. */
  addCluster(spec: ClusterSpec): Record<string, unknown> {
    this.requireSubscription(spec.subscriptionId);
    const resolved = resolveSpec(spec);
    const key = clusterKey(spec.subscriptionId, spec.resourceGroup, spec.name);
    const sameName = this.clusterByName(spec.name);
    if (sameName && clusterKey(sameName.subscriptionId, sameName.resourceGroup, sameName.name) !== key) {
      throw new Error(
        `Cluster names are global DNS names: '${spec.name}' already exists in ${sameName.subscriptionId}/${sameName.resourceGroup}`,
      );
    }
    if (!this.groupStore.has(groupKey(spec.subscriptionId, spec.resourceGroup))) {
      this.groupStore.set(groupKey(spec.subscriptionId, spec.resourceGroup), {
        subscriptionId: spec.subscriptionId,
        name: spec.resourceGroup,
        location: regionName(spec.location),
      });
    }
    const previous = this.clusterStore.get(key);
    const record: ClusterRecord = {
      spec: resolved,
      etag: crypto.randomUUID(),
      clusterId: previous?.clusterId ?? crypto.randomBytes(16).toString('hex'),
    };
    this.clusterStore.set(key, record);
    return this.renderCluster(record);
  }

  /** Changes a cluster in place (state transitions, resize...); returns the new resource JSON. */
  updateCluster(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    patch: Partial<Omit<ClusterSpec, 'subscriptionId' | 'resourceGroup' | 'name'>>,
  ): Record<string, unknown> {
    const record = this.clusterStore.get(clusterKey(subscriptionId, resourceGroup, name));
    if (!record) throw new Error(`No cluster ${subscriptionId}/${resourceGroup}/${name}`);
    record.spec = resolveSpec({ ...record.spec, ...patch });
    record.etag = crypto.randomUUID();
    return this.renderCluster(record);
  }

  removeCluster(subscriptionId: string, resourceGroup: string, name: string): void {
    this.clusterStore.delete(clusterKey(subscriptionId, resourceGroup, name));
  }

  /** The resource JSON of a cluster as GET returns it, or undefined. */
  getCluster(subscriptionId: string, resourceGroup: string, name: string): Record<string, unknown> | undefined {
    const record = this.clusterStore.get(clusterKey(subscriptionId, resourceGroup, name));
    return record && this.renderCluster(record);
  }

  /** A cluster's spec with every default filled in (gateway login included), by its globally unique name. */
  clusterByName(name: string): ResolvedClusterSpec | undefined {
    for (const record of this.clusterStore.values()) if (record.spec.name.toLowerCase() === name.toLowerCase()) return { ...record.spec };
    return undefined;
  }

  /** Every cluster, defaults filled in. */
  clusters(): ResolvedClusterSpec[] {
    return [...this.clusterStore.values()].map((r) => ({ ...r.spec }));
  }

  /** Throttles ARM the way it does (429, Retry-After, SubscriptionRequestsThrottled); returns the switch-off. */
  throttle(options: { times?: number; retryAfterSeconds?: number; path?: RegExp; method?: string } = {}): () => void {
    const fault: Fault = {
      path: options.path ?? /^\/(subscriptions|tenants)(\/|$)/i,
      method: options.method,
      times: options.times,
      respond: throttledResponse(options.retryAfterSeconds ?? 1),
    };
    return this.emulator.inject(fault);
  }

  // ---- routes ------------------------------------------------------------------------------

  private registerRoutes(): void {
    const route = (method: string, path: string, versions: string[] | undefined, handler: ArmHandler): void =>
      this.emulator.route(method, new RegExp(`^${path}/?$`, 'i'), (req) => this.handleArm(req, versions, handler));

    route('GET', '/tenants', API_VERSIONS.subscriptions, (req, v) =>
      this.page(
        req,
        v,
        [...this.tenantStore.values()].map((t) => renderTenant(t)),
      ),
    );
    route('GET', '/subscriptions', API_VERSIONS.subscriptions, (req, v) =>
      this.page(
        req,
        v,
        [...this.subscriptionStore.values()].filter((s) => s.state !== 'Deleted').map((s) => renderSubscription(s)),
      ),
    );
    route('GET', `/subscriptions/${SUB}`, API_VERSIONS.subscriptions, (req) => ({
      status: 200,
      body: renderSubscription(this.subscriptionStore.get(req.params.sub.toLowerCase())!),
    }));
    route('GET', `/subscriptions/${SUB}/locations`, API_VERSIONS.subscriptions, (req) => ({
      status: 200,
      body: { value: Object.keys(REGIONS).map((name) => renderLocation(req.params.sub, name)) },
    }));

    // Resource groups (Microsoft.Resources), any dated api-version.
    route('GET', `/subscriptions/${SUB}/resourcegroups`, undefined, (req, v) =>
      this.page(
        req,
        v,
        [...this.groupStore.values()].filter((g) => sameId(g.subscriptionId, req.params.sub)).map((g) => this.renderGroup(g)),
      ),
    );
    route('GET', `/subscriptions/${SUB}/resourcegroups/${RG}`, undefined, (req) => {
      const group = this.groupStore.get(groupKey(req.params.sub, req.params.rg));
      return group ? { status: 200, body: this.renderGroup(group) } : resourceGroupNotFound(req.params.rg);
    });
    route('HEAD', `/subscriptions/${SUB}/resourcegroups/${RG}`, undefined, (req) => ({
      status: this.groupStore.has(groupKey(req.params.sub, req.params.rg)) ? 204 : 404,
    }));
    route('PUT', `/subscriptions/${SUB}/resourcegroups/${RG}`, undefined, (req) => this.putGroup(req));

    // Microsoft.Network virtual networks and Microsoft.Storage accounts.
    this.resources.register(route);

    // Azure Resource Graph's query over every resource of the subscriptions asked for.
    route('POST', '/providers/microsoft\\.resourcegraph/resources', GRAPH_API_VERSIONS, (req, v) => this.graph.handle(req, v));

    // Microsoft.HDInsight clusters.
    route('GET', `/subscriptions/${SUB}/${CLUSTERS}`, API_VERSIONS.hdinsight, (req, v) =>
      this.page(
        req,
        v,
        [...this.clusterStore.values()].filter((c) => sameId(c.spec.subscriptionId, req.params.sub)).map((c) => this.renderCluster(c)),
      ),
    );
    route('GET', `/subscriptions/${SUB}/resourcegroups/${RG}/${CLUSTERS}`, API_VERSIONS.hdinsight, (req, v) => {
      if (!this.groupStore.has(groupKey(req.params.sub, req.params.rg))) return resourceGroupNotFound(req.params.rg);
      return this.page(
        req,
        v,
        [...this.clusterStore.values()]
          .filter((c) => sameId(c.spec.subscriptionId, req.params.sub) && sameId(c.spec.resourceGroup, req.params.rg))
          .map((c) => this.renderCluster(c)),
      );
    });
    route('GET', `/subscriptions/${SUB}/resourcegroups/${RG}/${CLUSTERS}/(?<name>[^/]+)`, API_VERSIONS.hdinsight, (req) => {
      const found = this.findCluster(req);
      return 'status' in found ? found : { status: 200, body: this.renderCluster(found) };
    });
    route(
      'POST',
      `/subscriptions/${SUB}/resourcegroups/${RG}/${CLUSTERS}/(?<name>[^/]+)/getgatewaysettings`,
      API_VERSIONS.hdinsight,
      (req) => {
        const found = this.findCluster(req);
        if ('status' in found) return found;
        const denied = this.readerDenied(found, 'Microsoft.HDInsight/clusters/getGatewaySettings/action');
        if (denied) return denied;
        return {
          status: 200,
          body: {
            'restAuthCredential.isEnabled': 'true',
            'restAuthCredential.username': found.spec.gatewayUsername,
            'restAuthCredential.password': found.spec.gatewayPassword,
          },
        };
      },
    );

    // Creating: name availability, request validation, usages, capabilities, billing specs, and
    // the PUT itself, answered with the cluster in Accepted state and an Azure-AsyncOperation.
    const LOC = `/subscriptions/${SUB}/providers/microsoft\\.hdinsight/locations/(?<loc>[^/]+)`;
    route('POST', `${LOC}/checknameavailability`, API_VERSIONS.hdinsight, (req) => {
      const { name } = JSON.parse(req.body || '{}') as { name?: string };
      // takenBeforeCreate stays free here: someone takes it between this check and our PUT.
      const taken = !!name && !!this.clusterByName(name);
      return {
        status: 200,
        body: taken
          ? { nameAvailable: false, reason: 'AlreadyExists', message: `The name '${name}' is already in use.` }
          : { nameAvailable: true },
      };
    });
    route('POST', `${LOC}/validatecreaterequest`, API_VERSIONS.hdinsight, (req) => {
      const body = JSON.parse(req.body || '{}') as CreateBody & { name?: string };
      const errors = this.createErrors(req.params.sub, regionName(req.params.loc), body);
      if (body.name && this.clusterByName(body.name))
        errors.push({ code: 'ClusterNameUnavailable', message: `Cluster name '${body.name}' is not available.` });
      return {
        status: 200,
        body: {
          validationErrors: errors.map((e) => ({ code: e.code, message: e.message, errorResource: '', messageArguments: [] })),
          validationWarnings: [],
          estimatedCreationDuration: 'PT20M',
          aaddsResourcesDetails: [],
        },
      };
    });
    route('GET', `${LOC}/usages`, API_VERSIONS.hdinsight, (req) => ({
      status: 200,
      body: {
        value: [
          {
            unit: 'Count',
            currentValue: this.coresUsed(req.params.sub, regionName(req.params.loc)),
            limit: this.coreLimit,
            name: { value: 'cores', localizedValue: 'Cores' },
          },
        ],
      },
    }));
    route('GET', `${LOC}/billingspecs`, API_VERSIONS.hdinsight, (req) => {
      const region = regionName(req.params.loc);
      return { status: 200, body: this.offers.billingSpecs(region, REGIONS[region]?.displayName ?? req.params.loc) };
    });
    route('GET', `${LOC}/capabilities`, API_VERSIONS.hdinsight, (req) => {
      const region = regionName(req.params.loc);
      return {
        status: 200,
        body: this.offers.capabilities(
          region,
          Object.values(REGIONS).map((r) => r.displayName),
          { coresUsed: this.coresUsed(req.params.sub, region), maxCoresAllowed: this.coreLimit },
        ),
      };
    });
    route('PUT', `/subscriptions/${SUB}/resourcegroups/${RG}/${CLUSTERS}/(?<name>[^/]+)`, API_VERSIONS.hdinsight, (req, v) => {
      const { sub, rg, name } = req.params;
      if (!this.groupStore.has(groupKey(sub, rg))) return resourceGroupNotFound(rg);
      const existing = this.clusterByName(name);
      if (existing || this.takenBeforeCreate.has(name.toLowerCase())) {
        return errorResponse(409, 'ClusterNameUnavailable', `Cluster name '${name}' is not available. Please choose a different name.`);
      }
      const body = JSON.parse(req.body || '{}') as CreateBody;
      const location = regionName(body.location ?? '');
      const [problem] = this.createErrors(sub, location, body);
      if (problem) return errorResponse(400, problem.code, problem.message);
      const roles = body.properties!.computeProfile!.roles!;
      const role = (n: string) => roles.find((r) => r.name?.toLowerCase() === n);
      const gateway = body.properties!.clusterDefinition!.configurations?.gateway ?? {};
      const vnet = role('headnode')?.virtualNetworkProfile;
      this.addCluster({
        subscriptionId: sub,
        resourceGroup: rg,
        name,
        location,
        kind: body.properties!.clusterDefinition!.kind!.toLowerCase() as ClusterKind,
        clusterState: 'Accepted',
        provisioningState: 'InProgress',
        workerCount: role('workernode')!.targetInstanceCount!,
        headNodeSize: role('headnode')?.hardwareProfile?.vmSize,
        workerNodeSize: role('workernode')?.hardwareProfile?.vmSize,
        gatewayUsername: String(gateway['restAuthCredential.username']),
        gatewayPassword: String(gateway['restAuthCredential.password']),
        sshUsername: role('headnode')?.osProfile?.linuxOperatingSystemProfile?.username,
        storageAccount: body.properties!.storageProfile?.storageaccounts?.[0]?.name?.split('.')[0],
        vnet: vnet?.id && vnet.subnet ? { id: vnet.id, subnet: vnet.subnet } : undefined,
        tags: body.tags,
      });
      const record = this.clusterStore.get(clusterKey(sub, rg, name))!;
      const op = this.startOperation(record, v, {
        succeed: (r) => (r.spec = { ...r.spec, clusterState: 'Running', provisioningState: 'Succeeded' }),
        fail: (r) => (r.spec = { ...r.spec, clusterState: 'Error', provisioningState: 'Failed', errors: [op.failWith!] }),
      });
      return { status: 200, headers: { 'azure-asyncoperation': op.asyncUrl, 'retry-after': '1' }, body: this.renderCluster(record) };
    });

    // Long-running operations as HDInsight runs them: resize answers 202 with Azure-AsyncOperation
    // (and Location), delete 202 with Location only; both carry Retry-After.
    route(
      'POST',
      `/subscriptions/${SUB}/resourcegroups/${RG}/${CLUSTERS}/(?<name>[^/]+)/roles/(?<role>[^/]+)/resize`,
      API_VERSIONS.hdinsight,
      (req, v) => {
        const found = this.findCluster(req);
        if ('status' in found) return found;
        const denied = this.readerDenied(found, 'Microsoft.HDInsight/clusters/roles/resize/action');
        if (denied) return denied;
        if (req.params.role.toLowerCase() !== 'workernode') {
          return errorResponse(400, 'InvalidRequestContent', `Role '${req.params.role}' cannot be resized; only 'workernode' can.`);
        }
        const { targetInstanceCount } = JSON.parse(req.body || '{}') as { targetInstanceCount?: unknown };
        if (!Number.isInteger(targetInstanceCount) || (targetInstanceCount as number) < 1) {
          return errorResponse(400, 'InvalidRequestContent', 'targetInstanceCount must be a whole number of at least 1.');
        }
        if (!/^running$/i.test(found.spec.clusterState) || !/^succeeded$/i.test(found.spec.provisioningState)) {
          return errorResponse(
            409,
            'ClusterNotReady',
            `The cluster '${found.spec.name}' is ${found.spec.clusterState} and cannot be resized now.`,
          );
        }
        found.spec = { ...found.spec, provisioningState: 'InProgress' };
        const count = targetInstanceCount as number;
        const op = this.startOperation(found, v, {
          succeed: (record) => (record.spec = { ...record.spec, workerCount: count, provisioningState: 'Succeeded' }),
          fail: (record) => (record.spec = { ...record.spec, provisioningState: 'Succeeded' }),
        });
        return { status: 202, headers: { 'azure-asyncoperation': op.asyncUrl, location: op.locationUrl, 'retry-after': '1' } };
      },
    );
    route('DELETE', `/subscriptions/${SUB}/resourcegroups/${RG}/${CLUSTERS}/(?<name>[^/]+)`, API_VERSIONS.hdinsight, (req, v) => {
      const found = this.findCluster(req);
      // Deleting what is not there succeeds at once; a missing resource group does not.
      if ('status' in found)
        return (found.body as { error?: { code?: string } }).error?.code === 'ResourceNotFound' ? { status: 204 } : found;
      const denied = this.readerDenied(found, 'Microsoft.HDInsight/clusters/delete');
      if (denied) return denied;
      found.spec = { ...found.spec, clusterState: 'Deleting', provisioningState: 'Deleting' };
      const op = this.startOperation(found, v, {
        succeed: (record) => this.clusterStore.delete(clusterKey(record.spec.subscriptionId, record.spec.resourceGroup, record.spec.name)),
        fail: (record) => (record.spec = { ...record.spec, clusterState: 'Error', provisioningState: 'Failed' }),
      });
      return { status: 202, headers: { location: op.locationUrl, 'retry-after': '1' } };
    });
    route(
      'GET',
      `/subscriptions/${SUB}/providers/microsoft\\.hdinsight/locations/(?<loc>[^/]+)/azureasyncoperations/(?<op>[^/]+)`,
      API_VERSIONS.hdinsight,
      (req) => {
        const op = this.pollOperation(req.params.op);
        if (!op) return errorResponse(404, 'OperationNotFound', `No operation ${req.params.op}.`);
        const body = op.status === 'Failed' ? { status: 'Failed', error: op.error } : { status: op.status };
        return { status: 200, headers: op.status === 'InProgress' ? { 'retry-after': '1' } : {}, body };
      },
    );
    route(
      'GET',
      `/subscriptions/${SUB}/providers/microsoft\\.hdinsight/locations/(?<loc>[^/]+)/operationresults/(?<op>[^/]+)`,
      API_VERSIONS.hdinsight,
      (req) => {
        const op = this.pollOperation(req.params.op);
        if (!op) return errorResponse(404, 'OperationNotFound', `No operation ${req.params.op}.`);
        if (op.status === 'InProgress') return { status: 202, headers: { location: op.locationUrl, 'retry-after': '1' } };
        if (op.status === 'Failed') return errorResponse(400, op.error!.code, op.error!.message);
        return { status: 204 };
      },
    );
  }

  /** A failure asked for the operation on this resource, or the one asked for the next operation (both one-shot). */
  private takeFailure(name: string): { code: string; message: string } | undefined {
    const named = this.failOperationOf.get(name.toLowerCase());
    if (named) {
      this.failOperationOf.delete(name.toLowerCase());
      return named;
    }
    const next = this.failNextOperation;
    this.failNextOperation = undefined;
    return next;
  }

  /** Cores the clusters of a subscription use in a region. */
  private coresUsed(subscriptionId: string, location: string): number {
    return this.clusters()
      .filter((c) => sameId(c.subscriptionId, subscriptionId) && regionName(c.location) === location)
      .reduce((sum, c) => sum + 2 * coresOf(c.headNodeSize) + c.workerCount * coresOf(c.workerNodeSize) + 3 * 2, 0);
  }

  /** What HDInsight refuses in a create request, in its words. */
  private createErrors(subscriptionId: string, location: string, body: CreateBody): { code: string; message: string }[] {
    const errors: { code: string; message: string }[] = [];
    const p = body.properties;
    const kind = p?.clusterDefinition?.kind?.toLowerCase();
    if (!kind || !['kafka', 'spark', 'hadoop', 'hbase', 'interactivehive'].includes(kind)) {
      errors.push({ code: 'InvalidClusterType', message: `Cluster type '${p?.clusterDefinition?.kind ?? ''}' is not supported.` });
    }
    if (p?.clusterVersion && !/^5\.1(\.|$)/.test(p.clusterVersion)) {
      errors.push({
        code: 'InvalidClusterVersion',
        message: `Cluster version '${p.clusterVersion}' is not supported. Supported versions: 5.1.`,
      });
    }
    const roles = p?.computeProfile?.roles ?? [];
    const known = kind && kind in COMPONENTS ? (kind as ClusterKind) : undefined;
    if (known && !this.offers.kindsIn(location).includes(known)) {
      errors.push({
        code: 'InvalidClusterType',
        message: `Cluster type '${p?.clusterDefinition?.kind ?? ''}' is not available in region '${REGIONS[location]?.displayName ?? location}'.`,
      });
    }
    for (const r of roles) {
      const size = r.hardwareProfile?.vmSize;
      if (!known || !size || !r.name || !NODE_TYPES[r.name.toLowerCase()]) continue;
      if (!this.offers.sizeAllowed(location, known, r.name, size)) {
        errors.push({
          code: 'InvalidVmSize',
          message: `The VM size '${size}' is not supported for role '${r.name}' of cluster type '${known}' in region '${REGIONS[location]?.displayName ?? location}'.`,
        });
      }
    }
    for (const needed of ['headnode', 'workernode', 'zookeepernode']) {
      if (!roles.some((r) => r.name?.toLowerCase() === needed))
        errors.push({ code: 'InvalidComputeProfile', message: `The role '${needed}' is missing.` });
    }
    const workers = roles.find((r) => r.name?.toLowerCase() === 'workernode');
    if (kind === 'kafka' && !(workers?.dataDisksGroups?.[0]?.disksPerNode ?? 0)) {
      errors.push({ code: 'InvalidDataDisksGroups', message: 'Kafka worker nodes need dataDisksGroups with disksPerNode of at least 1.' });
    }
    const gateway = p?.clusterDefinition?.configurations?.gateway ?? {};
    const given = gateway['restAuthCredential.password'];
    const password = typeof given === 'string' ? given : '';
    if (
      password.length < 10 ||
      !/\d/.test(password) ||
      !/[A-Z]/.test(password) ||
      !/[a-z]/.test(password) ||
      !/[^a-zA-Z0-9]/.test(password)
    ) {
      errors.push({ code: 'InvalidGatewayPassword', message: 'The cluster login password does not meet the complexity requirements.' });
    }
    errors.push(...networkShapeErrors(subscriptionId, roles));
    // Every role's subnet must exist, in a virtual network of the cluster's region (checked once the shape is right).
    for (const r of errors.some((e) => e.code === 'InvalidNetworkConfiguration') ? [] : roles) {
      const profile = r.virtualNetworkProfile;
      if (!profile?.id) continue;
      const vnet = this.resources.vnet(profile.id);
      const subnet = profile.subnet?.split('/').pop() ?? '';
      if (!vnet) {
        // In HDInsight's words for a network it cannot find (a template that made it too late saw this).
        errors.push({
          code: 'InvalidNetworkConfiguration',
          message: `Virtual network validation failed due to user error. Validation Report: Virtual network GUID ${profile.id} provided by the user doesn't belong to user subscription ${subscriptionId}.`,
        });
      } else if (vnet.location !== location) {
        errors.push({
          code: 'InvalidNetworkConfiguration',
          message: `The virtual network location '${vnet.location}' does not match the cluster location '${location}'.`,
        });
      } else if (!profile.subnet?.toLowerCase().startsWith(`${profile.id.toLowerCase()}/subnets/`) || !vnet.subnets.includes(subnet)) {
        errors.push({
          code: 'InvalidNetworkConfiguration',
          message: `The subnet '${profile.subnet ?? ''}' of role '${r.name}' does not exist.`,
        });
      }
      if (errors.some((e) => e.code === 'InvalidNetworkConfiguration')) break;
    }
    if (!p?.storageProfile?.storageaccounts?.some((a) => a.isDefault)) {
      errors.push({ code: 'InvalidStorageProfile', message: 'A default storage account is required.' });
    }
    // Accounts this emulator holds are checked as HDInsight does: the key must open it, and it must be in the cluster's region.
    for (const a of p?.storageProfile?.storageaccounts ?? []) {
      const name = /^([a-z0-9]+)\.blob\./.exec(a.name ?? '')?.[1];
      // A blob account is opened with its key: none is no way in, whichever account it is.
      if (name && !a.key) {
        errors.push({ code: 'InvalidStorageAccountKey', message: `The key of storage account '${name}' is missing.` });
        continue;
      }
      const account = name ? this.resources.account(name) : undefined;
      if (!name || !account) continue;
      if (!this.resources.keyOpens(name, a.key ?? '')) {
        errors.push({ code: 'InvalidStorageAccountKey', message: `The key of storage account '${name}' is not valid.` });
      } else if (account.location !== location) {
        errors.push({
          code: 'StorageAccountLocationMismatch',
          message: `Storage account '${name}' is in '${account.location}'; the default storage must be in the cluster's region '${location}'.`,
        });
      }
    }
    const cores = roles.reduce((sum, r) => sum + (r.targetInstanceCount ?? 0) * coresOf(r.hardwareProfile?.vmSize ?? ''), 0);
    const used = this.coresUsed(subscriptionId, location);
    if (used + cores > this.coreLimit) {
      errors.push({
        code: 'QuotaExceeded',
        message: `This operation requires ${cores} cores in ${location}; ${used} of the subscription's ${this.coreLimit} are in use. Request a quota increase or choose smaller sizes.`,
      });
    }
    return errors;
  }

  /** ARM's 403 for a caller with only the Reader role on the cluster or its subscription. */
  private readerDenied(record: ClusterRecord, action: string): EmulatorResponse | undefined {
    const id = clusterId(record.spec).toLowerCase();
    const reader = [...this.readerOnly].some((k) => k.toLowerCase() === id || k.toLowerCase() === record.spec.subscriptionId.toLowerCase());
    if (!reader) return undefined;
    return errorResponse(
      403,
      'AuthorizationFailed',
      `The client '${DEV_USER.upn}' with object id '${DEV_USER.objectId}' does not have authorization to perform action ` +
        `'${action}' over scope '${clusterId(record.spec)}' or the scope is invalid. ` +
        'If access was recently granted, please refresh your credentials.',
    );
  }

  private startOperation(
    record: ClusterRecord,
    apiVersion: string,
    outcome: { succeed: (r: ClusterRecord) => void; fail: (r: ClusterRecord) => void },
  ): Operation {
    const id = crypto.randomUUID();
    const location = regionName(record.spec.location);
    const base = `${this.emulator.url}/subscriptions/${record.spec.subscriptionId}/providers/Microsoft.HDInsight/locations/${location}`;
    const op: Operation = {
      status: 'InProgress',
      doneAt: Date.now() + (this.clusterOperationMs ?? this.operationMs),
      failWith: this.takeFailure(record.spec.name),
      asyncUrl: `${base}/azureasyncoperations/${id}?api-version=${apiVersion}`,
      locationUrl: `${base}/operationresults/${id}?api-version=${apiVersion}`,
      finish: () => (op.failWith ? outcome.fail(record) : outcome.succeed(record)),
    };
    record.etag = crypto.randomUUID();
    this.operations.set(id, op);
    return op;
  }

  /** The operation, brought up to date: it ends once its time has come. */
  private pollOperation(id: string): Operation | undefined {
    const op = this.operations.get(id);
    if (op && op.status === 'InProgress' && Date.now() >= op.doneAt) {
      op.finish();
      op.status = op.failWith ? 'Failed' : 'Succeeded';
      op.error = op.failWith;
    }
    return op;
  }

  /** Authentication, api-version and subscription checks in ARM's order, then the handler. */
  private handleArm(req: EmulatorRequest, versions: string[] | undefined, handler: ArmHandler): EmulatorResponse {
    // Azure runs operations whether or not anyone polls them: what is due ends before any answer.
    for (const id of this.operations.keys()) this.pollOperation(id);
    const response = this.checkArm(req, versions) ?? handler(req, queryParam(req.url, 'api-version')!);
    const requestId = crypto.randomUUID();
    return {
      ...response,
      headers: {
        'x-ms-request-id': requestId,
        'x-ms-correlation-request-id': requestId,
        'cache-control': 'no-cache',
        ...(req.params.sub ? { 'x-ms-ratelimit-remaining-subscription-reads': '249' } : {}),
        ...response.headers,
      },
    };
  }

  private checkArm(req: EmulatorRequest, versions: string[] | undefined): EmulatorResponse | undefined {
    const authorization = req.headers.authorization;
    if (!authorization) {
      return unauthorized(
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        "The authentication failed because of missing 'Authorization' header.",
      );
    }
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!token) {
      return unauthorized(
        'AuthenticationFailedInvalidHeader',
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        "The 'Authorization' header is invalid.",
      );
    }
    if (token !== DEV_TOKEN)
      return unauthorized('InvalidAuthenticationToken', 'The access token is invalid.', 'The access token is invalid.');

    const apiVersion = queryParam(req.url, 'api-version');
    if (!apiVersion) {
      return errorResponse(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) {
      return errorResponse(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid.`);
    }
    if (versions && !versions.includes(apiVersion)) {
      if (versions === API_VERSIONS.hdinsight) {
        return errorResponse(
          400,
          'NoRegisteredProviderFound',
          `No registered resource provider found for API version '${apiVersion}' for type 'clusters'. The supported api-versions are '${versions.join(', ')}'.`,
        );
      }
      return errorResponse(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${apiVersion}' is invalid. The supported versions are '${versions.join(',')}'.`,
      );
    }
    const sub = req.params.sub;
    if (sub && !this.subscriptionStore.has(sub.toLowerCase())) {
      return errorResponse(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
    }
    return undefined;
  }

  /** One page of a list, with an absolute nextLink carrying api-version and $skiptoken. */
  private page(req: EmulatorRequest, apiVersion: string, items: unknown[]): EmulatorResponse {
    const skipToken = queryParam(req.url, '$skiptoken');
    let offset = 0;
    if (skipToken) {
      const decoded = /^offset:(\d+)$/.exec(Buffer.from(skipToken, 'base64url').toString('utf8'));
      if (!decoded) return errorResponse(400, 'InvalidSkipToken', `The skip token '${skipToken}' is invalid.`);
      offset = Number(decoded[1]);
    }
    const size = Math.max(1, this.pageSize);
    const body: { value: unknown[]; nextLink?: string } = { value: items.slice(offset, offset + size) };
    if (offset + size < items.length) {
      const token = Buffer.from(`offset:${offset + size}`).toString('base64url');
      body.nextLink = `${this.emulator.url}${req.url.pathname}?api-version=${apiVersion}&$skiptoken=${token}`;
    }
    return { status: 200, body };
  }

  private putGroup(req: EmulatorRequest): EmulatorResponse {
    const { sub, rg } = req.params;
    if (!/^[-\w.()]{1,90}$/.test(rg) || rg.endsWith('.')) {
      return errorResponse(400, 'InvalidResourceGroupName', `The resource group name '${rg}' is invalid.`);
    }
    let body: { location?: unknown; tags?: unknown };
    try {
      body = JSON.parse(req.body || '{}') as typeof body;
    } catch {
      return errorResponse(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
    }
    if (typeof body.location !== 'string' || !body.location) {
      return errorResponse(400, 'LocationRequired', 'The location property is required for this definition.');
    }
    const location = regionName(body.location);
    const existing = this.groupStore.get(groupKey(sub, rg));
    if (existing && existing.location !== location) {
      return errorResponse(
        409,
        'InvalidResourceGroupLocation',
        `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`,
      );
    }
    const group: ResourceGroupSpec = {
      subscriptionId: existing?.subscriptionId ?? sub,
      name: existing?.name ?? rg,
      location,
      tags: (body.tags as Record<string, string> | undefined) ?? existing?.tags,
    };
    this.groupStore.set(groupKey(sub, rg), group);
    return { status: existing ? 200 : 201, body: this.renderGroup(group) };
  }

  private findCluster(req: EmulatorRequest): ClusterRecord | EmulatorResponse {
    const { sub, rg, name } = req.params;
    if (!this.groupStore.has(groupKey(sub, rg))) return resourceGroupNotFound(rg);
    const record = this.clusterStore.get(clusterKey(sub, rg, name));
    if (record) return record;
    return errorResponse(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.HDInsight/clusters/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }

  private requireSubscription(subscriptionId: string): void {
    if (!this.subscriptionStore.has(subscriptionId.toLowerCase())) {
      throw new Error(`Add subscription ${subscriptionId} (addSubscription) before its resources`);
    }
  }

  // ---- rendering ---------------------------------------------------------------------------

  private renderGroup(g: ResourceGroupSpec): Record<string, unknown> {
    return {
      id: `/subscriptions/${g.subscriptionId}/resourceGroups/${g.name}`,
      name: g.name,
      type: 'Microsoft.Resources/resourceGroups',
      location: g.location,
      ...(g.tags ? { tags: g.tags } : {}),
      properties: { provisioningState: 'Succeeded' },
    };
  }

  private renderCluster(record: ClusterRecord): Record<string, unknown> {
    const s = record.spec;
    const vnetProfile = s.vnet ? { virtualNetworkProfile: { id: s.vnet.id, subnet: s.vnet.subnet } } : {};
    const osProfile = { linuxOperatingSystemProfile: { username: s.sshUsername } };
    const roles: Record<string, unknown>[] = [
      { name: 'headnode', targetInstanceCount: 2, hardwareProfile: { vmSize: s.headNodeSize }, osProfile, ...vnetProfile },
      {
        name: 'workernode',
        targetInstanceCount: s.workerCount,
        hardwareProfile: { vmSize: s.workerNodeSize },
        osProfile,
        ...vnetProfile,
        ...(s.kind === 'kafka' ? { dataDisksGroups: [{ disksPerNode: 2, storageAccountType: 'Standard_LRS', diskSizeGB: 1023 }] } : {}),
      },
      { name: 'zookeepernode', targetInstanceCount: 3, hardwareProfile: { vmSize: 'Standard_A2_V2' }, osProfile, ...vnetProfile },
    ];
    const coresUsed = roles.reduce(
      (sum, r) => sum + (r.targetInstanceCount as number) * vmCores((r.hardwareProfile as { vmSize: string }).vmSize),
      0,
    );
    const storageAccount = s.storageAccount;
    return {
      id: clusterId(s),
      name: s.name,
      type: 'Microsoft.HDInsight/clusters',
      location: REGIONS[regionName(s.location)]?.displayName ?? s.location,
      etag: record.etag,
      tags: { ...s.tags },
      properties: {
        clusterVersion: s.clusterVersion,
        osType: 'Linux',
        tier: 'Standard',
        clusterId: record.clusterId,
        clusterDefinition: {
          blueprint: `https://blueprints.azurehdinsight.net/${s.kind}-${s.clusterVersion}.2406230520.json`,
          kind: s.kind.toUpperCase(),
          componentVersion: { ...s.componentVersion },
        },
        computeProfile: { roles },
        provisioningState: s.provisioningState,
        clusterState: s.clusterState,
        createdDate: s.createdDate,
        quotaInfo: { coresUsed },
        ...(s.errors ? { errors: s.errors } : {}),
        connectivityEndpoints: [
          {
            name: 'SSH',
            protocol: 'TCP',
            location: s.endpoints?.ssh?.host ?? `${s.name}-ssh.azurehdinsight.net`,
            port: s.endpoints?.ssh?.port ?? 22,
          },
          {
            name: 'HTTPS',
            protocol: 'TCP',
            location: s.endpoints?.gateway?.host ?? `${s.name}.azurehdinsight.net`,
            port: s.endpoints?.gateway?.port ?? 443,
          },
        ],
        encryptionInTransitProperties: { isEncryptionInTransitEnabled: false },
        storageProfile: {
          storageaccounts: [
            {
              name: `${storageAccount}.blob.core.windows.net`,
              isDefault: true,
              container: s.name.toLowerCase(),
              resourceId: `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${storageAccount}`,
            },
          ],
        },
        minSupportedTlsVersion: '1.2',
        networkProperties: { resourceProviderConnection: 'Inbound', privateLink: 'Disabled' },
        computeIsolationProperties: { enableComputeIsolation: false },
      },
    };
  }
}

/**
 * What HDInsight refuses in the roles' virtualNetworkProfile before it looks the network up: ids
 * that are not a virtual network's and its subnet's, a network of another subscription, and roles
 * that do not all join the same subnet (or some none).
 */
function networkShapeErrors(
  subscriptionId: string,
  roles: { name?: string; virtualNetworkProfile?: { id?: string; subnet?: string } }[],
): { code: string; message: string }[] {
  const invalid = (message: string) => [{ code: 'InvalidNetworkConfiguration', message }];
  const profiles = roles.map((r) => ({
    role: r.name ?? '',
    id: r.virtualNetworkProfile?.id ?? '',
    subnet: r.virtualNetworkProfile?.subnet ?? '',
  }));
  const joining = profiles.filter((p) => p.id || p.subnet);
  if (joining.length === 0) return [];
  const outside = profiles.find((p) => !p.id && !p.subnet);
  if (outside) {
    return invalid(
      `All roles of a cluster must join the same subnet: role '${joining[0].role}' joins '${joining[0].subnet}', role '${outside.role}' none.`,
    );
  }
  for (const p of profiles) {
    const vnet = /^\/subscriptions\/([^/]+)\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i.exec(p.id);
    if (!vnet) return invalid(`The virtual network id '${p.id}' of role '${p.role}' is not the resource id of a virtual network.`);
    if (!sameId(vnet[1], subscriptionId)) {
      return invalid(
        `The virtual network '${p.id}' of role '${p.role}' is in subscription '${vnet[1]}'; a cluster's network must be in its own subscription '${subscriptionId}'.`,
      );
    }
    if (!new RegExp(`^${escapeRegExp(p.id)}/subnets/[^/]+$`, 'i').test(p.subnet)) {
      return invalid(`The subnet '${p.subnet}' of role '${p.role}' is not the resource id of a subnet of virtual network '${p.id}'.`);
    }
  }
  const [first] = profiles;
  const other = profiles.find((p) => !sameId(p.id, first.id) || !sameId(p.subnet, first.subnet));
  if (other) {
    return invalid(
      `All roles of a cluster must join the same subnet: role '${first.role}' joins '${first.subnet}', role '${other.role}' joins '${other.subnet}'.`,
    );
  }
  return [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A 429 the way ARM throttles reads. */
export function throttledResponse(retryAfterSeconds = 1): EmulatorResponse {
  return errorResponse(
    429,
    'SubscriptionRequestsThrottled',
    `Number of 'read' requests for subscription actually exceeded the limit of '250' for time interval '00:00:01'. Please try again after '${retryAfterSeconds}' seconds.`,
    { 'retry-after': String(retryAfterSeconds), 'x-ms-ratelimit-remaining-subscription-reads': '0' },
  );
}

/** The ARM resource id of a cluster. */
export function clusterId(s: Pick<ClusterSpec, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.HDInsight/clusters/${s.name}`;
}

/** A password that meets HDInsight's rules (10+ characters, upper, lower, digit, special). */
export function strongPassword(): string {
  return `Hdi-${crypto.randomBytes(12).toString('base64url')}-9a!`;
}

function resolveSpec(spec: ClusterSpec): ResolvedClusterSpec {
  const kind = spec.kind.toLowerCase() as ClusterKind;
  if (!(kind in COMPONENT_VERSIONS)) throw new Error(`Unknown cluster kind '${spec.kind}'`);
  return {
    ...spec,
    kind,
    location: regionName(spec.location),
    clusterState: spec.clusterState ?? 'Running',
    provisioningState: spec.provisioningState ?? 'Succeeded',
    workerCount: spec.workerCount ?? (kind === 'kafka' ? 3 : 4),
    gatewayUsername: spec.gatewayUsername ?? 'admin',
    gatewayPassword: spec.gatewayPassword ?? strongPassword(),
    createdDate: spec.createdDate ?? hdinsightDate(new Date()),
    tags: spec.tags ?? {},
    clusterVersion: spec.clusterVersion ?? '5.1.3000.0',
    componentVersion: spec.componentVersion ?? COMPONENT_VERSIONS[kind],
    headNodeSize: spec.headNodeSize ?? 'Standard_E8_V3',
    workerNodeSize: spec.workerNodeSize ?? (kind === 'kafka' ? 'Standard_D4_V2' : 'Standard_E8_V3'),
    sshUsername: spec.sshUsername ?? 'sshuser',
    storageAccount:
      spec.storageAccount ??
      `${spec.name
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .slice(0, 19)}store`,
  };
}

/** HDInsight's createdDate: ISO 8601 in UTC but without the 'Z'. */
export function hdinsightDate(d: Date): string {
  return d.toISOString().replace(/Z$/, '');
}

/** 'West Europe' or 'westeurope' -> 'westeurope'. */
function regionName(location: string): string {
  const name = location.toLowerCase().replace(/\s+/g, '');
  if (REGIONS[name]) return name;
  const byDisplay = Object.entries(REGIONS).find(([, r]) => r.displayName.toLowerCase() === location.toLowerCase());
  return byDisplay ? byDisplay[0] : name;
}

/** Cores of a VM size; an unknown size counts 8 (quota checks of user input must not throw). */
function coresOf(vmSize: string): number {
  return VM_CORES[vmSize.toLowerCase()] ?? 8;
}

function vmCores(vmSize: string): number {
  const cores = VM_CORES[vmSize.toLowerCase()];
  if (cores === undefined) throw new Error(`Unknown VM size '${vmSize}': add it to VM_CORES`);
  return cores;
}

function renderTenant(t: TenantSpec): Record<string, unknown> {
  return {
    id: `/tenants/${t.tenantId}`,
    tenantId: t.tenantId,
    countryCode: t.countryCode ?? 'US',
    displayName: t.displayName,
    domains: t.domains ?? [t.defaultDomain],
    tenantCategory: t.tenantCategory ?? 'Home',
    defaultDomain: t.defaultDomain,
    tenantType: 'AAD',
  };
}

function renderSubscription(s: SubscriptionRecord): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    ...(s.tags ? { tags: s.tags } : {}),
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

function renderLocation(subscriptionId: string, name: string): Record<string, unknown> {
  const r = REGIONS[name];
  return {
    id: `/subscriptions/${subscriptionId}/locations/${name}`,
    name,
    type: 'Region',
    displayName: r.displayName,
    regionalDisplayName: `(${r.geographyGroup}) ${r.displayName}`,
    metadata: {
      regionType: 'Physical',
      regionCategory: 'Recommended',
      geography: r.geography,
      geographyGroup: r.geographyGroup,
      pairedRegion: [{ name: r.pairedRegion, id: `/subscriptions/${subscriptionId}/locations/${r.pairedRegion}` }],
    },
  };
}

function unauthorized(code: string, message: string, description: string): EmulatorResponse {
  return errorResponse(401, code, message, {
    'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="${description}"`,
  });
}

function resourceGroupNotFound(rg: string): EmulatorResponse {
  return errorResponse(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
}

/** Query parameters: names compared case-insensitively, as ARM does. */
function queryParam(url: URL, name: string): string | undefined {
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === name) return value;
  return undefined;
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function groupKey(sub: string, rg: string): string {
  return `${sub}/${rg}`.toLowerCase();
}

function clusterKey(sub: string, rg: string, name: string): string {
  return `${sub}/${rg}/${name}`.toLowerCase();
}

// ---- the sandbox's world ---------------------------------------------------------------------

export interface SandboxSeed {
  tenants: TenantSpec[];
  subscriptions: SubscriptionSpec[];
  clusters: ResolvedClusterSpec[];
  /** Subscriptions where the signed-in user is only a Reader (getGatewaySettings answers 403). */
  readerOnly: string[];
}

/** Seeds a realistic set: 2 tenants, 3 subscriptions, clusters of kinds kafka/spark/hadoop in several states and regions. */
export function seedSandbox(arm: ArmEmulator): SandboxSeed {
  const contoso = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const fabrikam = 'c4a1e0c2-8d55-4c7b-9f0e-3b2d6a7e1f90';
  const tenants: TenantSpec[] = [
    {
      tenantId: contoso,
      displayName: 'Contoso',
      defaultDomain: 'contoso.onmicrosoft.com',
      domains: ['contoso.onmicrosoft.com', 'contoso.com'],
    },
    { tenantId: fabrikam, displayName: 'Fabrikam', defaultDomain: 'fabrikam.onmicrosoft.com' },
  ];
  const dev = '1f3c5b7a-2e4d-4f60-8a9b-0c1d2e3f4a5b';
  const prod = '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d';
  const fab = '3e2d1c0b-9a8f-4e7d-6c5b-4a3f2e1d0c9b';
  const subscriptions: SubscriptionSpec[] = [
    { subscriptionId: dev, displayName: 'Contoso Streaming Dev', tenantId: contoso },
    { subscriptionId: prod, displayName: 'Contoso Production', tenantId: contoso },
    { subscriptionId: fab, displayName: 'Fabrikam Analytics', tenantId: fabrikam },
  ];
  for (const t of tenants) arm.addTenant(t);
  for (const s of subscriptions) arm.addSubscription(s);

  // The tutorial's pair: Kafka and Spark in one virtual network, so Spark reaches the brokers.
  const vnetId = `/subscriptions/${dev}/resourceGroups/streaming-rg/providers/Microsoft.Network/virtualNetworks/streaming-vnet`;
  const vnet = { id: vnetId, subnet: `${vnetId}/subnets/default` };
  const specs: ClusterSpec[] = [
    {
      subscriptionId: dev,
      resourceGroup: 'streaming-rg',
      name: 'contoso-kafka',
      location: 'westeurope',
      kind: 'kafka',
      vnet,
      gatewayPassword: 'Sandbox-Kafka-1!',
      createdDate: '2025-04-02T08:15:31.427',
    },
    {
      subscriptionId: dev,
      resourceGroup: 'streaming-rg',
      name: 'contoso-spark',
      location: 'westeurope',
      kind: 'spark',
      vnet,
      gatewayPassword: 'Sandbox-Spark-1!',
      createdDate: '2025-04-02T08:17:02.910',
    },
    {
      subscriptionId: dev,
      resourceGroup: 'analytics-rg',
      name: 'contoso-spark-etl',
      location: 'northeurope',
      kind: 'spark',
      clusterState: 'Accepted',
      provisioningState: 'InProgress',
      gatewayPassword: 'Sandbox-Etl-1!',
    },
    {
      subscriptionId: dev,
      resourceGroup: 'analytics-rg',
      name: 'contoso-hadoop-old',
      location: 'northeurope',
      kind: 'hadoop',
      clusterState: 'Deleting',
      provisioningState: 'Deleting',
      gatewayPassword: 'Sandbox-Hadoop-1!',
      createdDate: '2023-11-20T14:02:11.003',
    },
    {
      subscriptionId: prod,
      resourceGroup: 'prod-streaming',
      name: 'contoso-prod-kafka',
      location: 'eastus',
      kind: 'kafka',
      workerCount: 5,
      gatewayPassword: 'Sandbox-Prod-1!',
      createdDate: '2024-09-12T10:44:05.120',
    },
    {
      subscriptionId: prod,
      resourceGroup: 'prod-streaming',
      name: 'contoso-prod-spark',
      location: 'eastus',
      kind: 'spark',
      clusterState: 'Error',
      provisioningState: 'Failed',
      gatewayPassword: 'Sandbox-Prod-2!',
      errors: [
        {
          code: 'InvalidNetworkConfigurationErrorCode',
          message: 'Virtual network configuration is not compatible with HDInsight requirements.',
        },
      ],
    },
    {
      subscriptionId: fab,
      resourceGroup: 'fabrikam-data',
      name: 'fabrikam-hadoop',
      location: 'westus2',
      kind: 'hadoop',
      gatewayPassword: 'Sandbox-Fab-1!',
      createdDate: '2024-06-30T19:20:48.555',
    },
    {
      subscriptionId: fab,
      resourceGroup: 'fabrikam-data',
      name: 'fabrikam-kafka',
      location: 'westus2',
      kind: 'kafka',
      clusterState: 'InProgress',
      provisioningState: 'InProgress',
      gatewayPassword: 'Sandbox-Fab-2!',
    },
  ];
  for (const spec of specs) arm.addCluster(spec);
  // Storage accounts to choose as a new cluster's default storage (one per region in use).
  arm.resources.addAccount({ subscriptionId: dev, resourceGroup: 'streaming-rg', name: 'contosodevlake', location: 'westeurope' });
  arm.resources.addAccount({ subscriptionId: dev, resourceGroup: 'analytics-rg', name: 'contosoetlstore', location: 'northeurope' });
  arm.resources.addAccount({ subscriptionId: prod, resourceGroup: 'prod-streaming', name: 'contosoprodstore', location: 'eastus' });
  arm.readerOnly.add(prod);
  return {
    tenants,
    subscriptions,
    clusters: specs.map((s) => arm.clusterByName(s.name)!),
    readerOnly: [prod],
  };
}
