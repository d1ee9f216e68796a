import * as vscode from 'vscode';
import { isCancellation } from '../core/errors';
import type { Logger } from '../logger';
import type { Settings } from '../settings';
import { LinkedClustersNode } from './nodes/LinkedClusterNodes';
import { ErrorNode } from './nodes/MessageNodes';
import type { TreeNode } from './nodes/TreeNode';

/**
 * The `hdinsight.clusters` tree. Loading never pops up anything: a failed load becomes an error
 * node with a retry. An empty root lets VS Code show the welcome view.
 */
export class ClustersTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private loads = new AbortController();
  private readonly settingsSubscription: vscode.Disposable;

  constructor(
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {
    this.settingsSubscription = settings.onDidChange(() => this.refresh());
  }

  /** Reloads one node, or everything (cancelling loads still under way). */
  refresh(node?: TreeNode): void {
    if (!node) {
      this.loads.abort();
      this.loads = new AbortController();
    }
    this.changed.fire(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return this.roots();
    if (!node.getChildren) return [];
    try {
      return await node.getChildren(this.loads.signal);
    } catch (err) {
      if (isCancellation(err)) return [];
      this.logger.error(`Loading ${node.id}`, err);
      return [new ErrorNode(node, err)];
    }
  }

  private roots(): TreeNode[] {
    const { clusters, problems } = this.settings.linkedClusters;
    if (clusters.length === 0 && problems.length === 0) return [];
    return [new LinkedClustersNode(clusters, problems)];
  }

  dispose(): void {
    this.loads.abort();
    this.settingsSubscription.dispose();
    this.changed.dispose();
  }
}
