import * as vscode from 'vscode';
import type { ClusterTarget } from '../clusters/resolveCluster';
import { CancelledError, HDInsightError } from '../core/errors';
import type { SshLogin } from '../ssh/tunnel';

/** SSH logins for tunnels to the brokers: asked for once, kept only in SecretStorage. */
export class SshLogins {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(target: ClusterTarget, options: { interactive: boolean }): Promise<SshLogin> {
    const stored = await this.secrets.get(keyOf(target));
    if (stored) return JSON.parse(stored) as SshLogin;
    if (!options.interactive) {
      throw new HDInsightError(
        'Unauthorized',
        `The Kafka brokers of ${target.cluster.name} are reachable only through an SSH tunnel, and its SSH login is not known.`,
        'Enter it with "HDInsight: Enter SSH Login…".',
      );
    }
    return this.enter(target);
  }

  async store(target: ClusterTarget, login: SshLogin): Promise<void> {
    await this.secrets.store(keyOf(target), JSON.stringify(login));
  }

  /** Asks for the SSH user and password; cancelling keeps what was stored before. */
  async enter(target: ClusterTarget): Promise<SshLogin> {
    const title = `SSH login for ${target.cluster.name} (for the tunnel to its Kafka brokers)`;
    const username = await vscode.window.showInputBox({
      title,
      prompt: 'SSH user',
      value: 'sshuser',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter the SSH user.'),
    });
    if (username === undefined) throw new CancelledError();
    const password = await vscode.window.showInputBox({
      title,
      prompt: `Password of ${username.trim()} (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) throw new CancelledError();
    const login = { username: username.trim(), password };
    await this.store(target, login);
    return login;
  }
}

function keyOf(target: ClusterTarget): string {
  return target.kind === 'azure'
    ? `hdinsight.ssh.azure:${target.cluster.id.toLowerCase()}`
    : `hdinsight.ssh.linked:${target.cluster.name.toLowerCase()}`;
}
