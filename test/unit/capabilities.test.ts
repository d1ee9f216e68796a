import assert from 'node:assert/strict';
import {
  defaultSize,
  describeSize,
  missingKinds,
  offeredKinds,
  planInRegion,
  sizesFor,
  type RegionCapabilities,
} from '../../src/azure/capabilities';
import type { AzureClient } from '../../src/azure/client';
import type { ClusterPlan } from '../../src/azure/createRequest';
import { InvalidInputError } from '../../src/core/errors';
import type { ArmEmulator } from '../emulator/arm';
import type { Emulator } from '../emulator/server';
import { FIXTURE_SUBSCRIPTION, useAzureFixture } from './azureFixture';

const GB = 1024;
const region: RegionCapabilities = {
  location: 'westeurope',
  versions: [{ version: '5.1', isDefault: true, components: { Spark: '3.3', Hadoop: '3.3', InteractiveHive: '3.1', HBase: '2.4' } }],
  vmSizes: [
    { name: 'Standard_A2_V2', cores: 2, memoryInMb: 4 * GB },
    { name: 'Standard_A4_V2', cores: 4, memoryInMb: 8 * GB },
    { name: 'Standard_D4_V2', cores: 8, memoryInMb: 28 * GB },
    { name: 'Standard_E4_V3', cores: 4, memoryInMb: 32 * GB },
    { name: 'Standard_E8_V3', cores: 8, memoryInMb: 64 * GB },
    { name: 'Standard_E16_V3', cores: 16, memoryInMb: 128 * GB },
  ],
  vmSizeFilters: [
    { filterMode: 'Include', nodeTypes: ['ZookeeperRole'], vmSizes: ['Standard_A2_V2', 'Standard_A4_V2'] },
    {
      filterMode: 'Exclude',
      nodeTypes: ['HeadNodeRole', 'WorkerNodeRole'],
      clusterFlavors: ['*'],
      vmSizes: ['Standard_A2_V2', 'Standard_A4_V2'],
    },
    {
      filterMode: 'Exclude',
      clusterFlavors: ['InteractiveHive'],
      nodeTypes: ['WorkerNodeRole'],
      vmSizes: ['Standard_E4_V3', 'Standard_D4_V2'],
    },
    // Filters for other versions, other regions, ESP or compute-isolated clusters do not apply.
    { filterMode: 'Exclude', clusterVersions: ['4.0'], vmSizes: ['Standard_E8_V3'] },
    { filterMode: 'Exclude', regions: ['North Europe'], vmSizes: ['Standard_E8_V3'] },
    { filterMode: 'Exclude', espApplied: 'true', vmSizes: ['Standard_E8_V3'] },
    { filterMode: 'Exclude', computeIsolationSupported: 'true', vmSizes: ['Standard_E8_V3'] },
  ],
};

const PASSWORD = 'Str0ng!Passw0rd';
const plan = (changes: Partial<ClusterPlan> = {}): ClusterPlan => ({
  name: 'contoso-etl',
  location: 'westeurope',
  kind: 'hadoop',
  workerCount: 4,
  clusterLogin: { username: 'admin', password: PASSWORD },
  ssh: { username: 'sshuser', password: 'Ssh-Pass-1' },
  storage: { accountName: 'contosostreams', key: 'a2V5' },
  ...changes,
});

