import * as vscode from 'vscode';
import { findBrokers, isNoKafka } from '../../clusters/brokers';
import { MissingLoginError } from '../../clusters/logins';
import { isCancellation } from '../../core/errors';
import type { LinkedCluster, LinkedClusterProblem } from '../../core/linkedClusters';
import { JobsNode } from './JobNodes';
import { BrokersNode, ConsumerGroupsNode, TopicsNode } from './KafkaNodes';
import { ErrorNode, InfoNode, loginNeededNode } from './CommonNodes';
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

export class LinkedClusterNode implements TreeNode {
  static {
    recognisedAcrossBundles(this, 'LinkedClusterNode');
  }

  readonly id: string;
  /** Kept until a refresh, so the nodes below keep what they loaded; not kept when asking Ambari failed. */
  private children?: TreeNode[];

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    readonly cluster: LinkedCluster,
  ) {
    this.id = `linked/${cluster.name}`;
  }

  reset(): void {
    this.children = undefined;
  }

  getTreeItem(): vscode.TreeItem {
    const { cluster } = this;
    if (cluster.kafkaBootstrap) this.context.kafka.preload();
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
  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    if (this.children) return this.children;
    const kafka = await this.kafkaNodes(signal);
    const nodes = [...kafka.nodes];
    if (this.cluster.livyUrl) nodes.push(new JobsNode(this.context, this, { kind: 'linked', cluster: this.cluster }));
    nodes.push(...this.endpoints().map(([label, value]) => new InfoNode(this, `${this.id}/${label}`, label, value, 'plug')));
    if (kafka.keep) this.children = nodes;
    return nodes;
  }

  /**
   * Brokers, Topics and Consumer Groups when the cluster has Kafka: linked with its bootstrap
   * brokers, or linked by its Ambari address only and Ambari reports Kafka. When Ambari cannot be
   * asked, a row says why (a click retries); the cluster's other rows still show.
   */
  private async kafkaNodes(signal: AbortSignal): Promise<{ nodes: TreeNode[]; keep: boolean }> {
    const target = { kind: 'linked' as const, cluster: this.cluster };
    const folders = (): TreeNode[] => [
      new BrokersNode(this.context, this, target),
      prefetchable(this.cluster, this.context)
        ? new TopicsNode(this.context, this, target).prefetch(signal)
        : new TopicsNode(this.context, this, target),
      new ConsumerGroupsNode(this.context, this, target),
    ];
    if (this.cluster.kafkaBootstrap) return { nodes: folders(), keep: true };
    if (!this.cluster.ambariUrl) return { nodes: [], keep: true };
    try {
      await findBrokers(target, this.context, { interactive: false, signal });
      return { nodes: folders(), keep: true };
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (isNoKafka(err)) return { nodes: [], keep: true };
      if (err instanceof MissingLoginError)
        return { nodes: [loginNeededNode(this, this.cluster.name, 'whether it runs Kafka')], keep: false };
      return { nodes: [new ErrorNode(this, err, 'Could not ask Ambari about Kafka')], keep: false };
    }
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

/**
 * Whether a linked cluster's topics may be listed before Topics is clicked: only where the brokers
 * are reached directly, so a listing in the background never opens an SSH tunnel, asks for a
 * login or meets a host key that a command run meanwhile is about to trust.
 */
function prefetchable(cluster: LinkedCluster, context: TreeContext): boolean {
  return !cluster.ssh && context.settings.kafkaConnection !== 'sshTunnel';
}
