import * as vscode from 'vscode';
import type { AzureSubscription, HDInsightCluster } from '../../azure/model';
import { clusterSummary, gatewayUrl, isRunning, kindLabel } from '../../azure/model';
import { userMessage } from '../../core/errors';
import { CachingNode } from './CachingNode';
import { JobsNode } from './JobNodes';
import { BrokersNode, ConsumerGroupsNode, TopicsNode } from './KafkaNodes';
import { folderItem, GroupNode, InfoNode } from './CommonNodes';
import type { TreeContext } from './TreeContext';
import { recognisedAcrossBundles, type TreeNode } from './TreeNode';

/** Shown instead of subscriptions when Azure needs a sign-in. */
export class SignInNode implements TreeNode {
  readonly id = 'azure/sign-in';

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Sign in to Azure…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('sign-in');
    item.command = { command: 'hdinsight.signIn', title: 'Sign in to Azure' };
    item.contextValue = 'signIn';
    return item;
  }
}

/** Whether a subscription's rows are Azure's latest answer, the last-known ones being refreshed, or ones a refresh failed to replace. */
export type Freshness = 'fresh' | 'refreshing' | 'stale';

export class SubscriptionNode implements TreeNode {
  readonly id: string;
  private loaded?: { clusters: ClusterNode[]; continuationToken?: string };
  private freshness: Freshness = 'fresh';
  private savedAt?: number;

  constructor(
    private readonly context: TreeContext,
    public subscription: AzureSubscription,
    private readonly expanded: boolean,
  ) {
    this.id = `azure/${subscription.subscriptionId}`;
  }

  /**
   * Shows these clusters (from Resource Graph or the snapshot), or none known yet (`undefined`:
   * listed on expanding). Rows of clusters that did not change keep their node, so what is
   * expanded under them stays loaded.
   */
  update(subscription: AzureSubscription, clusters: HDInsightCluster[] | undefined, freshness: Freshness, savedAt?: number): void {
    this.subscription = subscription;
    this.freshness = freshness;
    this.savedAt = savedAt;
    if (!clusters) {
      // Nothing newer to show: the rows known so far stay, as what they are (stale when the refresh failed).
      if (freshness === 'fresh') this.loaded = undefined;
      return;
    }
    const previous = new Map((this.loaded?.clusters ?? []).map((n) => [n.id, n]));
    const nodes = clusters.map((c) => {
      const node = previous.get(ClusterNode.idOf(c));
      return node && JSON.stringify(node.cluster) === JSON.stringify(c) ? node : new ClusterNode(this.context, this, c);
    });
    this.loaded = { clusters: nodes.sort((a, b) => a.cluster.name.localeCompare(b.cluster.name)) };
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.subscription.displayName,
      this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    const count = this.loaded ? `${this.loaded.clusters.length}${this.loaded.continuationToken ? '+' : ''} clusters` : undefined;
    const note = { fresh: undefined, refreshing: 'refreshing…', stale: 'not refreshed' }[this.freshness];
    item.description = [count, note].filter(Boolean).join(' · ') || undefined;
    item.iconPath = new vscode.ThemeIcon(this.freshness === 'refreshing' ? 'loading~spin' : 'key');
    const known = this.freshness !== 'fresh' && this.savedAt ? `\nLast known at ${new Date(this.savedAt).toLocaleString()}` : '';
    item.tooltip = `${this.subscription.displayName}\n${this.subscription.subscriptionId}${this.subscription.state ? `\n${this.subscription.state}` : ''}${known}`;
    item.contextValue = 'subscription';
    return item;
  }

  reset(): void {
    this.loaded = undefined;
    this.freshness = 'fresh';
  }

  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    if (!this.loaded) {
      const client = await this.context.account.client();
      const id = this.subscription.subscriptionId;
      // One subscription asked again: Resource Graph, else its pages from Resource Manager (with "Load more").
      const query = await client.queryClusters([id], signal);
      if ('clusters' in query) {
        this.update(this.subscription, query.clusters, 'fresh');
      } else {
        const page = await client.listClusters(id, signal);
        const clusters = this.nodesFor(page.clusters).sort((a, b) => a.cluster.name.localeCompare(b.cluster.name));
        this.loaded = { clusters, continuationToken: page.continuationToken };
        this.freshness = 'fresh';
      }
    }
    const { clusters, continuationToken } = this.loaded!;
    if (clusters.length === 0 && !continuationToken) {
      return [new InfoNode(this, `${this.id}/empty`, 'No HDInsight clusters', undefined, 'info')];
    }
    return continuationToken ? [...clusters, new LoadMoreNode(this)] : clusters;
  }

  private nodesFor(clusters: HDInsightCluster[]): ClusterNode[] {
    return clusters.map((c) => new ClusterNode(this.context, this, c));
  }

  /** Appends the next page (run by the "Load more" node). */
  async loadMore(signal?: AbortSignal): Promise<void> {
    if (!this.loaded?.continuationToken) return;
    const client = await this.context.account.client();
    const page = await client.listClusters(this.subscription.subscriptionId, signal, this.loaded.continuationToken);
    const clusters = [...this.loaded.clusters, ...this.nodesFor(page.clusters)].sort((a, b) =>
      a.cluster.name.localeCompare(b.cluster.name),
    );
    this.loaded = { clusters, continuationToken: page.continuationToken };
    this.context.redraw(this);
  }
}

