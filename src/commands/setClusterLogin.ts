import type { ClusterLookup } from '../clusters/ClusterTarget';
import { resolveCluster } from './resolveCluster';
import { InvalidInputError } from '../core/errors';
import { linkedLoginTarget } from '../core/linkedClusters';
import type { LoginTarget } from '../clusters/logins';
import type { ClusterLogins } from '../secrets/ClusterLogins';

/**
 * `hdinsight.setClusterLogin` `{ cluster, username, password }`: the cluster login for clusters
 * whose login Azure will not reveal (Reader role) or linked ones. Kept in secret storage.
 */
export function setClusterLoginCommand(lookup: ClusterLookup, logins: ClusterLogins, onChanged: () => void) {
  return async (arg?: unknown): Promise<{ cluster: string; username: string }> => {
    const target = await resolveCluster(arg, lookup);
    const loginTarget: LoginTarget = target.kind === 'azure' ? target : linkedLoginTarget(target.cluster);
    const { username, password } = (arg ?? {}) as { username?: unknown; password?: unknown };
    if (username !== undefined || password !== undefined) {
      if (typeof username !== 'string' || !username.trim() || typeof password !== 'string' || !password) {
        throw new InvalidInputError('Both "username" and "password" are needed.');
      }
      await logins.store(loginTarget, { username: username.trim(), password });
      onChanged();
      return { cluster: target.cluster.name, username: username.trim() };
    }
    const entered = await logins.enter(loginTarget);
    onChanged();
    return { cluster: target.cluster.name, username: entered.username };
  };
}
