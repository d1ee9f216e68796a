// The test harness's commands (run through npm scripts, after the build):
//   test [unit] [integration] [ui]   the test tiers (all three when none is named)
//   sandbox [--port N]               the local sandbox: emulator + code-server with the extension
//   bench [activation] [listing] [livy] [yarn] [kafka] [firstcontent] [firstcontent-5000]
//                                    the benchmarks (all when none is named), as ratios against anchors
import path from 'node:path';
import { runBenchmarks } from './bench';
import { repoRoot, runInExtensionHost } from './extensionHost';
import { runMocha, type TierResult } from './mochaRun';
import { ensurePrograms } from './programs';
import { startSandbox } from './sandbox';
import { reportScan, scanForSecrets, secretForms } from './secretScan';
import { startTestEnvironment } from './testEnvironment';
import { uiSandboxDir } from '../ui/workbench';
import { emulatedStorageKey } from '../emulator/armResources';
import { TEST_PASSWORDS } from '../fixtures/secrets';

const outTest = path.join(repoRoot, 'out', 'test');
const tiers: Record<string, () => Promise<TierResult>> = {
  unit: () => runMocha(path.join(outTest, 'unit')),
  integration: async () => {
    const environment = await startTestEnvironment();
    let scan: TierResult = { passed: 0, failed: 1, skipped: 0 };
    const run = await runInExtensionHost({
      testsPath: path.join(outTest, 'integration', 'index'),
      label: 'integration',
      env: environment.env,
      // Real Spark: sessions, batches and the streaming job take minutes on two cores.
      timeoutMs: 30 * 60_000,
      inspect: (stateDir) => {
        process.stdout.write('\n  Secrets after the integration suite\n');
        const found = scanForSecrets([stateDir], environment.secrets);
        scan = reportScan('no password or token in any log or settings file of the run', found, /HDInsight\.log$/);
      },
    }).finally(() => environment.stop());
    const results = (run.results as TierResult | undefined) ?? { passed: 0, failed: 1, skipped: 0 };
    const failed = results.failed + (run.exitCode !== 0 && results.failed === 0 ? 1 : 0);
    return { passed: results.passed + scan.passed, failed: failed + scan.failed, skipped: results.skipped };
  },
  ui: async () => {
    const results = await runMocha(path.join(outTest, 'ui'), { timeout: 180_000, slow: 20_000 });
    process.stdout.write('\n  Secrets after the UI suite\n');
    const scan = reportScan(
      'no password or token in any log or settings file of the sandbox',
      scanForSecrets([uiSandboxDir], uiSecrets()),
      /HDInsight\.log$/,
    );
    return { passed: results.passed + scan.passed, failed: results.failed + scan.failed, skipped: results.skipped };
  },
};

/** The UI suite types the sandbox's Reader-role login; the sandbox's own logins are fixed. */
function uiSecrets(): { label: string; text: string }[] {
  return secretForms([
    ...['Sandbox-Prod-1!', 'Sandbox-Prod-2!', 'Sandbox-Kafka-1!', 'Sandbox-Spark-1!'].map((value) => ({
      label: 'a sandbox login',
      value,
      username: 'admin',
    })),
    ...Object.values(TEST_PASSWORDS).map((value) => ({ label: 'a test password', value, username: 'admin' })),
    { label: 'the development token', value: 'hdinsight-dev-token' },
    // The sandbox's storage accounts, and those the UI suite creates (their keys derive from their names).
    ...['contosodevlake', 'contosoetlstore', 'contosoprodstore', 'contosohadoopstore', 'streamdemostore', 'racedemostore'].flatMap((name) =>
      ([1, 2] as const).map((i) => ({ label: `a key of ${name}`, value: emulatedStorageKey(name, i) })),
    ),
  ]);
}

async function test(names: string[]): Promise<number> {
  const chosen = names.length > 0 ? names : Object.keys(tiers);
  const unknown = chosen.find((name) => !tiers[name]);
  if (unknown) throw new Error(`Unknown test tier "${unknown}"; use ${Object.keys(tiers).join(', ')}`);
  ensurePrograms(chosen);
  const total: TierResult = { passed: 0, failed: 0, skipped: 0 };
  for (const name of chosen) {
    const tier = tiers[name];
    process.stdout.write(`\n=== ${name} tests ===\n`);
    const started = Date.now();
    const result = await tier();
    process.stdout.write(
      `${name}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
    total.passed += result.passed;
    total.failed += result.failed;
    total.skipped += result.skipped;
  }
  process.stdout.write(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

async function sandbox(args: string[]): Promise<number> {
  const portFlag = args.indexOf('--port');
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : Number(process.env.SANDBOX_PORT ?? 8080);
  ensurePrograms(['sandbox']);
  const running = await startSandbox({ port });
  process.stdout.write(`\nHDInsight sandbox ready. Open this in a browser:\n\n  ${running.url}\n\nPress Ctrl-C to stop it.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('Stopping the sandbox…\n');
  await running.stop();
  process.stdout.write('Sandbox stopped.\n');
  return 0;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'test':
      return test(args);
    case 'sandbox':
      return sandbox(args);
    case 'bench':
      ensurePrograms(['bench']);
      return runBenchmarks(args);
    default:
      process.stderr.write(
        'usage: cli.js test [unit|integration|ui]... | sandbox [--port N] | bench [activation|listing|livy|yarn|kafka|firstcontent|firstcontent-5000]...\n',
      );
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
