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

/**
 * Lazy chunks (the command implementations among them) are bundles of their own, with their own
 * copy of the node classes, and they are handed nodes that the tree made with the activation
 * bundle's copy. So that `instanceof` answers the same in every bundle, a class marked here
 * recognises its nodes by a brand in the global symbol registry, whichever copy made them (as
 * HDInsightError does). `name` must be unique and stable: minifying renames classes.
 */
export function recognisedAcrossBundles(nodeClass: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`hdinsight-streaming.${name}`);
  Object.defineProperty(nodeClass.prototype, brand, { value: true });
  Object.defineProperty(nodeClass, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      // A subclass inherits this static method; it keeps asking about its own class.
      if (this !== nodeClass) return Function.prototype[Symbol.hasInstance].call(this, value);
      return typeof value === 'object' && value !== null && brand in value;
    },
  });
}
