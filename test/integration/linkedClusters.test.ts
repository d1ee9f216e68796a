import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { TEST_PASSWORDS } from '../fixtures/secrets';
import type { TreeNode } from '../../src/tree/nodes/TreeNode';
import { activateExtension, children, eventually, find, text, useEmulatedAzure } from './helpers';

async function setLinkedClusters(value: unknown[] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('hdinsight').update('linkedClusters', value, vscode.ConfigurationTarget.Global);
}

async function labels(tree: vscode.TreeDataProvider<unknown>, node?: unknown): Promise<string[]> {
  const children = ((await tree.getChildren(node)) ?? []) as TreeNode[];
  return children.map((c) => {
    const item = c.getTreeItem();
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    return item.description ? `${label} — ${String(item.description)}` : label;
  });
}

async function linkedRoot(tree: vscode.TreeDataProvider<unknown>): Promise<TreeNode> {
  const roots = ((await tree.getChildren(undefined)) ?? []) as TreeNode[];
  const root = roots.find((r) => r.id === 'linked');
  assert.ok(root, 'no Linked Clusters node');
  return root;
}

/** A local stand-in for Ambari that records the Authorization header of each request and answers 503. */
async function recordingAmbari(): Promise<{ url: string; authorizations: (string | undefined)[]; close: () => void }> {
  const authorizations: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"starting"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorizations, close: () => server.close() };
}

describe('Linked clusters in the tree', () => {
  afterEach(() => setLinkedClusters(undefined));

  it('shows nothing, so the welcome view appears, when no cluster is known', async () => {
    const { clusters } = await activateExtension();
    await setLinkedClusters(undefined);
    assert.deepEqual(await clusters.getChildren(undefined), []);
  });

  it('lists a linked cluster with its endpoints as soon as the setting changes', async () => {
    const { clusters } = await activateExtension();
    const changed = new Promise<void>((resolve) => {
      const sub = clusters.onDidChangeTreeData!(() => {
        sub.dispose();
        resolve();
      });
    });
    await setLinkedClusters([
      {
        name: 'streaming-dev',
        ambariUrl: 'https://streaming-dev.azurehdinsight.net',
        kafkaBootstrap: 'wn0-kafka:9092,wn1-kafka:9092',
        username: 'admin',
      },
    ]);
    await changed;
    const root = await linkedRoot(clusters);
    // Linked clusters show at once; Azure's part is what was known, or a row saying it is being asked, until it answered.
    await eventually(async () =>
      assert.deepEqual(await labels(clusters), ['Sign in to Azure…', 'Linked Clusters — 1'], 'not signed in to Azure: offered, not forced'),
    );
    assert.deepEqual(await labels(clusters, root), ['streaming-dev — linked · streaming-dev.azurehdinsight.net']);
    const [cluster] = (await clusters.getChildren(root)) as TreeNode[];
    assert.deepEqual(await labels(clusters, cluster), [
      'Brokers',
      'Topics',
      'Consumer Groups',
      'Ambari — https://streaming-dev.azurehdinsight.net/',
      'Kafka bootstrap — wn0-kafka:9092,wn1-kafka:9092',
      'Login — admin',
    ]);
  });

  it('flags an entry with a plain-http address and leaves the setting as the user wrote it', async () => {
    const { clusters } = await activateExtension();
    const entries = [
      { name: 'good', livyUrl: 'http://localhost:8998' },
      { name: 'insecure', ambariUrl: 'http://insecure.example.com' },
    ];
    await setLinkedClusters(entries);
    const children = await labels(clusters, await linkedRoot(clusters));
    assert.equal(children[0], 'good — linked · localhost:8998');
    assert.match(children[1], /^insecure — The Ambari URL http:\/\/insecure\.example\.com uses plain http/);
    assert.deepEqual(vscode.workspace.getConfiguration('hdinsight').get('linkedClusters'), entries);
  });

  it('links and unlinks a cluster by command arguments; the password never reaches the settings', async () => {
    const { clusters } = await activateExtension();
    const linked = await vscode.commands.executeCommand('hdinsight.linkCluster', {
      name: 'onprem',
      ambariUrl: 'https://onprem.example.com:8443',
      kafkaBootstrap: 'b0.example.com:9092',
      username: 'admin',
      password: TEST_PASSWORDS.linked,
    });
    assert.deepEqual(linked, { name: 'onprem' });
    const saved = vscode.workspace.getConfiguration('hdinsight').get('linkedClusters');
    assert.deepEqual(saved, [
      { name: 'onprem', ambariUrl: 'https://onprem.example.com:8443', kafkaBootstrap: 'b0.example.com:9092', username: 'admin' },
    ]);
    assert.doesNotMatch(JSON.stringify(vscode.workspace.getConfiguration('hdinsight')), new RegExp(TEST_PASSWORDS.linked));
    assert.deepEqual(await labels(clusters, await linkedRoot(clusters)), ['onprem — linked · onprem.example.com:8443']);

    const unlinked = await vscode.commands.executeCommand('hdinsight.unlinkCluster', { name: 'onprem' });
    assert.deepEqual(unlinked, { name: 'onprem', removed: true });
    assert.deepEqual(vscode.workspace.getConfiguration('hdinsight').get('linkedClusters'), []);
  });

  it('sends a stored login only to the address it was entered for: an edited address or a new cluster of the same name gets nothing', async () => {
    await activateExtension();
    const [first, moved] = [await recordingAmbari(), await recordingAmbari()];
    const discover = (): Promise<unknown> =>
      Promise.resolve(vscode.commands.executeCommand('hdinsight.discoverBrokers', { cluster: 'moving' }));
    const basic = (password: string): string => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    try {
      await vscode.commands.executeCommand('hdinsight.linkCluster', {
        name: 'moving',
        ambariUrl: first.url,
        username: 'admin',
        password: TEST_PASSWORDS.linked,
      });
      await assert.rejects(discover(), /Ambari at 127\.0\.0\.1:\d+ answered 503/);
      assert.deepEqual(first.authorizations, [basic(TEST_PASSWORDS.linked)], 'the login went where it was entered for');

      // The entry's address is edited in the settings: the stored login stays home.
      await setLinkedClusters([{ name: 'moving', ambariUrl: moved.url, username: 'admin' }]);
      await assert.rejects(discover(), (err: Error) => {
        assert.equal(
          err.message,
          `The stored cluster login of moving was entered for ${first.url}, not for ${moved.url} where moving now points; it was not sent there.`,
        );
        assert.match(String((err as { action?: string }).action), /Enter the login again with "HDInsight: Enter Cluster Login…"/);
        return true;
      });
      assert.deepEqual(moved.authorizations, [], 'the new address received nothing');

      // Another cluster linked under the same name, without a password: still nothing is sent.
      await setLinkedClusters([]);
      await vscode.commands.executeCommand('hdinsight.linkCluster', { name: 'moving', ambariUrl: moved.url, username: 'admin' });
      await assert.rejects(discover(), /was not sent there/);
      assert.deepEqual(moved.authorizations, []);

      // Entered again for the new address, it is used there.
      await vscode.commands.executeCommand('hdinsight.setClusterLogin', { cluster: 'moving', username: 'admin', password: 'Moved-Pw-2!' });
      await assert.rejects(discover(), /answered 503/);
      assert.deepEqual(moved.authorizations, [basic('Moved-Pw-2!')]);
    } finally {
      await vscode.commands.executeCommand('hdinsight.unlinkCluster', { name: 'moving' }).then(undefined, () => undefined);
      first.close();
      moved.close();
    }
  });

  it('refuses a malformed linked cluster before saving anything', async () => {
    await setLinkedClusters([{ name: 'keep-me', livyUrl: 'https://keep.example.com/livy' }]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'bad', ambariUrl: 'http://insecure.example.com' }, /plain http/],
      [{ name: 'bad', ambariUrl: 'not a url' }, /is not a URL/],
      [{ name: 'bad', kafkaBootstrap: 'broker-without-port' }, /not a Kafka broker address/],
      [{ name: '', livyUrl: 'https://x.example.com' }, /has no name/],
      [{ name: 'bad' }, /no address/],
      [{ name: 'bad', livyUrl: 'https://x.example.com', password: 'p' }, /without a username/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('hdinsight.linkCluster', args)), message);
    }
    assert.deepEqual(vscode.workspace.getConfiguration('hdinsight').get('linkedClusters'), [
      { name: 'keep-me', livyUrl: 'https://keep.example.com/livy' },
    ]);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.unlinkCluster', { name: 'nope' })),
      /No linked cluster is named nope/,
    );
  });
});

