// Creating single clusters from what the region offers: the kinds of its capabilities, the VM
// sizes of its billing specs, an SSH public key, and the default storage (an account of the
// subscription, a new one, or one given by key). Runs after explorer.test.ts, whose cluster list
// these creations would change.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, children, control, find, settled, text, useEmulatedAzure, createClusterArgs, requests } from './helpers';

const DEV = 'Contoso Streaming Dev';
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHN0cmVhbWluZy10ZXN0cy1wdWJsaWMta2V5LTAx tester@contoso';

interface Role {
  name: string;
  targetInstanceCount: number;
  hardwareProfile: { vmSize: string };
  dataDisksGroups?: unknown[];
  osProfile: { linuxOperatingSystemProfile: Record<string, unknown> };
}

interface PutBody {
  properties: {
    clusterDefinition: { kind: string; componentVersion: Record<string, string> };
    computeProfile: { roles: Role[] };
    storageProfile: { storageaccounts: { name: string; isDefault: boolean; key: string; container: string }[] };
  };
}

/** The body of the cluster's PUT, as the emulator received it. */
async function putOf(name: string): Promise<PutBody> {
  const puts = (await requests(`/clusters/${name}\\?`)).filter((r) => r.method === 'PUT');
  assert.equal(puts.length, 1, `one PUT of ${name}`);
  return JSON.parse(puts[0].body) as PutBody;
}

const plan = createClusterArgs;

const create = (arg: Record<string, unknown>): Promise<{ id: string; state: string; storageAccountId?: string }> =>
  Promise.resolve(vscode.commands.executeCommand<{ id: string; state: string; storageAccountId?: string }>('hdinsight.createCluster', arg));

