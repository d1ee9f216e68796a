import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_PASSWORDS } from '../fixtures/secrets';
import {
  activateExtension,
  children,
  control,
  eventually,
  find,
  text,
  useEmulatedAzure,
  DEV_SUBSCRIPTION,
  requests,
  settled,
} from './helpers';

const DEV = 'Contoso Streaming Dev';

interface PairResult {
  sparkClusterId: string;
  kafkaClusterId: string;
  virtualNetworkId: string;
  subnetId: string;
  storageAccountId: string;
}

type Role = {
  name: string;
  targetInstanceCount: number;
  dataDisksGroups?: { disksPerNode: number }[];
  virtualNetworkProfile?: { id: string; subnet: string };
};

const args = (baseName: string, changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  subscriptionId: DEV_SUBSCRIPTION,
  resourceGroup: `${baseName}-rg`,
  createResourceGroup: true,
  location: 'westeurope',
  baseName,
  clusterLogin: { username: 'admin', password: TEST_PASSWORDS.created },
  ssh: { username: 'sshuser', password: TEST_PASSWORDS.createdSsh },
  ...changes,
});

const createPair = (arg: Record<string, unknown>): Promise<PairResult> =>
  Promise.resolve(vscode.commands.executeCommand<PairResult>('hdinsight.createSparkKafkaPair', arg));

