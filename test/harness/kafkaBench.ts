// Kafka benchmarks for `npm run bench`, each against an anchor in the same run, on a real broker:
// - time to the first message when opening a topic (our group-less read) against a kafkajs
//   consumer that joins a group the way the incumbent Kafka extension does;
// - messages per second reading 200,000 1 KB messages (our reader) against kcat, and the peak
//   memory of the reading process.
// (Listing 5,000 topics is still to come: kafkajs' createTopics fails its own check right after
// creating topics on KRaft, which the set-up has to work around first.)
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaService } from '../../src/chunks/kafka';
import { startKafka } from './kafka';

const MESSAGES = 200_000;

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

    // 2. Throughput reading everything, and peak memory of this process while doing it.
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const before = process.memoryUsage().rss;
    const [oursReadMs, read] = await timed(() => service.browse({ topic: 'bench-read', from: 'earliest', limit: MESSAGES }));
    clearInterval(sampler);
    if (read.length !== MESSAGES) throw new Error(`read ${read.length} of ${MESSAGES} messages`);
    const [kcatReadMs] = await timed(() =>
      promisify(execFile)('kcat', ['-C', '-b', broker.bootstrap, '-t', 'bench-read', '-o', 'beginning', '-e', '-q', '-f', '%o\\n'], {
        maxBuffer: 64 << 20,
      }),
    );
    const rate = (ms: number): string => `${Math.round(MESSAGES / (ms / 1000)).toLocaleString('en-US')}/s`;
    lines.push(
      `Kafka: reading ${MESSAGES.toLocaleString('en-US')} 1 KB messages: ${rate(oursReadMs)} vs kcat ${rate(kcatReadMs)}; ratio ${(kcatReadMs / oursReadMs).toFixed(3)} (ours/kcat in messages per second)`,
      `  peak memory of the reading process: ${(peak / 2 ** 20).toFixed(0)} MB (${((peak - before) / 2 ** 20).toFixed(0)} MB above its start; every message held, as the service returns them; the panel keeps at most 5,000)`,
    );
  } finally {
    await service.close();
    await broker.stop();
  }
  return lines;
}
