// Virtual networks and storage accounts (@azure/arm-network, @azure/arm-storage), for the Azure SDK
// client (SdkClient.ts): loaded from the Azure chunk only when the Spark + Kafka pair or a new
// storage account is created (the chunk src/chunks/armProvisioning.ts, its own bundle
// dist/chunks/armProvisioning.js), so listing clusters never pays for these two large clients.
import { NetworkManagementClient, type NetworkManagementClientOptionalParams } from '@azure/arm-network';
import { StorageManagementClient } from '@azure/arm-storage';
import type { AzureClient, LongRunning, StorageAccountInfo, TokenSource } from './client';
import { parseResourceId } from './model';
import type { Call, Operation, SdkAdapter } from './sdkCalls';

export type Provisioning = Pick<
  AzureClient,
  | 'createVirtualNetwork'
  | 'deleteVirtualNetwork'
  | 'listStorageAccounts'
  | 'checkStorageAccountName'
  | 'createStorageAccount'
  | 'storageAccountKey'
  | 'deleteStorageAccount'
>;

export class SdkProvisioning implements Provisioning {
  private readonly network: (subscriptionId: string) => NetworkManagementClient;
  private readonly storage: (subscriptionId: string) => StorageManagementClient;

  constructor(
    credential: TokenSource,
    clientOptions: NetworkManagementClientOptionalParams,
    private readonly call: Call,
    private readonly operation: Operation,
    /** Adapts each SDK client to the endpoint (plain http on loopback). */
    sdk: SdkAdapter,
  ) {
    this.network = perSubscription((s) => sdk(new NetworkManagementClient(credential, s, clientOptions)));
    this.storage = perSubscription((s) => sdk(new StorageManagementClient(credential, s, clientOptions)));
  }

  async createVirtualNetwork(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    spec: { location: string; addressPrefix: string; subnetName: string; subnetPrefix: string; tags?: Record<string, string> },
    options: LongRunning = {},
  ): Promise<{ id: string; subnetId?: string }> {
    const { signal } = options;
    await this.operation(`Creating virtual network ${name}`, options, () =>
      this.network(subscriptionId).virtualNetworks.beginCreateOrUpdate(
        resourceGroup,
        name,
        {
          location: spec.location,
          tags: spec.tags,
          addressSpace: { addressPrefixes: [spec.addressPrefix] },
          subnets: [{ name: spec.subnetName, addressPrefix: spec.subnetPrefix }],
        },
        { abortSignal: signal },
      ),
    );
    const vnet = await this.call(`Reading virtual network ${name}`, signal, () =>
      this.network(subscriptionId).virtualNetworks.get(resourceGroup, name, { abortSignal: signal }),
    );
    // The subnet as Azure has it: from the network's list, else read on its own (a network can
    // come back without its list); never assumed, since every cluster role is put into it.
    const listed = vnet.subnets?.find((s) => s.name?.toLowerCase() === spec.subnetName.toLowerCase())?.id;
    const subnetId =
      listed ??
      (await this.call(`Reading subnet ${spec.subnetName} of virtual network ${name}`, signal, async () => {
        try {
          return (await this.network(subscriptionId).subnets.get(resourceGroup, name, spec.subnetName, { abortSignal: signal })).id;
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return undefined;
          throw err;
        }
      }));
    return { id: vnet.id!, subnetId };
  }

  async deleteVirtualNetwork(id: string, options: LongRunning = {}): Promise<void> {
    const { subscriptionId, resourceGroup, name } = parseResourceId(id);
    await this.operation(`Deleting virtual network ${name}`, options, () =>
      this.network(subscriptionId).virtualNetworks.beginDelete(resourceGroup, name, { abortSignal: options.signal }),
    );
  }

  listStorageAccounts(subscriptionId: string, signal?: AbortSignal): Promise<StorageAccountInfo[]> {
    return this.call('Listing the storage accounts', signal, async () => {
      const result: StorageAccountInfo[] = [];
      for await (const a of this.storage(subscriptionId).storageAccounts.list({ abortSignal: signal })) {
        if (!a.id || !a.name) continue;
        result.push({ id: a.id, name: a.name, resourceGroup: parseResourceId(a.id).resourceGroup, location: a.location, kind: a.kind });
      }
      return result.sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  checkStorageAccountName(subscriptionId: string, name: string, signal?: AbortSignal): Promise<{ available: boolean; message?: string }> {
    return this.call(`Checking the storage account name ${name}`, signal, async () => {
      const result = await this.storage(subscriptionId).storageAccounts.checkNameAvailability(
        { name, type: 'Microsoft.Storage/storageAccounts' },
        { abortSignal: signal },
      );
      return { available: result.nameAvailable !== false, message: result.message };
    });
  }

  async createStorageAccount(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    spec: { location: string; tags?: Record<string, string> },
    options: LongRunning = {},
  ): Promise<{ id: string; blobEndpoint: string }> {
    const { signal } = options;
    // What HDInsight's default storage needs: general-purpose v2 with blobs, no public access, TLS 1.2.
    await this.operation(`Creating storage account ${name}`, options, () =>
      this.storage(subscriptionId).storageAccounts.beginCreate(
        resourceGroup,
        name,
        {
          location: spec.location,
          tags: spec.tags,
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          minimumTlsVersion: 'TLS1_2',
          allowBlobPublicAccess: false,
          enableHttpsTrafficOnly: true,
        },
        { abortSignal: signal },
      ),
    );
    const account = await this.call(`Reading storage account ${name}`, signal, () =>
      this.storage(subscriptionId).storageAccounts.getProperties(resourceGroup, name, { abortSignal: signal }),
    );
    return { id: account.id!, blobEndpoint: account.primaryEndpoints?.blob ?? `https://${name}.blob.core.windows.net/` };
  }

  storageAccountKey(id: string, signal?: AbortSignal): Promise<string> {
    const { subscriptionId, resourceGroup, name } = parseResourceId(id);
    return this.call(`Reading the access key of storage account ${name}`, signal, async () => {
      const { keys } = await this.storage(subscriptionId).storageAccounts.listKeys(resourceGroup, name, { abortSignal: signal });
      const key = keys?.find((k) => k.value && k.permissions !== 'Read')?.value;
      if (!key) throw new Error(`Storage account ${name} has no key with full access.`);
      return key;
    });
  }

  deleteStorageAccount(id: string, signal?: AbortSignal): Promise<void> {
    const { subscriptionId, resourceGroup, name } = parseResourceId(id);
    return this.call(`Deleting storage account ${name}`, signal, () =>
      this.storage(subscriptionId).storageAccounts.delete(resourceGroup, name, { abortSignal: signal }),
    );
  }
}

/** One client per subscription, made on first use. */
function perSubscription<T>(make: (subscriptionId: string) => T): (subscriptionId: string) => T {
  const clients = new Map<string, T>();
  return (subscriptionId) => {
    let client = clients.get(subscriptionId);
    if (!client) clients.set(subscriptionId, (client = make(subscriptionId)));
    return client;
  };
}
