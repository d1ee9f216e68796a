// The nodes every part of the tree uses: an error with a retry, an information row, a group of rows.
import * as vscode from 'vscode';
import { userMessage } from '../../core/errors';
import type { TreeNode } from './TreeNode';

/** A failed load: says what happened and retries the parent on click. Never cached. */
export class ErrorNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly parent: TreeNode | undefined,
    private readonly error: unknown,
    private readonly label = 'Could not load',
  ) {
    this.id = `${parent?.id ?? 'root'}/error`;
  }

  getTreeItem(): vscode.TreeItem {
    const message = userMessage(this.error);
    const item = new vscode.TreeItem(`${this.label}: ${message}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.tooltip = new vscode.MarkdownString().appendText(message).appendMarkdown('\n\nClick to retry.');
    item.contextValue = 'error';
    item.command = { command: 'hdinsight.refresh', title: 'Retry', arguments: this.parent ? [this.parent] : [] };
    return item;
  }
}

/** A plain line of information: a property, an endpoint, an empty state. */
export class InfoNode implements TreeNode {
  constructor(
    readonly parent: TreeNode | undefined,
    readonly id: string,
    private readonly label: string,
    private readonly description?: string,
    private readonly icon?: string,
    private readonly tooltip?: string,
    private readonly command?: vscode.Command,
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.description;
    item.tooltip = this.tooltip ?? (this.description ? `${this.label}: ${this.description}` : this.label);
    if (this.icon) item.iconPath = new vscode.ThemeIcon(this.icon);
    item.command = this.command;
    item.contextValue = 'info';
    return item;
  }
}

/** The item of a collapsed node with a fixed label, such as Properties or Topics. */
export function folderItem(id: string, label: string, icon: string, contextValue?: string): vscode.TreeItem {
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = id;
  item.iconPath = new vscode.ThemeIcon(icon);
  item.contextValue = contextValue;
  return item;
}

/** A labelled group of rows; shown as "none" and not expandable when it has none. */
export class GroupNode implements TreeNode {
  private readonly rows: TreeNode[];

  constructor(
    readonly parent: TreeNode,
    readonly id: string,
    private readonly label: string,
    private readonly icon: string,
    makeRows: (group: GroupNode) => TreeNode[],
  ) {
    this.rows = makeRows(this);
  }

  /** A group of label — value rows. */
  static ofValues(parent: TreeNode, id: string, label: string, icon: string, values: [string, string][]): GroupNode {
    return new GroupNode(parent, id, label, icon, (group) =>
      values.map(([name, value], i) => new InfoNode(group, `${id}/${i}`, name, value)),
    );
  }

  getTreeItem(): vscode.TreeItem {
    const item = folderItem(this.id, this.label, this.icon);
    if (this.rows.length === 0) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      item.description = 'none';
    }
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve(this.rows);
  }
}

/** The row in place of what a missing cluster login hides: a click enters the login. */
export function loginNeededNode(parent: TreeNode, cluster: string, what: string): InfoNode {
  const enter = { command: 'hdinsight.setClusterLogin', title: 'Enter Cluster Login', arguments: [{ cluster }] };
  return new InfoNode(parent, `${parent.id}/login`, `Enter the cluster login to see ${what}`, undefined, 'key', undefined, enter);
}
