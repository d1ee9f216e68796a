// The first-content benchmark of `npm run bench`: what a user waits for in the sidebar, measured in
// one real code-server build with headless Chromium, against the incumbent Kafka extension
// (vscode-kafka 0.20.0, built by hand outside this repository by scripts/build-incumbent.sh) and a
// do-nothing extension with a static tree (the floor, test/bench/floor-extension):
// - from the click on the activity-bar icon to the first cluster row;
// - from the click on a Kafka cluster's Topics to the first topic row;
// on one real local broker that every extension knows (a linked cluster for ours, a cluster in
// kafka.clusters for the incumbent, as its Add Cluster wizard saves it). Each run opens a new
// code-server and a new browser context, so every extension activates in a fresh extension host;
// the extensions take turns.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { waitForWorkbench } from '../ui/workbench';
import { launchBrowser } from './browser';
import { codeServerCli, startCodeServer } from './codeServer';
import { repoRoot } from './extensionHost';
import { startKafka } from './kafka';
import { vsixPath } from './sandbox';

const RUNS = 5;
const CLUSTER = 'local-kafka';
/** Topic names sort as they were made, so every extension's first row is one of them. */
const topicName = (i: number): string => `t-${String(i).padStart(4, '0')}`;

export const incumbentBuildScript = 'scripts/build-incumbent.sh';
const incumbentLocation = (): string =>
  process.env.HDINSIGHT_BENCH_INCUMBENT ?? path.join(os.homedir(), '.cache', 'hdinsight-streaming-bench', 'vscode-kafka-0.20.0');

/** The incumbent's .vsix: $HDINSIGHT_BENCH_INCUMBENT itself, or the newest .vsix in that folder. */
export function incumbentVsix(): string | undefined {
  const location = incumbentLocation();
  if (location.endsWith('.vsix')) return fs.existsSync(location) ? location : undefined;
  if (!fs.existsSync(location)) return undefined;
  const found = fs
    .readdirSync(location)
    .filter((f) => f.endsWith('.vsix'))
    .map((f) => path.join(location, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return found[0];
}

export function incumbentMissing(): string {
  return `the incumbent (vscode-kafka 0.20.0) is not built at ${incumbentLocation()}: build it with ${incumbentBuildScript} (or set HDINSIGHT_BENCH_INCUMBENT to its folder or .vsix)`;
}

interface Contender {
  key: 'ours' | 'incumbent' | 'floor';
  name: string;
  /** The start of its activity-bar entry's aria-label. */
  icon: string;
}

const CONTENDERS: Contender[] = [
  { key: 'ours', name: 'ours', icon: 'HDInsight' },
  { key: 'incumbent', name: 'vscode-kafka 0.20.0', icon: 'Kafka' },
  { key: 'floor', name: 'floor (static tree)', icon: 'Floor' },
];

interface Sample {
  clusterMs: number;
  topicMs: number;
}

/** The floor extension as a .vsix: its manifest and icon, and its activate() compiled with the tests. */
function packageFloor(workDir: string): string {
  const source = path.join(repoRoot, 'test', 'bench', 'floor-extension');
  const dir = path.join(workDir, 'floor-extension');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['package.json', 'floor.svg']) fs.copyFileSync(path.join(source, f), path.join(dir, f));
  fs.copyFileSync(path.join(repoRoot, 'out', 'test', 'bench', 'floor-extension', 'extension.js'), path.join(dir, 'extension.js'));
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
  fs.writeFileSync(path.join(dir, 'README.md'), 'The floor of the first-content benchmark.\n');
  const out = path.join(workDir, 'bench-floor.vsix');
  execFileSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--out',
      out,
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  return out;
}

/**
 * Installs in the page a clock that starts at the next mouse press and stops when a row of the
 * sidebar whose label matches `label` is in the page and laid out; returns its promise's name.
 */
async function armClock(page: Page, label: RegExp): Promise<void> {
  await page.evaluate(
    ({ source, flags }) => {
      const pattern = new RegExp(source, flags);
      const w = window as unknown as { __firstContent?: Promise<number> };
      w.__firstContent = new Promise<number>((resolve) => {
        let started: number | undefined;
        const found = (): boolean => {
          for (const row of Array.from(document.querySelectorAll('.part.sidebar .monaco-list-row'))) {
            const text = row.querySelector('.label-name')?.textContent ?? '';
            if (pattern.test(text.trim()) && row.getClientRects().length > 0) return true;
          }
          return false;
        };
        const observer = new MutationObserver(() => {
          if (started !== undefined && found()) {
            observer.disconnect();
            resolve(performance.now() - started);
          }
        });
        window.addEventListener(
          'mousedown',
          () => {
            started = performance.now();
            observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
          },
          { capture: true, once: true },
        );
      });
    },
    { source: label.source, flags: label.flags },
  );
}

async function readClock(page: Page, timeoutMs: number): Promise<number> {
  return page.evaluate(
    (ms) =>
      Promise.race([
        (window as unknown as { __firstContent: Promise<number> }).__firstContent,
        new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`no row within ${ms / 1000} s`)), ms)),
      ]),
    timeoutMs,
  );
}

