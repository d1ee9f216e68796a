// Runs a test module inside the real VS Code extension host of code-server, the way
// @vscode/test-electron does on desktop: the workbench loads the extension under development and
// calls the module's run(); the page reports log lines and the exit code back to us.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { launchBrowser } from './browser';
import { codeServerCli, startCodeServer } from './codeServer';
import { VSCODE_VERSION } from './toolchain';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Workbench chatter that says nothing about the suite (the gallery is offline by design). */
const workbenchNoise = [
  /open-vsx\.org/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
];

export interface ExtensionHostRun {
  exitCode: number;
  /** What the suite wrote to $HDINSIGHT_TEST_RESULTS, if anything. */
  results?: unknown;
}

export async function runInExtensionHost(options: {
  /** Compiled module exporting run(), absolute path without extension. */
  testsPath: string;
  label: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  /** Prints the extension host's console output as it comes. */
  echo?: boolean;
  /** Looks at what the run left (logs, settings) before it is deleted. */
  inspect?: (stateDir: string) => void;
  /** .vsix files installed into the host's extensions folder before it starts. */
  install?: string[];
}): Promise<ExtensionHostRun> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `hdinsight-${options.label}-`));
  const resultsFile = path.join(stateDir, 'results.json');
  const folder = path.join(repoRoot, 'test', 'fixtures', 'workspace');
  if (options.install?.length) {
    fs.mkdirSync(path.join(stateDir, 'user-data', 'User'), { recursive: true });
    fs.mkdirSync(path.join(stateDir, 'extensions'), { recursive: true });
    for (const vsix of options.install) await codeServerCli(['--install-extension', vsix, '--force'], stateDir);
  }
  const server = await startCodeServer({
    stateDir,
    folder,
    settings: options.settings,
    env: {
      ...options.env,
      HDINSIGHT_TEST_RESULTS: resultsFile,
      HDINSIGHT_EXPECTED_VSCODE_VERSION: VSCODE_VERSION,
    },
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      if (options.echo === false) return;
      const line = format(...args);
      if (workbenchNoise.some((re) => re.test(line))) return;
      const text = type === 'info' ? line : `[${type}] ${line}`;
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
    const url = server.url([
      ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
      ['extensionTestsPath', server.remoteUri(options.testsPath)],
    ]);
    await page.goto(url);
    const timeoutMs = options.timeoutMs ?? 10 * 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`[${options.label}] no result after ${timeoutMs / 1000} s; see ${stateDir}\n`);
        resolve(124);
      }, timeoutMs);
    });
    const exitCode = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    const results = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as unknown) : undefined;
    return { exitCode, results };
  } finally {
    await browser.close();
    await server.stop();
    options.inspect?.(stateDir);
    if (!process.env.HDINSIGHT_KEEP_STATE) fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
