import * as vscode from 'vscode';
import type { AzureClient, TokenSource } from '../azure/client';
import { DEVELOPMENT_TOKEN, type ResourceManagerTarget } from '../azure/clouds';
import { HDInsightError } from '../core/errors';
import type { Logger } from '../logger';
import type { Settings } from '../settings';

const sovereignEnvironments: Record<string, string> = { AzureChinaCloud: 'ChinaCloud', AzureUSGovernment: 'USGovernment' };
const notSignedIn = (): HDInsightError =>
  new HDInsightError('Unauthorized', 'You are not signed in to Azure.', 'Run "HDInsight: Sign in to Azure" from the Command Palette.');

/**
 * The Azure side of the user: which cloud and tenant, how tokens are obtained, and the one
 * Resource Manager client. Tokens come from VS Code's Microsoft sign-in (never stored by us), from
 * the Azure CLI when the user prefers it, or, for a loopback endpoint only, a fixed development token.
 */
export class AzureAccount implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sessionsChanged = new vscode.EventEmitter<void>();
  /** The sign-in changed (signed in or out, another account): fires just before onDidChange. */
  readonly onDidChangeSessions = this.sessionsChanged.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private cachedClient?: { key: string; client: Promise<AzureClient> };

  constructor(
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {
    this.subscriptions.push(
      vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id !== this.target.cloud.authProvider) return;
        this.sessionsChanged.fire();
        this.changed.fire();
      }),
      settings.onDidChange(() => this.changed.fire()),
    );
  }

  get target(): ResourceManagerTarget {
    return this.settings.resourceManager;
  }

  /** Which cloud, tenant and credential Azure is asked with: what is known of one is never shown for another. */
  get cacheKey(): string {
    return [this.target.endpoint, this.settings.azureTenant ?? '', this.settings.azureCredential].join('|');
  }

  /** Whether Azure can be asked without prompting the user. */
  async isSignedIn(): Promise<boolean> {
    const { isLocal } = this.target;
    if (isLocal || this.settings.azureCredential === 'azureCli') return true;
    return (await this.session(false)) !== undefined;
  }

  /** Interactive sign-in through VS Code's accounts (a no-op for the emulator and the CLI). */
  async signIn(): Promise<void> {
    const { cloud, isLocal } = this.target;
    if (isLocal || this.settings.azureCredential === 'azureCli') {
      this.changed.fire();
      return;
    }
    const environment = sovereignEnvironments[cloud.name];
    if (environment) {
      const config = vscode.workspace.getConfiguration('microsoft-sovereign-cloud');
      if (config.get<string>('environment') !== environment) {
        await config.update('environment', environment, vscode.ConfigurationTarget.Global);
      }
    }
    const session = await this.session(true);
    if (!session) throw notSignedIn();
    this.logger.info(`Signed in to ${cloud.name} as ${session.account.label}`);
    this.changed.fire();
  }

  /** The Resource Manager client for the current cloud, tenant and credential (the SDK loads now). */
  client(): Promise<AzureClient> {
    const { endpoint, scope, isLocal } = this.target;
    const key = this.cacheKey;
    if (this.cachedClient?.key !== key) {
      const credential = this.credential();
      const client = (async () => {
        const { createAzureClient } = await import('../chunks/azure');
        this.logger.info(`Azure Resource Manager: ${endpoint}${isLocal ? ' (local, development token)' : ''}`);
        return createAzureClient({ endpoint, scope, credential: await credential, userAgent: 'vscode-hdinsight-streaming' });
      })();
      client.catch(() => (this.cachedClient = undefined));
      this.cachedClient = { key, client };
    }
    return this.cachedClient.client;
  }

  private async credential(): Promise<TokenSource> {
    const tenant = this.settings.azureTenant;
    if (this.target.isLocal) {
      return { getToken: () => Promise.resolve({ token: DEVELOPMENT_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    }
    if (this.settings.azureCredential === 'azureCli') {
      const { createCliCredential } = await import('../chunks/identity');
      return createCliCredential(tenant);
    }
    return {
      getToken: async () => {
        const session = await this.session(false);
        if (!session) throw notSignedIn();
        // VS Code refreshes the session's token itself; ask again well before an hour is up.
        return { token: session.accessToken, expiresOnTimestamp: Date.now() + 10 * 60_000 };
      },
    };
  }

  private async session(interactive: boolean): Promise<vscode.AuthenticationSession | undefined> {
    const { cloud, scope } = this.target;
    const tenant = this.settings.azureTenant;
    const scopes = tenant ? [scope, `VSCODE_TENANT:${tenant}`] : [scope];
    return vscode.authentication.getSession(cloud.authProvider, scopes, interactive ? { createIfNone: true } : { silent: true });
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
    this.sessionsChanged.dispose();
  }
}
