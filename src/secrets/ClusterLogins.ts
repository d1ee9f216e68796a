import * as vscode from 'vscode';
import type { GatewayLogin } from '../azure/client';
import type { HDInsightCluster } from '../azure/model';
import { MissingLoginError, type ClusterLoginStore, type LoginSource, type LoginTarget } from '../clusters/logins';
import { CancelledError, HDInsightError } from '../core/errors';
import { encodeStoredLogin, readStoredLogin, type StoredLoginCheck } from '../core/storedLogin';
import type { AzureAccount } from '../auth/AzureAccount';
import type { Logger } from '../logger';

/** A stored login that was entered for other addresses than the cluster now has: it is not sent. */
export class LoginNotBoundError extends MissingLoginError {
  constructor(cluster: string, enteredFor: string[] | undefined, uncovered: string[]) {
    super(
      cluster,
      enteredFor
        ? `The stored cluster login of ${cluster} was entered for ${list(enteredFor)}, not for ${list(uncovered)} where ${cluster} now points; it was not sent there.`
        : `The stored cluster login of ${cluster} is not tied to an address (it was saved by an older version), so it was not sent to ${list(uncovered)}.`,
      'Enter the login again with "HDInsight: Enter Cluster Login…" if it is meant for that address.',
    );
    this.name = 'LoginNotBoundError';
  }
}

function list(origins: string[]): string {
  return origins.length > 0 ? origins.join(', ') : 'no address';
}

/**
 * Cluster logins (the gateway's HTTP Basic credentials). Read from Resource Manager when the
 * user's role allows and then kept in memory only; otherwise asked for once and kept in
 * SecretStorage. Never written to settings or logs.
 */
export class ClusterLogins implements ClusterLoginStore {
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
    let why: string | undefined;
    if (stored) {
      const name = target.kind === 'azure' ? target.cluster.name : target.name;
      let check: StoredLoginCheck | undefined;
      try {
        check = readStoredLogin(stored, `cluster login of ${name}`, target.kind === 'linked' ? target.origins : undefined);
      } catch (err) {
        if (!options.interactive) throw err;
        check = undefined;
        why = `The stored login of ${name} was damaged.`;
      }
      if (check?.login) return { login: check.login, source: 'secretStorage' };
      if (check) {
        const refused = new LoginNotBoundError(name, check.enteredFor, check.uncovered);
        this.logger.info(refused.message);
        if (!options.interactive) throw refused;
        why = `${name} now points to ${list(check.uncovered)}, which the stored login was not entered for.`;
      }
    }
    if (!options.interactive) return undefined;
    return { login: await this.enter(target, why), source: 'entered' };
  }

  /**
   * Asks the user for the login and keeps it, bound to where it goes; cancelling keeps what was
   * stored before. `why` says why it is asked again.
   */
  async enter(target: LoginTarget, why?: string): Promise<GatewayLogin> {
    const entered = await this.ask(target, why);
    await this.store(target, entered);
    return entered;
  }

  async store(target: LoginTarget, login: GatewayLogin): Promise<void> {
    await this.secrets.store(keyOf(target), encodeStoredLogin(login, target.kind === 'linked' ? target.origins : undefined));
  }

  async forget(target: LoginKey): Promise<void> {
    this.memory.delete(keyOf(target));
    await this.secrets.delete(keyOf(target));
  }

  private async ask(target: LoginTarget, why?: string): Promise<GatewayLogin> {
    const name = target.kind === 'azure' ? target.cluster.name : target.name;
    const where = target.kind === 'linked' && target.origins.length > 0 ? ` for ${list(target.origins)}` : '';
    const username = await vscode.window.showInputBox({
      title: `Cluster login for ${name}`,
      prompt: `${why ? `${why} ` : ''}The cluster login (HTTP user) chosen when the cluster was created${where}.`,
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

/** What names a stored login: the Azure cluster, or the linked cluster's name. */
type LoginKey = { kind: 'azure'; cluster: HDInsightCluster } | { kind: 'linked'; name: string };

function keyOf(target: LoginKey): string {
  return target.kind === 'azure'
    ? `hdinsight.login.azure:${target.cluster.id.toLowerCase()}`
    : `hdinsight.login.linked:${target.name.toLowerCase()}`;
}
