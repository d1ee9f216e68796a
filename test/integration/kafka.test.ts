import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, children, find, text, useEmulatedAzure } from './helpers';

const DEV = 'Contoso Streaming Dev';

function realBroker(): string {
  const bootstrap = process.env.HDINSIGHT_KAFKA_BOOTSTRAP;
  assert.ok(bootstrap, 'HDINSIGHT_KAFKA_BOOTSTRAP is not set: run the suite through the test harness');
  return bootstrap;
}

describe('Kafka: broker discovery through Ambari and topics, against a real broker', function () {
  this.timeout(60_000);
  useEmulatedAzure();

  it('discovers the brokers and ZooKeeper of a Kafka cluster', async () => {
    const found = await vscode.commands.executeCommand<{ brokers: string[]; bootstrap: string; zookeeper: string[] }>(
      'hdinsight.discoverBrokers',
      {
        cluster: 'contoso-kafka',
      },
    );
    assert.deepEqual(found.brokers, [realBroker()]);
    assert.equal(found.bootstrap, realBroker());
    assert.equal(found.zookeeper.length, 3);
    assert.ok(found.zookeeper.every((z) => z.endsWith(':2181')));
  });

  it('shows the brokers under the Kafka cluster in the tree', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    const kafka = await find(api, DEV, 'contoso-kafka');
    assert.deepEqual(
      (await children(api, kafka.node)).map((n) => n.label),
      ['Brokers', 'Topics', 'Consumer Groups', 'Properties'],
    );
    assert.deepEqual(text(await children(api, (await find(api, DEV, 'contoso-kafka', 'Brokers')).node)), [`${realBroker()} — controller`]);
  });

  it('says when a cluster is not a running Kafka cluster', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.discoverBrokers', { cluster: 'contoso-spark' })),
      /contoso-spark runs no Kafka brokers/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.discoverBrokers', { cluster: 'contoso-spark-etl' })),
      /contoso-spark-etl is not running \(state Accepted\)/,
    );
  });

  it('uses the login a Reader entered, and says when Ambari refuses it', async () => {
    await vscode.commands.executeCommand('hdinsight.setClusterLogin', {
      cluster: 'contoso-prod-kafka',
      username: 'admin',
      password: 'Not-The-Password-1',
    });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.discoverBrokers', { cluster: 'contoso-prod-kafka' })),
      /refused the cluster login of admin\./,
    );
    await vscode.commands.executeCommand('hdinsight.setClusterLogin', {
      cluster: 'contoso-prod-kafka',
      username: 'admin',
      password: 'Sandbox-Prod-1!',
    });
    const found = await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', {
      cluster: 'contoso-prod-kafka',
    });
    assert.equal(found.bootstrap, realBroker());
  });

  it('creates a topic, produces to it and deletes it by command arguments; the tree follows', async () => {
    const api = await activateExtension();
    const cluster = 'contoso-kafka';
    assert.deepEqual(
      await vscode.commands.executeCommand('hdinsight.kafka.createTopic', {
        cluster,
        topic: 'clicks',
        partitions: 2,
        replicationFactor: 1,
        configs: { 'retention.ms': '600000' },
      }),
      { topic: 'clicks' },
    );
    const written = await vscode.commands.executeCommand<{ written: { partition: number; offset: string }[] }>('hdinsight.kafka.produce', {
      cluster,
      topic: 'clicks',
      messages: [
        { key: 'user-1', value: '{"page":"/"}', partition: 1 },
        { value: '{"page":"/pricing"}', partition: 1, headers: { source: 'test' } },
      ],
    });
    assert.deepEqual(written.written, [
      { partition: 1, offset: '0' },
      { partition: 1, offset: '1' },
    ]);
    await vscode.commands.executeCommand('hdinsight.refresh');
    const topic = await find(api, DEV, cluster, 'Topics', 'clicks');
    assert.equal(topic.description, '2 partitions · ×1 · 2 messages');
    const rows = text(await children(api, topic.node));
    assert.deepEqual(rows.slice(0, 2), [
      'Partition 0 — leader 1 · replicas 1 · in sync 1 · offsets 0–0',
      'Partition 1 — leader 1 · replicas 1 · in sync 1 · offsets 0–2',
    ]);
    assert.deepEqual(text(await children(api, (await find(api, DEV, cluster, 'Topics', 'clicks', 'Configs')).node)), [
      'retention.ms — 600000',
    ]);

    assert.deepEqual(await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster, topic: 'clicks', confirm: 'clicks' }), {
      topic: 'clicks',
      deleted: true,
    });
    await vscode.commands.executeCommand('hdinsight.refresh');
    assert.ok(!text(await children(api, (await find(api, DEV, cluster, 'Topics')).node)).some((t) => t.startsWith('clicks')));
  });

  it('refuses bad topic input with a clear message', async () => {
    const create = (args: Record<string, unknown>): Promise<unknown> =>
      Promise.resolve(
        vscode.commands.executeCommand('hdinsight.kafka.createTopic', {
          cluster: 'contoso-kafka',
          topic: 'ok',
          partitions: 1,
          replicationFactor: 1,
          ...args,
        }),
      );
    await assert.rejects(create({ topic: 'bad name!' }), /The topic name "bad name!" contains " ", "!"/);
    await assert.rejects(create({ partitions: 0 }), /Partitions must be a whole number of at least 1/);
    await assert.rejects(create({ replicationFactor: 3 }), /A replication factor of 3 needs 3 brokers; the cluster has 1/);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.kafka.produce', { cluster: 'contoso-kafka', topic: 'ok', messages: [] })),
      /"messages" must be a non-empty list/,
    );
  });

  it('works the same on a linked Kafka cluster reached by its bootstrap address', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.linkCluster', { name: 'local-kafka', kafkaBootstrap: realBroker() });
    try {
      const found = await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', { cluster: 'local-kafka' });
      assert.equal(found.bootstrap, realBroker());
      await vscode.commands.executeCommand('hdinsight.kafka.createTopic', {
        cluster: 'local-kafka',
        topic: 'linked-events',
        partitions: 1,
        replicationFactor: 1,
      });
      await vscode.commands.executeCommand('hdinsight.refresh');
      const topic = await find(api, 'Linked Clusters', 'local-kafka', 'Topics', 'linked-events');
      assert.equal(topic.description, '1 partition · ×1 · 0 messages');
      assert.deepEqual(text(await children(api, (await find(api, 'Linked Clusters', 'local-kafka', 'Brokers')).node)), [
        `${realBroker()} — controller`,
      ]);
      await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', {
        cluster: 'local-kafka',
        topic: 'linked-events',
        confirm: 'linked-events',
      });
    } finally {
      await vscode.commands.executeCommand('hdinsight.unlinkCluster', { name: 'local-kafka' });
    }
  });

  it('a script deletes no topic unless it names the topic twice', async () => {
    const api = await activateExtension();
    const cluster = 'contoso-kafka';
    const topics = async (): Promise<string[]> => {
      await vscode.commands.executeCommand('hdinsight.refresh');
      return text(await children(api, (await find(api, DEV, cluster, 'Topics')).node));
    };
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster, topic: 'keep-me', partitions: 1, replicationFactor: 1 });
    for (const confirm of ['wrong', 'keep', 'KEEP-ME']) {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster, topic: 'keep-me', confirm })),
        (err: Error) => {
          assert.equal(err.message, `Not deleted: "confirm" must repeat the name keep-me exactly (it was ${JSON.stringify(confirm)}).`);
          assert.equal((err as { action?: string }).action, 'Pass "confirm": "keep-me" to delete topic keep-me on contoso-kafka.');
          return true;
        },
      );
    }
    assert.ok(
      (await topics()).some((t) => t.startsWith('keep-me')),
      'the topic is still there',
    );
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster, topic: 'keep-me', confirm: 'keep-me' });
    assert.ok(!(await topics()).some((t) => t.startsWith('keep-me')), 'deleted once named twice');
  });

  it('shows consumer groups with their lag', async () => {
    const api = await activateExtension();
    const cluster = 'contoso-kafka';
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster, topic: 'audit', partitions: 1, replicationFactor: 1 });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', {
      cluster,
      topic: 'audit',
      messages: ['1', '2', '3', '4'].map((value) => ({ value })),
    });
    // kcat joins group "auditors", reads one message, commits and leaves.
    execFileSync('kcat', ['-b', realBroker(), '-G', 'auditors', '-X', 'auto.offset.reset=earliest', '-c', '1', '-q', 'audit'], {
      timeout: 60_000,
    });
    await vscode.commands.executeCommand('hdinsight.refresh');
    const group = await find(api, DEV, cluster, 'Consumer Groups', 'auditors');
    assert.equal(group.description, 'Empty · 0 members · lag 3');
    assert.deepEqual(text(await children(api, group.node)), ['audit / 0 — committed 1 · end 4 · lag 3']);
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster, topic: 'audit', confirm: 'audit' });
  });

  it('browses messages by command arguments, and refuses a malformed request', async () => {
    const cluster = 'contoso-kafka';
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster, topic: 'views', partitions: 1, replicationFactor: 1 });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', {
      cluster,
      topic: 'views',
      messages: ['a', 'b', 'c'].map((value) => ({ key: value.toUpperCase(), value })),
    });
    const { messages } = await vscode.commands.executeCommand<{
      messages: { offset: string; key: string; keyEncoding: string; value: string; valueEncoding: string }[];
    }>('hdinsight.kafka.browseMessages', {
      cluster,
      topic: 'views',
      from: { offset: 1 },
      limit: 10,
    });
    assert.deepEqual(
      messages.map((m) => [m.offset, m.key, m.keyEncoding, m.value, m.valueEncoding]),
      [
        ['1', 'B', 'utf8', 'b', 'utf8'],
        ['2', 'C', 'utf8', 'c', 'utf8'],
      ],
    );
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('hdinsight.kafka.browseMessages', { cluster, topic: 'views', from: 'yesterday', limit: 10 }),
      ),
      /"from" must be "earliest", "latest", "newest", \{ offset \} or \{ timestamp \}/,
    );
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster, topic: 'views', confirm: 'views' });
  });

  it('previews a 10 MB value instead of freezing: the browse result carries its size and the first 256 KB', async () => {
    const cluster = 'contoso-kafka';
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', {
      cluster,
      topic: 'large-values',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'max.message.bytes': String(12 * 1024 * 1024) },
    });
    const value = `{"blob":"${'z'.repeat(10 * 1024 * 1024)}"}`;
    await vscode.commands.executeCommand('hdinsight.kafka.produce', { cluster, topic: 'large-values', messages: [{ key: 'big', value }] });
    const { messages } = await vscode.commands.executeCommand<{
      messages: { key: string; value: string; valueSize: number; truncated: boolean }[];
    }>('hdinsight.kafka.browseMessages', { cluster, topic: 'large-values', from: 'earliest', limit: 10 });
    assert.equal(messages.length, 1);
    assert.equal(messages[0].valueSize, value.length);
    assert.equal(messages[0].truncated, true);
    assert.equal(messages[0].value.length, 256 * 1024);
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster, topic: 'large-values', confirm: 'large-values' });
  });

  it('exports a topic to a JSON Lines file by command arguments, and refuses a bad request before asking the cluster', async () => {
    const cluster = 'contoso-kafka';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'));
    const file = path.join(dir, 'exports.jsonl');
    const run = (args: Record<string, unknown>): Promise<{ file: string; messages: number; cancelled: boolean }> =>
      Promise.resolve(
        vscode.commands.executeCommand<{ file: string; messages: number; cancelled: boolean }>('hdinsight.kafka.exportMessages', args),
      );
    try {
      // Checked before any cluster is looked up: this one does not exist.
      await assert.rejects(
        run({ cluster: 'no-such-cluster', topic: 'exports', file: 'exports.jsonl' }),
        /"file" must be the absolute path/,
      );
      await assert.rejects(
        run({ cluster: 'no-such-cluster', topic: 'exports', file: path.join(dir, 'missing', 'x.jsonl') }),
        /The folder of .* does not exist/,
      );
      await assert.rejects(run({ cluster: 'no-such-cluster', topic: 'exports', file, from: 'newest' }), /"from": "newest" needs "limit"/);

      await vscode.commands.executeCommand('hdinsight.kafka.createTopic', {
        cluster,
        topic: 'exports',
        partitions: 2,
        replicationFactor: 1,
      });
      await vscode.commands.executeCommand('hdinsight.kafka.produce', {
        cluster,
        topic: 'exports',
        messages: [
          { key: 'a', value: '{"n":1}', partition: 0, headers: { source: 'test' } },
          { key: 'b', value: 'zwei', partition: 1 },
          { key: 'c', value: null, partition: 0 },
        ],
      });
      assert.deepEqual(await run({ cluster, topic: 'exports', file }), { file, messages: 3, cancelled: false });
      const lines = fs
        .readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { partition: number; offset: string; key: string; value: string | null; headers: object });
      assert.deepEqual(
        lines.map((m) => [m.partition, m.offset, m.key, m.value, m.headers]).sort((x, y) => Number(x[0]) - Number(y[0])),
        [
          [0, '0', 'a', '{"n":1}', { source: 'test' }],
          [0, '1', 'c', null, {}],
          [1, '0', 'b', 'zwei', {}],
        ],
      );
      await assert.rejects(run({ cluster, topic: 'exports', file }), /already exists/, 'an existing file is kept unless "overwrite"');
      assert.deepEqual(await run({ cluster, topic: 'exports', file, from: 'newest', limit: 1, partitions: [1], overwrite: true }), {
        file,
        messages: 1,
        cancelled: false,
      });
      assert.match(fs.readFileSync(file, 'utf8'), /^\{"topic":"exports","partition":1,"offset":"0",.*"value":"zwei"/);
      await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster, topic: 'exports', confirm: 'exports' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
