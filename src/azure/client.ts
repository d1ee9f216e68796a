// What the extension asks of Azure Resource Manager. The implementation (SdkClient.ts, with
// SdkProvisioning.ts for networks and storage) loads with the Azure SDK on first use, through the
// chunk src/chunks/azure.ts; everything else sees only this interface.
import type { RegionCapabilities } from './capabilities';
import type { AzureSubscription, AzureTenant, HDInsightCluster } from './model';

export interface AccessToken {
  token: string;
  expiresOnTimestamp: number;
}

/** The shape @azure/core-auth's TokenCredential has, without loading it. */
export interface TokenSource {
  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal; tenantId?: string }): Promise<AccessToken | null>;
}

export interface ClusterPage {
  clusters: HDInsightCluster[];
  /** Pass back to get the next page; absent on the last. */
  continuationToken?: string;
}

/** Every cluster of the subscriptions asked for, or why Azure Resource Graph refused the query. */
export type ClusterQuery = { clusters: HDInsightCluster[] } | { refused: string };

export interface GatewayLogin {
  username: string;
  password: string;
}

export interface AzureClientOptions {
  endpoint: string;
  scope: string;
  credential: TokenSource;
  /** PEM certificates to trust in addition to the system's (a private endpoint's CA). */
  ca?: string;
  /** Maximum requests in flight to Resource Manager. */
  concurrency?: number;
  userAgent?: string;
}

export interface AzureClient {
  listTenants(signal?: AbortSignal): Promise<AzureTenant[]>;
  listSubscriptions(signal?: AbortSignal): Promise<AzureSubscription[]>;
  /** One page of a subscription's clusters. */
  listClusters(subscriptionId: string, signal?: AbortSignal, continuationToken?: string): Promise<ClusterPage>;
  /**
   * Every HDInsight cluster of these subscriptions (undefined: of every subscription the sign-in
   * reaches in its tenant) in one Azure Resource Graph query (paged). An
   * answer of Resource Graph's that another way could get past (denied, not in this cloud,
   * throttled for long) comes back as `refused` with the reason; the network, a sign-in Azure
   * refused and cancellation throw.
   */
  queryClusters(subscriptionIds: string[] | undefined, signal?: AbortSignal): Promise<ClusterQuery>;
  getCluster(clusterId: string, signal?: AbortSignal): Promise<HDInsightCluster>;
  /** The cluster login; throws a Forbidden HDInsightError for callers with the Reader role. */
  getGatewayLogin(clusterId: string, signal?: AbortSignal): Promise<GatewayLogin | undefined>;
  /**
   * Resizes the worker role and waits for the long-running operation (polled as Resource Manager
   * says, Retry-After honoured); `accepted` runs once Azure took the request. Returns the cluster after.
   */
  resizeCluster(clusterId: string, workerCount: number, options?: LongRunning): Promise<HDInsightCluster>;
  /** Deletes the cluster and waits until Azure says it is gone. */
  deleteCluster(clusterId: string, options?: LongRunning): Promise<void>;
  /** The regions a subscription can use: name (westeurope) and display name (West Europe). */
  listLocations(subscriptionId: string, signal?: AbortSignal): Promise<{ name: string; displayName: string }[]>;
  listResourceGroups(subscriptionId: string, signal?: AbortSignal): Promise<{ name: string; location: string }[]>;
  /** Creates (or keeps) a resource group. */
  createResourceGroup(subscriptionId: string, name: string, location: string, signal?: AbortSignal): Promise<void>;
  /** Whether a cluster name is free (names are global DNS names). */
  checkClusterName(
    subscriptionId: string,
    location: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<{ available: boolean; message?: string }>;
  /** HDInsight's own validation of a create request: its errors, none when it would be accepted. */
  validateCreate(
    subscriptionId: string,
    location: string,
    name: string,
    request: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<{ code: string; message: string }[]>;
  /** The region's core quota for HDInsight, and the cores of each VM size (billing specs). */
  coreQuota(
    subscriptionId: string,
    location: string,
    signal?: AbortSignal,
  ): Promise<{ used: number; limit: number; coresOf: Map<string, number> }>;
  /**
   * What HDInsight offers in the region: its versions with their components (getCapabilities) and
   * its VM sizes with cores, memory and the filters by kind and role (listBillingSpecs).
   */
  regionCapabilities(subscriptionId: string, location: string, signal?: AbortSignal): Promise<RegionCapabilities>;
  /** Creates the cluster (PUT) and waits for the operation; `accepted` runs once Azure took the request. */
  createCluster(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    request: Record<string, unknown>,
    options?: LongRunning,
  ): Promise<HDInsightCluster>;
  /**
   * Creates (or updates) a virtual network with one subnet and waits until it is provisioned.
   * `subnetId` is the subnet's id as Azure gives it (from the network, else the subnet itself);
   * absent when Azure has no such subnet in the network.
   */
  createVirtualNetwork(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    spec: { location: string; addressPrefix: string; subnetName: string; subnetPrefix: string; tags?: Record<string, string> },
    options?: LongRunning,
  ): Promise<{ id: string; subnetId?: string }>;
  deleteVirtualNetwork(id: string, options?: LongRunning): Promise<void>;
  /** Every storage account of the subscription (all pages). */
  listStorageAccounts(subscriptionId: string, signal?: AbortSignal): Promise<StorageAccountInfo[]>;
  /** Whether a storage account name is free (names are global) and valid. */
  checkStorageAccountName(subscriptionId: string, name: string, signal?: AbortSignal): Promise<{ available: boolean; message?: string }>;
  /** Creates a general-purpose v2 account (Standard_LRS, TLS 1.2, no public blobs) and waits for it. */
  createStorageAccount(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    spec: { location: string; tags?: Record<string, string> },
    options?: LongRunning,
  ): Promise<{ id: string; blobEndpoint: string }>;
  /** A full-access key of the account (for HDInsight's default storage); never logged. */
  storageAccountKey(id: string, signal?: AbortSignal): Promise<string>;
  deleteStorageAccount(id: string, signal?: AbortSignal): Promise<void>;
}

export interface StorageAccountInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  /** StorageV2, BlobStorage, ... */
  kind?: string;
}

export interface LongRunning {
  signal?: AbortSignal;
  /** Called once Azure accepted the request (the operation runs on even if waiting stops). */
  accepted?: () => void;
}

export type CreateAzureClient = (options: AzureClientOptions) => AzureClient;
