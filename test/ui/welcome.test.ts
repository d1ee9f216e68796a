import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { type CodeServer, startCodeServer } from '../harness/codeServer';
import { repoRoot } from '../harness/extensionHost';
import { openHDInsightView, screenshot, waitForWorkbench } from './workbench';

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

  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('shows the welcome view, whose button opens the extension settings', async () => {
    const view = await openHDInsightView(page);
    const welcome = view.locator('.welcome-view-content');
    await welcome.getByText('No HDInsight clusters to show yet.').waitFor({ timeout: 30_000 });
    await screenshot(page, 'welcome-view');
    await welcome.getByRole('button', { name: 'Open HDInsight Settings' }).click();
    await page.locator('.settings-editor').getByText('Linked Clusters', { exact: false }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'settings');
  });
});
