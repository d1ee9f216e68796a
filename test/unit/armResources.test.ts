import assert from 'node:assert/strict';
import type { AzureClient } from '../../src/azure/client';
import { HDInsightError } from '../../src/core/errors';
import type { ArmEmulator } from '../emulator/arm';
import type { Emulator } from '../emulator/server';
import { FIXTURE_SUBSCRIPTION, useAzureFixture } from './azureFixture';

const SUB = FIXTURE_SUBSCRIPTION;

describe('Virtual networks and storage accounts through our Azure client (real @azure/arm-network and @azure/arm-storage)', function () {
  this.timeout(20_000);
  const azure = useAzureFixture({ operationMs: 100, resourceGroup: true });
  let emulator: Emulator;
  let arm: ArmEmulator;
  let client: AzureClient;
  beforeEach(() => ({ emulator, arm, client } = azure));

  const paths = (method: string, re: RegExp) =>
    emulator.requests.filter((r) => r.method === method && re.test(r.path)).map((r) => r.path.split('?')[0]);

  it('creates the tutorial network, waits for its operation, and reads back the subnet', async () => {
    const created = await client.createVirtualNetwork(SUB, 'streaming', 'streaming-vnet', {
      location: 'westeurope',
      addressPrefix: '10.0.0.0/16',
      subnetName: 'default',
      subnetPrefix: '10.0.0.0/24',
    });
    assert.match(created.id, /\/resourceGroups\/streaming\/providers\/Microsoft\.Network\/virtualNetworks\/streaming-vnet$/);
    assert.equal(created.subnetId, `${created.id}/subnets/default`);
    assert.deepEqual(arm.resources.vnet(created.id), { location: 'westeurope', subnets: ['default'] });
    // The SDK followed Azure-AsyncOperation before reading the network.
    assert.equal(paths('GET', /\/providers\/Microsoft\.Network\/locations\/westeurope\/operations\//i).length >= 1, true);
    const put = emulator.requests.find((r) => r.method === 'PUT' && /virtualNetworks\/streaming-vnet/i.test(r.path))!;
    const body = JSON.parse(put.body) as { properties: { addressSpace: unknown; subnets: { name: string; properties: unknown }[] } };
    assert.deepEqual(body.properties.addressSpace, { addressPrefixes: ['10.0.0.0/16'] });
    assert.deepEqual(body.properties.subnets, [{ name: 'default', properties: { addressPrefix: '10.0.0.0/24' } }]);
  });

  it('reports a subnet outside the address space in Azure’s words', async () => {
    await assert.rejects(
      client.createVirtualNetwork(SUB, 'streaming', 'bad-vnet', {
        location: 'westeurope',
        addressPrefix: '10.0.0.0/16',
        subnetName: 'default',
        subnetPrefix: '10.1.0.0/24',
      }),
      (err: HDInsightError) =>
        err instanceof HDInsightError && /outside the IP address range of virtual network 'bad-vnet'/.test(err.message),
    );
  });

  it('checks a storage account name, creates the account through its Location operation, reads a key, deletes it', async () => {
    assert.deepEqual(await client.checkStorageAccountName(SUB, 'streamingstore1'), { available: true, message: undefined });
    const invalid = await client.checkStorageAccountName(SUB, 'Not_Valid');
    assert.equal(invalid.available, false);
    assert.match(invalid.message ?? '', /between 3 and 24 characters/);

    const account = await client.createStorageAccount(SUB, 'streaming', 'streamingstore1', { location: 'westeurope' });
    assert.equal(account.blobEndpoint, 'https://streamingstore1.blob.core.windows.net/');
    const put = emulator.requests.find((r) => r.method === 'PUT' && /storageAccounts\/streamingstore1/i.test(r.path))!;
    const body = JSON.parse(put.body) as { kind: string; sku: { name: string }; properties: Record<string, unknown> };
    assert.equal(body.kind, 'StorageV2');
    assert.equal(body.sku.name, 'Standard_LRS');
    assert.equal(body.properties.minimumTlsVersion, 'TLS1_2');
    assert.equal(body.properties.allowBlobPublicAccess, false);
    assert.equal(paths('GET', /\/providers\/Microsoft\.Storage\/locations\/westeurope\/asyncoperations\//i).length >= 1, true);

    assert.equal((await client.checkStorageAccountName(SUB, 'streamingstore1')).available, false);
    const key = await client.storageAccountKey(account.id);
    assert.equal(Buffer.from(key, 'base64').length, 64);

    await client.deleteStorageAccount(account.id);
    assert.equal(arm.resources.account('streamingstore1'), undefined);
  });

  it('a storage account operation that ends Failed says so with its code', async () => {
    arm.failOperationOf.set('failingstore', { code: 'StorageAccountOperationFailed', message: 'The storage fabric is out of capacity.' });
    await assert.rejects(client.createStorageAccount(SUB, 'streaming', 'failingstore', { location: 'westeurope' }), (err: Error) =>
      /StorageAccountOperationFailed|out of capacity/.test(err.message),
    );
    assert.equal(arm.resources.account('failingstore'), undefined);
  });

  it('will not delete a virtual network whose subnet a cluster uses, and deletes it once the cluster is gone', async () => {
    const vnet = await client.createVirtualNetwork(SUB, 'streaming', 'pair-vnet', {
      location: 'westeurope',
      addressPrefix: '10.0.0.0/16',
      subnetName: 'default',
      subnetPrefix: '10.0.0.0/24',
    });
    arm.addCluster({
      subscriptionId: SUB,
      resourceGroup: 'streaming',
      name: 'in-vnet',
      location: 'westeurope',
      kind: 'kafka',
      vnet: { id: vnet.id, subnet: vnet.subnetId! },
    });
    await assert.rejects(client.deleteVirtualNetwork(vnet.id), (err: Error) => /InUseSubnetCannotBeDeleted|is in use/.test(err.message));
    arm.removeCluster(SUB, 'streaming', 'in-vnet');
    await client.deleteVirtualNetwork(vnet.id);
    assert.equal(arm.resources.vnet(vnet.id), undefined);
  });
});
