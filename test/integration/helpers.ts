import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_PASSWORDS } from '../fixtures/secrets';
import type { HDInsightExtensionApi } from '../../src/extension';
import type { TreeNode } from '../../src/tree/nodes/TreeNode';

export const extensionId = 'hdinsight-streaming.hdinsight-streaming';

export async function activateExtension(): Promise<HDInsightExtensionApi> {
  const extension = vscode.extensions.getExtension<HDInsightExtensionApi>(extensionId);
  assert.ok(extension, `extension ${extensionId} is not loaded`);
  return extension.activate();
}

/** The emulator the harness started (Azure Resource Manager and its control API). */
export function emulatorUrl(): string {
  const url = process.env.HDINSIGHT_EMULATOR_URL;
  assert.ok(url, 'HDINSIGHT_EMULATOR_URL is not set: run the suite through the test harness');
  return url;
}

/** A request the emulator received (secret headers left out by the control API). */
export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

/** The requests the emulator received whose path (with the query) matches the pattern. */
export async function requests(pattern: string): Promise<RecordedRequest[]> {
  return (await control(`requests?path=${encodeURIComponent(pattern)}`, 'GET')) as RecordedRequest[];
}

/** The emulated subscription "Contoso Streaming Dev". */
export const DEV_SUBSCRIPTION = '1f3c5b7a-2e4d-4f60-8a9b-0c1d2e3f4a5b';

/** The arguments of `hdinsight.createCluster` for a Kafka cluster in the emulated dev subscription, with changes. */
export function createClusterArgs(name: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subscriptionId: DEV_SUBSCRIPTION,
    resourceGroup: 'streaming-rg',
    location: 'westeurope',
    name,
    kind: 'kafka',
    workerCount: 3,
    clusterLogin: { username: 'admin', password: TEST_PASSWORDS.created },
    ssh: { username: 'sshuser', password: TEST_PASSWORDS.createdSsh },
    storage: { accountName: 'contosostreams', key: 'c3RvcmFnZS1rZXk=' },
    ...changes,
  };
}

export async function control(path: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${emulatorUrl()}/_emulator/${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  assert.ok(res.ok, `emulator control ${method} ${path}: ${res.status}`);
  return res.status === 204 ? undefined : res.json();
}

export async function updateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('hdinsight').update(key, value, vscode.ConfigurationTarget.Global);
}

export interface ShownNode {
  node: TreeNode;
  label: string;
  description: string;
  contextValue?: string;
  tooltip: string;
  item: vscode.TreeItem;
}

/** A node's children as the user sees them. */
export async function children(api: HDInsightExtensionApi, parent?: TreeNode): Promise<ShownNode[]> {
  const nodes = ((await api.clusters.getChildren(parent)) ?? []) as TreeNode[];
  return nodes.map((node) => {
    const item = node.getTreeItem();
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    // Markdown tooltips as read: without the escapes appendText adds.
    const tooltip =
      typeof item.tooltip === 'string'
        ? item.tooltip
        : (item.tooltip?.value ?? '').replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1');
    return {
      node,
      label,
      description: typeof item.description === 'string' ? item.description : '',
      contextValue: item.contextValue,
      tooltip,
      item,
    };
  });
}

/** Walks down the tree by labels, failing with what was there instead. */
export async function find(api: HDInsightExtensionApi, ...path: string[]): Promise<ShownNode> {
  let parent: TreeNode | undefined;
  let found: ShownNode | undefined;
  for (const label of path) {
    const shown = await children(api, parent);
    found = shown.find((s) => s.label === label);
    assert.ok(
      found,
      `no "${label}" under ${parent?.id ?? 'the root'}; there is: ${shown.map((s) => `${s.label} (${s.description})`).join(', ')}`,
    );
    parent = found.node;
  }
  return found!;
}

/** The root once Azure answered: no row is the last-known one being refreshed, or a placeholder. */
export async function settled(api: HDInsightExtensionApi, timeoutMs = 15_000): Promise<ShownNode[]> {
  return eventually(async () => {
    const roots = await children(api);
    const waiting = roots.filter((n) => /refreshing…|loading…/.test(n.description ?? ''));
    assert.equal(waiting.length, 0, `still waiting for Azure: ${text(waiting).join(', ')}`);
    return roots;
  }, timeoutMs);
}

export const labels = (nodes: ShownNode[]): string[] => nodes.map((n) => n.label);

export const text = (nodes: ShownNode[]): string[] => nodes.map((n) => (n.description ? `${n.label} — ${n.description}` : n.label));

/** Waits until `check` passes (the tree fills some rows asynchronously). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/** What `hdinsight.getJob` returns, as far as every waiting test reads it. */
export interface JobStatus {
  state: string;
  driverLog?: string;
  note?: string;
}

/** `hdinsight.getJob` for `jobId`, in the shape the test reads. */
export const getJob = <T extends JobStatus>(jobId: string): Thenable<T> => vscode.commands.executeCommand<T>('hdinsight.getJob', { jobId });

/** Polls the job every second until `check` holds; a timeout says the job's state, driver log and note. */
export async function untilJob<T extends JobStatus>(
  jobId: string,
  check: (job: T) => boolean,
  what: string,
  timeoutMs = 480_000,
): Promise<T> {
  let last: T | undefined;
  await eventually(
    async () => {
      last = await getJob<T>(jobId);
      assert.ok(
        check(last),
        `job ${jobId} is ${last.state} (driver log ${last.driverLog ?? 'not read'}, ${last.note ?? ''}); waiting for ${what}`,
      );
    },
    timeoutMs,
    1_000,
  );
  return last!;
}

export const CONTOSO_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Points the extension at the emulated Resource Manager for a suite, and back afterwards. */
export function useEmulatedAzure(): void {
  before(async () => {
    await activateExtension();
    await updateSetting('azure.resourceManagerEndpoint', emulatorUrl());
    await updateSetting('azure.tenant', CONTOSO_TENANT);
  });
  afterEach(() => control('faults', 'DELETE'));
  after(async () => {
    await updateSetting('azure.resourceManagerEndpoint', undefined);
    await updateSetting('azure.tenant', undefined);
  });
}
