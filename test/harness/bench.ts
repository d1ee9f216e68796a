// Benchmarks, printed as ratios against anchors measured in the same run (never timed tests):
// - activation time of this extension in the real extension host, against activating VS Code's
//   built-in References view extension (a small tree-view extension) and the incumbent Kafka
//   extension (when built, see firstContentBench.ts) in the same host;
// - first content in the sidebar against the incumbent (firstContentBench.ts);
// - the activation bundle's size against its 64 KB budget, and the .vsix size;
// - listing many subscriptions' clusters with one Resource Graph query against one subscription at a time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { allPages, listSubscriptionsAndClusters } from '../../src/azure/listing';
import { createAzureClient } from '../../src/azure/SdkClient';
import { ArmEmulator, DEV_TOKEN } from '../emulator/arm';
import { createTlsMaterial, Emulator } from '../emulator/server';
import { repoRoot, runInExtensionHost } from './extensionHost';
import { incumbentMissing, incumbentVsix, runFirstContentBenchmark } from './firstContentBench';
import { runKafkaBenchmarks } from './kafkaBench';
import { runLivyBenchmarks } from './livyBench';
import { runYarnBenchmarks } from './yarnBench';
import { vsixPath } from './sandbox';

/** ACTIVATION_BUDGET_BYTES in scripts/build.mjs, which fails the production build above it. */
const BUDGET = 64 * 1024;

interface ActivationSample {
  extensionMs: number;
  anchorMs: number;
  /** The incumbent Kafka extension's, when it is built (see firstContentBench.ts). */
  incumbentMs?: number;
}

/** Every order of the three activations, one per extension host. */
const ACTIVATION_ORDERS = [
  'anchor,extension,incumbent',
  'incumbent,extension,anchor',
  'extension,incumbent,anchor',
  'anchor,incumbent,extension',
  'incumbent,anchor,extension',
  'extension,anchor,incumbent',
];

const SUBSCRIPTIONS = 50;
const CLUSTERS_PER_SUBSCRIPTION = 20;
const LATENCY_MS = 150;
/** Alternating runs per listing way; the printed figures are their medians. */
const RUNS = 5;

/**
 * The explorer's listing of 50 subscriptions × 20 clusters with 150 ms latency on every request
 * (Resource Graph's query included): the subscriptions, then one Resource Graph query for all
 * their clusters (what the tree does), against the same listing one subscription at a time, and,
 * for reference, all subscriptions at once through the client's bounded concurrency (the tree's
 * way before Resource Graph). Medians of RUNS alternating runs, each with a new client (new
 * connections, nothing remembered).
 */
async function benchmarkListing(): Promise<string[]> {
  const tls = await createTlsMaterial();
  const emulator = new Emulator(tls);
  const arm = new ArmEmulator(emulator);
  arm.pageSize = 50;
  const tenantId = '00000000-0000-4000-8000-000000000001';
  arm.addTenant({ tenantId, displayName: 'Bench', defaultDomain: 'bench.onmicrosoft.com' });
  for (let s = 0; s < SUBSCRIPTIONS; s++) {
    const subscriptionId = `00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
    arm.addSubscription({ subscriptionId, displayName: `Bench ${s}`, tenantId });
    for (let c = 0; c < CLUSTERS_PER_SUBSCRIPTION; c++) {
      arm.addCluster({
        subscriptionId,
        resourceGroup: 'bench',
        name: `c${s}-${c}`,
        location: 'westeurope',
        kind: c % 2 ? 'spark' : 'kafka',
      });
    }
  }
  const url = await emulator.start();
  emulator.inject({ latencyMs: LATENCY_MS });
  try {
    const newClient = () =>
      createAzureClient({
        endpoint: url,
        scope: `${url}/.default`,
        ca: tls.cert,
        credential: { getToken: () => Promise.resolve({ token: DEV_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) },
      });
    const ways: Record<'graph' | 'sequential' | 'parallel', () => Promise<number>> = {
      graph: async () => {
        const listing = await listSubscriptionsAndClusters(newClient(), { subscriptionFilter: [] });
        if (!listing.clusters) throw new Error(`Resource Graph was refused: ${listing.refused}`);
        return [...listing.clusters.values()].reduce((n, list) => n + list.length, 0);
      },
      sequential: async () => {
        const client = newClient();
        let total = 0;
        for (const s of await client.listSubscriptions()) total += (await allPages(client, s.subscriptionId)).length;
        return total;
      },
      parallel: async () => {
        const client = newClient();
        const subscriptions = await client.listSubscriptions();
        return (await Promise.all(subscriptions.map((s) => allPages(client, s.subscriptionId)))).reduce((n, list) => n + list.length, 0);
      },
    };
    const samples: Record<keyof typeof ways, number[]> = { graph: [], sequential: [], parallel: [] };
    const graphQueries = () => emulator.requests.filter((r) => /^\/providers\/Microsoft\.ResourceGraph\//i.test(r.path)).length;
    let queriesPerListing = 0;
    for (let i = 0; i < RUNS; i++) {
      // Alternating order, so neither side always runs on a warmer process.
      const order: (keyof typeof ways)[] = i % 2 === 0 ? ['graph', 'sequential', 'parallel'] : ['parallel', 'sequential', 'graph'];
      for (const way of order) {
        const queriesBefore = graphQueries();
        const started = performance.now();
        const clusters = await ways[way]();
        samples[way].push(performance.now() - started);
        if (way === 'graph') queriesPerListing = graphQueries() - queriesBefore;
        if (clusters !== SUBSCRIPTIONS * CLUSTERS_PER_SUBSCRIPTION) throw new Error(`${way} listing found ${clusters} clusters`);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const graph = median(samples.graph);
    const sequential = median(samples.sequential);
    const parallel = median(samples.parallel);
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    return [
      `explorer listing, ${SUBSCRIPTIONS} subscriptions × ${CLUSTERS_PER_SUBSCRIPTION} clusters, ${LATENCY_MS} ms per request (medians of ${RUNS} alternating runs):`,
      `  Resource Graph (subscriptions, then ${queriesPerListing} query for every cluster; the tree's path): ${seconds(graph)}; one subscription at a time: ${seconds(sequential)}; ${(sequential / graph).toFixed(1)}× faster (goal ≥ 20×)`,
      `  for reference, per subscription all at once (bounded concurrency, the tree before Resource Graph): ${seconds(parallel)}; ${(sequential / parallel).toFixed(1)}× faster than one at a time`,
      `  samples (s): Resource Graph ${samples.graph.map((x) => (x / 1000).toFixed(2)).join(', ')}; one at a time ${samples.sequential.map((x) => (x / 1000).toFixed(2)).join(', ')}; bounded concurrency ${samples.parallel.map((x) => (x / 1000).toFixed(2)).join(', ')}`,
    ];
  } finally {
    await emulator.stop();
  }
}

