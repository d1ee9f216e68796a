// The plain data the extension shows about Azure: mapped from Resource Manager's shapes once, here.
// Type-only imports of the SDK: nothing of it is loaded by this module.
import type { Cluster } from '@azure/arm-hdinsight';
import { redact } from '../core/redact';

export interface AzureTenant {
  tenantId: string;
  displayName?: string;
  defaultDomain?: string;
}

export interface AzureSubscription {
  subscriptionId: string;
  displayName: string;
  tenantId?: string;
  state?: string;
}

export interface ClusterRole {
  name: string;
  count: number;
  vmSize?: string;
  dataDisksPerNode?: number;
  subnet?: string;
}

export interface ClusterEndpoint {
  name: string;
  location: string;
  port?: number;
  protocol?: string;
}

export interface HDInsightCluster {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** Lower-case (Resource Manager answers upper-case). */
  kind: string;
  /** The main component's version, e.g. "3.2" for Kafka. */
  componentVersion?: string;
  clusterVersion?: string;
  state: string;
  provisioningState?: string;
  tier?: string;
  osType?: string;
  createdDate?: string;
  coresUsed?: number;
  roles: ClusterRole[];
  endpoints: ClusterEndpoint[];
  storage: { name: string; container?: string; fileSystem?: string; isDefault: boolean }[];
  network: { virtualNetwork?: string; subnet?: string; resourceProviderConnection?: string; privateLink?: string };
  errors: { code?: string; message?: string }[];
}

const kindLabels: Record<string, string> = {
  kafka: 'Kafka',
  spark: 'Spark',
  hadoop: 'Hadoop',
  hbase: 'HBase',
  interactivehive: 'Interactive Query',
  storm: 'Storm',
  mlservices: 'ML Services',
};

