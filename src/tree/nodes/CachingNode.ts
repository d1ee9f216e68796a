import type * as vscode from 'vscode';
import type { TreeNode } from './TreeNode';

/**
 * A node that makes its children once and keeps them until it is reset, so nodes below it keep
 * what they loaded (and their identity) while VS Code asks again.
 */
export abstract class CachingNode implements TreeNode {
  abstract readonly id: string;
  private children?: TreeNode[];

  abstract getTreeItem(): vscode.TreeItem;

  protected abstract createChildren(): TreeNode[];

  reset(): void {
    this.children = undefined;
  }

  getChildren(): Promise<TreeNode[]> {
    this.children ??= this.createChildren();
    return Promise.resolve(this.children);
  }
}
