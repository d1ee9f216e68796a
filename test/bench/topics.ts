// Runs inside the extension host for `npm run bench`: shows the HDInsight view with the Topics of
// a linked Kafka cluster with thousands of topics expanded, so that VS Code's own tree code asks
// the extension for the rows (the rows the extension gives are unchanged, only marked expanded, as
// a click would), while a sampler records how long the host's event loop was held. Writes the
// stalls, and the time from VS Code asking for the topics to VS Code having the first topic row.
import fs from 'node:fs';
import inspector from 'node:inspector';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { HDInsightExtensionApi } from '../../src/extension';
import type { TreeNode } from '../../src/tree/nodes/TreeNode';

const OURS = 'hdinsight-streaming.hdinsight-streaming';

interface Watch {
  /** Rows matching are handed to VS Code expanded (as after a click on their twistie). */
  expand(match: (node: TreeNode) => boolean): void;
  /** Calls `hook` when VS Code asks for the children of a node matching (synchronously). */
  onAsk(match: (node: TreeNode) => boolean, hook: () => void): void;
  /** Calls `hook` when the extension has answered VS Code with the children of a node matching. */
  onAnswer(match: (node: TreeNode) => boolean, hook: () => void): void;
  /** Resolves with the children VS Code asked for of the first node matching. */
  children(match: (node: TreeNode) => boolean): Promise<TreeNode[]>;
  /** Time (performance.now) of the first and last getTreeItem VS Code asked of rows matching. */
  items(match: (node: TreeNode) => boolean): { first?: number; last?: number; count: number };
}

/** Observes what VS Code asks of the tree (the provider object VS Code holds, wrapped in place). */
function watch(provider: vscode.TreeDataProvider<TreeNode>): Watch {
  const waiting: { match: (node: TreeNode) => boolean; resolve: (nodes: TreeNode[]) => void }[] = [];
  const expanded: ((node: TreeNode) => boolean)[] = [];
  const hooks: { match: (node: TreeNode) => boolean; hook: () => void }[] = [];
  const answered: { match: (node: TreeNode) => boolean; hook: () => void }[] = [];
  const counters: { match: (node: TreeNode) => boolean; first?: number; last?: number; count: number }[] = [];
  const getChildren = provider.getChildren.bind(provider);
  const getTreeItem = provider.getTreeItem.bind(provider);
  provider.getChildren = async (node?: TreeNode): Promise<TreeNode[]> => {
    for (const h of hooks) if (node && h.match(node)) h.hook();
    const nodes = (await getChildren(node)) ?? [];
    for (const h of answered) if (node && h.match(node)) h.hook();
    for (const w of [...waiting]) {
      if (node && w.match(node)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(nodes);
      }
    }
    return nodes;
  };
  provider.getTreeItem = (node: TreeNode) => {
    const now = performance.now();
    for (const c of counters) {
      if (!c.match(node)) continue;
      c.first ??= now;
      c.last = now;
      c.count++;
    }
    const item = getTreeItem(node) as vscode.TreeItem;
    if (expanded.some((m) => m(node))) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    return item;
  };
  return {
    expand: (match) => void expanded.push(match),
    onAsk: (match, hook) => void hooks.push({ match, hook }),
    onAnswer: (match, hook) => void answered.push({ match, hook }),
    children: (match) => new Promise((resolve) => waiting.push({ match, resolve })),
    items: (match) => {
      const counter = { match, count: 0 };
      counters.push(counter);
      return counter;
    },
  };
}

async function within<T>(what: string, promise: Promise<T>, ms = 120_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records the longest stall of the event loop, two ways: Node's histogram and a 5 ms timer's lateness. */
function stallSampler(): { stop(): { maxMs: number; p99Ms: number; timerMaxMs: number; stalls: [number, number][] } } {
  const origin = performance.now();
  const stalls: [number, number][] = [];
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = performance.now();
  let timerMax = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    timerMax = Math.max(timerMax, now - last - 5);
    // Each stall over 50 ms: when it ended (ms from the start) and how long it was.
    if (now - last - 5 > 50) stalls.push([Math.round(now - origin), Math.round(now - last - 5)]);
    last = now;
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      histogram.disable();
      return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, timerMaxMs: timerMax, stalls };
    },
  };
}

/** A CPU profile of the host (HDINSIGHT_BENCH_PROFILE names its file): to see what held it. */
function startProfile(): () => Promise<object> {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  return () =>
    new Promise((resolve, reject) =>
      session.post('Profiler.stop', (err, result) => (err ? reject(err) : resolve((result as { profile: object }).profile))),
    );
}

export async function run(): Promise<void> {
  const expected = Number(process.env.HDINSIGHT_BENCH_TOPICS);
  const extension = vscode.extensions.getExtension<HDInsightExtensionApi>(OURS);
  if (!extension) throw new Error(`${OURS} is not installed`);
  const api = await extension.activate();
  const tree = watch(api.clusters as vscode.TreeDataProvider<TreeNode>);
  const clusterChildren = tree.children((n) => n.id.startsWith('linked/') && n.id.split('/').length === 2);
  const topicChildren = tree.children((n) => n.id.endsWith('/topics'));
  const topicRows = tree.items((n) => n.parent?.id.endsWith('/topics') === true);

  const isTopics = (n: TreeNode): boolean => n.id.endsWith('/topics');
  tree.expand((n) => n.id.startsWith('linked/') && n.id.split('/').length === 2);
  tree.expand(isTopics);
  let sampler: ReturnType<typeof stallSampler> | undefined;
  let started = NaN;
  const profile = process.env.HDINSIGHT_BENCH_PROFILE ? startProfile() : undefined;
  tree.onAsk(isTopics, () => {
    sampler ??= stallSampler();
    started = performance.now();
  });

  let answeredMs = NaN;
  tree.onAnswer(isTopics, () => (answeredMs = performance.now() - started));
  await vscode.commands.executeCommand('hdinsight.clusters.focus');
  await within('expanding the linked cluster', clusterChildren);
  const topics = await within('expanding Topics', topicChildren);
  // VS Code asks for every row's item, then hands them to the workbench: sample a while after.
  while (topicRows.count < topics.length && performance.now() - started < 120_000) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1_000));
  const stalls = sampler!.stop();
  if (profile) fs.writeFileSync(process.env.HDINSIGHT_BENCH_PROFILE!, JSON.stringify(await profile()));
  // The host's stalls while idle, for comparison.
  const idle = stallSampler();
  await new Promise((r) => setTimeout(r, 1_000));
  const idleStalls = idle.stop();
  // The rows VS Code got: the first page, and a row showing the rest (the topics are as many as expected).
  const last = topics[topics.length - 1].getTreeItem();
  const listed = topics.length - 1 + Number(String(last.description ?? '').replace(/\D/g, ''));
  if (listed < expected)
    throw new Error(
      `Topics listed ${listed} topics, not ${expected}: ${topics.length} rows, the last "${typeof last.label === 'string' ? last.label : (last.label?.label ?? '')}"`,
    );
  const first = topics[0];
  const description = String(first.getTreeItem().description ?? '');
  if (!/partition.*message/.test(description)) throw new Error(`the first topic row has no counts: "${description}"`);
  fs.writeFileSync(
    process.env.HDINSIGHT_TEST_RESULTS!,
    JSON.stringify({
      rows: topics.length,
      topics: listed,
      firstRowMs: (topicRows.first ?? NaN) - started,
      lastRowMs: (topicRows.last ?? NaN) - started,
      firstDescription: description,
      answeredMs,
      ...stalls,
      idleMaxMs: idleStalls.maxMs,
    }),
  );
}