export function kindLabel(kind: string): string {
  return kindLabels[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** `Kafka 3.2 · Running · westeurope` */
export function clusterSummary(c: HDInsightCluster): string {
  const kind = [kindLabel(c.kind), c.componentVersion].filter(Boolean).join(' ');
  const provisioning = c.provisioningState ?? 'Succeeded';
  const showProvisioning = !/^succeeded$/i.test(provisioning) && provisioning.toLowerCase() !== c.state.toLowerCase();
  const state = showProvisioning ? `${c.state} (${provisioning})` : c.state;
  return [kind, state, c.location].join(' · ');
}

export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(id);
  if (!match) throw new Error(`Not a resource id: ${id}`);
  return { subscriptionId: match[1], resourceGroup: match[2], name: match[3] };
}

export function toCluster(resource: Cluster): HDInsightCluster {
  const p = resource.properties;
  const kind = (p?.clusterDefinition?.kind ?? 'unknown').toLowerCase();
  const components = p?.clusterDefinition?.componentVersion ?? {};
  const componentVersion = Object.entries(components).find(([name]) => name.toLowerCase() === kind)?.[1] ?? Object.values(components)[0];
  const { subscriptionId, resourceGroup } = parseResourceId(resource.id ?? '');
  const roles = (p?.computeProfile?.roles ?? []).map((r): ClusterRole => ({
    name: r.name ?? 'role',
    count: r.targetInstanceCount ?? 0,
    vmSize: r.hardwareProfile?.vmSize,
    dataDisksPerNode: r.dataDisksGroups?.[0]?.disksPerNode,
    subnet: r.virtualNetworkProfile?.subnet,
  }));
  const vnetRole = p?.computeProfile?.roles?.find((r) => r.virtualNetworkProfile?.id);
  return {
    id: resource.id ?? '',
    name: resource.name ?? '',
    subscriptionId,
    resourceGroup,
    location: resource.location ?? '',
    kind,
    componentVersion,
    clusterVersion: p?.clusterVersion,
    state: p?.clusterState ?? 'Unknown',
    provisioningState: p?.provisioningState,
    tier: p?.tier,
    osType: p?.osType,
    // Resource Manager writes it without a zone; it is UTC.
    createdDate: p?.createdDate && !/(Z|[+-]\d\d:?\d\d)$/.test(p.createdDate) ? `${p.createdDate}Z` : p?.createdDate,
    coresUsed: p?.quotaInfo?.coresUsed,
    roles,
    endpoints: (p?.connectivityEndpoints ?? [])
      .filter((e) => e.location)
      .map((e) => ({ name: e.name ?? '', location: e.location!, port: e.port, protocol: e.protocol })),
    storage: (p?.storageProfile?.storageaccounts ?? []).map((s) => ({
      name: s.name ?? '',
      container: s.container,
      fileSystem: s.fileSystem,
      isDefault: s.isDefault ?? false,
    })),
    network: {
      virtualNetwork: vnetRole?.virtualNetworkProfile?.id,
      subnet: vnetRole?.virtualNetworkProfile?.subnet,
      resourceProviderConnection: p?.networkProperties?.resourceProviderConnection,
      privateLink: p?.networkProperties?.privateLink,
    },
    errors: (p?.errors ?? []).map((e) => ({ code: e.code, message: e.message === undefined ? undefined : redact(e.message) })),
  };
}

/**
 * A row of Azure Resource Graph's Resources table as the cluster the Resource Manager listing
 * gives: Resource Graph keeps the resource provider's `properties` as they are; its `location` is
 * the region's name (the caller maps it to the display name Resource Manager writes). Undefined
 * for a row that is not an HDInsight cluster.
 */
export function fromResourceGraphRow(row: Record<string, unknown>): HDInsightCluster | undefined {
  if (typeof row.id !== 'string' || String(row.type).toLowerCase() !== 'microsoft.hdinsight/clusters') return undefined;
  try {
    parseResourceId(row.id);
  } catch {
    return undefined;
  }
  const resource = {
    id: row.id,
    name: typeof row.name === 'string' ? row.name : undefined,
    location: typeof row.location === 'string' ? row.location : undefined,
    properties: typeof row.properties === 'object' && row.properties !== null ? row.properties : undefined,
  } as Cluster;
  return toCluster(resource);
}

/** Running and fully provisioned: the only state in which the cluster's services answer. */
export function isRunning(cluster: HDInsightCluster): boolean {
  return cluster.state.toLowerCase() === 'running' && (cluster.provisioningState ?? 'Succeeded').toLowerCase() === 'succeeded';
}

/** The HTTPS gateway (Ambari, Livy, YARN, Spark history, Jupyter) of a cluster. */
export function gatewayUrl(cluster: HDInsightCluster, gatewaySuffix: string): URL {
  const https = cluster.endpoints.find((e) => e.name.toUpperCase() === 'HTTPS');
  if (https) return new URL(`https://${https.location}${https.port && https.port !== 443 ? `:${https.port}` : ''}/`);
  return new URL(`https://${cluster.name}.${gatewaySuffix}/`);
}

/** The cluster's SSH endpoint (CLUSTER-ssh.azurehdinsight.net:22 when Resource Manager names none). */
export function sshEndpoint(cluster: HDInsightCluster, gatewaySuffix: string): { host: string; port: number } {
  const ssh = cluster.endpoints.find((e) => e.name.toUpperCase() === 'SSH');
  return { host: ssh?.location ?? `${cluster.name}-ssh.${gatewaySuffix}`, port: ssh?.port ?? 22 };
}

/** `ssh user@CLUSTER-ssh.azurehdinsight.net` (with -p when the port is not 22). */
export function sshCommand(cluster: HDInsightCluster, gatewaySuffix: string, user = 'sshuser'): string {
  return sshCommandLine(sshEndpoint(cluster, gatewaySuffix), user);
}

export function sshCommandLine({ host, port }: { host: string; port: number }, user: string): string {
  return `ssh${port !== 22 ? ` -p ${port}` : ''} ${user}@${host}`;
}

export function portalUrl(portal: string, resourceId: string): string {
  return `${portal}/#resource${resourceId}/overview`;
}
