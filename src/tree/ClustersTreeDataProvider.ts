import * as vscode from 'vscode';
import type { AzureAccount } from '../auth/AzureAccount';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { KnownBrokers } from '../clusters/knownBrokers';
import type { LivyConnections } from '../clusters/LivyConnections';
import type { JobRegistry } from '../jobs/JobRegistry';
import { JobsNode } from './nodes/JobNodes';
import { HDInsightError, isCancellation } from '../core/errors';
import type { StateStore } from '../core/serialMemento';
import type { Logger } from '../logger';
import type { ClusterLogins } from '../secrets/ClusterLogins';
import type { Settings } from '../settings';
import { SignInNode, SubscriptionNode, type Freshness } from './nodes/AzureNodes';
import { AzureSnapshotStore, refreshSnapshot, type AzureSnapshot } from './azureSnapshot';
import { LinkedClustersNode } from './nodes/LinkedClusterNodes';
import { ErrorNode, InfoNode } from './nodes/CommonNodes';
import type { TreeContext } from './nodes/TreeContext';
import type { TreeNode } from './nodes/TreeNode';

/**
 * The `hdinsight.clusters` tree: Azure subscriptions with their clusters, then linked clusters.
 * Loading never pops up anything: a failed load becomes an error node with a retry. An empty
 * root lets VS Code show the welcome view.
 *
 * Nothing waits for Azure that need not: linked clusters and the last-known Azure part (a
 * snapshot kept in global storage, marked as refreshing) show at once; the sign-in, the
 * subscriptions and one Resource Graph query for all their clusters follow, and their answer
 * replaces the Azure part whole. Only with nothing at all to show does the first load wait.
 */
