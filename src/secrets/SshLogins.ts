import * as vscode from 'vscode';
import type { ClusterTarget } from '../clusters/ClusterTarget';
import type { SshLoginStore } from '../clusters/logins';
import { endpointText, type SshEndpoint } from '../clusters/sshEndpoint';
import { CancelledError, HDInsightError } from '../core/errors';
import type { SshLogin } from '../ssh/tunnel';

/** What is stored: the login and the SSH endpoint (`host:port`) it was entered for. */
interface StoredSshLogin extends SshLogin {
  endpoint?: string;
}

/**
 * SSH logins for tunnels to the brokers: asked for once, kept only in SecretStorage, and bound to
 * the SSH endpoint they were entered for: when a cluster's SSH address changes (an edited linked
 * cluster, another cluster linked under the same name), the stored login is not sent there.
 */
export class SshLogins implements SshLoginStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(target: ClusterTarget, endpoint: SshEndpoint, options: { interactive: boolean }): Promise<SshLogin> {
    const stored = await this.read(target);
    const where = endpointText(endpoint);
    if (stored && stored.endpoint === where) return loginOf(stored);
    if (!options.interactive) {
      if (stored) {
        throw new HDInsightError(
          'Unauthorized',
          `The SSH login stored for ${target.cluster.name} was entered for ` +
            `${stored.endpoint ? `SSH address ${stored.endpoint}` : 'an SSH address this version did not record'}, ` +
            `and its SSH address is now ${where}: the login was not sent there.`,
          `If ${where} is right, enter the SSH login for it with "HDInsight: Enter SSH Login…".`,
        );
      }
      throw new HDInsightError(
        'Unauthorized',
        `The Kafka brokers of ${target.cluster.name} are reachable only through an SSH tunnel, and its SSH login is not known.`,
        'Enter it with "HDInsight: Enter SSH Login…".',
      );
    }
    return this.enter(target, endpoint, stored ? `The SSH address of ${target.cluster.name} changed to ${where}: ` : '');
  }

  async store(target: ClusterTarget, endpoint: SshEndpoint, login: SshLogin): Promise<void> {
    const stored: StoredSshLogin = { ...loginOf(login), endpoint: endpointText(endpoint) };
    await this.secrets.store(keyOf(target), JSON.stringify(stored));
  }

  /** Asks for the SSH user and password; cancelling keeps what was stored before. */
  async enter(target: ClusterTarget, endpoint: SshEndpoint, why = ''): Promise<SshLogin> {
    const where = endpointText(endpoint);
    const title = `SSH login for ${target.cluster.name} at ${where} (for the tunnel to its Kafka brokers)`;
    const username = await vscode.window.showInputBox({
      title,
      prompt: `${why}SSH user`,
      value: 'sshuser',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter the SSH user.'),
    });
    if (username === undefined) throw new CancelledError();
    const password = await vscode.window.showInputBox({
      title,
      prompt: `Password of ${username.trim()} at ${where} (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) throw new CancelledError();
    const login = { username: username.trim(), password };
    await this.store(target, endpoint, login);
    return login;
  }

  /** The stored entry; one that cannot be read counts as none (its text is never shown). */
  private async read(target: ClusterTarget): Promise<StoredSshLogin | undefined> {
    const text = await this.secrets.get(keyOf(target));
    if (!text) return undefined;
    try {
      const stored = JSON.parse(text) as StoredSshLogin;
      return typeof stored === 'object' && stored !== null && typeof stored.username === 'string' ? stored : undefined;
    } catch {
      return undefined;
    }
  }
}

function loginOf({ username, password, privateKey, passphrase }: SshLogin): SshLogin {
  return { username, password, privateKey, passphrase };
}

function keyOf(target: ClusterTarget): string {
  return target.kind === 'azure'
    ? `hdinsight.ssh.azure:${target.cluster.id.toLowerCase()}`
    : `hdinsight.ssh.linked:${target.cluster.name.toLowerCase()}`;
}
