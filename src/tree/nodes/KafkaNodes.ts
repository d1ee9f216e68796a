import * as vscode from 'vscode';
import { findBrokers } from '../../clusters/brokers';
import { MissingLoginError } from '../../clusters/logins';
import type { ConsumerGroup, TopicSummary } from '../../kafka/client';
import type { ClusterTarget } from '../../clusters/ClusterTarget';
import { folderItem, GroupNode, InfoNode, loginNeededNode } from './CommonNodes';
import type { TreeContext } from './TreeContext';
import { recognisedAcrossBundles, type TreeNode } from './TreeNode';

/** The Kafka brokers of a cluster, discovered through Ambari (or as linked). */
export class BrokersNode implements TreeNode {
  /** host:port of the controller, when the brokers can be asked (it needs a connection to them). */
  private async controller(signal: AbortSignal): Promise<string | undefined> {
    try {
      const { service } = await this.context.kafka.get(this.target, { interactive: false, signal });
      const info = await service.describeCluster(signal);
      const broker = info.brokers.find((b) => b.nodeId === info.controller);
      return broker ? `${broker.host}:${broker.port}` : undefined;
    } catch {
      return undefined; // brokers are still listed from Ambari; the controller is a detail
    }
  }

  readonly id: string;

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    private readonly target: ClusterTarget,
  ) {
    this.id = `${parent.id}/brokers`;
  }

  getTreeItem(): vscode.TreeItem {
    return folderItem(this.id, 'Brokers', 'server', 'brokers');
  }

  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    try {
      const found = await findBrokers(this.target, this.context, { interactive: false, signal });
      if (found.brokers.length === 0) return [new InfoNode(this, `${this.id}/none`, 'No brokers', undefined, 'info')];
      const controller = await this.controller(signal);
      return found.brokers.map((broker) => {
        const isController = controller !== undefined && broker === controller;
        return new InfoNode(
          this,
          `${this.id}/${broker}`,
          broker,
          isController ? 'controller' : undefined,
          isController ? 'star-full' : 'server-process',
          `Kafka broker ${broker}`,
        );
      });
    } catch (err) {
      if (!(err instanceof MissingLoginError)) throw err;
      return [loginNeededNode(this, this.target.cluster.name, 'the brokers')];
    }
  }
}

/**
 * Topic rows handed to VS Code at a time. VS Code turns all the rows of a node into items in one
 * task of the extension host (a tenth of a millisecond or so each on a busy machine): 5,000 at
 * once would hold the host for half a second. The rest follow a page at a time, on request.
 */
export const TOPICS_PAGE = 500;

/**
 * The topics of a Kafka cluster (internal ones hidden unless the setting shows them), a page at a
 * time. The listing is kept until the node is refreshed, so showing more asks the cluster nothing.
 */
export class TopicsNode implements TreeNode {
  static {
    recognisedAcrossBundles(this, 'TopicsNode');
  }

  readonly id: string;
  private rows?: Promise<TreeNode[]>;
  private shown = TOPICS_PAGE;

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    readonly target: ClusterTarget,
  ) {
    this.id = `${parent.id}/topics`;
  }

  getTreeItem(): vscode.TreeItem {
    return folderItem(this.id, 'Topics', 'list-tree', 'topics');
  }

  reset(): void {
    this.rows = undefined;
    this.shown = TOPICS_PAGE;
  }

  /**
   * Starts the listing as soon as the cluster's rows show, so a click on Topics finds it under way
   * or done (the incumbent connects at activation instead). A failed start is asked again then.
   */
  prefetch(signal: AbortSignal): this {
    void this.listing(signal).catch(() => undefined);
    return this;
  }

  private listing(signal: AbortSignal): Promise<TreeNode[]> {
    const listing = (this.rows ??= this.list(signal));
    listing.catch(() => {
      if (this.rows === listing) this.rows = undefined; // a failed listing is asked again
    });
    return listing;
  }

  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    const rows = await this.listing(signal);
    if (rows.length <= this.shown) return rows;
    return [
      ...rows.slice(0, this.shown),
      new MoreTopicsNode(this, Math.min(TOPICS_PAGE, rows.length - this.shown), rows.length - this.shown),
    ];
  }

  /** The next page of rows (what the "more topics" row does). */
  loadMore(): void {
    this.shown += TOPICS_PAGE;
    this.context.redraw(this);
  }

  private async list(signal: AbortSignal): Promise<TreeNode[]> {
    const { service } = await this.context.kafka.get(this.target, { interactive: false, signal });
    const topics = await service.listTopics({ includeInternal: this.context.settings.showInternalTopics }, signal);
    if (topics.length === 0) return [new InfoNode(this, `${this.id}/none`, 'No topics', undefined, 'info')];
    return topics.map((t) => new TopicNode(this.context, this, this.target, t));
  }
}

