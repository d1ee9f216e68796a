// The driver's log on YARN for `npm run bench`: the two-phase stream (Livy's launcher lines, then
// the driver's stdout and stderr from YARN through the gateway, then the aggregated copy) on a real
// YARN with the emulated Livy in YARN mode, 100 ms added to every gateway request, and a PySpark
// driver printing a timestamped line every 200 ms for 30 s, then quiet for 15 s. Three readers
// follow the same application at the same time, so they share the machine's load:
// - the job as the extension runs it (LivyJob with YarnDriverLog: the NodeManager's listing and
//   plain-text tail, pages only where needed);
// - the same job reading the HTML pages by byte offset only, stdout and stderr every poll (what
//   the reader did before, and the IntelliJ toolkit's way: `?start=N`, each file each second);
// - a plain client: the whole stdout and stderr from the NodeManager's REST API every second
//   (`curl …/ws/v1/node/containerlogs/{cid}/stdout`), the anchor, until the container is gone.
// Figures: the delay from a line printed by the driver to the reader having it (median and 95th
// percentile), requests, and bytes downloaded against the log's own size.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { yarnEndpoint } from '../../src/clusters/LivyConnections';
import { requestRaw } from '../../src/core/http';
import { LivyClient } from '../../src/livy/LivyClient';
import { LivyJob } from '../../src/livy/LivyJob';
import { YarnDriverLog } from '../../src/livy/yarnDriverLog';
import { ClusterGateway } from '../emulator/gateway';
import { LivyEmulator } from '../emulator/livy';
import { emulatedSparkCluster } from './sparkCluster';
import { ensureSpark } from './spark';
import { startYarn } from './yarn';

const LINES = 150;
const LATENCY_MS = 100;
const login = { username: 'admin', password: 'Bench-Yarn-1!' };

interface Reader {
  name: string;
  delays: number[];
  seen: Set<number>;
  requests: () => number;
  bytes: () => number;
  /** Where the requests and bytes went. */
  breakdown?: () => string;
}

