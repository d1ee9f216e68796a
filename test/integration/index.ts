// The integration suite's entry point, loaded by the extension host (code-server here,
// @vscode/test-electron elsewhere). Runs every *.test.js beside it with mocha.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // HDINSIGHT_TEST_GREP runs only the tests whose titles match (while working on one part).
  const grep = process.env.HDINSIGHT_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000, ...(grep ? { grep } : {}) });
  for (const file of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? ({ passes: 0, failures: 1, pending: 0 } as Mocha.Stats)));
  });
  const resultsFile = process.env.HDINSIGHT_TEST_RESULTS;
  if (resultsFile) {
    fs.writeFileSync(resultsFile, JSON.stringify({ passed: stats.passes, failed: stats.failures, skipped: stats.pending }));
  }
  if (stats.failures > 0) throw new Error(`${stats.failures} integration test(s) failed`);
  if (stats.passes === 0) throw new Error('no integration test ran');
}
