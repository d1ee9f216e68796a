import * as vscode from 'vscode';
import type { AzureAccount } from '../auth/AzureAccount';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { KnownBrokers } from '../clusters/knownBrokers';
import type { LivyConnections } from '../clusters/LivyConnections';
import type { JobRegistry } from '../jobs/JobRegistry';
import { JobsNode } from './nodes/JobNodes';
import { isCancellation } from '../core/errors';
import type { Logger } from '../logger';
import type { ClusterLogins } from '../secrets/ClusterLogins';
import type { Settings } from '../settings';
import { SignInNode, SubscriptionNode } from './nodes/AzureNodes';
import { LinkedClustersNode } from './nodes/LinkedClusterNodes';
import { ErrorNode, InfoNode } from './nodes/CommonNodes';
import type { TreeContext } from './nodes/TreeContext';
import type { TreeNode } from './nodes/TreeNode';

/**
 * The `hdinsight.clusters` tree: Azure subscriptions with their clusters, then linked clusters.
 * Loading never pops up anything: a failed load becomes an error node with a retry. An empty
 * root lets VS Code show the welcome view.
 */
export class ClustersTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private loads = new AbortController();
  private readonly subscriptions: vscode.Disposable[];
  private readonly context: TreeContext;
  /** Loaded once per refresh, so expanded nodes keep what they loaded; error roots are not kept. */
  private rootNodes?: Promise<TreeNode[]>;

  constructor(
    private readonly settings: Settings,
    private readonly account: AzureAccount,
    logins: ClusterLogins,
    kafka: KafkaConnections,
    livy: LivyConnections,
    jobs: JobRegistry,
    extensionUri: vscode.Uri,
    private readonly logger: Logger,
    knownBrokers?: KnownBrokers,
  ) {
    this.context = {
      account,
      settings,
      logins,
      kafka,
      livy,
      jobs,
      extensionUri,
      knownBrokers,
      refresh: (node) => this.refresh(node),
      redraw: (node) => this.changed.fire(node),
    };
    // The account also fires on settings changes, so one subscription covers both.
    this.subscriptions = [account.onDidChange(() => this.refresh()), jobs.onDidChange(() => this.jobsChanged())];
  }

  private jobsTimer?: NodeJS.Timeout;

  /** Jobs change every poll: redraw the Jobs nodes at most twice a second. */
  private jobsChanged(): void {
    if (this.jobsTimer) return;
    this.jobsTimer = setTimeout(() => {
      this.jobsTimer = undefined;
      for (const node of this.jobNodes) {
        // A new job reloads the list; a job that moved on only redraws its row.
        if (node.hasNewJobs()) this.refresh(node);
        else for (const row of node.shown.values()) this.changed.fire(row);
      }
    }, 500);
  }

  /** Jobs nodes shown so far (a refresh replaces them). */
  private readonly jobNodes = new Set<JobsNode>();

  /** Reloads one node, or everything (cancelling loads still under way). */
  refresh(node?: TreeNode): void {
    if (node) {
      node.reset?.();
    } else {
      this.loads.abort();
      this.loads = new AbortController();
      this.rootNodes = undefined;
      this.jobNodes.clear();
    }
    this.changed.fire(node);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.getTreeItem();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      const roots = (this.rootNodes ??= this.loadRoots(this.loads.signal));
      const loaded = await roots;
      if (loaded.some((n) => n instanceof ErrorNode) && this.rootNodes === roots) this.rootNodes = undefined;
      return loaded;
    }
    if (!node.getChildren) return [];
    if (node instanceof JobsNode) this.jobNodes.add(node);
    try {
      return await node.getChildren(this.loads.signal);
    } catch (err) {
      if (isCancellation(err)) return [];
      this.logger.error(`Loading ${node.id}`, err);
      return [new ErrorNode(node, err)];
    }
  }

  private async loadRoots(signal: AbortSignal): Promise<TreeNode[]> {
    const nodes: TreeNode[] = [];
    const linked = this.settings.linkedClusters;
    const hasLinked = linked.clusters.length > 0 || linked.problems.length > 0;
    try {
      if (await this.account.isSignedIn()) {
        nodes.push(...(await this.subscriptionNodes(signal)));
      } else if (hasLinked) {
        nodes.push(new SignInNode());
      }
    } catch (err) {
      if (isCancellation(err)) return [];
      this.logger.error('Loading Azure subscriptions', err);
      nodes.push(new ErrorNode(undefined, err, 'Azure'));
    }
    if (hasLinked) nodes.push(new LinkedClustersNode(this.context, linked.clusters, linked.problems));
    return nodes;
  }

  private async subscriptionNodes(signal: AbortSignal): Promise<TreeNode[]> {
    const client = await this.account.client();
    const tenant = this.settings.azureTenant;
    const filter = new Set(this.settings.azureSubscriptionFilter.map((s) => s.toLowerCase()));
    const subscriptions = (await client.listSubscriptions(signal)).filter(
      (s) => (!tenant || !s.tenantId || s.tenantId === tenant) && (filter.size === 0 || filter.has(s.subscriptionId.toLowerCase())),
    );
    if (subscriptions.length === 0) {
      const why = filter.size > 0 ? 'none matches the subscription filter' : 'the account has none in this tenant';
      return [new InfoNode(undefined, 'azure/no-subscriptions', 'No Azure subscriptions', why, 'info')];
    }
    // A few subscriptions open by themselves; VS Code then loads them in parallel (bounded by the client).
    return subscriptions.map((s) => new SubscriptionNode(this.context, s, subscriptions.length <= 3));
  }

  dispose(): void {
    this.loads.abort();
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