export class ClustersTreeDataProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private loads = new AbortController();
  private readonly subscriptions: vscode.Disposable[];
  private readonly context: TreeContext;
  /** Loaded once per refresh (then replaced by Azure's answer), so expanded nodes keep what they loaded. */
  private rootNodes?: Promise<TreeNode[]>;
  private readonly snapshots: AzureSnapshotStore;
  /** Subscription nodes by id, for the key they were made for: a refresh updates them in place. */
  private subscriptionNodes = { key: '', nodes: new Map<string, SubscriptionNode>() };
  /** The sign-in changed: the snapshot is shown again only if still signed in. */
  private distrustSnapshot = false;

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
    /** The extension's global state, where the last-known Azure part is kept (memory only without it). */
    state?: StateStore,
  ) {
    this.snapshots = new AzureSnapshotStore(state);
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
    this.subscriptions = [
      account.onDidChangeSessions(() => (this.distrustSnapshot = true)),
      account.onDidChange(() => this.refresh()),
      jobs.onDidChange(() => this.jobsChanged()),
    ];
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
      // Everything is asked again: no node keeps what it loaded before (the rows of one load keep
      // theirs when Azure's answer replaces the last-known ones).
      this.subscriptionNodes.nodes.clear();
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
      // Kept until the next refresh, an error row too (its click refreshes): asking again at every
      // call would show the last-known rows as refreshing over and over.
      return (this.rootNodes ??= this.loadRoots(this.loads.signal));
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
    const linked = this.settings.linkedClusters;
    const hasLinked = linked.clusters.length > 0 || linked.problems.length > 0;
    const linkedPart = hasLinked ? [new LinkedClustersNode(this.context, linked.clusters, linked.problems)] : [];
    let key: string;
    try {
      key = this.account.cacheKey;
    } catch (err) {
      this.logger.error('Loading Azure subscriptions', err); // a setting Azure cannot be asked with
      return [new ErrorNode(undefined, err, 'Azure'), ...linkedPart];
    }
    if (this.subscriptionNodes.key !== key) {
      // Another cloud, tenant or credential: nothing known of the one before is shown or kept.
      if (this.subscriptionNodes.key) await this.snapshots.clear();
      this.subscriptionNodes = { key, nodes: new Map() };
    }
    let snapshot = this.snapshots.read(key);
    if (this.distrustSnapshot) {
      // After a sign-out the last-known rows must not show again, not even while being refreshed.
      // (The sessions also change when VS Code renews a token: then they do show.)
      this.distrustSnapshot = false;
      if (snapshot?.signedIn && !(await this.account.isSignedIn().catch(() => false))) snapshot = undefined;
    }
    const fresh = this.freshAzure(signal, hasLinked, snapshot);
    if (!snapshot && !hasLinked) return [...(await fresh), ...linkedPart]; // nothing to show sooner
    void fresh.then((azure) => {
      if (signal.aborted) return;
      this.rootNodes = Promise.resolve([...azure, ...linkedPart]);
      this.changed.fire(undefined);
    });
    // Nothing known of Azure yet: a row says it is being asked.
    const known = snapshot
      ? this.azureNodes(snapshot, 'refreshing', hasLinked)
      : [new InfoNode(undefined, 'azure/loading', 'Azure', 'loading…', 'loading~spin')];
    return [...known, ...linkedPart];
  }

  /** Azure's answer as the Azure part of the tree (kept as the snapshot); a failure as an error node. */
  private async freshAzure(signal: AbortSignal, hasLinked: boolean, snapshot: AzureSnapshot | undefined): Promise<TreeNode[]> {
    const choice = { tenant: this.settings.azureTenant, subscriptionFilter: this.settings.azureSubscriptionFilter };
    try {
      const { snapshot: answer, refused } = await refreshSnapshot(this.account, choice, this.snapshots, signal);
      if (refused) this.logger.warn(`Listing clusters subscription by subscription, as Resource Graph was refused: ${refused}`);
      return this.azureNodes(answer, 'fresh', hasLinked);
    } catch (err) {
      if (isCancellation(err)) return [];
      this.logger.error('Loading Azure subscriptions', err);
      // Azure no longer lets this account see them: nothing of them stays. Otherwise (the network,
      // Azure failing for now) the last-known rows stay, marked as not refreshed, under the error.
      const denied = err instanceof HDInsightError && ['Unauthorized', 'Forbidden', 'NotFound'].includes(err.code);
      if (denied) await this.snapshots.clear();
      const known = !denied && snapshot ? this.azureNodes(snapshot, 'stale', hasLinked) : [];
      return [new ErrorNode(undefined, err, 'Azure'), ...known];
    }
  }

  /** The Azure part for a snapshot: subscriptions (updated in place) with their clusters, or why there are none. */
  private azureNodes(snapshot: AzureSnapshot, freshness: Freshness, hasLinked: boolean): TreeNode[] {
    if (!snapshot.signedIn) return hasLinked ? [new SignInNode()] : [];
    const tenant = this.settings.azureTenant;
    const filter = new Set(this.settings.azureSubscriptionFilter.map((s) => s.toLowerCase()));
    // The settings may have changed since the snapshot was taken: it is shown as they say now.
    const shown = snapshot.subscriptions.filter(
      ({ subscription: s }) =>
        (!tenant || !s.tenantId || s.tenantId === tenant) && (filter.size === 0 || filter.has(s.subscriptionId.toLowerCase())),
    );
    if (shown.length === 0) {
      const why = filter.size > 0 ? 'none matches the subscription filter' : 'the account has none in this tenant';
      return [new InfoNode(undefined, 'azure/no-subscriptions', 'No Azure subscriptions', why, 'info')];
    }
    const nodes = this.subscriptionNodes.nodes;
    const result = shown.map(({ subscription, clusters }) => {
      const id = `azure/${subscription.subscriptionId}`;
      // A few subscriptions open by themselves.
      const node = nodes.get(id) ?? new SubscriptionNode(this.context, subscription, shown.length <= 3);
      node.update(subscription, clusters, freshness, snapshot.savedAt);
      nodes.set(id, node);
      return node;
    });
    if (freshness === 'fresh') {
      // Subscriptions gone from Azure (or from the choice) leave no node behind.
      const kept = new Set(result.map((n) => n.id));
      for (const id of nodes.keys()) if (!kept.has(id)) nodes.delete(id);
    }
    return result;
  }

  dispose(): void {
    this.loads.abort();
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