describe('A cluster linked by its Ambari address only', function () {
  this.timeout(60_000);
  useEmulatedAzure();
  afterEach(() => setLinkedClusters(undefined));

  it('shows Brokers, Topics and Consumer Groups when Ambari reports Kafka, none when it reports no Kafka, and an error row when Ambari fails', async () => {
    const api = await activateExtension();
    // The emulated gateways serve Ambari, each cluster's on its own port.
    const ambariOf = async (cluster: string): Promise<string> => {
      const endpoints = await children(api, (await find(api, 'Contoso Streaming Dev', cluster, 'Properties', 'Endpoints')).node);
      return `https://${endpoints.find((e) => e.label === 'HTTPS')!.description.replace(/ \(TCP\)$/, '')}`;
    };
    const kafkaAmbari = await ambariOf('contoso-kafka');
    const sparkAmbari = await ambariOf('contoso-spark');
    const link = (name: string, ambariUrl: string, password: string): Thenable<unknown> =>
      vscode.commands.executeCommand('hdinsight.linkCluster', { name, ambariUrl, username: 'admin', password });
    await link('ambari-kafka', kafkaAmbari, 'Sandbox-Kafka-1!');
    await link('ambari-spark', sparkAmbari, 'Sandbox-Spark-1!');
    await link('ambari-down', 'https://localhost:1', 'Not-Used-1!');
    await vscode.commands.executeCommand('hdinsight.refresh');

    const kafka = await find(api, 'Linked Clusters', 'ambari-kafka');
    assert.deepEqual(text(await children(api, kafka.node)), [
      'Brokers',
      'Topics',
      'Consumer Groups',
      `Ambari — ${kafkaAmbari}/`,
      'Login — admin',
    ]);
    const bootstrap = process.env.HDINSIGHT_KAFKA_BOOTSTRAP;
    assert.deepEqual(text(await children(api, (await find(api, 'Linked Clusters', 'ambari-kafka', 'Brokers')).node)), [
      `${bootstrap} — controller`,
    ]);
    await find(api, 'Linked Clusters', 'ambari-kafka', 'Topics'); // lists the topics (or says there are none)

    const spark = await find(api, 'Linked Clusters', 'ambari-spark');
    assert.deepEqual(text(await children(api, spark.node)), [`Ambari — ${sparkAmbari}/`, 'Login — admin']);

    const down = await children(api, (await find(api, 'Linked Clusters', 'ambari-down')).node);
    assert.equal(down[0].contextValue, 'error', `no error row: ${text(down).join(' | ')}`);
    assert.match(down[0].label, /^Could not ask Ambari about Kafka: .*localhost:1/);
    assert.deepEqual(text(down.slice(1)), ['Ambari — https://localhost:1/', 'Login — admin'], 'the other rows still show');
  });
});
