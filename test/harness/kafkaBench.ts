// Kafka benchmarks for `npm run bench`, each against an anchor in the same run, on a real broker:
// - time to the first message when opening a topic (our group-less read) against a kafkajs
//   consumer that joins a group the way the incumbent Kafka extension does;
// - messages per second exporting 200,000 1 KB messages to a JSON Lines file (the service's
//   stream, in a process of its own) against kcat writing its JSON to a file, with the exporting
//   process's peak memory growth; and paging through them as the message browser does;
// - listing 5,000 topics with partition and message counts (our listTopics) against kafkajs'
//   public admin API used the obvious way (metadata, then each topic's offsets), and kcat -L
//   (metadata only, no counts) as the floor.
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaService } from '../../src/kafka/KafkajsService';
import { startKafka } from './kafka';

const MESSAGES = 200_000;
const TOPICS = 5_000;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await run();
  return [performance.now() - started, result];
}

export async function runKafkaBenchmarks(): Promise<string[]> {
  const broker = await startKafka();
  const lines: string[] = [];
  const service = createKafkaService({ brokers: [broker.bootstrap] });
  try {
    // Fill one topic with 200,000 1 KB messages through kcat (fast, and not what is measured).
    await service.createTopic({ topic: 'bench-read', partitions: 4, replicationFactor: 1 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'messages.txt');
    const line = `${'x'.repeat(1023)}\n`;
    fs.writeFileSync(file, line.repeat(MESSAGES));
    execFileSync('kcat', ['-P', '-b', broker.bootstrap, '-t', 'bench-read', '-l', file], { stdio: 'ignore', maxBuffer: 1 << 20 });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });

    process.stderr.write('[bench] 200,000 messages written\n');
    // 1. Time to the first message.
    const [oursFirstMs] = await timed(async () => {
      const fresh = createKafkaService({ brokers: [broker.bootstrap] });
      const messages = await fresh.browse({ topic: 'bench-read', from: 'newest', limit: 100 });
      await fresh.close();
      return messages.length;
    });
    const [groupFirstMs] = await timed(async () => {
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `vscode-kafka-bench-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: 'bench-read', fromBeginning: true });
      await new Promise<void>((resolve) => void consumer.run({ eachMessage: () => Promise.resolve(resolve()) }));
      await consumer.disconnect();
      return 1;
    });
    lines.push(
      `Kafka: time to the first messages of a topic: ${seconds(oursFirstMs)} group-less vs ${seconds(groupFirstMs)} for a kafkajs consumer joining a group; ratio ${(oursFirstMs / groupFirstMs).toFixed(3)}`,
    );

    // 2. Exporting everything to JSON Lines with the service's stream, and paging through it, against kcat.
    lines.push(...(await readWithBoundedMemory(broker.bootstrap)));
    lines.push(await listManyTopics(broker.bootstrap));
  } finally {
    await service.close();
    await broker.stop();
  }
  return lines;
}

async function listManyTopics(bootstrap: string): Promise<string> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const names = Array.from({ length: TOPICS }, (_, i) => `many-${String(i).padStart(4, '0')}`);
  // waitForLeaders: false, in batches: kafkajs' own wait gives up long before a single broker has
  // elected 5,000 leaders; wait for the listing to succeed instead.
  for (let i = 0; i < names.length; i += 500) {
    await admin.createTopics({ waitForLeaders: false, topics: names.slice(i, i + 500).map((topic) => ({ topic, numPartitions: 1 })) });
  }
  const settle = createKafkaService({ brokers: [bootstrap] });
  const deadline = Date.now() + 300_000;
  for (;;) {
    const listed = await settle.listTopics({ includeInternal: false }).catch(() => []);
    if (listed.filter((t) => t.name.startsWith('many-')).length === TOPICS) break;
    if (Date.now() > deadline) throw new Error(`the broker did not settle ${TOPICS} new topics within 5 minutes`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  // Some messages, so that the counts are counted.
  for (const topic of names.slice(0, 50)) await settle.produce(topic, [{ value: 'a' }, { value: 'b' }]);
  await settle.close();
  process.stderr.write(`[bench] ${TOPICS} topics created\n`);

  const ours = async (): Promise<number> => {
    const fresh = createKafkaService({ brokers: [bootstrap] });
    const topics = await fresh.listTopics({ includeInternal: false });
    await fresh.close();
    const many = topics.filter((t) => t.name.startsWith('many-'));
    if (many.length !== TOPICS || many.reduce((sum, t) => sum + t.messages, 0) !== 100) throw new Error('wrong topic or message count');
    return many.length;
  };
  const publicApi = async (): Promise<number> => {
    const fresh = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
    await fresh.connect();
    const { topics } = await fresh.fetchTopicMetadata();
    const counts = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < topics.length) {
          const { name } = topics[next++];
          const offsets = await fresh.fetchTopicOffsets(name);
          counts.set(
            name,
            offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0),
          );
        }
      }),
    );
    await fresh.disconnect();
    return counts.size;
  };
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const oursMs: number[] = [];
  const publicMs: number[] = [];
  const kcatMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    oursMs.push((await timed(ours))[0]);
    // Once: each new topic makes kafkajs refresh the metadata of every topic it has seen (minutes).
    if (round === 0) publicMs.push((await timed(publicApi))[0]);
    kcatMs.push((await timed(() => promisify(execFile)('kcat', ['-L', '-b', bootstrap], { maxBuffer: 64 << 20 })))[0]);
  }
  await admin.disconnect();
  const [o, p, k] = [median(oursMs), median(publicMs), median(kcatMs)];
  return (
    `Kafka: listing ${TOPICS.toLocaleString('en-US')} topics with partition and message counts (median of 3): ${seconds(o)} vs ` +
    `${seconds(p)} through kafkajs' public admin API (metadata, then each topic's offsets, 8 at a time; one run); ratio ${(o / p).toFixed(3)}; ` +
    `kcat -L (metadata only, no counts) ${seconds(k)}, ratio ${(o / k).toFixed(2)}`
  );
}

/** How a read in a child process went (kafkaReadChild.ts). */
interface ChildRead {
  ms: number;
  messages: number;
  before: number;
  peak: number;
}

const READ_RUNS = 5;

/**
 * Exports bench-read to a JSON Lines file in a child process (its peak memory is the kernel's
 * high-water mark, VmHWM), against kcat consuming the same topic to a file as JSON (-J, exiting
 * at the end with -e); and pages through it 5,000 messages a page, as the browser's pages read.
 * Alternating order, medians of READ_RUNS runs each.
 */
export async function readWithBoundedMemory(bootstrap: string): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-read-'));
  const child = path.join(__dirname, 'kafkaReadChild.js');
  const ours = (mode: 'export' | 'page'): Promise<ChildRead> =>
    new Promise((resolve, reject) => {
      const file = path.join(dir, 'ours.jsonl');
      execFile(process.execPath, [child, mode, bootstrap, 'bench-read', file], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        fs.rmSync(file, { force: true });
        if (err) return reject(new Error(`${mode} failed: ${stderr || err.message}`));
        const read = JSON.parse(stdout) as ChildRead;
        if (read.messages !== MESSAGES) return reject(new Error(`${mode} read ${read.messages} of ${MESSAGES} messages`));
        resolve(read);
      });
    });
  const kcat = async (): Promise<number> => {
    const file = path.join(dir, 'kcat.jsonl');
    const out = fs.openSync(file, 'w');
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const k = spawn('kcat', ['-C', '-b', bootstrap, '-t', 'bench-read', '-o', 'beginning', '-e', '-q', '-J'], {
        stdio: ['ignore', out, 'ignore'],
      });
      k.once('exit', resolve);
    });
    const ms = performance.now() - started;
    fs.closeSync(out);
    let lines = 0;
    for await (const chunk of fs.createReadStream(file)) for (const byte of chunk as Buffer) if (byte === 10) lines++;
    fs.rmSync(file, { force: true });
    if (code !== 0 || lines !== MESSAGES) throw new Error(`kcat exited ${code} after ${lines} of ${MESSAGES} lines`);
    return ms;
  };
  const exports: ChildRead[] = [];
  const pages: ChildRead[] = [];
  const kcats: number[] = [];
  try {
    for (let run = 0; run < READ_RUNS; run++) {
      const order = run % 2 === 0 ? ['ours', 'kcat', 'page'] : ['page', 'kcat', 'ours'];
      for (const step of order) {
        if (step === 'ours') exports.push(await ours('export'));
        else if (step === 'page') pages.push(await ours('page'));
        else kcats.push(await kcat());
      }
      process.stderr.write(`[bench] read run ${run + 1}/${READ_RUNS}\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const rate = (ms: number): string => `${Math.round(MESSAGES / (ms / 1000)).toLocaleString('en-US')}/s`;
  const kcatMs = median(kcats);
  const memory = (reads: ChildRead[]): string => {
    const growth = median(reads.map((r) => r.peak - r.before));
    return `before ${mb(median(reads.map((r) => r.before)))}, peak ${mb(median(reads.map((r) => r.peak)))}, growth ${mb(growth)} (largest ${mb(Math.max(...reads.map((r) => r.peak - r.before)))})`;
  };
  const exportMs = median(exports.map((r) => r.ms));
  const pageMs = median(pages.map((r) => r.ms));
  return [
    `Kafka: exporting ${MESSAGES.toLocaleString('en-US')} 1 KB messages to a JSON Lines file (median of ${READ_RUNS} alternating runs): ${rate(exportMs)} vs kcat -J to a file ${rate(kcatMs)}; ratio ${(kcatMs / exportMs).toFixed(3)} (ours/kcat in messages per second; goal >= 0.5)`,
    `  memory of the exporting process (its own, kernel high-water mark): ${memory(exports)}; goal: growth <= 64 MB`,
    `  paging through them 5,000 a page (the browser's pages, 1 KB previews): ${rate(pageMs)}; ratio to kcat ${(kcatMs / pageMs).toFixed(3)}; memory ${memory(pages)}`,
    `  runs (ms): export ${exports.map((r) => r.ms.toFixed(0)).join(', ')}; kcat ${kcats.map((ms) => ms.toFixed(0)).join(', ')}; paging ${pages.map((r) => r.ms.toFixed(0)).join(', ')}`,
  ];
}
