// Livy log streaming for `npm run bench`, with 100 ms latency added to every gateway request and a
// real spark-submit batch that prints a timestamped line every 200 ms for 30 s, then stays silent
// for 30 s:
// - the delay from a line being printed to the job having it (median and 95th percentile);
// - requests per minute while lines stream and while the job is quiet;
// - bytes downloaded against the log's own size, and against polling that re-reads the whole log
//   every second (the anchor, run on the same batch at the same time).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LivyClient } from '../../src/livy/LivyClient';
import { LivyJob } from '../../src/livy/LivyJob';
import { LivyEmulator } from '../emulator/livy';
import { Emulator } from '../emulator/server';
import { ensureSpark } from './spark';

const LINES = 150;

export async function runLivyBenchmarks(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-livy-bench-'));
  const script = path.join(dir, 'ticks.py');
  fs.writeFileSync(
    script,
    [
      'import time',
      `for i in range(${LINES}):`,
      '    print(f"tick {i} t={int(time.time() * 1000)} " + "x" * 60, flush=True)',
      '    time.sleep(0.2)',
      'time.sleep(30)',
      '',
    ].join('\n'),
  );
  const emulator = new Emulator();
  const livy = new LivyEmulator({ spark: ensureSpark(), localDirWhitelist: [dir] });
  livy.mount(emulator, '/livy');
  const base = await emulator.start();
  emulator.inject({ path: /^\/livy\//, latencyMs: 100 });
  try {
    const client = new LivyClient({ service: 'Livy', baseUrl: new URL(`${base}/livy`) });
    const batch = await client.createBatch({ file: script, name: 'bench' });
    const job = new LivyJob({ jobId: 'bench-1', cluster: 'bench', mode: 'batch', language: 'python', name: 'bench', livy: client });
    const delays: number[] = [];
    let seen = 0;
    let firstAt = 0;
    let lastAt = 0;
    job.onDidChange(() => {
      for (const entry of job.log.slice(seen)) {
        const t = 'text' in entry ? /^tick (\d+) t=(\d+)/.exec(entry.text) : null;
        if (!t) continue;
        const now = Date.now();
        delays.push(now - Number(t[2]));
        firstAt ||= now;
        lastAt = now;
      }
      seen = job.log.length;
    });
    const requestsBefore = emulator.requests.length;
    job.followBatch(batch.id, batch.state);

    // The anchor: re-read the whole log every second.
    let anchorBytes = 0;
    let anchorRequests = 0;
    const anchor = setInterval(() => {
      void client.getLog('batches', batch.id, 0, -1).then(
        (page) => {
          anchorRequests++;
          anchorBytes += page.log.reduce((sum, line) => sum + Buffer.byteLength(line) + 3, 0);
        },
        () => undefined,
      );
    }, 1_000);

    // Streaming, then 30 s of quiet.
    const deadline = Date.now() + 180_000;
    while (delays.length < LINES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // The anchor's whole-log reads (size=-1) are not ours.
    const ours = (r: { path: string }): boolean => !/size=-1/.test(r.path);
    const streamingRequests = emulator.requests.slice(requestsBefore).filter(ours).length;
    const streamingMinutes = (lastAt - firstAt) / 60_000;
    // Quiet: after the job's own quiet threshold (10 s), count for 18 s.
    await new Promise((r) => setTimeout(r, 10_000));
    const quietStart = emulator.requests.length;
    await new Promise((r) => setTimeout(r, 18_000));
    const quietRequests = emulator.requests.slice(quietStart).filter(ours).length;
    clearInterval(anchor);
    await client.deleteBatch(batch.id).catch(() => undefined);
    job.dispose();

    const sorted = [...delays].sort((a, b) => a - b);
    const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
    const logBytes = job.log.reduce((sum, e) => sum + ('text' in e ? Buffer.byteLength(e.text) + 3 : 0), 0);
    const oursBytes = job.logStats?.bytesReceived ?? 0;
    return [
      `Livy log streaming (100 ms gateway latency, ${LINES} lines 200 ms apart): line printed → in the job: median ${pct(50)} ms, p95 ${pct(95)} ms (${delays.length} lines)`,
      `  requests per minute: ${(streamingRequests / Math.max(streamingMinutes, 1 / 60)).toFixed(0)} while streaming, ${((quietRequests / 18) * 60).toFixed(0)} while quiet (state and log together)`,
      `  bytes downloaded: ${oursBytes.toLocaleString('en-US')} for a log of ${logBytes.toLocaleString('en-US')} (ratio ${(oursBytes / Math.max(1, logBytes)).toFixed(2)}); re-reading the whole log every second downloaded ${anchorBytes.toLocaleString('en-US')} in ${anchorRequests} requests; ratio ${(oursBytes / Math.max(1, anchorBytes)).toFixed(3)}`,
    ];
  } finally {
    await livy.stop();
    await emulator.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
