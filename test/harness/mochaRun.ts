import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export interface TierResult {
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs every *.test.js under `dir` with mocha in this process (HDINSIGHT_TEST_GREP narrows it by title). */
export async function runMocha(dir: string, options: Mocha.MochaOptions = {}): Promise<TierResult> {
  const grep = process.env.HDINSIGHT_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 20_000, ...(grep ? { grep } : {}), ...options });
  for (const file of listTests(dir)) mocha.addFile(file);
  await mocha.loadFilesAsync();
  return new Promise((resolve) => {
    const runner = mocha.run(() => {
      const stats = runner.stats!;
      resolve({ passed: stats.passes, failed: stats.failures, skipped: stats.pending });
    });
  });
}

function listTests(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
