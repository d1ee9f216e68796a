import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeNode } from '../../src/tree/nodes/TreeNode';
import { activateExtension } from './helpers';

async function setLinkedClusters(value: unknown[] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('hdinsight').update('linkedClusters', value, vscode.ConfigurationTarget.Global);
}

async function labels(tree: vscode.TreeDataProvider<unknown>, node?: unknown): Promise<string[]> {
  const children = ((await tree.getChildren(node)) ?? []) as TreeNode[];
  return children.map((c) => {
    const item = c.getTreeItem();
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    return item.description ? `${label} — ${String(item.description)}` : label;
  });
}

describe('Linked clusters in the tree', () => {
  afterEach(() => setLinkedClusters(undefined));

  it('shows nothing, so the welcome view appears, when no cluster is known', async () => {
    const { clusters } = await activateExtension();
    await setLinkedClusters(undefined);
    assert.deepEqual(await clusters.getChildren(undefined), []);
  });

  it('lists a linked cluster with its endpoints as soon as the setting changes', async () => {
    const { clusters } = await activateExtension();
    const changed = new Promise<void>((resolve) => {
      const sub = clusters.onDidChangeTreeData!(() => {
        sub.dispose();
        resolve();
      });
    });
    await setLinkedClusters([
      {
        name: 'streaming-dev',
        ambariUrl: 'https://streaming-dev.azurehdinsight.net',
        kafkaBootstrap: 'wn0-kafka:9092,wn1-kafka:9092',
        username: 'admin',
      },
    ]);
    await changed;
    const [root] = (await clusters.getChildren(undefined)) as TreeNode[];
    assert.deepEqual(await labels(clusters), ['Linked Clusters — 1']);
    assert.deepEqual(await labels(clusters, root), ['streaming-dev — linked · streaming-dev.azurehdinsight.net']);
    const [cluster] = (await clusters.getChildren(root)) as TreeNode[];
    assert.deepEqual(await labels(clusters, cluster), [
      'Ambari — https://streaming-dev.azurehdinsight.net/',
      'Kafka bootstrap — wn0-kafka:9092,wn1-kafka:9092',
      'Login — admin',
    ]);
  });

  it('flags an entry with a plain-http address and leaves the setting as the user wrote it', async () => {
    const { clusters } = await activateExtension();
    const entries = [
      { name: 'good', livyUrl: 'http://localhost:8998' },
      { name: 'insecure', ambariUrl: 'http://insecure.example.com' },
    ];
    await setLinkedClusters(entries);
    const [root] = (await clusters.getChildren(undefined)) as TreeNode[];
    const children = await labels(clusters, root);
    assert.equal(children[0], 'good — linked · localhost:8998');
    assert.match(children[1], /^insecure — The Ambari URL http:\/\/insecure\.example\.com uses plain http/);
    assert.deepEqual(vscode.workspace.getConfiguration('hdinsight').get('linkedClusters'), entries);
  });
});