describe('What a region offers HDInsight: cluster kinds and VM sizes', () => {
  it('offers the kinds whose components the region lists for HDInsight 5.1, and names the missing ones', () => {
    assert.deepEqual(offeredKinds(region), [
      { kind: 'spark', componentVersion: '3.3' },
      { kind: 'hadoop', componentVersion: '3.3' },
      { kind: 'interactivehive', componentVersion: '3.1' },
      { kind: 'hbase', componentVersion: '2.4' },
    ]);
    assert.deepEqual(missingKinds(region), ['kafka']);
    assert.deepEqual(offeredKinds(region, '4.0'), [], 'a version the region does not offer has no kinds');
  });

  it('lists the sizes for a role as the billing specs filter them: Include and Exclude by flavor, node type, version and region', () => {
    const names = (kind: Parameters<typeof sizesFor>[1], role: Parameters<typeof sizesFor>[2]) =>
      sizesFor(region, kind, role).map((s) => s.name);
    assert.deepEqual(names('hadoop', 'zookeepernode'), ['Standard_A2_V2', 'Standard_A4_V2']);
    assert.deepEqual(names('hadoop', 'workernode'), ['Standard_E4_V3', 'Standard_D4_V2', 'Standard_E8_V3', 'Standard_E16_V3']);
    assert.deepEqual(names('interactivehive', 'workernode'), ['Standard_E8_V3', 'Standard_E16_V3']);
    assert.deepEqual(names('interactivehive', 'headnode'), ['Standard_E4_V3', 'Standard_D4_V2', 'Standard_E8_V3', 'Standard_E16_V3']);
  });

  it("takes the kind's default size where the region has it, else the smallest with as many cores", () => {
    assert.equal(defaultSize(region, 'hadoop', 'workernode'), 'Standard_E8_V3');
    const noE8 = { ...region, vmSizes: region.vmSizes.filter((s) => s.name !== 'Standard_E8_V3') };
    assert.equal(defaultSize(noE8, 'hadoop', 'workernode'), 'Standard_D4_V2');
    assert.equal(describeSize({ name: 'Standard_E8_V3', cores: 8, memoryInMb: 64 * GB }), '8 cores · 64 GB');
  });

  it('fills in the component version and the sizes of a plan the region can take', () => {
    const checked = planInRegion(plan({ workerNodeSize: 'standard_e16_v3' }), region);
    assert.equal(checked.componentVersion, '3.3');
    assert.equal(checked.workerNodeSize, 'Standard_E16_V3', 'spelled as Azure lists it');
    assert.equal(checked.headNodeSize, 'Standard_E4_V3');
    assert.equal(checked.zookeeperNodeSize, 'Standard_A2_V2');
  });

  it('refuses a kind the region lacks, naming the region and what it offers', () => {
    assert.throws(
      () => planInRegion(plan({ kind: 'kafka', workerCount: 3 }), region, 'West Europe'),
      (err: Error) =>
        err instanceof InvalidInputError &&
        err.message === 'West Europe offers no Kafka clusters in HDInsight 5.1; it offers Spark, Hadoop, Interactive Query and HBase.',
    );
  });

  it('refuses a size the region does not offer for the role, with the sizes it does', () => {
    assert.throws(
      () => planInRegion(plan({ kind: 'interactivehive', workerNodeSize: 'Standard_E4_V3' }), region, 'West Europe'),
      (err: InvalidInputError) =>
        err.message === 'Standard_E4_V3 cannot be a worker node of an Interactive Query cluster in West Europe.' &&
        err.action === 'Choose one of Standard_E8_V3, Standard_E16_V3.',
    );
    assert.throws(
      () => planInRegion(plan({ headNodeSize: 'Standard_M128s' }), region, 'West Europe'),
      /West Europe does not offer Standard_M128s/,
    );
  });
});

describe('Region capabilities and storage accounts through our Azure client (real @azure/arm-hdinsight and @azure/arm-storage)', function () {
  this.timeout(20_000);
  const SUB = FIXTURE_SUBSCRIPTION;
  const azure = useAzureFixture();
  let emulator: Emulator;
  let arm: ArmEmulator;
  let client: AzureClient;
  beforeEach(() => ({ emulator, arm, client } = azure));

  it("reads the region's kinds from getCapabilities and its sizes, cores, memory and filters from listBillingSpecs", async () => {
    arm.offers.withoutKinds.set('northeurope', new Set(['kafka']));
    const caps = await client.regionCapabilities(SUB, 'northeurope');
    assert.deepEqual(
      caps.versions.map((v) => v.version),
      ['5.1'],
    );
    assert.deepEqual(missingKinds(caps), ['kafka']);
    assert.deepEqual(
      offeredKinds(caps).map((k) => `${k.kind} ${k.componentVersion}`),
      ['spark 3.3', 'hadoop 3.3', 'interactivehive 3.1', 'hbase 2.4'],
    );
    assert.deepEqual(
      caps.vmSizes.find((s) => s.name === 'Standard_E8_V3'),
      { name: 'Standard_E8_V3', cores: 8, memoryInMb: 64 * 1024 },
    );
    assert.ok(caps.vmSizeFilters.some((f) => f.filterMode === 'Include' && f.nodeTypes?.includes('ZookeeperRole')));
    assert.deepEqual(
      sizesFor(caps, 'spark', 'zookeepernode').map((s) => s.name),
      ['Standard_A2_V2', 'Standard_E2_V3', 'Standard_A4_V2', 'Standard_D3_V2', 'Standard_A8_V2'],
    );
    const westEurope = await client.regionCapabilities(SUB, 'westeurope');
    assert.deepEqual(missingKinds(westEurope), [], 'only North Europe lost Kafka');
  });

  it('lists the storage accounts of a subscription across pages', async () => {
    arm.pageSize = 2;
    for (const [name, rg, location] of [
      ['contosoa', 'rg1', 'westeurope'],
      ['contosob', 'rg1', 'northeurope'],
      ['contosoc', 'rg2', 'westeurope'],
    ]) {
      arm.resources.addAccount({ subscriptionId: SUB, resourceGroup: rg, name, location });
    }
    const accounts = await client.listStorageAccounts(SUB);
    assert.deepEqual(
      accounts.map((a) => `${a.name} ${a.resourceGroup} ${a.location}`),
      ['contosoa rg1 westeurope', 'contosob rg1 northeurope', 'contosoc rg2 westeurope'],
    );
    const lists = emulator.requests.filter((r) => r.method === 'GET' && /\/providers\/Microsoft\.Storage\/storageAccounts\?/i.test(r.path));
    assert.equal(lists.length, 2, 'two pages, the second through the nextLink');
    assert.match(lists[1].path, /\$skiptoken=/);
  });
});
