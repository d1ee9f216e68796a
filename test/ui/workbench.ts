// Helpers that drive the VS Code web workbench the way a person does: clicks and keys.
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { repoRoot } from '../harness/extensionHost';

export const artifactsDir = path.join(repoRoot, 'test-artifacts', 'ui');

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
  const entry = page.locator('.activitybar [aria-label^="HDInsight"]').first();
  await entry.click();
  const pane = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: 'Clusters' }) });
  await pane.waitFor({ timeout: 30_000 });
  return pane;
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
