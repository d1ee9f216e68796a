import type * as vscode from 'vscode';

/** One node of the HDInsight tree. Each kind of node is its own class. */
export interface TreeNode {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  readonly id: string;
  readonly parent?: TreeNode;
  getTreeItem(): vscode.TreeItem;
  /** Absent for leaves. May throw: the provider turns the error into an error node. */
  getChildren?(signal: AbortSignal): Promise<TreeNode[]>;
  /** Forgets cached children, so the next load asks the service again. */
  reset?(): void;
}
