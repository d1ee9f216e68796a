import type { ClustersTreeDataProvider } from '../tree/ClustersTreeDataProvider';
import type { TreeNode } from '../tree/nodes/TreeNode';

/** `hdinsight.refresh`: reloads one node, or the whole tree when called without one. */
export function refreshCommand(tree: ClustersTreeDataProvider) {
  return (node?: unknown): void => {
    tree.refresh(isTreeNode(node) ? node : undefined);
  };
}

function isTreeNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && 'getTreeItem' in value;
}
