import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  children,
  CONTOSO_TENANT,
  control,
  eventually,
  find,
  labels,
  settled,
  text,
  updateSetting,
  useEmulatedAzure,
} from './helpers';

const contoso = CONTOSO_TENANT;
const fabrikam = 'c4a1e0c2-8d55-4c7b-9f0e-3b2d6a7e1f90';
const devSubscription = '1f3c5b7a-2e4d-4f60-8a9b-0c1d2e3f4a5b';
const DEV = 'Contoso Streaming Dev';

describe('The HDInsight explorer against Azure Resource Manager (emulated)', function () {
  this.timeout(60_000);

  useEmulatedAzure();

  afterEach(async () => {
    await control('page-size', 'PUT', { pageSize: 10 });
    await control('resource-graph', 'PUT', {});
    await control('faults', 'DELETE');
    await updateSetting('azure.subscriptions', undefined);
    await updateSetting('azure.tenant', contoso);
  });

  it('lists the subscriptions of the chosen tenant', async () => {
    const api = await activateExtension();
    assert.deepEqual(labels(await settled(api)), ['Contoso Production', DEV]);
    await vscode.commands.executeCommand('hdinsight.selectTenant', { tenantId: fabrikam });
    // Another tenant: nothing of the one before shows, not even while it is being asked.
    assert.deepEqual(labels(await children(api)), ['Fabrikam Analytics']);
  });

  it('shows each cluster with kind, version, state and region at a glance, and a kind icon', async () => {
    const api = await activateExtension();
    const subscription = await find(api, DEV);
    const clusters = await children(api, subscription.node);
    assert.deepEqual(text(clusters), [
      'contoso-hadoop-old — Hadoop 3.3 · Deleting · North Europe',
      'contoso-kafka — Kafka 3.2 · Running · West Europe',
      'contoso-spark — Spark 3.3 · Running · West Europe',
      'contoso-spark-etl — Spark 3.3 · Accepted (InProgress) · North Europe',
    ]);
    const kafka = clusters[1];
    assert.equal(kafka.contextValue, 'cluster.azure.kafka.running');
    assert.match((kafka.item.iconPath as vscode.Uri).path, /media\/kafka\.svg$/);
    assert.match(kafka.tooltip, /HDInsight version: 5\.1\.3000\.0/);
    assert.match(kafka.tooltip, /Resource group: streaming-rg/);
    assert.match(kafka.tooltip, /Nodes: 2 headnode, 3 workernode, 3 zookeepernode/);
  });

  it('shows the properties of a cluster: roles, endpoints, storage, network, created date and login', async () => {
    const api = await activateExtension();
    const properties = await find(api, DEV, 'contoso-kafka', 'Properties');
    assert.deepEqual(
      (await children(api, properties.node)).map((n) => n.label),
      ['Roles', 'Endpoints', 'Storage', 'Network', 'Created', 'Cluster login'],
    );
    const roles = text(await children(api, (await find(api, DEV, 'contoso-kafka', 'Properties', 'Roles')).node));
    assert.ok(
      roles.some((r) => /^workernode — 3 × \S+, 2 data disks each$/.test(r)),
      roles.join('\n'),
    );
    const endpoints = text(await children(api, (await find(api, DEV, 'contoso-kafka', 'Properties', 'Endpoints')).node));
    assert.ok(endpoints.includes('SSH — contoso-kafka-ssh.azurehdinsight.net:22 (TCP)'), endpoints.join('\n'));
    const network = text(await children(api, (await find(api, DEV, 'contoso-kafka', 'Properties', 'Network')).node));
    assert.ok(network.includes('Virtual network — streaming-vnet'), network.join('\n'));
    const created = await find(api, DEV, 'contoso-kafka', 'Properties', 'Created');
    assert.equal(created.description, new Date('2025-04-02T08:15:31.427Z').toLocaleString());
  });

  it('reads the cluster login from Azure and never shows the password', async () => {
    const api = await activateExtension();
    await find(api, DEV, 'contoso-kafka', 'Properties', 'Cluster login'); // starts loading
    const login = await eventually(async () => {
      const node = await find(api, DEV, 'contoso-kafka', 'Properties', 'Cluster login');
      assert.notEqual(node.description, 'loading…');
      return node;
    });
    assert.equal(login.description, 'admin (from Azure)');
    assert.doesNotMatch(JSON.stringify(login.item), /Sandbox-Kafka-1!/);
  });

  it('explains why a cluster is not running and offers no actions on it', async () => {
    const api = await activateExtension();
    const etl = await find(api, DEV, 'contoso-spark-etl');
    assert.equal(etl.contextValue, 'cluster.azure.spark.notRunning');
    const first = (await children(api, etl.node))[0];
    assert.equal(first.label, 'Not running');
    assert.equal(first.description, 'State Accepted, provisioning InProgress');
    await updateSetting('azure.tenant', contoso);
    const failed = await children(api, (await find(api, 'Contoso Production', 'contoso-prod-spark')).node);
    assert.deepEqual(text(failed).slice(0, 2), [
      'Not running — State Error, provisioning Failed',
      'InvalidNetworkConfigurationErrorCode — Virtual network configuration is not compatible with HDInsight requirements.',
    ]);
  });

  it('pages a long list of clusters with a "Load more" node where Resource Graph is refused', async () => {
    const api = await activateExtension();
    await control('resource-graph', 'PUT', { refuse: 'forbidden' });
    await control('page-size', 'PUT', { pageSize: 3 });
    await vscode.commands.executeCommand('hdinsight.refresh');
    await settled(api);
    const subscription = await find(api, DEV);
    const firstPage = await children(api, subscription.node);
    assert.equal(firstPage.length, 4, text(firstPage).join('\n'));
    assert.equal(firstPage[3].label, 'Load more…');
    await vscode.commands.executeCommand('hdinsight.loadMore', firstPage[3].node);
    const all = await children(api, subscription.node);
    assert.deepEqual(
      all.map((n) => n.label),
      ['contoso-hadoop-old', 'contoso-kafka', 'contoso-spark', 'contoso-spark-etl'],
    );
  });

  it('shows the last-known clusters at once, marked as refreshing, and then what Azure says now', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    await settled(api); // Azure's answer, kept as the last-known tree
    assert.ok(text(await children(api, (await find(api, DEV)).node)).some((t) => t.startsWith('contoso-spark-etl')));
    // Deleted elsewhere, and Resource Graph slow to say so.
    const removed = await control('clusters/contoso-spark-etl', 'DELETE');
    await control('faults', 'POST', { path: '^/providers/Microsoft\\.ResourceGraph/resources$', latencyMs: 3000 });
    try {
      await vscode.commands.executeCommand('hdinsight.refresh');
      const known = await find(api, DEV);
      assert.match(known.description ?? '', /refreshing…$/);
      assert.ok(
        text(await children(api, known.node)).some((t) => t.startsWith('contoso-spark-etl')),
        'the last-known rows, until Azure answers',
      );
      const fresh = await eventually(async () => {
        const node = await find(api, DEV);
        assert.doesNotMatch(node.description ?? '', /refreshing/);
        return node;
      }, 15_000);
      assert.equal(fresh.description, '3 clusters');
      assert.deepEqual(
        (await children(api, fresh.node)).map((n) => n.label),
        ['contoso-hadoop-old', 'contoso-kafka', 'contoso-spark'],
      );
    } finally {
      await control('faults', 'DELETE');
      await control('clusters', 'POST', removed);
    }
  });

  it('lists every cluster subscription by subscription where Resource Graph is refused', async () => {
    const api = await activateExtension();
    await control('resource-graph', 'PUT', { refuse: 'forbidden' });
    await vscode.commands.executeCommand('hdinsight.refresh');
    await settled(api);
    const subscription = await find(api, DEV);
    assert.ok(!subscription.description, 'no count before they are listed');
    assert.equal(
      (await children(api, subscription.node)).map((n) => n.label).join(', '),
      'contoso-hadoop-old, contoso-kafka, contoso-spark, contoso-spark-etl',
    );
  });

  it('filters subscriptions', async () => {
    const api = await activateExtension();
    const result = await vscode.commands.executeCommand('hdinsight.selectSubscriptions', { subscriptionIds: [devSubscription] });
    assert.deepEqual(result, { subscriptionIds: [devSubscription] });
    assert.deepEqual(labels(await children(api)), [DEV]);
  });

  it('gives the addresses of Ambari, the Spark and YARN UIs, Jupyter and the portal, and copies the SSH command', async () => {
    const api = await activateExtension();
    const open = (command: string, cluster: string): Thenable<{ url: string }> =>
      vscode.commands.executeCommand(command, { cluster, open: false });
    // The emulator serves each cluster's gateway on its own port: the HTTPS endpoint Resource Manager names.
    const gateway = async (cluster: string): Promise<string> => {
      const endpoints = await children(api, (await find(api, DEV, cluster, 'Properties', 'Endpoints')).node);
      return `https://${endpoints.find((e) => e.label === 'HTTPS')!.description.replace(/ \(TCP\)$/, '')}`;
    };
    const kafkaGateway = await gateway('contoso-kafka');
    const sparkGateway = await gateway('contoso-spark');
    assert.match(kafkaGateway, /^https:\/\/localhost:\d+$/);
    assert.deepEqual(await open('hdinsight.openAmbari', 'contoso-kafka'), { url: `${kafkaGateway}/` });
    assert.deepEqual(await open('hdinsight.openSparkUi', 'contoso-spark'), { url: `${sparkGateway}/sparkhistory/` });
    assert.deepEqual(await open('hdinsight.openYarnUi', 'contoso-spark'), { url: `${sparkGateway}/yarnui/hn/cluster` });
    assert.deepEqual(await open('hdinsight.openJupyter', 'contoso-spark'), { url: `${sparkGateway}/jupyter/` });
    const portal = await open('hdinsight.openInPortal', 'contoso-kafka');
    assert.equal(
      portal.url,
      `https://portal.azure.com/#resource/subscriptions/${devSubscription}/resourceGroups/streaming-rg/providers/Microsoft.HDInsight/clusters/contoso-kafka/overview`,
    );
    const ssh = await vscode.commands.executeCommand<{ command: string }>('hdinsight.copySshCommand', { cluster: 'contoso-kafka' });
    assert.equal(ssh.command, 'ssh sshuser@contoso-kafka-ssh.azurehdinsight.net');
    assert.equal(await vscode.env.clipboard.readText(), ssh.command);
  });

  it('says when a named cluster does not exist', async () => {
    await activateExtension();
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.openAmbari', { cluster: 'no-such-cluster', open: false })),
      /No cluster named no-such-cluster was found/,
    );
    const missing = `/subscriptions/${devSubscription}/resourceGroups/streaming-rg/providers/Microsoft.HDInsight/clusters/gone`;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.openAmbari', { cluster: missing, open: false })),
      /Reading cluster gone failed: .*not found/i,
    );
  });
});
