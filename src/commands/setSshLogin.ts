import * as vscode from 'vscode';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { ClusterLookup, ClusterTarget } from '../clusters/ClusterTarget';
import { resolveCluster } from './resolveCluster';
import { endpointText, sshEndpointOf, type SshEndpoint } from '../clusters/sshEndpoint';
import { HDInsightError, InvalidInputError } from '../core/errors';
import type { SshHostKeys } from '../secrets/SshHostKeys';
import type { SshLogins } from '../secrets/SshLogins';
import { parseHostKeyFingerprint } from '../ssh/hostKeys';
import type { SshLogin } from '../ssh/tunnel';
import { isScripted, withCancellableProgress } from './command';

/** The cluster's SSH endpoint, or an error saying how to give it one. */
function endpointOf(target: ClusterTarget, lookup: ClusterLookup): SshEndpoint {
  const endpoint = sshEndpointOf(target, lookup.settings.resourceManager.cloud.gatewaySuffix);
  if (!endpoint) {
    throw new HDInsightError(
      'NotFound',
      `Linked cluster ${target.cluster.name} has no SSH host.`,
      'Add sshHost to the setting hdinsight.linkedClusters.',
    );
  }
  return endpoint;
}

/**
 * `hdinsight.setSshLogin` `{ cluster, username, password?, privateKey?, hostKey? }`: the SSH login
 * used for tunnels to the cluster's brokers, kept in secret storage and bound to the cluster's SSH
 * address, and `hostKey`, the fingerprint (`SHA256:…`, as `ssh-keygen -lf` shows it) of the SSH
 * server's host key to trust. `{ cluster, hostKey }` alone trusts the key and keeps the login.
 * Without these fields it asks for the login, then connects once, asking (in a modal dialog) to
 * trust the host key the server offers, so the tree and scripts can use the tunnel afterwards.
 */
export function setSshLoginCommand(lookup: ClusterLookup, sshLogins: SshLogins, sshHostKeys: SshHostKeys, connections: KafkaConnections) {
  return async (arg?: unknown): Promise<{ cluster: string; username?: string; hostKey?: string }> => {
    const target = await resolveCluster(arg, lookup);
    const endpoint = endpointOf(target, lookup);
    const given = (isScripted([arg]) ? arg : {}) as { username?: unknown; password?: unknown; privateKey?: unknown; hostKey?: unknown };
    const { username, password, privateKey } = given;
    const hasLogin = username !== undefined || password !== undefined || privateKey !== undefined;
    if (!hasLogin && given.hostKey === undefined) return enterAndConnect(target, endpoint, sshLogins, connections);

    // Everything is checked before anything is stored.
    const hostKey = given.hostKey === undefined ? undefined : parseHostKeyFingerprint(given.hostKey);
    let login: SshLogin | undefined;
    if (hasLogin) {
      if (typeof username !== 'string' || !username.trim()) throw new InvalidInputError('"username" is needed.');
      if ((typeof password !== 'string' || !password) && (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY'))) {
        throw new InvalidInputError('A "password" or an OpenSSH/PEM "privateKey" is needed.');
      }
      login = { username: username.trim(), password: password as string | undefined, privateKey: privateKey as string | undefined };
    }
    if (hostKey) await sshHostKeys.pin(target, endpoint, { sha256: hostKey });
    if (login) await sshLogins.store(target, endpoint, login);
    connections.forget(target); // the next use opens a tunnel with the new login
    return { cluster: target.cluster.name, username: login?.username, hostKey };
  };
}

/** Asks for the login, then opens a tunnel once: the host key is trusted (asked) and the login checked now. */
async function enterAndConnect(
  target: ClusterTarget,
  endpoint: SshEndpoint,
  sshLogins: SshLogins,
  connections: KafkaConnections,
): Promise<{ cluster: string; username: string; hostKey: string }> {
  const login = await sshLogins.enter(target, endpoint);
  connections.forget(target);
  const where = `${login.username}@${endpointText(endpoint)}`;
  const tunnel = await withCancellableProgress(`Connecting to ${target.cluster.name} as ${where}`, (signal) =>
    connections.openTunnel(target, endpoint, login, { interactive: true, signal }),
  );
  await tunnel.close();
  void vscode.window.showInformationMessage(
    `The SSH login ${where} of ${target.cluster.name} works; the tunnel to its Kafka brokers uses it, with host key ${tunnel.hostKey.sha256}.`,
  );
  return { cluster: target.cluster.name, username: login.username, hostKey: tunnel.hostKey.sha256 };
}

/**
 * `hdinsight.forgetSshHostKey` `{ cluster }`: forgets the SSH host keys trusted for the cluster
 * (e.g. after it was re-created with new keys); the next connection asks again, or, scripted,
 * needs `hostKey` from `hdinsight.setSshLogin`.
 */
export function forgetSshHostKeyCommand(lookup: ClusterLookup, sshHostKeys: SshHostKeys, connections: KafkaConnections) {
  return async (arg?: unknown): Promise<{ cluster: string; forgotten: number }> => {
    const target = await resolveCluster(arg, lookup);
    const forgotten = await sshHostKeys.forget(target);
    connections.forget(target);
    // Also shown when the button on a changed-key error called it (`notify`).
    if (!isScripted([arg]) || (arg as { notify?: unknown }).notify === true) {
      void vscode.window.showInformationMessage(
        forgotten > 0
          ? `Forgot the SSH host key of ${target.cluster.name}. The next connection shows the key the server offers and asks whether to trust it.`
          : `No SSH host key was trusted for ${target.cluster.name}.`,
      );
    }
    return { cluster: target.cluster.name, forgotten };
  };
}