/** Waits until the extension host has started its eager extensions, then lets the startup settle. */
/** Whether an extension host log written since `since` says the eager extensions activated. */
function hostSaysReady(logs: string, since: number): boolean {
  try {
    return fs
      .readdirSync(logs, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('remoteexthost.log') || f.endsWith('exthost.log'))
      .map((f) => path.join(logs, f))
      .some((f) => fs.statSync(f).mtimeMs >= since && /eager extensions activated/i.test(fs.readFileSync(f, 'utf8')));
  } catch (err) {
    // The host creates and renames its log folders while starting: look again on the next turn.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function waitForExtensionHost(stateDir: string, since: number): Promise<void> {
  const logs = path.join(stateDir, 'user-data', 'logs');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (hostSaysReady(logs, since)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 3_000));
}

async function measureOnce(
  browser: Browser,
  stateDir: string,
  folder: string,
  settings: Record<string, unknown>,
  contender: Contender,
): Promise<Sample> {
  const since = Date.now();
  const server = await startCodeServer({ stateDir, folder, settings });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(server.url());
    await waitForWorkbench(page);
    const icon = page.locator(`.activitybar [aria-label^="${contender.icon}"]`).first();
    await icon.waitFor({ timeout: 60_000 });
    await waitForExtensionHost(stateDir, since);

    const clusterRow = new RegExp(`${CLUSTER}$`);
    await armClock(page, clusterRow);
    await icon.click();
    const clusterMs = await readClock(page, 120_000);

    const sidebar = page.locator('.part.sidebar');
    const row = (label: RegExp) =>
      sidebar
        .locator('.monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: label }) })
        .first();
    await row(clusterRow).click();
    const topics = row(/^Topics$/);
    await topics.waitFor({ timeout: 60_000 });
    await armClock(page, /^t-\d{4}$/);
    await topics.click();
    const topicMs = await readClock(page, 300_000);
    return { clusterMs, topicMs };
  } finally {
    await context.close();
    await server.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** Creates topics t-<from>..t-<to - 1> and waits until the broker lists them all. */
async function createTopics(bootstrap: string, from: number, to: number): Promise<void> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (let i = from; i < to; i += 500) {
      const topics = Array.from({ length: Math.min(500, to - i) }, (_, k) => ({ topic: topicName(i + k), numPartitions: 1 }));
      await admin.createTopics({ waitForLeaders: false, topics });
    }
    const deadline = Date.now() + 300_000;
    for (;;) {
      const listed = await admin.fetchTopicMetadata().catch(() => ({ topics: [] }));
      const led = listed.topics.filter((t) => /^t-\d{4}$/.test(t.name) && t.partitions.every((p) => p.leader >= 0));
      if (led.length >= to) return;
      if (Date.now() > deadline) throw new Error(`the broker did not settle ${to} topics within 5 minutes`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * `bench firstcontent` (20 topics, with the floor) and `bench firstcontent-5000` (5,000 topics,
 * ours and the incumbent only: the floor's rows are static).
 */
export async function runFirstContentBenchmark(topicCount: number): Promise<string[]> {
  const incumbent = incumbentVsix();
  const lines: string[] = [];
  if (!incumbent) lines.push(`first content: ${incumbentMissing()}; measuring ours and the floor only`);
  const contenders = CONTENDERS.filter((c) => (c.key !== 'incumbent' || incumbent) && (c.key !== 'floor' || topicCount <= 20));
  if (!fs.existsSync(vsixPath)) throw new Error(`${vsixPath} is missing: run "npm run package" first (npm run bench does).`);

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-firstcontent-'));
  const broker = await startKafka();
  let browser: Browser | undefined;
  try {
    await createTopics(broker.bootstrap, 0, topicCount);
    process.stderr.write(`[bench] first content: ${topicCount} topics created\n`);
    const stateDir = path.join(workDir, 'code-server');
    const vsixes = [vsixPath, ...(incumbent ? [incumbent] : []), ...(topicCount <= 20 ? [packageFloor(workDir)] : [])];
    fs.mkdirSync(path.join(stateDir, 'user-data', 'User'), { recursive: true });
    fs.mkdirSync(path.join(stateDir, 'extensions'), { recursive: true });
    for (const vsix of vsixes) await codeServerCli(['--install-extension', vsix, '--force'], stateDir);
    const folder = path.join(workDir, 'workspace');
    fs.mkdirSync(folder, { recursive: true });
    // As the incumbent's Add Cluster wizard saves a cluster (machine-scoped kafka.clusters, its id
    // made from the name and the bootstrap), with it selected as a single cluster gets selected.
    const incumbentId = `${CLUSTER.replace(/[^a-zA-Z0-9]/g, '')}-${Buffer.from(broker.bootstrap).toString('base64').replace(/=/g, '')}`;
    const settings = {
      'hdinsight.linkedClusters': [{ name: CLUSTER, kafkaBootstrap: broker.bootstrap }],
      'kafka.clusters': [{ id: incumbentId, name: CLUSTER, bootstrap: broker.bootstrap }],
      'kafka.clusters.selected': incumbentId,
    };

    browser = await launchBrowser();
    const samples = new Map<Contender['key'], Sample[]>(contenders.map((c) => [c.key, []]));
    for (let round = 0; round < RUNS; round++) {
      // Each round starts with the next contender, so none always runs first.
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
      for (const contender of order) {
        const sample = await measureOnce(browser, stateDir, folder, settings, contender);
        samples.get(contender.key)!.push(sample);
        process.stderr.write(`[bench] first content, ${contender.name}: ${ms(sample.clusterMs)}, ${ms(sample.topicMs)}\n`);
      }
    }

    const med = (key: Contender['key'], field: keyof Sample): number | undefined => {
      const xs = samples.get(key)?.map((s) => s[field]);
      return xs && xs.length > 0 ? median(xs) : undefined;
    };
    const figure = (label: string, field: keyof Sample, goal: number): void => {
      const [o, i, f] = [med('ours', field), med('incumbent', field), med('floor', field)];
      const parts = [`ours ${ms(o!)}`];
      if (i !== undefined) parts.push(`vscode-kafka 0.20.0 ${ms(i)}`, `ratio ${(o! / i).toFixed(2)} (goal ≤ ${goal})`);
      if (f !== undefined) parts.push(`floor ${ms(f)}`);
      lines.push(`${label}: ${parts.join('; ')}`);
    };
    const what = `${topicCount.toLocaleString('en-US')} topics, median of ${RUNS} alternating runs, each in a new code-server and browser context`;
    if (topicCount <= 20) figure(`first content: activity-bar click to the first cluster row (${what})`, 'clusterMs', 0.6);
    figure(`first content: click on Topics to the first topic row (${what})`, 'topicMs', 0.5);
    lines.push(
      `  samples (cluster row/topic row, ms): ${contenders
        .map(
          (c) =>
            `${c.name} ${samples
              .get(c.key)!
              .map((s) => `${s.clusterMs.toFixed(0)}/${s.topicMs.toFixed(0)}`)
              .join(', ')}`,
        )
        .join('; ')}`,
    );
    return lines;
  } finally {
    await browser?.close();
    await broker.stop();
    if (!process.env.HDINSIGHT_KEEP_STATE) fs.rmSync(workDir, { recursive: true, force: true });
  }
}