export async function runYarnBenchmarks(): Promise<string[]> {
  const started = performance.now();
  const spark = ensureSpark();
  const yarn = await startYarn();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-yarn-bench-'));
  const livy = new LivyEmulator({ spark, localDirWhitelist: [dir], yarn });
  const gateway = new ClusterGateway(undefined, emulatedSparkCluster('bench', login.password), { livy, yarn });
  const jobs: LivyJob[] = [];
  try {
    const { host, port } = await gateway.start();
    gateway.emulator.inject({ path: /^\/(livy|yarnui)\//, latencyMs: LATENCY_MS });
    const script = path.join(dir, 'ticks.py');
    fs.writeFileSync(
      script,
      [
        'import time',
        'from pyspark.sql import SparkSession',
        'spark = SparkSession.builder.getOrCreate()',
        `for i in range(${LINES}):`,
        '    print(f"tick {i} t={int(time.time() * 1000)} " + "x" * 60, flush=True)',
        '    time.sleep(0.2)',
        'time.sleep(15)',
        'spark.stop()',
        '',
      ].join('\n'),
    );
    const client = new LivyClient({ service: 'Livy', baseUrl: new URL(`http://${host}:${port}/livy`), login, timeoutMs: 30_000 });
    const yarnUi = yarnEndpoint(client.endpoint)!;
    const batch = await client.createBatch({ file: script, name: 'bench' });

    const follow = (name: string, nodeRestApi: boolean): { job: LivyJob; reader: Reader } => {
      const sources: YarnDriverLog[] = [];
      const job = new LivyJob({
        jobId: name,
        cluster: 'bench',
        mode: 'batch',
        language: 'python',
        name,
        livy: client,
        driverLog: (appId, driverLogUrl) => {
          const source = new YarnDriverLog(yarnUi, appId, { driverLogUrl, nodeRestApi });
          sources.push(source);
          return source;
        },
      });
      jobs.push(job);
      const reader: Reader = {
        name,
        delays: [],
        seen: new Set(),
        requests: () => job.driverLogStats?.requests ?? 0,
        bytes: () => job.driverLogStats?.bytesReceived ?? 0,
        breakdown: () =>
          Object.entries(sources.at(-1)?.stats.byKind ?? {})
            .map(([kind, c]) => `${kind} ${c.requests}/${c.bytes.toLocaleString('en-US')}`)
            .join(', '),
      };
      let read = 0;
      job.onDidChange(() => {
        const now = Date.now();
        for (const entry of job.log.slice(read)) {
          const tick = entry.stream === 'driverStdout' && 'text' in entry ? /^tick (\d+) t=(\d+)/.exec(entry.text) : null;
          if (tick) see(reader, Number(tick[1]), now - Number(tick[2]));
        }
        read = job.log.length;
      });
      job.followBatch(batch.id, batch.state, batch.appId);
      return { job, reader };
    };
    const ours = follow('REST listing and tail (the extension)', true);
    const pages = follow('HTML pages by offset (before; the IntelliJ toolkit’s way)', false);

    // The anchor: once the container is known, the whole of both files from the NodeManager every second.
    const anchor: Reader = {
      name: 'whole files every second (plain GETs)',
      delays: [],
      seen: new Set(),
      requests: () => 0,
      bytes: () => 0,
    };
    let anchorRequests = 0;
    let anchorBytes = 0;
    anchor.requests = () => anchorRequests;
    anchor.bytes = () => anchorBytes;
    let anchorGone = false;
    const anchorLoop = (async () => {
      while (!anchorGone) {
        const url = ours.job.snapshot.driverLogUrl;
        const m = url ? /\/yarnui\/(.+?)\/node\/containerlogs\/(container_[\w]+)\//.exec(url) : null;
        if (m) {
          for (const file of ['stdout', 'stderr']) {
            const res = await requestRaw(yarnUi, 'GET', `${m[1]}/ws/v1/node/containerlogs/${m[2]}/${file}`, { accept: 'text/plain' }).catch(
              () => undefined,
            );
            if (!res) continue;
            anchorRequests++;
            anchorBytes += res.bytes.byteLength;
            if (res.status !== 200) {
              if (ours.job.ended) anchorGone = true;
              continue;
            }
            const now = Date.now();
            for (const tick of res.text.matchAll(/^tick (\d+) t=(\d+)/gm)) see(anchor, Number(tick[1]), now - Number(tick[2]));
          }
        }
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();

    const deadline = Date.now() + 420_000;
    const done = (j: LivyJob): boolean => j.ended && j.snapshot.driverLog !== 'reading';
    while (!(done(ours.job) && done(pages.job)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    anchorGone = true;
    await anchorLoop;

    const lines = ours.job.log.filter((e) => e.stream === 'driverStdout' || e.stream === 'driverStderr');
    const logBytes = lines.reduce((sum, e) => sum + ('text' in e ? Buffer.byteLength(e.text) + 1 : 0), 0);
    const pct = (xs: number[], p: number): number => {
      const sorted = [...xs].sort((a, b) => a - b);
      return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
    };
    const row = (r: Reader): string =>
      `  ${r.name}: line printed → read median ${pct(r.delays, 50)} ms, p95 ${pct(r.delays, 95)} ms (${r.seen.size}/${LINES} lines); ` +
      `${r.requests()} requests, ${r.bytes().toLocaleString('en-US')} bytes (${(r.bytes() / Math.max(1, logBytes)).toFixed(1)} × the log)` +
      (r.breakdown ? `\n    requests/bytes by kind: ${r.breakdown()}` : '') +
      `\n    first lines' delays (ms): ${r.delays.slice(0, 8).join(', ')}`;
    const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(3) : 'n/a');
    return [
      `driver log on YARN (real Hadoop ${'3.3.4'}, ${LATENCY_MS} ms gateway latency, ${LINES} lines 200 ms apart, then 15 s quiet; ` +
        `log ${logBytes.toLocaleString('en-US')} bytes, stdout and stderr; job ${ours.job.snapshot.state}, driver log ${ours.job.snapshot.driverLog}; ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s with YARN's start):`,
      row(ours.reader),
      row(pages.reader),
      row(anchor),
      `  ratios, the extension against the pages: bytes ${ratio(ours.reader.bytes(), pages.reader.bytes())}, requests ${ratio(ours.reader.requests(), pages.reader.requests())}, ` +
        `median delay ${ratio(pct(ours.reader.delays, 50), pct(pages.reader.delays, 50))}; against whole files every second: bytes ${ratio(ours.reader.bytes(), anchorBytes)}, ` +
        `median delay ${ratio(pct(ours.reader.delays, 50), pct(anchor.delays, 50))}`,
    ];
  } finally {
    for (const job of jobs) job.dispose();
    await gateway.stop();
    await livy.stop();
    await yarn.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function see(reader: Reader, tick: number, delay: number): void {
  if (reader.seen.has(tick)) return;
  reader.seen.add(tick);
  reader.delays.push(delay);
}