/** The benchmarks by name, in the order `bench` runs them; `bench NAME...` runs only those named. */
const BENCHMARKS: Record<string, () => Promise<string[]>> = {
  activation: benchmarkActivation,
  listing: benchmarkListing,
  livy: runLivyBenchmarks,
  yarn: runYarnBenchmarks,
  kafka: runKafkaBenchmarks,
  firstcontent: () => runFirstContentBenchmark(20),
  'firstcontent-5000': () => runFirstContentBenchmark(5_000),
};

export async function runBenchmarks(names: string[] = []): Promise<number> {
  const unknown = names.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) throw new Error(`Unknown benchmark "${unknown[0]}"; use ${Object.keys(BENCHMARKS).join(', ')}`);
  const chosen = names.length > 0 ? Object.keys(BENCHMARKS).filter((n) => names.includes(n)) : Object.keys(BENCHMARKS);
  for (const name of chosen) {
    // The machine's load beside each figure: ratios from a busy machine read differently.
    const before = os.loadavg()[0];
    const lines = await BENCHMARKS[name]();
    const load = `  machine: ${os.cpus().length} cores, 1-minute load ${before.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after`;
    process.stdout.write(`${[...lines, load].join('\n')}\n`);
  }
  return 0;
}

/** Activation time against the anchor, and the bundle sizes. */
async function benchmarkActivation(): Promise<string[]> {
  const bundle = fs.statSync(path.join(repoRoot, 'dist', 'extension.js')).size;
  const chunkDir = path.join(repoRoot, 'dist', 'chunks');
  const chunks = fs.existsSync(chunkDir)
    ? fs
        .readdirSync(chunkDir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => [f, fs.statSync(path.join(chunkDir, f)).size] as const)
    : [];
  const vsix = fs.existsSync(vsixPath) ? fs.statSync(vsixPath).size : undefined;

  const incumbent = incumbentVsix();
  const samples: ActivationSample[] = [];
  for (let i = 0; i < ACTIVATION_ORDERS.length; i++) {
    const run = await runInExtensionHost({
      testsPath: path.join(repoRoot, 'out', 'test', 'bench', 'activation'),
      label: 'bench',
      echo: false,
      env: { HDINSIGHT_BENCH_ORDER: ACTIVATION_ORDERS[i] },
      install: incumbent ? [incumbent] : [],
      timeoutMs: 120_000,
    });
    if (run.exitCode !== 0 || !run.results) throw new Error(`activation benchmark run ${i + 1} failed (exit ${run.exitCode})`);
    samples.push(run.results as ActivationSample);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ours = median(samples.map((s) => s.extensionMs));
  const anchor = median(samples.map((s) => s.anchorMs));
  const ratio = median(samples.map((s) => s.extensionMs / s.anchorMs));
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  const runs = samples.length;
  const incumbentLines = incumbent
    ? [
        `activation against the incumbent vscode-kafka 0.20.0 (same hosts, after the warm-up, order rotated): ours ${ours.toFixed(1)} ms; ` +
          `vscode-kafka ${median(samples.map((s) => s.incumbentMs!)).toFixed(1)} ms; ratio ${median(samples.map((s) => s.extensionMs / s.incumbentMs!)).toFixed(3)} (median of per-host ratios; goal ≤ 0.1)`,
        `  samples: ${samples.map((s) => `${s.extensionMs.toFixed(1)}/${s.incumbentMs!.toFixed(1)}`).join(', ')} (ours/vscode-kafka, ms)`,
      ]
    : [`activation against the incumbent: not measured; ${incumbentMissing()}`];

  return [
    `activation (median of ${runs} extension hosts): ${ours.toFixed(1)} ms; anchor vscode.references-view ${anchor.toFixed(1)} ms; ratio ${ratio.toFixed(2)} (median of per-host ratios)`,
    `  samples: ${samples.map((s) => `${s.extensionMs.toFixed(1)}/${s.anchorMs.toFixed(1)}`).join(', ')} (ours/anchor, ms)`,
    ...incumbentLines,
    `activation bundle dist/extension.js: ${kb(bundle)} minified; ratio to the ${kb(BUDGET)} budget ${(bundle / BUDGET).toFixed(3)}`,
    ...chunks.map(([name, size]) => `  lazy chunk dist/chunks/${name}: ${kb(size)} (loaded on first use)`),
    vsix === undefined
      ? '.vsix: not built (run npm run package)'
      : `.vsix ${path.basename(vsixPath)}: ${kb(vsix)}; ratio to the activation bundle ${(vsix / bundle).toFixed(2)}`,
  ];
}
