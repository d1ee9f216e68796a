// The floor of the first-content benchmark: a do-nothing extension whose tree returns static rows
// at once (a cluster with Brokers, Topics of 20 topics, Consumer Groups), so the benchmark shows
// what the workbench and the extension host cost before any extension does work.
import * as vscode from 'vscode';

interface Row {
  label: string;
  children?: Row[];
}

const TOPICS = 20;

const root: Row[] = [
  {
    label: 'local-kafka',
    children: [
      { label: 'Brokers', children: [{ label: '1' }] },
      { label: 'Topics', children: Array.from({ length: TOPICS }, (_, i) => ({ label: `t-${String(i).padStart(4, '0')}` })) },
      { label: 'Consumer Groups', children: [] },
    ],
  },
];

export function activate(context: vscode.ExtensionContext): void {
  const provider: vscode.TreeDataProvider<Row> = {
    getTreeItem: (row) =>
      new vscode.TreeItem(row.label, row.children ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None),
    getChildren: (row) => (row ? (row.children ?? []) : root),
  };
  context.subscriptions.push(vscode.window.registerTreeDataProvider('benchFloor.tree', provider));
}
