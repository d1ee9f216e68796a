import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaService } from '../../src/kafka/KafkajsService';
import { type HDInsightError, InvalidInputError } from '../../src/core/errors';
import type { KafkaService } from '../../src/kafka/client';
import { validatePartitions, validateReplicationFactor, validateTopicName } from '../../src/kafka/validate';
import { type KafkaBroker, startKafka } from '../harness/kafka';

/** kcat, the reference client, reading a whole topic. */
function kcatRead(bootstrap: string, topic: string): string[] {
  return execFileSync('kcat', ['-C', '-b', bootstrap, '-t', topic, '-e', '-q', '-f', '%p:%o:%k=%s\\n'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean);
}

describe('Kafka topics against a real broker (KRaft)', function () {
  this.timeout(90_000);
  let broker: KafkaBroker;
  let kafka: KafkaService;

  before(async () => {
    broker = await startKafka();
    kafka = createKafkaService({ brokers: [broker.bootstrap] });
  });

  after(async () => {
    await kafka?.close();
    await broker?.stop();
  });

  it('describes the cluster: brokers and controller', async () => {
    const info = await kafka.describeCluster();
    assert.deepEqual(info.brokers, [{ nodeId: 1, host: '127.0.0.1', port: broker.port }]);
    assert.equal(info.controller, 1);
  });

  it('creates a topic that kcat then sees, and refuses to create it twice', async () => {
    await kafka.createTopic({ topic: 'orders', partitions: 3, replicationFactor: 1, configs: { 'retention.ms': '3600000' } });
    const listing = execFileSync('kcat', ['-b', broker.bootstrap, '-L', '-t', 'orders'], { encoding: 'utf8' });
    assert.match(listing, /topic "orders" with 3 partitions/);
    await assert.rejects(kafka.createTopic({ topic: 'orders', partitions: 1, replicationFactor: 1 }), /the topic already exists/);
  });

  it('produces messages and says where each landed; kcat reads the same', async () => {
    const written = await kafka.produce('orders', [
      { key: 'k1', value: '{"id":1}', partition: 2 },
      { key: 'k2', value: '{"id":2}', partition: 2 },
      { value: 'plain', partition: 0, headers: { source: 'test' } },
    ]);
    assert.deepEqual(written, [
      { partition: 2, offset: '0' },
      { partition: 2, offset: '1' },
      { partition: 0, offset: '0' },
    ]);
    assert.deepEqual(kcatRead(broker.bootstrap, 'orders').sort(), ['0:0:=plain', '2:0:k1={"id":1}', '2:1:k2={"id":2}']);
  });

  it('reads each partition’s latest offset as kcat does (the end a streaming query’s lag is measured against)', async () => {
    const latest = await kafka.latestOffsets('orders');
    // kcat -Q with timestamp -1 asks each partition's end offset (ListOffsets LATEST).
    const kcat = execFileSync('kcat', ['-b', broker.bootstrap, '-Q', '-t', 'orders:0:-1', '-t', 'orders:1:-1', '-t', 'orders:2:-1'], {
      encoding: 'utf8',
    });
    const ends = new Map([...kcat.matchAll(/orders \[(\d+)\] offset (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
    assert.equal(ends.size, 3, kcat);
    assert.deepEqual(
      [...latest].sort((a, b) => a[0] - b[0]),
      [...ends].sort((a, b) => a[0] - b[0]),
    );
    assert.deepEqual(
      [...latest].sort((a, b) => a[0] - b[0]),
      [
        [0, 1],
        [1, 0],
        [2, 2],
      ],
    );
    await assert.rejects(kafka.latestOffsets('no-such-topic'), /no-such-topic/);
  });

  it('lists topics with partitions, replication and message counts, hiding internal ones', async () => {
    const topics = await kafka.listTopics({ includeInternal: false });
    assert.deepEqual(topics, [{ name: 'orders', partitions: 3, replicationFactor: 1, messages: 3, internal: false }]);
  });

  it('counts each topic’s messages as kcat reads them (end minus start over all partitions), and a second listing keeps nothing stale', async () => {
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await kafka.createTopic({ topic: 'counts-wide', partitions: 6, replicationFactor: 1 });
      await kafka.createTopic({ topic: 'counts-gone', partitions: 2, replicationFactor: 1 });
      await kafka.produce('counts-wide', [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 5 },
        { value: 'c', partition: 5 },
        { value: 'd', partition: 3 },
      ]);
      await kafka.produce('counts-gone', [{ value: 'x', partition: 1 }]);
      const counts = async (): Promise<Record<string, [number, number]>> =>
        Object.fromEntries(
          (await kafka.listTopics({ includeInternal: false }))
            .filter((t) => t.name.startsWith('counts-'))
            .map((t) => [t.name, [t.partitions, t.messages]]),
        );
      assert.deepEqual(await counts(), { 'counts-gone': [2, 1], 'counts-wide': [6, 4] });
      assert.equal(kcatRead(broker.bootstrap, 'counts-wide').length, 4);

      // Messages removed from a partition's start no longer count; new ones do; a deleted topic goes.
      await admin.fetchTopicOffsets('counts-wide'); // loads the admin's metadata, which deleteTopicRecords needs
      await admin.deleteTopicRecords({ topic: 'counts-wide', partitions: [{ partition: 5, offset: '1' }] });
      await kafka.produce('counts-wide', [{ value: 'e', partition: 2 }]);
      await kafka.deleteTopic('counts-gone');
      await kafka.createTopic({ topic: 'counts-new', partitions: 1, replicationFactor: 1 });
      assert.deepEqual(await counts(), { 'counts-new': [1, 0], 'counts-wide': [6, 4] });
      assert.equal(kcatRead(broker.bootstrap, 'counts-wide').length, 4);
      const offsets = await admin.fetchTopicOffsets('counts-wide');
      assert.equal(
        offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0),
        4,
      );
    } finally {
      await admin.disconnect();
      for (const topic of ['counts-wide', 'counts-new', 'counts-gone']) await kafka.deleteTopic(topic).catch(() => undefined);
    }
  });

  it('describes partitions with leader, replicas, in-sync replicas and offsets, and the configs', async () => {
    const { partitions, configs } = await kafka.describeTopic('orders');
    assert.deepEqual(partitions, [
      { partition: 0, leader: 1, replicas: [1], isr: [1], start: '0', end: '1' },
      { partition: 1, leader: 1, replicas: [1], isr: [1], start: '0', end: '0' },
      { partition: 2, leader: 1, replicas: [1], isr: [1], start: '0', end: '2' },
    ]);
    assert.deepEqual(
      configs.find((c) => c.name === 'retention.ms'),
      { name: 'retention.ms', value: '3600000', isDefault: false },
    );
  });

  it('lists consumer groups with state, members and lag per partition', async () => {
    await kafka.createTopic({ topic: 'lagging', partitions: 1, replicationFactor: 1 });
    await kafka.produce(
      'lagging',
      ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })),
    );
    // kcat, as a member of group "reporting", reads two messages, commits and leaves.
    execFileSync('kcat', ['-b', broker.bootstrap, '-G', 'reporting', '-X', 'auto.offset.reset=earliest', '-c', '2', '-q', 'lagging'], {
      timeout: 60_000,
    });
    const groups = await kafka.listGroups();
    assert.deepEqual(groups, [
      {
        groupId: 'reporting',
        state: 'Empty',
        protocolType: 'consumer',
        members: [],
        lag: 3,
        partitions: [{ topic: 'lagging', partition: 0, committed: '2', end: '5', lag: 3 }],
      },
    ]);
    await kafka.deleteTopic('lagging');
  });

  it('reads messages from the start, the newest N, an offset or a time, without joining a group', async () => {
    // Kafka 4 keeps an emptied group until its periodic clean-up; only new groups count here.
    const groupsBefore = (await kafka.listGroups()).map((g) => g.groupId);
    await kafka.createTopic({ topic: 'browse', partitions: 2, replicationFactor: 1 });
    await kafka.produce(
      'browse',
      [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: JSON.stringify({ i }), partition: i % 2, headers: { n: String(i) } })),
    );
    await new Promise((r) => setTimeout(r, 50));
    const later = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await kafka.produce('browse', [
      { value: '<img src=x onerror=alert(1)><script>alert(2)</script>', partition: 0 },
      { value: 'last', partition: 1 },
    ]);
    // Bytes that are not UTF-8 text, written by kcat.
    execFileSync('kcat', ['-P', '-b', broker.bootstrap, '-t', 'browse', '-p', '1'], { input: Buffer.from([0xff, 0xfe, 0x00, 0x01]) });

    const earliest = await kafka.browse({ topic: 'browse', from: 'earliest', limit: 3 });
    assert.deepEqual(
      earliest.map((m) => [m.partition, m.offset, m.key, m.value, m.headers.n]),
      [
        [0, '0', 'k0', '{"i":0}', '0'],
        [1, '0', 'k1', '{"i":1}', '1'],
        [0, '1', 'k2', '{"i":2}', '2'],
      ],
    );
    // The newest 3 shared among the 2 partitions (the first by number takes the remainder): each partition's newest.
    const newest = await kafka.browse({ topic: 'browse', from: 'newest', limit: 3 });
    assert.deepEqual(
      newest.map((m) => [m.partition, m.value, m.valueEncoding]),
      [
        [0, '{"i":2}', 'utf8'],
        [0, '<img src=x onerror=alert(1)><script>alert(2)</script>', 'utf8'],
        [1, 'fffe0001', 'hex'],
      ],
    );
    const fromOffset = await kafka.browse({ topic: 'browse', partitions: [0], from: { offset: 1 }, limit: 10 });
    assert.deepEqual(
      fromOffset.map((m) => m.offset),
      ['1', '2'],
    );
    const sinceLater = await kafka.browse({ topic: 'browse', from: { timestamp: later }, limit: 10 });
    assert.deepEqual(sinceLater.map((m) => m.value).sort(), ['<img src=x onerror=alert(1)><script>alert(2)</script>', 'fffe0001', 'last']);
    assert.deepEqual(await kafka.browse({ topic: 'browse', from: 'latest', limit: 10 }), []);
    assert.ok(earliest.every((m) => !Number.isNaN(Date.parse(m.timestamp)) && m.valueSize > 0 && !m.truncated));
    await assert.rejects(
      kafka.browse({ topic: 'browse', partitions: [7], from: 'earliest', limit: 1 }),
      /browse has no partition 7 \(it has 2\)/,
    );
    assert.deepEqual(
      (await kafka.listGroups()).map((g) => g.groupId).filter((g) => !groupsBefore.includes(g)),
      [],
      'browsing left no consumer group behind',
    );
    await kafka.deleteTopic('browse');
  });

  it('deletes a topic', async () => {
    await kafka.deleteTopic('orders');
    assert.deepEqual(await kafka.listTopics({ includeInternal: false }), []);
  });

  it('says clearly when no broker answers, within the connection timeout', async () => {
    const nobody = createKafkaService({ brokers: ['127.0.0.1:1'], connectionTimeoutMs: 500 });
    await assert.rejects(nobody.listTopics({ includeInternal: false }), (err: HDInsightError) => {
      assert.equal(err.code, 'Unreachable');
      assert.match(err.message, /the Kafka brokers \(127\.0\.0\.1:1\) could not be reached/);
      assert.match(err.action ?? '', /virtual network/);
      return true;
    });
    await nobody.close();
  });

  it('previews a 10 MB value instead of holding it whole, and reads on past it', async () => {
    await kafka.createTopic({
      topic: 'big',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'max.message.bytes': String(12 * 1024 * 1024) },
    });
    const big = 'x'.repeat(10 * 1024 * 1024);
    await kafka.produce('big', [
      { key: 'large', value: big },
      { key: 'small', value: 'after' },
    ]);
    const [large, small] = await kafka.browse({ topic: 'big', from: 'earliest', limit: 10 });
    assert.equal(large.key, 'large');
    assert.equal(large.valueSize, big.length);
    assert.equal(large.truncated, true);
    assert.equal(large.value?.length, 256 * 1024);
    assert.deepEqual([small.key, small.value, small.truncated], ['small', 'after', false]);
    await kafka.deleteTopic('big');
  });

  it('flags binary keys and header values as hex, and a text key that looks like hex as text', async () => {
    await kafka.createTopic({ topic: 'encodings', partitions: 1, replicationFactor: 1 });
    // kcat writes a key of bytes that are not UTF-8 (before the tab) with a text header.
    execFileSync('kcat', ['-P', '-b', broker.bootstrap, '-t', 'encodings', '-p', '0', '-K', '\t', '-H', 'source=kcat'], {
      input: Buffer.concat([Buffer.from([0xde, 0xad, 0xbe, 0xef]), Buffer.from('\tfrom kcat')]),
    });
    // kafkajs writes a binary header next to a text one, under a text key made of hex digits.
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic: 'encodings',
      messages: [
        { key: 'deadbeef', value: 'text key', partition: 0, headers: { trace: Buffer.from([0xff, 0x00, 0x01]), source: 'kafkajs' } },
      ],
    });
    await producer.disconnect();

    const [binaryKey, textKey] = await kafka.browse({ topic: 'encodings', from: 'earliest', limit: 10 });
    assert.deepEqual(
      [binaryKey.key, binaryKey.keyEncoding, binaryKey.value, binaryKey.headers, binaryKey.headerEncodings],
      ['deadbeef', 'hex', 'from kcat', { source: 'kcat' }, { source: 'utf8' }],
    );
    assert.deepEqual(
      [textKey.key, textKey.keyEncoding, textKey.headers, textKey.headerEncodings],
      ['deadbeef', 'utf8', { trace: 'ff0001', source: 'kafkajs' }, { trace: 'hex', source: 'utf8' }],
    );
    await kafka.deleteTopic('encodings');
  });

  it('previews as many bytes as asked, and a character cut in two at the end keeps the text text', async () => {
    await kafka.createTopic({ topic: 'previews', partitions: 1, replicationFactor: 1 });
    const accented = 'é'.repeat(1000); // 2,000 bytes
    await kafka.produce('previews', [{ value: accented }, { value: 'short' }]);
    const [long, short] = await kafka.browse({ topic: 'previews', from: 'earliest', limit: 10, previewBytes: 1025 });
    assert.deepEqual([long.value, long.valueEncoding, long.valueSize, long.truncated], ['é'.repeat(512), 'utf8', 2000, true]);
    assert.deepEqual([short.value, short.truncated], ['short', false]);
    await kafka.deleteTopic('previews');
  });

  it('carries on after the broker restarts: the same client produces and reads again', async () => {
    await kafka.createTopic({ topic: 'restarts', partitions: 1, replicationFactor: 1 });
    await kafka.produce('restarts', [{ value: 'before' }]);
    assert.equal((await kafka.browse({ topic: 'restarts', from: 'earliest', limit: 10 })).length, 1);
    await broker.restart();
    await kafka.produce('restarts', [{ value: 'after' }]);
    const messages = await kafka.browse({ topic: 'restarts', from: 'earliest', limit: 10 });
    assert.deepEqual(
      messages.map((m) => m.value),
      ['before', 'after'],
    );
    await kafka.deleteTopic('restarts');
  });
});