describe('Creating the Spark + Kafka pair of the streaming tutorial (emulated Resource Manager, real SDKs)', function () {
  this.timeout(120_000);
  useEmulatedAzure();
  // Room for several pairs of 98 cores each next to the emulated subscription's other clusters.
  const roomy = () => control('quota', 'PUT', { coreLimit: 1_000 });
  before(async () => {
    await activateExtension();
    await roomy();
    // The suites before this one created clusters; one page shows the pair next to all of them.
    await control('page-size', 'PUT', { pageSize: 50 });
  });
  after(async () => {
    await control('quota', 'PUT', {});
    await control('page-size', 'PUT', {});
  });
  beforeEach(() => control('requests', 'DELETE'));
  afterEach(() => control('operations', 'PUT', { durationMs: 2_500 }));

  it('creates the network, the storage account and both clusters in one subnet; the tree shows both creating, then running', async () => {
    await control('operations', 'PUT', { durationMs: 5_000 });
    const api = await activateExtension();
    const creating = createPair(args('tutorial'));
    await eventually(
      async () => {
        await vscode.commands.executeCommand('hdinsight.refresh');
        const clusters = text(await children(api, (await find(api, DEV)).node));
        for (const name of ['spark-tutorial', 'kafka-tutorial']) {
          assert.ok(
            clusters.some((c) => c.startsWith(`${name} — `) && / · Accepted/.test(c)),
            clusters.join('\n'),
          );
        }
      },
      30_000,
      500,
    );
    const result = await creating;
    assert.match(result.sparkClusterId, /\/resourceGroups\/tutorial-rg\/providers\/Microsoft\.HDInsight\/clusters\/spark-tutorial$/);
    assert.match(result.kafkaClusterId, /\/clusters\/kafka-tutorial$/);
    assert.match(result.virtualNetworkId, /\/resourceGroups\/tutorial-rg\/providers\/Microsoft\.Network\/virtualNetworks\/tutorial-vnet$/);
    assert.equal(result.subnetId, `${result.virtualNetworkId}/subnets/default`);
    assert.match(result.storageAccountId, /\/providers\/Microsoft\.Storage\/storageAccounts\/tutorialstore$/);

    // The network as the tutorial's template makes it.
    const [vnetPut] = (await requests('/virtualNetworks/tutorial-vnet')).filter((r) => r.method === 'PUT');
    assert.match(vnetPut.path, /api-version=\d{4}-\d{2}-\d{2}/);
    const vnet = JSON.parse(vnetPut.body) as { location: string; properties: { addressSpace: unknown; subnets: unknown } };
    assert.equal(vnet.location, 'westeurope');
    assert.deepEqual(vnet.properties.addressSpace, { addressPrefixes: ['10.0.0.0/16'] });
    assert.deepEqual(vnet.properties.subnets, [{ name: 'default', properties: { addressPrefix: '10.0.0.0/24' } }]);

    // Both clusters: every role in the subnet; Kafka with data disks and ZooKeeper; the new account as default storage.
    const puts = (await requests('/clusters/(spark|kafka)-tutorial')).filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 2);
    for (const put of puts) {
      const body = JSON.parse(put.body) as {
        properties: {
          clusterDefinition: { kind: string };
          computeProfile: { roles: Role[] };
          storageProfile: { storageaccounts: { name: string; isDefault: boolean }[] };
        };
      };
      const { roles } = body.properties.computeProfile;
      const kind = body.properties.clusterDefinition.kind;
      assert.deepEqual(
        roles.map((r) => [r.name, r.targetInstanceCount, r.dataDisksGroups?.[0]?.disksPerNode ?? 0]),
        kind === 'kafka'
          ? [
              ['headnode', 2, 0],
              ['workernode', 3, 2],
              ['zookeepernode', 3, 0],
            ]
          : [
              ['headnode', 2, 0],
              ['workernode', 4, 0],
              ['zookeepernode', 3, 0],
            ],
      );
      for (const role of roles) {
        assert.deepEqual(role.virtualNetworkProfile, { id: result.virtualNetworkId, subnet: result.subnetId }, `${kind} ${role.name}`);
      }
      assert.deepEqual(
        body.properties.storageProfile.storageaccounts.map((s) => [s.name, s.isDefault]),
        [['tutorialstore.blob.core.windows.net', true]],
      );
    }

    await vscode.commands.executeCommand('hdinsight.refresh');
    const network = text(await children(api, (await find(api, DEV, 'kafka-tutorial', 'Properties', 'Network')).node));
    assert.ok(
      network.some((n) => n.includes('tutorial-vnet')),
      network.join('\n'),
    );
  });

  it('creates nothing when the input is cancelled half-way, for the pair as for one cluster', async () => {
    for (const command of ['hdinsight.createSparkKafkaPair', 'hdinsight.createCluster']) {
      await control('requests', 'DELETE');
      const running = Promise.resolve(vscode.commands.executeCommand(command));
      // Subscription: the first one, once listed; resource group: "New resource group…"; then Escape on its name.
      for (const listed of ['/subscriptions\\?', '/resourcegroups\\?']) {
        await eventually(async () => assert.ok((await requests(listed)).length > 0, `waiting for ${listed}`), 20_000, 100);
        await new Promise((r) => setTimeout(r, 500)); // the list reaches the quick pick
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      await new Promise((r) => setTimeout(r, 500));
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      assert.equal(await running, undefined, `${command} ended without a result`);
      const changes = (await requests('/')).filter((r) => r.method !== 'GET');
      assert.deepEqual(
        changes.map((r) => `${r.method} ${r.path}`),
        [],
        `${command}: nothing created, nothing checked`,
      );
      assert.ok((await requests('/resourcegroups\\?')).length > 0, `${command} got as far as the resource groups`);
    }
  });

  it('refuses bad input before any request, without repeating a password', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [args('-dash'), /cannot be the pair's base name/],
      [args('weak', { clusterLogin: { username: 'admin', password: 'password' } }), /cluster login password needs/],
      [args('nostore', { storageAccount: 'Not_A_Name' }), /not a valid storage account name/],
      [args('badfailure', { onFailure: 'retry' }), /"onFailure" must be "keep" or "delete"/],
      [args('users', { ssh: { username: 'admin', password: TEST_PASSWORDS.createdSsh } }), /SSH user must differ/],
    ];
    for (const [arg, message] of cases) {
      await assert.rejects(createPair(arg), (err: Error) => message.test(err.message) && !err.message.includes(TEST_PASSWORDS.created));
    }
    assert.deepEqual(await requests('/subscriptions/'), []);
  });

  it('stops before creating anything when the two clusters exceed the quota', async () => {
    await control('quota', 'PUT', { coreLimit: 120 });
    try {
      // HDInsight's own validation or our sum of both clusters' cores, whichever speaks first.
      await assert.rejects(
        createPair(args('overquota')),
        /requires 54 cores in westeurope; \d+ of the subscription's 120|The pair needs 98 cores; \d+ of the 120 in westeurope/,
      );
      assert.deepEqual(
        (await requests('/subscriptions/')).filter((r) => r.method === 'PUT'),
        [],
      );
    } finally {
      await roomy();
    }
  });

  it('refuses before creating anything when the region offers no Kafka in HDInsight 5.1', async () => {
    await control('regions/westeurope', 'PUT', { withoutKinds: ['kafka'] });
    try {
      await assert.rejects(
        createPair(args('nokafka')),
        (err: Error & { action?: string }) =>
          /^westeurope offers no Kafka clusters in HDInsight 5\.1; it offers Spark/.test(err.message) &&
          /^Choose another region/.test(err.action ?? ''),
      );
      assert.deepEqual(
        (await requests('/subscriptions/')).filter((r) => r.method === 'PUT'),
        [],
      );
    } finally {
      await control('regions', 'DELETE');
    }
  });

  it('when the Kafka cluster fails: says which part and what is still there; with onFailure "delete" removes it all', async () => {
    // Azure's message ends without a period: the summary still reads as sentences.
    await control('operations', 'PUT', {
      failOf: { name: 'kafka-halfway', code: 'InternalServerError', message: 'Failed to provision the ZooKeeper nodes' },
    });
    await assert.rejects(createPair(args('halfway')), (err: Error) =>
      /Kafka cluster kafka-halfway failed: .*ZooKeeper nodes\. Created and still there: virtual network halfway-vnet, storage account halfwaystore, spark-halfway \(Running\), kafka-halfway \(Error\)\./.test(
        err.message,
      ),
    );
    // Once more, deleting what it made: the clusters first, then the network their nodes held, then the storage account.
    await control('requests', 'DELETE');
    await control('operations', 'PUT', {
      failOf: { name: 'kafka-undone', code: 'InternalServerError', message: 'Failed to provision the ZooKeeper nodes.' },
    });
    await assert.rejects(createPair(args('undone', { onFailure: 'delete' })), /kafka-undone failed: .*What was created is deleted again\./);
    const deletes = (await requests('/'))
      .filter((r) => r.method === 'DELETE')
      .map((r) => r.path.split('?')[0].split('/').slice(-2).join('/'));
    assert.deepEqual(deletes.slice(0, 2).sort(), ['clusters/kafka-undone', 'clusters/spark-undone']);
    assert.deepEqual(deletes.slice(2), ['virtualNetworks/undone-vnet', 'storageAccounts/undonestore']);
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    await settled(api); // Azure's answer, not the last-known rows shown meanwhile
    const clusters = text(await children(api, (await find(api, DEV)).node));
    assert.ok(!clusters.some((c) => /-undone — /.test(c)), clusters.join('\n'));
  });
});
