import * as vscode from 'vscode';
import { clusterArgument, clusterIdentity, endpointText, type SshEndpoint } from '../clusters/sshEndpoint';
import type { ClusterTarget } from '../clusters/ClusterTarget';
import type { SshHostKeyStore } from '../clusters/logins';
import { CancelledError, HDInsightError, withFollowUp } from '../core/errors';
import type { StateStore } from '../core/serialMemento';
import { hostKeyUnknownError, type SshHostKey } from '../ssh/hostKeys';
import type { HostKeyPolicy } from '../ssh/tunnel';

/** A host key trusted for one cluster's SSH endpoint. */
export interface PinnedHostKey {
  /** `SHA256:…` as OpenSSH shows it. */
  sha256: string;
  /** e.g. `ssh-ed25519`; not known when a script pinned the fingerprint. */
  algorithm?: string;
  /** When it was trusted (ISO time). */
  pinnedAt: string;
}

const STATE_KEY = 'hdinsight.sshHostKeys';
export const TRUST_BUTTON = 'Trust and Connect';
export const FORGET_COMMAND = 'hdinsight.forgetSshHostKey';

/**
 * SSH host keys trusted per cluster and SSH endpoint, as OpenSSH's known_hosts: the first
 * connection asks (in a modal dialog, before the login is sent), later ones accept only that key.
 * Kept in the extension's global state: a host key is not a secret.
 */
export class SshHostKeys implements SshHostKeyStore {
  constructor(private readonly state: StateStore) {}

  private all(): Record<string, PinnedHostKey> {
    const stored = this.state.get<unknown>(STATE_KEY);
    return typeof stored === 'object' && stored !== null ? (stored as Record<string, PinnedHostKey>) : {};
  }

  pinned(target: ClusterTarget, endpoint: SshEndpoint): PinnedHostKey | undefined {
    return this.all()[keyOf(target, endpoint)];
  }

  /** Trusts `key` for the cluster's endpoint; a different key pinned before is refused, not replaced. */
  async pin(target: ClusterTarget, endpoint: SshEndpoint, key: { sha256: string; algorithm?: string }): Promise<void> {
    const pinned = this.pinned(target, endpoint);
    if (pinned?.sha256 === key.sha256) {
      if (pinned.algorithm || !key.algorithm) return;
    } else if (pinned) {
      throw this.offerForget(
        new HDInsightError(
          'HostKeyMismatch',
          `Another SSH host key is trusted for ${target.cluster.name} (${endpointText(endpoint)}): ${pinned.sha256}, not ${key.sha256}.`,
          `If the cluster was re-created, forget the old key with "HDInsight: Forget SSH Host Key" first.`,
        ),
        target,
      );
    }
    const all = this.all();
    all[keyOf(target, endpoint)] = { sha256: key.sha256, algorithm: key.algorithm, pinnedAt: new Date().toISOString() };
    await this.state.update(STATE_KEY, all);
  }

  /** Forgets every host key trusted for the cluster (any endpoint); how many there were. */
  async forget(target: ClusterTarget): Promise<number> {
    const prefix = `${clusterIdentity(target)}@`;
    const all = this.all();
    const keep = Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith(prefix)));
    const forgotten = Object.keys(all).length - Object.keys(keep).length;
    if (forgotten > 0) await this.state.update(STATE_KEY, keep);
    return forgotten;
  }

  /**
   * What the tunnel trusts: the pinned key; else, when someone can be asked, what they answer in a
   * modal dialog showing the key's fingerprint; else nothing (the connection fails and says how
   * to pin the key). The key is pinned by the caller once the tunnel is open (`tunnel.hostKey`).
   */
  policy(target: ClusterTarget, endpoint: SshEndpoint, options: { interactive: boolean }): HostKeyPolicy {
    const pinned = this.pinned(target, endpoint);
    if (pinned) return pinned.sha256;
    const server = { ...endpoint, name: target.cluster.name };
    if (!options.interactive) {
      return (key) => Promise.reject(hostKeyUnknownError(server, key, clusterArgument(target)));
    }
    return async (key: SshHostKey) => {
      const choice = await vscode.window.showWarningMessage(
        `Trust the SSH host key of ${target.cluster.name}?`,
        {
          modal: true,
          detail:
            `This is the first connection to ${endpointText(endpoint)}, the SSH endpoint of ${target.cluster.name} ` +
            `(for the tunnel to its Kafka brokers). The server offers this host key:\n\n${key.algorithm} ${key.sha256}\n\n` +
            'Check that it is the cluster\'s key, e.g. with "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" on its head node. ' +
            'Nothing is sent to the server unless you trust it; once trusted, it is remembered and any other key is refused.',
        },
        TRUST_BUTTON,
      );
      if (choice !== TRUST_BUTTON) throw new CancelledError();
      return true;
    };
  }

  /** Offers "Forget SSH Host Key" on a changed-key error (the one error path shows it as a button). */
  offerForget<E>(err: E, target: ClusterTarget): E {
    if (err instanceof HDInsightError && err.code === 'HostKeyMismatch') {
      withFollowUp(err, {
        title: 'Forget SSH Host Key',
        command: FORGET_COMMAND,
        args: [{ cluster: clusterArgument(target), notify: true }],
      });
    }
    return err;
  }
}

function keyOf(target: ClusterTarget, endpoint: SshEndpoint): string {
  return `${clusterIdentity(target)}@${endpointText(endpoint)}`;
}
