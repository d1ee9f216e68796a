import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { type CodeServer, startCodeServer } from '../harness/codeServer';
import { repoRoot } from '../harness/extensionHost';
import { describeFailure, openHDInsightView, screenshot, waitForWorkbench } from './workbench';

describe('A first start with nothing to show', () => {
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let stateDir: string;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-ui-welcome-'));
    server = await startCodeServer({ stateDir, folder: path.join(stateDir, 'workspace') });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url([['extensionDevelopmentPath', server.remoteUri(repoRoot)]]));
    await waitForWorkbench(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await describeFailure(page, this.currentTest.title, stateDir);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('shows the welcome view: sign in, link a cluster (cancelling keeps nothing), or open the settings', async () => {
    const view = await openHDInsightView(page);
    const welcome = view.locator('.welcome-view-content');
    await welcome.getByText('Sign in to Azure to see your HDInsight clusters').waitFor({ timeout: 30_000 });
    await welcome.getByRole('button', { name: 'Sign in to Azure' }).waitFor();
    await screenshot(page, 'welcome-view');
    await welcome.getByRole('button', { name: 'Link a Cluster' }).click();
    const prompt = page.locator('.quick-input-widget', { hasText: 'A name for the cluster in this view' });
    await prompt.waitFor();
    await page.keyboard.press('Escape');
    await prompt.waitFor({ state: 'hidden' });
    await welcome.getByText('Sign in to Azure to see your HDInsight clusters').waitFor();
    await welcome.locator('a', { hasText: 'HDInsight settings' }).click();
    await page.locator('.settings-editor').getByText('Resource Manager Endpoint', { exact: false }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'settings');
  });
});
