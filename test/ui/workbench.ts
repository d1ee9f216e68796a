// Helpers that drive the VS Code web workbench the way a person does: clicks and keys.
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { repoRoot } from '../harness/extensionHost';

export const artifactsDir = path.join(repoRoot, 'test-artifacts', 'ui');
/** Where the UI suite's sandbox keeps its VS Code profile and logs. */
export const uiSandboxDir = path.join(repoRoot, 'out', 'ui-sandbox');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * What a person would have seen and what the extension logged when a test failed, printed with the
 * failure (CI keeps the output, not the screenshots): the open notifications and the log's end.
 */
export async function describeFailure(page: Page, title: string, logRoot = uiSandboxDir): Promise<void> {
  await screenshot(page, `failed-${title.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
  const toasts = await page
    .locator('.notification-toast')
    .allInnerTexts()
    .catch(() => []);
  const logs = fs
    .readdirSync(logRoot, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(`${path.sep}HDInsight.log`))
    .map((f) => path.join(logRoot, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  const log =
    logs.length > 0
      ? fs
          .readFileSync(logs[logs.length - 1], 'utf8')
          .split('\n')
          .slice(-40)
      : [];
  const indent = (lines: string[]): string => lines.map((l) => `      ${l}`).join('\n');
  process.stderr.write(
    `\n    [${title}] notifications on screen:\n${indent(toasts.map((t) => t.replace(/\s+/g, ' ')))}\n` +
      `    the end of the extension's log:\n${indent(log)}\n`,
  );
}

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
}

export async function openHDInsightView(page: Page): Promise<Locator> {
  const pane = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: 'Clusters' }) });
  // Clicking the entry of the view that is already open would close the sidebar.
  if (!(await pane.isVisible())) await page.locator('.activitybar [aria-label^="HDInsight"]').first().click();
  await pane.waitFor({ timeout: 30_000 });
  await widenSideBar(page, 560);
  return pane;
}

/** Drags the sash between the sidebar and the editor, so descriptions are not cut off. */
async function widenSideBar(page: Page, x: number): Promise<void> {
  for (const sash of await page.locator('.monaco-sash.vertical').all()) {
    const box = await sash.boundingBox();
    if (!box || box.x < 150 || box.x > 700) continue;
    if (Math.abs(box.x - x) < 20) return;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(x, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    return;
  }
}

export function treeRow(scope: Locator, label: string): Locator {
  return scope.locator('.monaco-list-row', { hasText: label }).first();
}

/**
 * Puts the workbench back as a test expects to find it: no input, editor, webview or panel open,
 * every cluster collapsed (the subscriptions stay open). A test that failed half-way leaves the
 * next one a clean start.
 */
export async function resetView(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await closeEditorsAndPanel(page);
  const view = await openHDInsightView(page);
  const expanded = view.locator('.monaco-list-row[aria-level="2"][aria-expanded="true"]');
  for (let i = 0; i < 20 && (await expanded.count()) > 0; i++) await expanded.first().locator('.monaco-tl-twistie').click();
}

/** Closes every editor (webview panels among them; an edited file is not saved) and the panel. */
async function closeEditorsAndPanel(page: Page): Promise<void> {
  const tabs = page.locator('.tabs-container .tab');
  if ((await tabs.count()) > 0) {
    await runFromPalette(page, 'View: Close All Editors');
    const dontSave = page.locator('.monaco-dialog-box button', { hasText: "Don't Save" });
    await dontSave.click({ timeout: 1_000 }).catch(() => undefined);
    await tabs.first().waitFor({ state: 'detached', timeout: 15_000 });
  }
  if (await page.locator('.part.panel').isVisible()) {
    await runFromPalette(page, 'View: Hide Panel');
    await page.locator('.part.panel').waitFor({ state: 'hidden', timeout: 15_000 });
  }
}

/** Runs a command from the palette by its title, as typed by a user. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  // F1 while another input is still closing can be swallowed: wait for it to close, and press again
  // (as a person would) when the palette does not open.
  await page
    .locator('.quick-input-widget')
    .waitFor({ state: 'hidden', timeout: 5_000 })
    .catch(() => undefined);
  const palette = page.locator('.quick-input-widget input[placeholder^="Type the name of a command"]');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await palette.waitFor({ timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
  await palette.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Expands a tree row if it is collapsed (a click on an expanded row would collapse it). */
export async function expand(scope: Locator, label: string): Promise<Locator> {
  const row = treeRow(scope, label);
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
  return row;
}
