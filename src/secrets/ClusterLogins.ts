import * as vscode from 'vscode';
import type { GatewayLogin } from '../azure/client';
import type { HDInsightCluster } from '../azure/model';
import { CancelledError, HDInsightError } from '../core/errors';
import type { AzureAccount } from '../auth/AzureAccount';
import type { Logger } from '../logger';

export type LoginTarget = { kind: 'azure'; cluster: HDInsightCluster } | { kind: 'linked'; name: string; username?: string };

export type LoginSource = 'azure' | 'secretStorage' | 'entered';

/**
 * Cluster logins (the gateway's HTTP Basic credentials). Read from Resource Manager when the
 * user's role allows and then kept in memory only; otherwise asked for once and kept in
 * SecretStorage. Never written to settings or logs.
 */
export class ClusterLogins {
  private readonly memory = new Map<string, GatewayLogin>();
  /** Clusters whose login Azure refused to reveal (Reader role): not asked again this session. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly account: AzureAccount,
    private readonly logger: Logger,
  ) {}

  /** The login, or undefined when none is known and `interactive` is false. */
  async get(
    target: LoginTarget,
    options: { interactive: boolean; signal?: AbortSignal },
  ): Promise<{ login: GatewayLogin; source: LoginSource } | undefined> {
    const key = keyOf(target);
    const remembered = this.memory.get(key);
    if (remembered) return { login: remembered, source: 'azure' };

    if (target.kind === 'azure' && !this.refused.has(key)) {
      try {
        const client = await this.account.client();
        const login = await client.getGatewayLogin(target.cluster.id, options.signal);
        if (login) {
          this.memory.set(key, login);
          return { login, source: 'azure' };
        }
      } catch (err) {
        if (!(err instanceof HDInsightError && err.code === 'Forbidden')) throw err;
        this.refused.add(key);
        this.logger.info(`The login of cluster ${target.cluster.name} cannot be read with this role; using the one entered by the user`);
      }
    }

    const stored = await this.secrets.get(key);
    if (stored) return { login: JSON.parse(stored) as GatewayLogin, source: 'secretStorage' };
    if (!options.interactive) return undefined;
    return { login: await this.enter(target), source: 'entered' };
  }

  /** Asks the user for the login and keeps it; cancelling keeps what was stored before. */
  async enter(target: LoginTarget): Promise<GatewayLogin> {
    const entered = await this.ask(target);
    await this.store(target, entered);
    return entered;
  }

  async store(target: LoginTarget, login: GatewayLogin): Promise<void> {
    await this.secrets.store(keyOf(target), JSON.stringify(login));
  }

  async forget(target: LoginTarget): Promise<void> {
    this.memory.delete(keyOf(target));
    await this.secrets.delete(keyOf(target));
  }

  private async ask(target: LoginTarget): Promise<GatewayLogin> {
    const name = target.kind === 'azure' ? target.cluster.name : target.name;
    const username = await vscode.window.showInputBox({
      title: `Cluster login for ${name}`,
      prompt: 'The cluster login (HTTP user) chosen when the cluster was created.',
      value: target.kind === 'linked' ? (target.username ?? 'admin') : 'admin',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter the user name.'),
    });
    if (username === undefined) throw new CancelledError();
    const password = await vscode.window.showInputBox({
      title: `Cluster login for ${name}`,
      prompt: `Password of ${username.trim()} (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v ? undefined : 'Enter the password.'),
    });
    if (password === undefined) throw new CancelledError();
    return { username: username.trim(), password };
  }
}

function keyOf(target: LoginTarget): string {
  return target.kind === 'azure'
    ? `hdinsight.login.azure:${target.cluster.id.toLowerCase()}`
    : `hdinsight.login.linked:${target.name.toLowerCase()}`;
}