export class LoadMoreNode implements TreeNode {
  static {
    recognisedAcrossBundles(this, 'LoadMoreNode');
  }

  readonly id: string;

  constructor(readonly parent: SubscriptionNode) {
    this.id = `${parent.id}/load-more`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.command = { command: 'hdinsight.loadMore', title: 'Load more', arguments: [this] };
    item.contextValue = 'loadMore';
    return item;
  }
}

const kindIcons: Record<string, string> = { kafka: 'kafka.svg', spark: 'spark.svg', hadoop: 'hadoop.svg' };

export class ClusterNode extends CachingNode {
  static {
    recognisedAcrossBundles(this, 'ClusterNode');
  }

  readonly id: string;

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    readonly cluster: HDInsightCluster,
  ) {
    super();
    this.id = ClusterNode.idOf(cluster);
  }

  static idOf(cluster: HDInsightCluster): string {
    return `azure/cluster/${cluster.id.toLowerCase()}`;
  }

  get running(): boolean {
    return isRunning(this.cluster);
  }

  getTreeItem(): vscode.TreeItem {
    const c = this.cluster;
    if (c.kind === 'kafka' && this.running) this.context.kafka.preload();
    const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = clusterSummary(c);
    item.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', kindIcons[c.kind] ?? 'cluster.svg');
    item.tooltip = clusterTooltip(c, this.context.settings.resourceManager.cloud.gatewaySuffix);
    // e.g. cluster.azure.kafka.running: menus match facets with `when` clauses.
    item.contextValue = `cluster.azure.${c.kind}.${this.running ? 'running' : 'notRunning'}`;
    return item;
  }

  protected createChildren(): TreeNode[] {
    const nodes: TreeNode[] = [];
    if (!this.running) {
      const why = `State ${this.cluster.state}${this.cluster.provisioningState ? `, provisioning ${this.cluster.provisioningState}` : ''}`;
      nodes.push(
        new InfoNode(
          this,
          `${this.id}/not-running`,
          'Not running',
          why,
          'warning',
          `${why}. The cluster's services cannot be reached until it is Running.`,
        ),
      );
      for (const [i, e] of this.cluster.errors.entries()) {
        nodes.push(new InfoNode(this, `${this.id}/error/${i}`, e.code ?? 'Error', e.message, 'error'));
      }
    }
    if (this.running && this.cluster.kind === 'kafka') {
      const target = { kind: 'azure' as const, cluster: this.cluster };
      nodes.push(
        new BrokersNode(this.context, this, target),
        new TopicsNode(this.context, this, target),
        new ConsumerGroupsNode(this.context, this, target),
      );
    }
    if (this.running && this.cluster.kind === 'spark')
      nodes.push(new JobsNode(this.context, this, { kind: 'azure', cluster: this.cluster }));
    nodes.push(new PropertiesNode(this.context, this));
    return nodes;
  }
}

function clusterTooltip(c: HDInsightCluster, gatewaySuffix: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown('$(server-environment) **').appendText(c.name).appendMarkdown('**\n\n');
  const rows: [string, string | undefined][] = [
    ['Kind', [kindLabel(c.kind), c.componentVersion].filter(Boolean).join(' ')],
    ['HDInsight version', c.clusterVersion],
    ['State', c.state],
    ['Provisioning', c.provisioningState],
    ['Region', c.location],
    ['Resource group', c.resourceGroup],
    ['Subscription', c.subscriptionId],
    ['Tier', c.tier],
    ['Nodes', c.roles.map((r) => `${r.count} ${r.name}`).join(', ')],
    ['Cores', c.coresUsed?.toString()],
    ['Gateway', gatewayUrl(c, gatewaySuffix).host],
    ['Created', c.createdDate ? new Date(c.createdDate).toLocaleString() : undefined],
  ];
  for (const [label, value] of rows) {
    if (value) md.appendMarkdown(`- ${label}: `).appendText(value).appendMarkdown('\n');
  }
  for (const e of c.errors) md.appendMarkdown('\n$(error) ').appendText(`${e.code ?? 'Error'}: ${e.message ?? ''}`);
  return md;
}

