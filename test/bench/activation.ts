// Runs inside the extension host for `npm run bench`: after a warm-up activation, activates the
// anchor extension and ours (in the order the harness asks), timing each activate() (module load
// plus activate function), and writes the times.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';

const OURS = 'hdinsight-streaming.hdinsight-streaming';
const ANCHOR = 'vscode.references-view';
// Activated first, so that neither measured extension pays for the host's first activation.
const WARM_UP = 'vscode.markdown-math';

async function timeActivation(id: string): Promise<number> {
  const extension = vscode.extensions.getExtension(id);
  if (!extension) throw new Error(`${id} is not installed`);
  if (extension.isActive) throw new Error(`${id} was already active; its activation cannot be measured`);
  const started = performance.now();
  await extension.activate();
  return performance.now() - started;
}

export async function run(): Promise<void> {
  await timeActivation(WARM_UP);
  const anchorFirst = process.env.HDINSIGHT_BENCH_ORDER !== 'extension-first';
  let anchorMs: number;
  let extensionMs: number;
  if (anchorFirst) {
    anchorMs = await timeActivation(ANCHOR);
    extensionMs = await timeActivation(OURS);
  } else {
    extensionMs = await timeActivation(OURS);
    anchorMs = await timeActivation(ANCHOR);
  }
  fs.writeFileSync(process.env.HDINSIGHT_TEST_RESULTS!, JSON.stringify({ extensionMs, anchorMs }));
}
