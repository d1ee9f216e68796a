// A process of its own for the Kafka read benchmark (kafkaBench.ts), so that its memory is
// measured alone: exports a topic to a JSON Lines file with the service's stream, or pages
// through it as the message browser does, then prints its time, count and memory as JSON.
//   node kafkaReadChild.js export|page BOOTSTRAP TOPIC [FILE]
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { BrowseFrom } from '../../src/kafka/client';
import { exportMessages } from '../../src/kafka/exportMessages';
import { createKafkaService } from '../../src/kafka/KafkajsService';

/** The kernel's high-water mark of this process's resident memory: its true peak, not a sample. */
function peakRss(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error('no VmHWM in /proc/self/status');
  return Number(kb[1]) * 1024;
}

async function main(): Promise<void> {
  const [mode, bootstrap, topic, file] = process.argv.slice(2);
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const service = createKafkaService({ brokers: [bootstrap] });
  let messages = 0;
  if (mode === 'export') {
    messages = (await exportMessages(service, { topic, from: 'earliest' }, file)).messages;
  } else {
    // Page after page of 5,000 (the most the browser holds), each from where the last ended.
    const { partitions } = await service.describeTopic(topic);
    const next: Record<number, string> = Object.fromEntries(partitions.map((p) => [p.partition, p.start]));
    for (;;) {
      const from: BrowseFrom = { offsets: { ...next } };
      const page = await service.browse({ topic, from, limit: 5_000, previewBytes: 1024 });
      if (page.length === 0) break;
      messages += page.length;
      for (const m of page) if (BigInt(m.offset) + 1n > BigInt(next[m.partition])) next[m.partition] = (BigInt(m.offset) + 1n).toString();
    }
  }
  await service.close();
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, messages, before, peak: peakRss() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