describe('Creating a cluster from what the region offers (kinds, VM sizes, SSH keys, storage accounts)', function () {
  this.timeout(120_000);
  useEmulatedAzure();
  before(async () => {
    await activateExtension();
    await control('operations', 'PUT', { durationMs: 1_500 });
    // Room in West Europe's quota for the clusters this suite adds to the sandbox's.
    await control('quota', 'PUT', { coreLimit: 1_000 });
  });
  beforeEach(() => control('requests', 'DELETE'));
  afterEach(() => control('regions', 'DELETE'));
  after(async () => {
    await control('operations', 'PUT', { durationMs: 2_500 });
    await control('quota', 'PUT', {});
  });

  it('creates a Hadoop cluster with the chosen worker size: its component, roles and sizes as sent, and the tree shows it', async () => {
    const created = await create(plan('contoso-hadoop-new', { kind: 'hadoop', workerCount: 2, workerNodeSize: 'Standard_E16_V3' }));
    assert.equal(created.state, 'Running');
    assert.equal(created.storageAccountId, undefined, 'no storage account was created');
    const body = await putOf('contoso-hadoop-new');
    assert.equal(body.properties.clusterDefinition.kind, 'hadoop');
    assert.deepEqual(body.properties.clusterDefinition.componentVersion, { Hadoop: '3.3' });
    assert.deepEqual(
      body.properties.computeProfile.roles.map((r) => [r.name, r.targetInstanceCount, r.hardwareProfile.vmSize, !!r.dataDisksGroups]),
      [
        ['headnode', 2, 'Standard_E4_V3', false],
        ['workernode', 2, 'Standard_E16_V3', false],
        ['zookeepernode', 3, 'Standard_A2_V2', false],
      ],
    );
    // What the region offers was read before the name was checked.
    const order = (await requests('/locations/westeurope/')).map((r) => r.path.split('?')[0].split('/').pop());
    assert.deepEqual(order.slice(0, 2).sort(), ['billingSpecs', 'capabilities']);
    assert.equal(order[2], 'checkNameAvailability');
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    await settled(api); // Azure's answer, not the last-known rows shown meanwhile
    const clusters = text(await children(api, (await find(api, DEV)).node));
    assert.ok(
      clusters.some((c) => /^contoso-hadoop-new — Hadoop 3\.3 · Running/.test(c)),
      clusters.join('\n'),
    );
  });

  it('says which kinds a region offers when it lacks the one asked for, and sends nothing to create', async () => {
    await control('regions/northeurope', 'PUT', { withoutKinds: ['kafka'] });
    await assert.rejects(
      create(plan('contoso-kafka-north', { location: 'northeurope' })),
      (err: Error) =>
        err.message === 'northeurope offers no Kafka clusters in HDInsight 5.1; it offers Spark, Hadoop, Interactive Query and HBase.',
    );
    const sent = (await requests('/locations/|Microsoft\\.Storage|/clusters/contoso-kafka-north')).map(
      (r) => `${r.method} ${r.path.split('?')[0].split('/').slice(-2).join('/')}`,
    );
    assert.deepEqual(sent.sort(), ['GET northeurope/billingSpecs', 'GET northeurope/capabilities'], 'only what the region offers was read');
  });

  it('refuses a VM size the region does not offer for the kind and role, with the sizes it does, before the PUT', async () => {
    await control('regions/westeurope', 'PUT', { withoutVmSizes: ['Standard_E16_V3'] });
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        plan('contoso-tiny-brokers', { workerNodeSize: 'Standard_A4_V2' }),
        /^Standard_A4_V2 cannot be a worker node of a Kafka cluster in westeurope\.$/,
      ],
      [plan('contoso-big-heads', { headNodeSize: 'Standard_E64_V5' }), /^westeurope does not offer Standard_E64_V5 for HDInsight\.$/],
      [
        plan('contoso-gone-size', { kind: 'spark', workerCount: 2, workerNodeSize: 'Standard_E16_V3' }),
        /^westeurope does not offer Standard_E16_V3/,
      ],
      [
        plan('contoso-llap-small', { kind: 'interactivehive', workerCount: 2, workerNodeSize: 'Standard_D4_V2' }),
        /^Standard_D4_V2 cannot be a worker node of an Interactive Query cluster in westeurope\.$/,
      ],
    ];
    for (const [arg, message] of cases) await assert.rejects(create(arg), (err: Error) => message.test(err.message));
    assert.deepEqual(
      (await requests('/clusters/|checkNameAvailability|validateCreateRequest')).map((r) => r.path),
      [],
      'nothing was checked or created',
    );
    // A size that is no VM size name is refused before any request.
    await control('requests', 'DELETE');
    await assert.rejects(create(plan('contoso-huge', { workerNodeSize: 'huge' })), /"workerNodeSize" "huge" is not a VM size name/);
    assert.deepEqual(await requests('/locations/|/clusters/contoso-huge'), []);
  });

  it('creates a cluster whose SSH user signs in with a public key: the key on every role, no password', async () => {
    const created = await create(
      plan('contoso-spark-keyed', { kind: 'spark', workerCount: 1, ssh: { username: 'streamer', publicKey: `${PUBLIC_KEY}\n` } }),
    );
    assert.equal(created.state, 'Running');
    const body = await putOf('contoso-spark-keyed');
    for (const role of body.properties.computeProfile.roles) {
      assert.deepEqual(role.osProfile.linuxOperatingSystemProfile, {
        username: 'streamer',
        sshProfile: { publicKeys: [{ certificateData: PUBLIC_KEY }] },
      });
    }
  });

  it("creates a new storage account in the cluster's resource group and region first, and gives the cluster its key", async () => {
    const created = await create(
      plan('contoso-hbase-new', { kind: 'hbase', workerCount: 2, storage: { create: true, accountName: 'contosohbasestore' } }),
    );
    assert.equal(created.state, 'Running');
    assert.match(
      created.storageAccountId ?? '',
      /\/resourceGroups\/streaming-rg\/providers\/Microsoft\.Storage\/storageAccounts\/contosohbasestore$/,
    );
    const sent = (await requests('/providers/Microsoft\\.Storage/|/clusters/contoso-hbase-new\\?'))
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path.split('?')[0].split('/').slice(-1)[0]}`);
    assert.deepEqual(sent, ['POST checkNameAvailability', 'PUT contosohbasestore', 'POST listKeys', 'PUT contoso-hbase-new']);
    const [storagePut] = (await requests('/storageAccounts/contosohbasestore\\?')).filter((r) => r.method === 'PUT');
    const account = JSON.parse(storagePut.body) as { location: string; kind: string; sku: { name: string } };
    assert.deepEqual([account.location, account.kind, account.sku.name], ['westeurope', 'StorageV2', 'Standard_LRS']);
    const [storage] = (await putOf('contoso-hbase-new')).properties.storageProfile.storageaccounts;
    assert.equal(storage.name, 'contosohbasestore.blob.core.windows.net');
    assert.equal(storage.isDefault, true);
    // The emulator, like HDInsight, refuses a key that does not open the account: the cluster was created with the right one.
    assert.match(storage.key, /^[A-Za-z0-9+/]{86}==$/);
  });

  it('reads the key of an account of the subscription, and refuses one in another region or a wrong key', async () => {
    const created = await create(plan('contoso-spark-lake', { kind: 'spark', workerCount: 1, storage: { accountName: 'contosodevlake' } }));
    assert.equal(created.state, 'Running');
    assert.equal(created.storageAccountId, undefined);
    assert.equal((await requests('/storageAccounts/contosodevlake/listKeys')).length, 1, 'the key was read from Azure');
    await assert.rejects(
      create(plan('contoso-spark-far', { kind: 'spark', workerCount: 1, storage: { accountName: 'contosoetlstore' } })),
      /Storage account contosoetlstore is in northeurope; HDInsight needs its default storage in the cluster's region, westeurope\.$/,
    );
    await assert.rejects(
      create(
        plan('contoso-spark-wrongkey', { kind: 'spark', workerCount: 1, storage: { accountName: 'contosodevlake', key: 'd3Jvbmc=' } }),
      ),
      /The key of storage account 'contosodevlake' is not valid\. \(InvalidStorageAccountKey\)/,
    );
    await assert.rejects(
      create(plan('contoso-spark-nowhere', { kind: 'spark', workerCount: 1, storage: { accountName: 'contosonowhere' } })),
      /has no storage account contosonowhere/,
    );
  });

  it('deletes the new storage account again when the cluster is refused before Azure takes it', async () => {
    await control('taken-names', 'POST', { name: 'contoso-raced-storage' });
    await assert.rejects(
      create(plan('contoso-raced-storage', { storage: { create: true, accountName: 'contosoracedstore' } })),
      /not available.*The new storage account contosoracedstore was deleted again\./,
    );
    const deleted = (await requests('/storageAccounts/contosoracedstore\\?')).filter((r) => r.method === 'DELETE');
    assert.equal(deleted.length, 1);
  });
});
