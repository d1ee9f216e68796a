// Benchmarks, printed as ratios against anchors measured in the same run (never timed tests):
// - activation time of this extension in the real extension host, against activating VS Code's
//   built-in References view extension (a small tree-view extension) in the same host;
// - the activation bundle's size against its 200 KB budget, and the .vsix size.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, runInExtensionHost } from './extensionHost';
import { vsixPath } from './sandbox';

const RUNS = 5;
const BUDGET = 200 * 1024;

interface ActivationSample {
  extensionMs: number;
  anchorMs: number;
}

export async function runBenchmarks(): Promise<number> {
  const bundle = fs.statSync(path.join(repoRoot, 'dist', 'extension.js')).size;
  const chunkDir = path.join(repoRoot, 'dist', 'chunks');
  const chunks = fs.existsSync(chunkDir)
    ? fs
        .readdirSync(chunkDir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => [f, fs.statSync(path.join(chunkDir, f)).size] as const)
    : [];
  const vsix = fs.existsSync(vsixPath) ? fs.statSync(vsixPath).size : undefined;

  const samples: ActivationSample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await runInExtensionHost({
      testsPath: path.join(repoRoot, 'out', 'test', 'bench', 'activation'),
      label: 'bench',
      echo: false,
      env: { HDINSIGHT_BENCH_ORDER: i % 2 === 0 ? 'anchor-first' : 'extension-first' },
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

  const lines = [
    `activation (median of ${RUNS} extension hosts): ${ours.toFixed(1)} ms; anchor vscode.references-view ${anchor.toFixed(1)} ms; ratio ${ratio.toFixed(2)} (median of per-host ratios)`,
    `  samples: ${samples.map((s) => `${s.extensionMs.toFixed(1)}/${s.anchorMs.toFixed(1)}`).join(', ')} (ours/anchor, ms)`,
    `activation bundle dist/extension.js: ${kb(bundle)} minified; ratio to the ${kb(BUDGET)} budget ${(bundle / BUDGET).toFixed(3)}`,
    ...chunks.map(([name, size]) => `  lazy chunk dist/chunks/${name}: ${kb(size)} (loaded on first use)`),
    vsix === undefined
      ? '.vsix: not built (run npm run package)'
      : `.vsix ${path.basename(vsixPath)}: ${kb(vsix)}; ratio to the activation bundle ${(vsix / bundle).toFixed(2)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
