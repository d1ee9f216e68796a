// Runs inside the extension host for `npm run bench`: after a warm-up activation, activates the
// anchor extension, ours and, when installed, the incumbent Kafka extension (in the order the
// harness asks), timing each activate() (module load plus activate function), and writes the times.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';

const EXTENSIONS = {
  extension: 'hdinsight-streaming.hdinsight-streaming',
  anchor: 'vscode.references-view',
  incumbent: 'jeppeandersen.vscode-kafka',
};
type Key = keyof typeof EXTENSIONS;
// Activated first, so that no measured extension pays for the host's first activation.
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
  // HDINSIGHT_BENCH_ORDER: the keys above, comma-separated; the incumbent only when installed.
  const order = (process.env.HDINSIGHT_BENCH_ORDER ?? 'anchor,extension,incumbent')
    .split(',')
    .filter((key): key is Key => key in EXTENSIONS)
    .filter((key) => key !== 'incumbent' || vscode.extensions.getExtension(EXTENSIONS.incumbent) !== undefined);
  const results: Partial<Record<`${Key}Ms`, number>> = {};
  for (const key of order) results[`${key}Ms`] = await timeActivation(EXTENSIONS[key]);
  fs.writeFileSync(process.env.HDINSIGHT_TEST_RESULTS!, JSON.stringify(results));
}
