import assert from 'node:assert/strict';
import type { AzureClient } from '../../src/azure/client';
import { createRequest } from '../../src/azure/createRequest';
import {
  checkPair,
  createPair,
  deletePairResources,
  PairCancelledError,
  pairClusterPlans,
  pairNames,
  type PairInput,
  type PairPart,
} from '../../src/azure/pair';
import { type HDInsightError, InvalidInputError, userMessage } from '../../src/core/errors';
import type { ArmEmulator } from '../emulator/arm';
import type { Emulator } from '../emulator/server';
import { FIXTURE_SUBSCRIPTION, useAzureFixture } from './azureFixture';

const SUB = FIXTURE_SUBSCRIPTION;
const PASSWORD = 'Str0ng!Passw0rd';

type Role = {
  name: string;
  targetInstanceCount: number;
  dataDisksGroups?: { disksPerNode: number }[];
  virtualNetworkProfile?: { id: string; subnet: string };
};
interface ClusterBody {
  name?: string;
  properties: {
    clusterDefinition: { kind: string };
    computeProfile: { roles: Role[] };
    storageProfile: { storageaccounts: { name: string; key: string; container: string; isDefault: boolean }[] };
  };
}

describe('The Spark + Kafka pair: network, storage and two clusters (real Azure SDKs against the emulator)', function () {
  this.timeout(30_000);
  const azure = useAzureFixture({ operationMs: 100, resourceGroup: true });
  let emulator: Emulator;
  let arm: ArmEmulator;
  let client: AzureClient;
  beforeEach(() => ({ emulator, arm, client } = azure));
  const input: PairInput = {
    subscriptionId: SUB,
    resourceGroup: 'streaming',
    location: 'westeurope',
    baseName: 'contoso',
    clusterLogin: { username: 'admin', password: PASSWORD },
    ssh: { username: 'sshuser', password: 'Ssh!Passw0rd' },
  };

  const requests = (method: string, re: RegExp) => emulator.requests.filter((r) => r.method === method && re.test(r.path.split('?')[0]));

  it('names the resources as the tutorial does and refuses a bad base name before any request', async () => {
    assert.deepEqual(pairNames({ baseName: 'Contoso-1' }), {
      spark: 'spark-contoso-1',
      kafka: 'kafka-contoso-1',
      network: 'Contoso-1-vnet',
      storage: 'contoso1store',
    });
    for (const baseName of ['-x', 'x-', 'a_b', 'a'.repeat(54), '']) {
      await assert.rejects(createPair(client, { ...input, baseName }), InvalidInputError, baseName);
    }
    await assert.rejects(createPair(client, { ...input, clusterLogin: { username: 'admin', password: 'weak' } }), /at least 10 characters/);
    await assert.rejects(createPair(client, { ...input, storageAccount: 'Has-Dashes' }), /not a valid storage account name/);
    assert.equal(emulator.requests.length, 0);
  });

  it('checks both names, the storage name, HDInsight validation and the quota for both clusters together', async () => {
    const checked = await checkPair(client, input);
    assert.deepEqual(checked.names, { spark: 'spark-contoso', kafka: 'kafka-contoso', network: 'contoso-vnet', storage: 'contosostore' });
    // Spark: 2 x E8_V3 (8) + 4 x E8_V3 (8) + 3 x A2_V2 (2); Kafka: 2 x E4_V3 (4) + 3 x D4_V2 (8) + 3 x A4_V2 (4).
    assert.equal(checked.cores, 54 + 44);
    assert.equal(requests('POST', /validatecreaterequest$/i).length, 2);
    assert.equal(requests('POST', /Microsoft\.Storage\/checkNameAvailability$/i).length, 1);

    arm.coreLimit = 90;
    await assert.rejects(checkPair(client, input), (err: HDInsightError) => /needs 98 cores; 0 of the 90 in westeurope/.test(err.message));
    arm.coreLimit = 200;
    arm.addCluster({ subscriptionId: SUB, resourceGroup: 'other', name: 'kafka-contoso', location: 'westeurope', kind: 'kafka' });
    await assert.rejects(
      checkPair(client, input),
      (err: InvalidInputError) => err instanceof InvalidInputError && /kafka-contoso/.test(err.message),
    );
  });

  const networkId = `/subscriptions/${SUB}/resourceGroups/streaming/providers/Microsoft.Network/virtualNetworks/contoso-vnet`;
  const puts = () => emulator.requests.filter((r) => r.method === 'PUT');

  it('validates both requests as they will be sent before anything exists: the account name, the network ids on every role', async () => {
    const checked = await checkPair(client, input);
    const validated = requests('POST', /validatecreaterequest$/i).map((r) => JSON.parse(r.body) as ClusterBody);
    assert.deepEqual(validated.map((b) => b.name).sort(), ['kafka-contoso', 'spark-contoso']);
    for (const body of validated) {
      for (const role of body.properties.computeProfile.roles) {
        assert.deepEqual(
          role.virtualNetworkProfile,
          { id: networkId, subnet: `${networkId}/subnets/default` },
          `${body.name} ${role.name}`,
        );
      }
      assert.equal(body.properties.storageProfile.storageaccounts[0].name, 'contosostore.blob.core.windows.net');
    }
    // What HDInsight cannot check before the account and the network exist is said, not passed over.
    assert.deepEqual(checked.notYetValidated, [
      'the key of storage account contosostore (it has one once it is made)',
      'virtual network contoso-vnet and its subnet default (they are made first)',
    ]);
    assert.deepEqual(puts(), []);
  });

  it('refuses before creating anything when HDInsight finds a problem with the network profile (a network of that name elsewhere)', async () => {
    // The resource group holds a contoso-vnet already, in another region: the pair's nodes cannot join it.
    await client.createVirtualNetwork(SUB, 'streaming', 'contoso-vnet', {
      location: 'northeurope',
      addressPrefix: '10.1.0.0/16',
      subnetName: 'default',
      subnetPrefix: '10.1.0.0/24',
    });
    emulator.requests.length = 0;
    await assert.rejects(checkPair(client, input), (err: HDInsightError) =>
      /HDInsight would refuse the pair: spark-contoso: The virtual network location 'northeurope' does not match the cluster location 'westeurope'\. \(InvalidNetworkConfiguration\)/.test(
        err.message,
      ),
    );
    assert.deepEqual(puts(), []);
  });

  it("HDInsight's validation refuses network profiles of the wrong shape: mixed subnets, another subscription, a role outside", async () => {
    const names = pairNames(input);
    const [spark] = pairClusterPlans(input, names);
    const shaped = (change: (roles: Role[]) => void): Record<string, unknown> => {
      const body = createRequest(spark) as unknown as ClusterBody;
      change(body.properties.computeProfile.roles);
      return body as unknown as Record<string, unknown>;
    };
    const cases: [(roles: Role[]) => void, RegExp][] = [
      [
        (roles) => (roles[2].virtualNetworkProfile = { id: networkId, subnet: `${networkId}/subnets/other` }),
        /All roles of a cluster must join the same subnet/,
      ],
      [(roles) => delete roles[1].virtualNetworkProfile, /role 'workernode' none/],
      [
        (roles) =>
          roles.forEach(
            (r) =>
              (r.virtualNetworkProfile = {
                id: networkId.replace(SUB, 'other-sub'),
                subnet: `${networkId.replace(SUB, 'other-sub')}/subnets/default`,
              }),
          ),
        /in subscription 'other-sub'; a cluster's network must be in its own subscription/,
      ],
      [
        (roles) => roles.forEach((r) => (r.virtualNetworkProfile!.subnet = 'default')),
        /is not the resource id of a subnet of virtual network/,
      ],
    ];
    for (const [change, message] of cases) {
      const problems = await client.validateCreate(SUB, 'westeurope', 'spark-contoso', shaped(change));
      assert.ok(
        problems.some((p) => p.code === 'InvalidNetworkConfiguration' && message.test(p.message)),
        `${message}: ${JSON.stringify(problems)}`,
      );
    }
  });

  it('validates both requests again once the network and the account exist, and asks for neither cluster when HDInsight refuses', async () => {
    const outcome = await createPair(client, input, {
      // Once the network and the account exist, HDInsight finds a problem with what will be sent.
      progress: (part, state) =>
        part === 'network' &&
        state === 'done' &&
        emulator.inject({
          path: /validatecreaterequest$/i,
          respond: {
            status: 200,
            body: { validationErrors: [{ code: 'InvalidNetworkConfiguration', message: 'The subnet has no room for 15 nodes' }] },
          },
        }),
    });
    assert.deepEqual(outcome.failures.map((f) => f.part).sort(), ['kafka', 'spark']);
    assert.equal(
      userMessage(outcome.failures[0].error),
      'HDInsight refused its request. The subnet has no room for 15 nodes. (InvalidNetworkConfiguration)',
    );
    assert.equal(requests('PUT', /clusters\//i).length, 0);
    assert.ok(outcome.network && outcome.storage, 'the network and the account exist, to be deleted');
    const validated = requests('POST', /validatecreaterequest$/i).map((r) => JSON.parse(r.body) as ClusterBody);
    assert.equal(validated.length, 2);
    const key = await client.storageAccountKey(outcome.storage.id);
    for (const body of validated) assert.equal(body.properties.storageProfile.storageaccounts[0].key, key, 'validated with the real key');
  });

  it('refuses before creating anything when the region offers no Kafka, or not one of the sizes the pair uses', async () => {
    arm.offers.withoutKinds.set('westeurope', new Set(['kafka']));
    await assert.rejects(
      checkPair(client, input),
      (err: Error) =>
        err instanceof InvalidInputError && /^westeurope offers no Kafka clusters in HDInsight 5\.1; it offers Spark/.test(err.message),
    );
    await assert.rejects(createPair(client, input), /westeurope offers no Kafka clusters in HDInsight 5\.1/);
    assert.deepEqual(puts(), []);

    arm.offers.reset();
    arm.offers.withoutVmSizes.set('westeurope', new Set(['standard_d4_v2'])); // Kafka's worker size
    await assert.rejects(createPair(client, input), (err: Error) =>
      /westeurope does not offer Standard_D4_V2 for HDInsight\. Choose another region/.test(userMessage(err)),
    );
    await assert.rejects(checkPair(client, input), /does not offer Standard_D4_V2/);
    assert.deepEqual(puts(), []);
  });

  // A network answer without its subnets list, as the fault gives it.
  const withoutSubnets = {
    status: 200,
    body: {
      id: networkId,
      name: 'contoso-vnet',
      type: 'Microsoft.Network/virtualNetworks',
      location: 'westeurope',
      properties: { provisioningState: 'Succeeded', addressSpace: { addressPrefixes: ['10.0.0.0/16'] } },
    },
  };

  it('reads the subnet on its own when the network comes back without its subnets', async () => {
    emulator.inject({ method: 'GET', path: /\/virtualNetworks\/contoso-vnet$/i, respond: withoutSubnets });
    const outcome = await createPair(client, input);
    assert.deepEqual(outcome.failures, []);
    assert.equal(outcome.network?.subnetId, `${networkId}/subnets/default`);
    assert.equal(requests('GET', /\/virtualNetworks\/contoso-vnet\/subnets\/default$/i).length, 1);
  });

  it('when Azure has no subnet in the new network: says so, requests no cluster, and lists the network to delete', async () => {
    emulator.inject({ method: 'GET', path: /\/virtualNetworks\/contoso-vnet$/i, respond: withoutSubnets });
    emulator.inject({
      method: 'GET',
      path: /\/subnets\/default$/i,
      respond: { status: 404, body: { error: { code: 'NotFound', message: `Resource ${networkId}/subnets/default not found.` } } },
    });
    const outcome = await createPair(client, input);
    assert.deepEqual(
      outcome.failures.map((f) => f.part),
      ['network'],
    );
    assert.match(
      userMessage(outcome.failures[0].error),
      /^Azure returned virtual network contoso-vnet without its subnet default .*no cluster was requested\./,
    );
    assert.equal(requests('PUT', /clusters\//i).length, 0);
    assert.equal(outcome.network?.id, networkId, 'the network exists and can be deleted');
    assert.deepEqual(await deletePairResources(client, outcome), []);
    assert.equal(arm.resources.vnet(networkId), undefined);
  });

  it('creates the network and the storage account, then both clusters in parallel with every role in the subnet', async () => {
    const progress: string[] = [];
    let accepted = 0;
    const outcome = await createPair(client, input, {
      progress: (part: PairPart, state: string) => progress.push(`${part} ${state}`),
      accepted: () => accepted++,
    });
    assert.deepEqual(outcome.failures, []);
    assert.equal(outcome.clusters.spark?.state, 'Running');
    assert.equal(outcome.clusters.kafka?.state, 'Running');
    assert.equal(accepted, 2);
    assert.match(outcome.network!.id, /virtualNetworks\/contoso-vnet$/);
    assert.match(outcome.storage!.id, /storageAccounts\/contosostore$/);
    for (const p of ['network', 'storage', 'spark', 'kafka'])
      assert.ok(progress.includes(`${p} done`), `${p} done in ${progress.join(', ')}`);

    // Order: both clusters are PUT after the network and the storage account exist.
    const vnetPut = requests('PUT', /virtualNetworks\/contoso-vnet$/i)[0];
    const storagePut = requests('PUT', /storageAccounts\/contosostore$/i)[0];
    const clusterPuts = requests('PUT', /clusters\/(spark|kafka)-contoso$/i);
    assert.equal(clusterPuts.length, 2);
    const keys = requests('POST', /storageAccounts\/contosostore\/listKeys$/i)[0];
    for (const put of clusterPuts) {
      const at = emulator.requests.indexOf(put);
      assert.ok(
        at > emulator.requests.indexOf(vnetPut) && at > emulator.requests.indexOf(storagePut) && at > emulator.requests.indexOf(keys),
      );
    }

    // In parallel: the second PUT went out before the first operation was polled.
    const firstPoll = emulator.requests.findIndex((r) => /azureasyncoperations/i.test(r.path));
    assert.ok(emulator.requests.indexOf(clusterPuts[1]) < firstPoll, 'both clusters were requested before waiting on either');

    const bodies = clusterPuts.map((r) => JSON.parse(r.body) as ClusterBody);
    const key = await client.storageAccountKey(outcome.storage!.id);
    for (const body of bodies) {
      const roles = body.properties.computeProfile.roles;
      assert.deepEqual(
        roles.map((r) => r.name),
        ['headnode', 'workernode', 'zookeepernode'],
      );
      for (const role of roles) {
        assert.deepEqual(role.virtualNetworkProfile, { id: outcome.network!.id, subnet: outcome.network!.subnetId }, role.name);
      }
      const [store] = body.properties.storageProfile.storageaccounts;
      assert.equal(store.name, 'contosostore.blob.core.windows.net');
      assert.equal(store.key, key);
      assert.equal(store.isDefault, true);
    }
    const kafka = bodies.find((b) => b.properties.clusterDefinition.kind === 'kafka')!;
    const spark = bodies.find((b) => b.properties.clusterDefinition.kind === 'spark')!;
    const workers = (b: ClusterBody) => b.properties.computeProfile.roles.find((r) => r.name === 'workernode')!;
    assert.equal(workers(kafka).targetInstanceCount, 3);
    assert.deepEqual(workers(kafka).dataDisksGroups, [{ disksPerNode: 2 }]);
    assert.equal(workers(spark).targetInstanceCount, 4);
    assert.equal(workers(spark).dataDisksGroups, undefined);
    assert.notEqual(
      kafka.properties.storageProfile.storageaccounts[0].container,
      spark.properties.storageProfile.storageaccounts[0].container,
    );
  });

  it('when the Kafka cluster fails, says so, keeps what exists, and deletes it all in an order Azure accepts', async () => {
    arm.failOperationOf.set('kafka-contoso', { code: 'InternalServerError', message: 'Failed to provision the ZooKeeper nodes.' });
    const outcome = await createPair(client, input);
    assert.deepEqual(
      outcome.failures.map((f) => f.part),
      ['kafka'],
    );
    assert.match(String((outcome.failures[0].error as Error).message), /ZooKeeper nodes/);
    assert.equal(outcome.clusters.spark?.state, 'Running');
    assert.ok(outcome.clusterIds.kafka, 'the failed cluster exists (in Error) and must be deletable');
    assert.equal(arm.clusterByName('kafka-contoso')?.clusterState, 'Error');

    const steps: string[] = [];
    const left = await deletePairResources(client, outcome, { progress: (s) => steps.push(s) });
    assert.deepEqual(left, []);
    assert.equal(arm.clusters().length, 0);
    assert.equal(arm.resources.vnet(outcome.network!.id), undefined);
    assert.equal(arm.resources.account('contosostore'), undefined);
    // The network went after both clusters were gone (else Azure answers InUseSubnetCannotBeDeleted).
    const vnetDelete = emulator.requests.indexOf(requests('DELETE', /virtualNetworks\/contoso-vnet$/i)[0]);
    for (const d of requests('DELETE', /clusters\//i)) assert.ok(emulator.requests.indexOf(d) < vnetDelete);
    assert.deepEqual(steps.slice(-2), ['Deleting virtual network contoso-vnet', 'Deleting storage account contosostore']);
  });

  it('when the storage account fails, creates no cluster and can delete the network it made', async () => {
    arm.failOperationOf.set('contosostore', { code: 'StorageAccountOperationFailed', message: 'No capacity for Standard_LRS.' });
    const outcome = await createPair(client, input);
    assert.deepEqual(
      outcome.failures.map((f) => f.part),
      ['storage'],
    );
    assert.ok(outcome.network);
    assert.equal(requests('PUT', /clusters\//i).length, 0);
    assert.deepEqual(await deletePairResources(client, outcome), []);
    assert.equal(arm.resources.vnet(outcome.network.id), undefined);
  });

  it('cancelled while the clusters are being created: names all four as started, and they can all be deleted', async () => {
    const controller = new AbortController();
    let accepted = 0;
    const creating = createPair(client, input, {
      signal: controller.signal,
      // The clusters take long enough for the cancel to come while Azure works on them.
      progress: (part, state) => part === 'spark' && state === 'creating' && (arm.operationMs = 5_000),
      accepted: () => ++accepted === 2 && controller.abort(),
    });
    const cancelled = await creating.then(
      () => assert.fail('a cancelled creation must not resolve'),
      (err: unknown) => err,
    );
    assert.ok(cancelled instanceof PairCancelledError, String(cancelled));
    assert.deepEqual(cancelled.startedList, [
      'virtual network contoso-vnet',
      'storage account contosostore',
      'spark-contoso',
      'kafka-contoso',
    ]);
    // Azure goes on: both clusters are there, being created.
    assert.deepEqual(
      arm
        .clusters()
        .map((c) => c.clusterState)
        .sort(),
      ['Accepted', 'Accepted'],
    );

    arm.operationMs = 100;
    assert.deepEqual(await deletePairResources(client, cancelled.started), []);
    assert.equal(arm.clusters().length, 0);
    assert.equal(arm.resources.vnet(cancelled.started.network!.id), undefined);
    assert.equal(arm.resources.account('contosostore'), undefined);
  });

  it('cancelled before any cluster was asked for: names the network and the account only', async () => {
    arm.operationMs = 5_000;
    const controller = new AbortController();
    const creating = createPair(client, input, {
      signal: controller.signal,
      progress: (part, state) => part === 'storage' && state === 'creating' && setTimeout(() => controller.abort(), 200),
    });
    const cancelled = await creating.then(
      () => assert.fail('a cancelled creation must not resolve'),
      (err: unknown) => err,
    );
    assert.ok(cancelled instanceof PairCancelledError, String(cancelled));
    assert.deepEqual(cancelled.startedList, ['virtual network contoso-vnet', 'storage account contosostore']);
    assert.equal(requests('PUT', /clusters\//i).length, 0);
    arm.operationMs = 100;
    assert.deepEqual(await deletePairResources(client, cancelled.started), []);
    assert.equal(arm.resources.vnet(cancelled.started.network!.id), undefined);
    assert.equal(arm.resources.account('contosostore'), undefined);
  });
});
