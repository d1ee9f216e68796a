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

/** Runs a command from the palette by its title, as typed by a user. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
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