describe('Kafka brokers that do not answer', function () {
  this.timeout(30_000);

  it('names a broker that accepts connections but never answers, and what to check, within the connection timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)); // takes every request, answers none
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const connectionTimeoutMs = 1_000;
    const service = createKafkaService({ brokers: [address], connectionTimeoutMs });
    const started = Date.now();
    try {
      await assert.rejects(service.browse({ topic: 'orders', from: 'newest', limit: 10 }), (err: HDInsightError) => {
        const elapsed = Date.now() - started;
        assert.ok(elapsed < connectionTimeoutMs + 5_000, `the error came after ${elapsed} ms`);
        assert.equal(err.code, 'Timeout');
        assert.match(
          err.message,
          new RegExp(`^Reading orders failed: ${address.replace(/\./g, '\\.')} accepted the connection but did not answer`),
        );
        assert.match(
          err.action ?? '',
          new RegExp(`Check that ${address.replace(/\./g, '\\.')} is the address of a Kafka broker's listener`),
        );
        return true;
      });
    } finally {
      await service.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

describe('Kafka input checked before anything is sent', () => {
  it('topic names', () => {
    assert.equal(validateTopicName('orders.v1_raw-2'), 'orders.v1_raw-2');
    assert.throws(() => validateTopicName(''), /empty/);
    assert.throws(() => validateTopicName('..'), /cannot be a topic name/);
    assert.throws(() => validateTopicName('a'.repeat(250)), /249/);
    assert.throws(() => validateTopicName('my topic/1'), /contains " ", "\/"/);
  });

  it('partitions and replication', () => {
    assert.equal(validatePartitions('3'), 3);
    assert.throws(() => validatePartitions(0), InvalidInputError);
    assert.throws(() => validatePartitions(1.5), /whole number/);
    assert.equal(validateReplicationFactor(3, 3), 3);
    assert.throws(
      () => validateReplicationFactor(4, 3),
      /needs 4 brokers; the cluster has 3\. Choose at most 3|needs 4 brokers; the cluster has 3/,
    );
  });
});
