// The Kafka service's stream against a real broker: back-pressure (a slow consumer keeps the
// reader's buffer bounded), cancel (no more fetches, its sockets closed), pages that read only
// what they keep, and the JSON Lines export built on it, checked against kcat.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { isCancellation } from '../../src/core/errors';
import type { KafkaService, StreamedMessage } from '../../src/kafka/client';
import type { ExportedMessage } from '../../src/kafka/decode';
import { exportMessages } from '../../src/kafka/exportMessages';
import { createKafkaService } from '../../src/kafka/KafkajsService';
import { share } from '../../src/kafka/readMessages';
import { type KafkaBroker, startKafka } from '../harness/kafka';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes `count` lines of `size` bytes (the line number first) to a partition, through kcat. */
function fill(bootstrap: string, topic: string, partition: number, count: number, size: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-fill-'));
  const file = path.join(dir, 'lines.txt');
  const pad = 'x'.repeat(Math.max(0, size - 8));
  fs.writeFileSync(file, Array.from({ length: count }, (_, i) => `${String(i).padStart(7, '0')}:${pad}\n`).join(''));
  execFileSync('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', String(partition), '-l', file], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}

describe('Reading a topic as a stream, against a real broker (KRaft)', function () {
  this.timeout(180_000);
  let broker: KafkaBroker;
  let kafka: KafkaService;
  let dir: string;

  before(async () => {
    broker = await startKafka();
    kafka = createKafkaService({ brokers: [broker.bootstrap] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-test-'));
    // 20,000 messages of 1 KB in one partition: 20 MB, about 20 Fetch rounds of 1 MB.
    await kafka.createTopic({ topic: 'slow', partitions: 1, replicationFactor: 1 });
    fill(broker.bootstrap, 'slow', 0, 20_000, 1024);
  });

  after(async () => {
    await kafka?.close();
    await broker?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shares a limit among partitions: equal shares, and what a partition cannot fill goes to the others', () => {
    const shares = (available: number[], limit: number): number[] =>
      [...share(new Map(available.map((n, p) => [p, BigInt(n)])), limit).values()].map(Number);
    assert.deepEqual(shares([1000, 1000, 1000, 10], 100), [30, 30, 30, 10]);
    assert.deepEqual(shares([3, 4], 3), [2, 1]);
    assert.deepEqual(shares([0, 5, 2], 100), [0, 5, 2]);
    assert.deepEqual(shares([7, 7], 0), [0, 0]);
  });

  it('reads no further ahead of a slow consumer than one Fetch round, then reads every message once, in order', async () => {
    const stream = kafka.stream({ topic: 'slow', from: 'earliest', dedicated: true });
    const batches = stream[Symbol.asyncIterator]();
    const first = await batches.next();
    assert.ok(!first.done && first.value.length > 0);
    await sleep(1_500); // a consumer busy with its batch: an unbounded reader would have fetched all 20 MB by now
    assert.ok(stream.fetches <= 2, `${stream.fetches} Fetch requests while the consumer held its first batch`);
    assert.ok(stream.buffered <= 2_100, `${stream.buffered} messages waiting`);
    const second = await batches.next();
    assert.ok(!second.done);
    await sleep(1_000);
    assert.ok(stream.fetches <= 3, `${stream.fetches} Fetch requests after two batches`);

    let next = 0;
    const check = (batch: StreamedMessage[]): void => {
      for (const m of batch) {
        assert.equal(m.offset, String(next));
        assert.equal(m.value?.subarray(0, 7).toString(), String(next).padStart(7, '0'));
        next++;
      }
    };
    check(first.value);
    check(second.value);
    for (let r = await batches.next(); !r.done; r = await batches.next()) {
      check(r.value);
      await sleep(20);
    }
    assert.equal(next, 20_000);
    assert.equal(stream.planned, 20_000);
    assert.ok(stream.maxBuffered <= 2_100, `up to ${stream.maxBuffered} messages waited at once`);
    assert.ok(stream.fetches >= 10, `${stream.fetches} Fetch rounds for 20 MB: each round is bounded`);
  });

  it('ends with a cancellation when aborted mid-read: no more Fetch requests, and its own sockets closed', async () => {
    const open = new Set<net.Socket>();
    const watched = createKafkaService({
      brokers: [broker.bootstrap],
      socketFactory: ({ host, port, onConnect }) => {
        const socket = net.connect({ host, port }, onConnect);
        open.add(socket);
        socket.once('close', () => open.delete(socket));
        return socket;
      },
    });
    try {
      // The service's own connections (its admin client, and the one that reads offsets), which stay.
      await watched.describeTopic('slow');
      await watched.listTopics({ includeInternal: false });
      const before = open.size;
      const controller = new AbortController();
      const stream = watched.stream({ topic: 'slow', from: 'earliest', dedicated: true }, controller.signal);
      const batches = stream[Symbol.asyncIterator]();
      assert.ok(!(await batches.next()).done);
      assert.ok(open.size > before, 'the stream reads over sockets of its own');
      // Aborted while the consumer holds a batch and one round is read ahead.
      controller.abort();
      const fetches = stream.fetches;
      await assert.rejects(batches.next(), (err: Error) => isCancellation(err));
      assert.deepEqual(await batches.next(), { done: true, value: undefined }, 'the iterator has ended');
      await sleep(1_000);
      assert.equal(stream.fetches, fetches, 'no Fetch request after the abort');
      assert.equal(open.size, before, 'the stream closed its sockets; the service keeps its own');

      // Aborted while a Fetch is under way: the waiting next() ends at once.
      const again = new AbortController();
      const second = watched.stream({ topic: 'slow', from: 'earliest', dedicated: true }, again.signal)[Symbol.asyncIterator]();
      const pending = second.next();
      setTimeout(() => again.abort(), 5);
      await assert.rejects(
        pending.then((r) => (r.done ? r : second.next())),
        (err: Error) => isCancellation(err),
      );
      await sleep(500);
      assert.equal(open.size, before);
    } finally {
      await watched.close();
    }
  });

  it('reads only the messages a page keeps: a share of the limit per partition, from the offsets', async () => {
    await kafka.createTopic({ topic: 'pages', partitions: 4, replicationFactor: 1 });
    for (const p of [0, 1, 2]) fill(broker.bootstrap, 'pages', p, 1_000, 100);
    fill(broker.bootstrap, 'pages', 3, 10, 100);
    const read = async (request: Parameters<KafkaService['stream']>[0]): Promise<{ taken: StreamedMessage[]; fetched: number }> => {
      const stream = kafka.stream(request);
      const taken: StreamedMessage[] = [];
      for await (const batch of stream) taken.push(...batch);
      return { taken, fetched: stream.maxBuffered };
    };
    const perPartition = (messages: StreamedMessage[]): Record<number, string[]> => {
      const result: Record<number, string[]> = {};
      for (const m of messages) (result[m.partition] ??= []).push(m.offset);
      return result;
    };
    const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => String(from + i));

    const first = await read({ topic: 'pages', from: 'earliest', limit: 100 });
    assert.equal(first.taken.length, 100, 'the stream handed over exactly the page');
    assert.ok(first.fetched <= 100, `${first.fetched} messages were read for a page of 100`);
    assert.deepEqual(perPartition(first.taken), { 0: range(0, 30), 1: range(0, 30), 2: range(0, 30), 3: range(0, 10) });

    const newest = await read({ topic: 'pages', from: 'newest', limit: 100 });
    assert.equal(newest.taken.length, 100);
    assert.deepEqual(perPartition(newest.taken), { 0: range(970, 1000), 1: range(970, 1000), 2: range(970, 1000), 3: range(0, 10) });

    // Paging back from the newest page: the 100 before it, again only those.
    const older = await read({ topic: 'pages', from: 'newest', limit: 100, to: { offsets: { 0: '970', 1: '970', 2: '970', 3: '0' } } });
    assert.deepEqual(perPartition(older.taken), { 0: range(936, 970), 1: range(937, 970), 2: range(937, 970) });

    // The browser's page holds the same (browse is the stream, collected).
    const page = await kafka.browse({ topic: 'pages', from: 'earliest', limit: 100 });
    assert.deepEqual(page.map((m) => `${m.partition}/${m.offset}`).sort(), first.taken.map((m) => `${m.partition}/${m.offset}`).sort());
    await kafka.deleteTopic('pages');
  });

  it('exports every message once as JSON Lines, in offset order per partition, values as written, binary ones in base64', async () => {
    await kafka.createTopic({ topic: 'exported', partitions: 3, replicationFactor: 1 });
    const written = await kafka.produce('exported', [
      { key: 'k0', value: '{"id":0}', partition: 0, headers: { source: 'test' } },
      { key: 'k1', value: 'héllo, wörld ✓', partition: 1 },
      { value: 'line\nbreak "quoted" \\ back', partition: 2 },
      { key: 'tomb', value: null, partition: 0 },
      ...Array.from({ length: 30 }, (_, i) => ({ key: `n${i}`, value: `v${i}`, partition: i % 3 })),
    ]);
    // Bytes that are not UTF-8: a value written by kcat, a key and a header written by kafkajs.
    execFileSync('kcat', ['-P', '-b', broker.bootstrap, '-t', 'exported', '-p', '1'], { input: Buffer.from([0xff, 0xfe, 0x00, 0x01]) });
    const producer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic: 'exported',
      messages: [{ key: Buffer.from([0xc3, 0x28]), value: 'binary key', partition: 2, headers: { trace: Buffer.from([0x80, 0x81]) } }],
    });
    await producer.disconnect();

    const file = path.join(dir, 'exported.jsonl');
    const progress: number[] = [];
    const result = await exportMessages(kafka, { topic: 'exported', from: 'earliest' }, file, { onProgress: (n) => progress.push(n) });
    assert.deepEqual(result, { messages: written.length + 2, cancelled: false });
    assert.equal(progress.at(-1), result.messages);

    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportedMessage);
    assert.equal(lines.length, result.messages);
    // Every message once: the same partitions and offsets kcat reads.
    const kcat = execFileSync('kcat', ['-C', '-b', broker.bootstrap, '-t', 'exported', '-e', '-q', '-f', '%p/%o\\n'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.deepEqual(lines.map((m) => `${m.partition}/${m.offset}`).sort(), kcat.sort());
    for (const p of [0, 1, 2]) {
      const offsets = lines.filter((m) => m.partition === p).map((m) => Number(m.offset));
      assert.deepEqual(offsets, [...offsets.keys()], `partition ${p} in offset order, each once`);
    }
    const at = (partition: number, offset: number): ExportedMessage =>
      lines.find((m) => m.partition === partition && m.offset === String(offset))!;
    assert.deepEqual(at(0, 0), {
      topic: 'exported',
      partition: 0,
      offset: '0',
      timestamp: at(0, 0).timestamp,
      key: 'k0',
      keyEncoding: 'utf8',
      value: '{"id":0}',
      valueEncoding: 'utf8',
      headers: { source: 'test' },
      headerEncodings: { source: 'utf8' },
    });
    assert.ok(Math.abs(Date.parse(at(0, 0).timestamp) - Date.now()) < 600_000);
    assert.deepEqual([at(1, 0).key, at(1, 0).value], ['k1', 'héllo, wörld ✓']);
    assert.equal(at(2, 0).value, 'line\nbreak "quoted" \\ back');
    assert.deepEqual([at(0, 1).key, at(0, 1).value], ['tomb', null]);
    const binary = lines.find((m) => m.valueEncoding === 'base64')!;
    assert.deepEqual([binary.partition, binary.value], [1, Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64')]);
    const binaryKey = lines.find((m) => m.keyEncoding === 'base64')!;
    assert.deepEqual(
      [
        binaryKey.partition,
        Buffer.from(binaryKey.key!, 'base64'),
        binaryKey.value,
        binaryKey.headers.trace,
        binaryKey.headerEncodings.trace,
      ],
      [2, Buffer.from([0xc3, 0x28]), 'binary key', Buffer.from([0x80, 0x81]).toString('base64'), 'base64'],
    );
    await assert.rejects(
      exportMessages(kafka, { topic: 'exported', from: 'earliest' }, file),
      /EEXIST/,
      'an existing file is not overwritten unless asked',
    );
    await kafka.deleteTopic('exported');
  });

  it('a cancelled export leaves whole lines: the messages written so far, from the first, each once', async () => {
    const file = path.join(dir, 'cancelled.jsonl');
    const controller = new AbortController();
    const result = await exportMessages(kafka, { topic: 'slow', from: 'earliest' }, file, {
      signal: controller.signal,
      onProgress: (n) => n >= 2_000 && controller.abort(),
    });
    assert.equal(result.cancelled, true);
    assert.ok(result.messages >= 2_000 && result.messages < 20_000, `${result.messages} written`);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n'), 'the file ends at a message boundary');
    const offsets = text
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as ExportedMessage).offset);
    assert.deepEqual(
      offsets,
      Array.from({ length: result.messages }, (_, i) => String(i)),
    );
  });
});
