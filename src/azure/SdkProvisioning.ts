// Virtual networks and storage accounts (@azure/arm-network, @azure/arm-storage): loaded from the
// Azure chunk only when the Spark + Kafka pair or a new storage account is created, so listing
// clusters never pays for these two large clients.
import { NetworkManagementClient, type NetworkManagementClientOptionalParams } from '@azure/arm-network';
import { StorageManagementClient } from '@azure/arm-storage';
import type { AzureClient, LongRunning, StorageAccountInfo, TokenSource } from './client';
import type { Operation } from './SdkClient';
import { parseResourceId } from './model';
import type { SdkClient } from './plainHttp';

type Call = <T>(what: string, signal: AbortSignal | undefined, task: () => Promise<T>) => Promise<T>;

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

export function createProvisioning(
  credential: TokenSource,
  clientOptions: NetworkManagementClientOptionalParams,
  call: Call,
  operation: Operation,
  /** Adapts each SDK client to the endpoint (plain http on loopback). */
  sdk: <C extends SdkClient>(client: C) => C,
): Provisioning {
  const perSubscription = <T>(make: (subscriptionId: string) => T): ((subscriptionId: string) => T) => {
    const clients = new Map<string, T>();
    return (subscriptionId) => {
      let client = clients.get(subscriptionId);
      if (!client) clients.set(subscriptionId, (client = make(subscriptionId)));
      return client;
    };
  };
  const network = perSubscription((s) => sdk(new NetworkManagementClient(credential, s, clientOptions)));
  const storage = perSubscription((s) => sdk(new StorageManagementClient(credential, s, clientOptions)));

  return {
    createVirtualNetwork: async (subscriptionId, resourceGroup, name, spec, options: LongRunning = {}) => {
      const { signal } = options;
      await operation(`Creating virtual network ${name}`, options, () =>
        network(subscriptionId).virtualNetworks.beginCreateOrUpdate(
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
      const vnet = await call(`Reading virtual network ${name}`, signal, () =>
        network(subscriptionId).virtualNetworks.get(resourceGroup, name, { abortSignal: signal }),
      );
      // The subnet as Azure has it: from the network's list, else read on its own (a network can
      // come back without its list); never assumed, since every cluster role is put into it.
      const listed = vnet.subnets?.find((s) => s.name?.toLowerCase() === spec.subnetName.toLowerCase())?.id;
      const subnetId =
        listed ??
        (await call(`Reading subnet ${spec.subnetName} of virtual network ${name}`, signal, async () => {
          try {
            return (await network(subscriptionId).subnets.get(resourceGroup, name, spec.subnetName, { abortSignal: signal })).id;
          } catch (err) {
            if ((err as { statusCode?: number }).statusCode === 404) return undefined;
            throw err;
          }
        }));
      return { id: vnet.id!, subnetId };
    },

    deleteVirtualNetwork: async (id, options: LongRunning = {}) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(id);
      await operation(`Deleting virtual network ${name}`, options, () =>
        network(subscriptionId).virtualNetworks.beginDelete(resourceGroup, name, { abortSignal: options.signal }),
      );
    },

    listStorageAccounts: (subscriptionId, signal) =>
      call('Listing the storage accounts', signal, async () => {
        const result: StorageAccountInfo[] = [];
        for await (const a of storage(subscriptionId).storageAccounts.list({ abortSignal: signal })) {
          if (!a.id || !a.name) continue;
          result.push({ id: a.id, name: a.name, resourceGroup: parseResourceId(a.id).resourceGroup, location: a.location, kind: a.kind });
        }
        return result.sort((a, b) => a.name.localeCompare(b.name));
      }),

    checkStorageAccountName: (subscriptionId, name, signal) =>
      call(`Checking the storage account name ${name}`, signal, async () => {
        const result = await storage(subscriptionId).storageAccounts.checkNameAvailability(
          { name, type: 'Microsoft.Storage/storageAccounts' },
          { abortSignal: signal },
        );
        return { available: result.nameAvailable !== false, message: result.message };
      }),

    createStorageAccount: async (subscriptionId, resourceGroup, name, spec, options: LongRunning = {}) => {
      const { signal } = options;
      // What HDInsight's default storage needs: general-purpose v2 with blobs, no public access, TLS 1.2.
      await operation(`Creating storage account ${name}`, options, () =>
        storage(subscriptionId).storageAccounts.beginCreate(
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
      const account = await call(`Reading storage account ${name}`, signal, () =>
        storage(subscriptionId).storageAccounts.getProperties(resourceGroup, name, { abortSignal: signal }),
      );
      return { id: account.id!, blobEndpoint: account.primaryEndpoints?.blob ?? `https://${name}.blob.core.windows.net/` };
    },

    storageAccountKey: (id, signal) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(id);
      return call(`Reading the access key of storage account ${name}`, signal, async () => {
        const { keys } = await storage(subscriptionId).storageAccounts.listKeys(resourceGroup, name, { abortSignal: signal });
        const key = keys?.find((k) => k.value && k.permissions !== 'Read')?.value;
        if (!key) throw new Error(`Storage account ${name} has no key with full access.`);
        return key;
      });
    },

    deleteStorageAccount: (id, signal) => {
      const { subscriptionId, resourceGroup, name } = parseResourceId(id);
      return call(`Deleting storage account ${name}`, signal, () =>
        storage(subscriptionId).storageAccounts.delete(resourceGroup, name, { abortSignal: signal }),
      );
    },
  };
}
