import * as vscode from 'vscode';
import { findBrokers, MissingLoginError } from '../../clusters/brokers';
import type { ClusterTarget } from '../../clusters/resolveCluster';
import { InfoNode } from './MessageNodes';
import type { TreeContext } from './TreeContext';
import type { TreeNode } from './TreeNode';

/** The Kafka brokers of a cluster, discovered through Ambari (or as linked). */
export class BrokersNode implements TreeNode {
  readonly id: string;

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    private readonly target: ClusterTarget,
  ) {
    this.id = `${parent.id}/brokers`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Brokers', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('server');
    item.contextValue = 'brokers';
    return item;
  }

  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    try {
      const found = await findBrokers(this.target, this.context, { interactive: false, signal });
      if (found.brokers.length === 0) return [new InfoNode(this, `${this.id}/none`, 'No brokers', undefined, 'info')];
      return found.brokers.map(
        (broker) => new InfoNode(this, `${this.id}/${broker}`, broker, undefined, 'server-process', `Kafka broker ${broker}`),
      );
    } catch (err) {
      if (!(err instanceof MissingLoginError)) throw err;
      const enter = {
        command: 'hdinsight.setClusterLogin',
        title: 'Enter Cluster Login',
        arguments: [{ cluster: this.target.cluster.name }],
      };
      return [new InfoNode(this, `${this.id}/login`, 'Enter the cluster login to see the brokers', undefined, 'key', undefined, enter)];
    }
  }
}