/** The cluster's configuration as Resource Manager describes it. */
export class PropertiesNode extends CachingNode {
  readonly id: string;

  constructor(
    private readonly context: TreeContext,
    readonly parent: ClusterNode,
  ) {
    super();
    this.id = `${parent.id}/properties`;
  }

  getTreeItem(): vscode.TreeItem {
    return folderItem(this.id, 'Properties', 'list-unordered', 'properties');
  }

  protected createChildren(): TreeNode[] {
    const c = this.parent.cluster;
    const id = (suffix: string): string => `${this.id}/${suffix}`;
    const group = (key: string, label: string, icon: string, rows: [string, string][]): TreeNode =>
      GroupNode.ofValues(this, id(key), label, icon, rows);
    const nodes: TreeNode[] = [
      group(
        'roles',
        'Roles',
        'vm',
        c.roles.map((r) => [
          r.name,
          [`${r.count} × ${r.vmSize ?? '?'}`, r.dataDisksPerNode ? `${r.dataDisksPerNode} data disks each` : ''].filter(Boolean).join(', '),
        ]),
      ),
      group(
        'endpoints',
        'Endpoints',
        'plug',
        c.endpoints.map((e) => [e.name, `${e.location}${e.port ? `:${e.port}` : ''}${e.protocol ? ` (${e.protocol})` : ''}`]),
      ),
      group(
        'storage',
        'Storage',
        'database',
        c.storage.map((s) => [s.name, [s.container ?? s.fileSystem, s.isDefault ? 'default' : ''].filter(Boolean).join(' · ')]),
      ),
      group(
        'network',
        'Network',
        'globe',
        [
          ['Virtual network', c.network.virtualNetwork ? (c.network.virtualNetwork.split('/').pop() ?? '') : 'none (HDInsight-managed)'],
          ['Subnet', c.network.subnet?.split('/').pop() ?? ''],
          ['Resource provider connection', c.network.resourceProviderConnection ?? ''],
          ['Private link', c.network.privateLink ?? ''],
        ].filter(([, v]) => v) as [string, string][],
      ),
      new InfoNode(this, id('created'), 'Created', c.createdDate ? new Date(c.createdDate).toLocaleString() : 'unknown', 'calendar'),
      new ClusterLoginNode(this.context, this),
    ];
    return nodes;
  }
}

/** Who the gateway login is, without ever showing the password; offers to enter it for Reader roles. */
export class ClusterLoginNode implements TreeNode {
  readonly id: string;
  private state?: { text: string; tooltip: string; needsLogin: boolean };

  constructor(
    private readonly context: TreeContext,
    readonly parent: PropertiesNode,
  ) {
    this.id = `${parent.id}/login`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Cluster login', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('account');
    if (!this.state) {
      item.description = 'loading…';
      void this.load();
    } else {
      item.description = this.state.text;
      item.tooltip = this.state.tooltip;
      if (this.state.needsLogin) {
        item.command = { command: 'hdinsight.setClusterLogin', title: 'Enter Cluster Login', arguments: [this.parent.parent] };
      }
    }
    item.contextValue = this.state?.needsLogin ? 'clusterLogin.missing' : 'clusterLogin';
    return item;
  }

  reset(): void {
    this.state = undefined;
  }

  private async load(): Promise<void> {
    try {
      const found = await this.context.logins.get({ kind: 'azure', cluster: this.parent.parent.cluster }, { interactive: false });
      this.state = found
        ? {
            text: `${found.login.username} (${found.source === 'azure' ? 'from Azure' : 'entered by you'})`,
            tooltip:
              found.source === 'azure' ? 'Read from Azure Resource Manager and kept in memory only.' : "Kept in VS Code's secret storage.",
            needsLogin: false,
          }
        : {
            text: 'not readable with your role: click to enter it',
            tooltip: 'Your Azure role (for example Reader) cannot read the cluster login. Enter it once; it is kept in secret storage.',
            needsLogin: true,
          };
    } catch (err) {
      this.state = { text: userMessage(err), tooltip: userMessage(err), needsLogin: false };
    }
    this.context.redraw(this);
  }
}
