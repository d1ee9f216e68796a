// Runs the integration suite under @vscode/test-electron: VS Code desktop, downloaded from
// Microsoft's update service. That service is not reachable on the offline build machines, where
// `npm test` runs the same suite in code-server instead; use this where VS Code can be downloaded.
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './extensionHost';
import { VSCODE_VERSION } from './toolchain';

async function main(): Promise<void> {
  await runTests({
    version: VSCODE_VERSION,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index'),
    launchArgs: [path.join(repoRoot, 'test', 'fixtures', 'workspace'), '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { HDINSIGHT_EXPECTED_VSCODE_VERSION: VSCODE_VERSION },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`@vscode/test-electron could not run the suite: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
