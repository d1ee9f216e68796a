import type { KafkaConnections } from '../clusters/KafkaConnections';
import { resolveCluster, type ClusterLookup } from '../clusters/resolveCluster';
import { InvalidInputError } from '../core/errors';
import type { SshLogins } from '../secrets/SshLogins';

/**
 * `hdinsight.setSshLogin` `{ cluster, username, password? , privateKey? }`: the SSH login used for
 * tunnels to the cluster's brokers. Kept in secret storage.
 */
export function setSshLoginCommand(lookup: ClusterLookup, sshLogins: SshLogins, connections: KafkaConnections) {
  return async (arg?: unknown): Promise<{ cluster: string; username: string }> => {
    const target = await resolveCluster(arg, lookup);
    const { username, password, privateKey } = (arg ?? {}) as { username?: unknown; password?: unknown; privateKey?: unknown };
    let user: string;
    if (username !== undefined || password !== undefined || privateKey !== undefined) {
      if (typeof username !== 'string' || !username.trim()) throw new InvalidInputError('"username" is needed.');
      if ((typeof password !== 'string' || !password) && (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY'))) {
        throw new InvalidInputError('A "password" or an OpenSSH/PEM "privateKey" is needed.');
      }
      user = username.trim();
      await sshLogins.store(target, {
        username: user,
        password: password as string | undefined,
        privateKey: privateKey as string | undefined,
      });
    } else {
      user = (await sshLogins.enter(target)).username;
    }
    connections.forget(target); // the next use opens a tunnel with the new login
    return { cluster: target.cluster.name, username: user };
  };
}
