import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { repoRoot } from '../harness/extensionHost';
import { openHDInsightView, runFromPalette, screenshot, treeRow, waitForWorkbench } from './workbench';

/** Starts the sandbox exactly as `npm run sandbox` does after its build, and reads the URL it prints. */
function startSandboxCommand(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'out', 'test', 'harness', 'cli.js'), 'sandbox', '--port', '0'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HDINSIGHT_SANDBOX_DIR: path.join(repoRoot, 'out', 'ui-sandbox') },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox printed no URL within 120 s:\n${output}`)), 120_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const match = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before it was ready:\n${output}`)));
  });
}

describe('The sandbox in a browser', () => {
  let sandbox: Awaited<ReturnType<typeof startSandboxCommand>>;
  let browser: Browser;
  let page: Page;

  before(async () => {
    sandbox = await startSandboxCommand();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(sandbox.url);
    await waitForWorkbench(page);
  });

  after(async () => {
    await browser?.close();
    if (sandbox && sandbox.child.exitCode === null) sandbox.child.kill('SIGKILL');
  });

  it('shows the HDInsight view with the sandbox cluster and its endpoints', async () => {
    const view = await openHDInsightView(page);
    await treeRow(view, 'Linked Clusters').waitFor({ timeout: 30_000 });
    const cluster = treeRow(view, 'sandbox-local');
    await cluster.waitFor();
    await cluster.click();
    await treeRow(view, 'Ambari').waitFor();
    const livy = await treeRow(view, 'Livy').textContent();
    assert.match(livy ?? '', /Livy\s*http:\/\/127\.0\.0\.1:\d+\/clusters\/sandbox-local\/livy/);
    await screenshot(page, 'hdinsight-view');
  });

  it('runs "HDInsight: Show Log" from the command palette and shows the extension log', async () => {
    await runFromPalette(page, 'HDInsight: Show Log');
    const output = page.locator('.part.panel');
    await output.locator('.view-lines', { hasText: 'activated in VS Code 1.100.3' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'show-log');
  });

  it('stops everything it started on Ctrl-C', async () => {
    const origin = new URL(sandbox.url).origin;
    const exited = new Promise<number | null>((resolve) => sandbox.child.once('exit', (code) => resolve(code)));
    sandbox.child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(sandbox.output(), /Sandbox stopped\./);
    await assert.rejects(fetch(origin), 'code-server no longer answers');
  });
});
