import * as vscode from 'vscode';
import { resourceManagerTarget, type CloudName, type ResourceManagerTarget } from './azure/clouds';
import { parseLinkedClusters, type LinkedClusterSettings } from './core/linkedClusters';

export type AzureCredentialKind = 'vscode' | 'azureCli';

/** The typed reader (and the few writers) of the `hdinsight.*` settings, with one change event. */
export class Settings implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('hdinsight')) this.changed.fire();
    });
  }

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('hdinsight');
  }

  /** Linked clusters, with the entries that could not be used and why. */
  get linkedClusters(): ReturnType<typeof parseLinkedClusters> {
    return parseLinkedClusters(this.config.get<unknown>('linkedClusters'));
  }

  /** Adds or replaces (by name) a linked cluster, keeping every other entry exactly as it was. */
  async saveLinkedCluster(entry: LinkedClusterSettings): Promise<void> {
    const current = this.config.get<unknown[]>('linkedClusters') ?? [];
    const others = current.filter((e) => !sameName(e, entry.name));
    await this.config.update('linkedClusters', [...others, entry], vscode.ConfigurationTarget.Global);
  }

  /** Removes a linked cluster by name; returns whether there was one. */
  async removeLinkedCluster(name: string): Promise<boolean> {
    const current = this.config.get<unknown[]>('linkedClusters') ?? [];
    const kept = current.filter((e) => !sameName(e, name));
    if (kept.length === current.length) return false;
    await this.config.update('linkedClusters', kept.length > 0 ? kept : undefined, vscode.ConfigurationTarget.Global);
    return true;
  }

  /** Throws when the endpoint setting is not a usable URL (plain http off loopback, say). */
  get resourceManager(): ResourceManagerTarget {
    return resourceManagerTarget(
      this.config.get<CloudName>('azure.cloud', 'AzureCloud'),
      this.config.get<string>('azure.resourceManagerEndpoint'),
    );
  }

  get azureCredential(): AzureCredentialKind {
    return this.config.get<AzureCredentialKind>('azure.credential', 'vscode') === 'azureCli' ? 'azureCli' : 'vscode';
  }

  get azureTenant(): string | undefined {
    return this.config.get<string>('azure.tenant')?.trim() || undefined;
  }

  setAzureTenant(tenantId: string | undefined): Thenable<void> {
    return this.config.update('azure.tenant', tenantId, vscode.ConfigurationTarget.Global);
  }

  /** Subscription ids to show; empty means all. */
  get azureSubscriptionFilter(): string[] {
    return (this.config.get<unknown[]>('azure.subscriptions') ?? []).filter((s): s is string => typeof s === 'string');
  }

  setAzureSubscriptionFilter(ids: string[]): Thenable<void> {
    return this.config.update('azure.subscriptions', ids.length > 0 ? ids : undefined, vscode.ConfigurationTarget.Global);
  }

  get kafkaConnection(): 'auto' | 'direct' | 'sshTunnel' {
    const mode = this.config.get<string>('kafka.connection', 'auto');
    return mode === 'direct' || mode === 'sshTunnel' ? mode : 'auto';
  }

  /** The Spark configuration every streaming job submission carries (values as text). */
  get streamingJobConf(): Record<string, string> {
    const raw = this.config.get<unknown>('streamingJob.conf');
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
    return Object.fromEntries(
      Object.entries(raw as Record<string, unknown>)
        .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
        .map(([k, v]) => [k, String(v)]),
    );
  }

  /** Sets one key of it, in the workspace's settings when a folder is open, else the user's. */
  async setStreamingJobConf(key: string, value: string): Promise<'workspace' | 'user'> {
    const inWorkspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
    const inspected = this.config.inspect<Record<string, unknown>>('streamingJob.conf');
    const current = (inWorkspace ? inspected?.workspaceValue : inspected?.globalValue) ?? {};
    await this.config.update(
      'streamingJob.conf',
      { ...current, [key]: value },
      inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
    );
    return inWorkspace ? 'workspace' : 'user';
  }

  get showInternalTopics(): boolean {
    return this.config.get<boolean>('kafka.showInternalTopics', false);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function sameName(entry: unknown, name: string): boolean {
  return typeof entry === 'object' && entry !== null && String((entry as { name?: unknown }).name).toLowerCase() === name.toLowerCase();
}
