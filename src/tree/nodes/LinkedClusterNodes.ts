import * as vscode from 'vscode';
import type { LinkedCluster, LinkedClusterProblem } from '../../core/linkedClusters';
import { CachingNode } from './CachingNode';
import { JobsNode } from './JobNodes';
import { BrokersNode, ConsumerGroupsNode, TopicsNode } from './KafkaNodes';
import { InfoNode } from './MessageNodes';
import type { TreeContext } from './TreeContext';
import { recognisedAcrossBundles, type TreeNode } from './TreeNode';

/** The root that holds clusters linked by address (not from an Azure subscription). */
export class LinkedClustersNode implements TreeNode {
  readonly id = 'linked';

  constructor(
    private readonly context: TreeContext,
    private readonly clusters: LinkedCluster[],
    private readonly problems: LinkedClusterProblem[],
  ) {}

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Linked Clusters', vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('link');
    item.description = `${this.clusters.length}`;
    item.contextValue = 'linkedClusters';
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    const nodes: TreeNode[] = this.clusters.map((c) => new LinkedClusterNode(this.context, this, c));
    for (const problem of this.problems) nodes.push(new InvalidLinkedClusterNode(this, problem));
    return Promise.resolve(nodes);
  }
}

export class LinkedClusterNode extends CachingNode {
  static {
    recognisedAcrossBundles(this, 'LinkedClusterNode');
  }

  readonly id: string;

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    readonly cluster: LinkedCluster,
  ) {
    super();
    this.id = `linked/${cluster.name}`;
  }

  getTreeItem(): vscode.TreeItem {
    const { cluster } = this;
    const item = new vscode.TreeItem(cluster.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const host = (cluster.ambariUrl ?? cluster.livyUrl)?.host ?? cluster.kafkaBootstrap?.[0];
    item.description = ['linked', host].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon('server-environment');
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendMarkdown('**').appendText(cluster.name).appendMarkdown('** (linked cluster)\n\n');
    for (const [label, value] of this.endpoints()) tooltip.appendMarkdown(`- ${label}: `).appendText(value).appendMarkdown('\n');
    item.tooltip = tooltip;
    item.contextValue = 'cluster.linked';
    return item;
  }

  /** Like an Azure cluster's: Kafka's brokers and topics when it has Kafka, then its endpoints. */
  protected createChildren(): TreeNode[] {
    const nodes: TreeNode[] = [];
    if (this.cluster.kafkaBootstrap) {
      const target = { kind: 'linked' as const, cluster: this.cluster };
      nodes.push(
        new BrokersNode(this.context, this, target),
        new TopicsNode(this.context, this, target),
        new ConsumerGroupsNode(this.context, this, target),
      );
    }
    if (this.cluster.livyUrl) nodes.push(new JobsNode(this.context, this, { kind: 'linked', cluster: this.cluster }));
    nodes.push(...this.endpoints().map(([label, value]) => new InfoNode(this, `${this.id}/${label}`, label, value, 'plug')));
    return nodes;
  }

  private endpoints(): [string, string][] {
    const { cluster } = this;
    const rows: [string, string][] = [];
    if (cluster.ambariUrl) rows.push(['Ambari', cluster.ambariUrl.href]);
    if (cluster.livyUrl) rows.push(['Livy', cluster.livyUrl.href]);
    if (cluster.kafkaBootstrap) rows.push(['Kafka bootstrap', cluster.kafkaBootstrap.join(',')]);
    if (cluster.ssh) rows.push(['SSH', `${cluster.ssh.host}:${cluster.ssh.port}`]);
    if (cluster.username) rows.push(['Login', cluster.username]);
    return rows;
  }
}

/** An entry of `hdinsight.linkedClusters` that cannot be used; the setting itself is left alone. */
export class InvalidLinkedClusterNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly parent: TreeNode,
    private readonly problem: LinkedClusterProblem,
  ) {
    this.id = `linked/invalid/${problem.entry}`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.problem.entry, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.problem.message;
    item.tooltip = `${this.problem.entry}: ${this.problem.message}\n\nFix it in the setting hdinsight.linkedClusters.`;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.contextValue = 'cluster.invalid';
    item.command = { command: 'hdinsight.openSettings', title: 'Open Settings' };
    return item;
  }
}