/** The row after a page of topics: shows the next page. */
export class MoreTopicsNode implements TreeNode {
  static {
    recognisedAcrossBundles(this, 'MoreTopicsNode');
  }

  /** "#" is in no topic name, so this id is no topic's. */
  readonly id: string;

  constructor(
    readonly parent: TopicsNode,
    private readonly next: number,
    private readonly hidden: number,
  ) {
    this.id = `${parent.id}#more`;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(`Show ${this.next.toLocaleString('en-US')} more topics…`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${this.hidden.toLocaleString('en-US')} not shown`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.command = { command: 'hdinsight.loadMore', title: 'Show more topics', arguments: [this] };
    item.contextValue = 'loadMore';
    return item;
  }
}

export class TopicNode implements TreeNode {
  static {
    recognisedAcrossBundles(this, 'TopicNode');
  }

  readonly id: string;

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    readonly target: ClusterTarget,
    readonly topic: TopicSummary,
  ) {
    this.id = `${parent.id}/${topic.name}`;
  }

  getTreeItem(): vscode.TreeItem {
    const t = this.topic;
    const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(t.internal ? 'gear' : 'symbol-event');
    item.description = `${t.partitions} partition${t.partitions === 1 ? '' : 's'} · ×${t.replicationFactor} · ${t.messages.toLocaleString('en-US')} message${t.messages === 1 ? '' : 's'}`;
    item.tooltip = `${t.name}\n${item.description}\nMessages: end minus start offsets over all partitions.`;
    item.contextValue = t.internal ? 'topic.internal' : 'topic';
    return item;
  }

  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    const { service } = await this.context.kafka.get(this.target, { interactive: false, signal });
    const { partitions, configs } = await service.describeTopic(this.topic.name, signal);
    const partitionRows = partitions.map(
      (p) =>
        new InfoNode(
          this,
          `${this.id}/partition/${p.partition}`,
          `Partition ${p.partition}`,
          `leader ${p.leader} · replicas ${p.replicas.join(',')} · in sync ${p.isr.join(',')} · offsets ${p.start}–${p.end}`,
          'symbol-array',
        ),
    );
    const changed = configs.filter((c) => !c.isDefault);
    const configsId = `${this.id}/configs`;
    return [
      ...partitionRows,
      changed.length > 0
        ? new GroupNode(this, configsId, 'Configs', 'settings-gear', (group) =>
            changed.map((c) => new InfoNode(group, `${configsId}/${c.name}`, c.name, c.value ?? '(sensitive)', 'settings')),
          )
        : new InfoNode(this, configsId, 'Configs', 'all defaults', 'settings-gear'),
    ];
  }
}

/** Consumer groups with their state, members and lag (read in a bounded number of requests). */
export class ConsumerGroupsNode implements TreeNode {
  readonly id: string;

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    readonly target: ClusterTarget,
  ) {
    this.id = `${parent.id}/groups`;
  }

  getTreeItem(): vscode.TreeItem {
    return folderItem(this.id, 'Consumer Groups', 'organization', 'consumerGroups');
  }

  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    const { service } = await this.context.kafka.get(this.target, { interactive: false, signal });
    const groups = await service.listGroups(signal);
    if (groups.length === 0) return [new InfoNode(this, `${this.id}/none`, 'No consumer groups', undefined, 'info')];
    return groups.map((g) => new ConsumerGroupNode(this, g));
  }
}

export class ConsumerGroupNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly parent: TreeNode,
    readonly group: ConsumerGroup,
  ) {
    this.id = `${parent.id}/${group.groupId}`;
  }

  getTreeItem(): vscode.TreeItem {
    const g = this.group;
    const item = folderItem(this.id, g.groupId, 'organization', 'consumerGroup');
    item.description = `${g.state} · ${g.members.length} member${g.members.length === 1 ? '' : 's'} · lag ${g.lag.toLocaleString('en-US')}`;
    return item;
  }

  getChildren(): Promise<TreeNode[]> {
    const rows: TreeNode[] = this.group.partitions.map(
      (p) =>
        new InfoNode(
          this,
          `${this.id}/${p.topic}/${p.partition}`,
          `${p.topic} / ${p.partition}`,
          `committed ${p.committed} · end ${p.end} · lag ${p.lag}`,
          p.lag > 0 ? 'warning' : 'pass',
        ),
    );
    for (const m of this.group.members) {
      rows.push(new InfoNode(this, `${this.id}/member/${m.memberId}`, m.clientId, m.clientHost, 'person', m.memberId));
    }
    return Promise.resolve(rows.length > 0 ? rows : [new InfoNode(this, `${this.id}/none`, 'No committed offsets', undefined, 'info')]);
  }
}
