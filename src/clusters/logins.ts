// What clusters/ asks of the stores of cluster logins, SSH logins and SSH host keys. The stores
// (src/secrets/) keep them in SecretStorage and global state and ask the user; the code here only
// needs to get them, so it depends on these shapes, not on the stores.
import type { GatewayLogin } from '../azure/client';
import type { HDInsightCluster } from '../azure/model';
import { HDInsightError } from '../core/errors';
import type { LinkedLoginTarget } from '../core/linkedClusters';
import type { HostKeyPolicy, SshHostKey, SshLogin } from '../ssh/tunnel';
import type { ClusterTarget } from './ClusterTarget';
import type { SshEndpoint } from './sshEndpoint';

/**
 * Whose login: an Azure cluster (its gateway address comes from Azure), or a linked cluster with
 * the origins its login goes to (its Ambari and Livy): a stored login is used only for those.
 */
export type LoginTarget = { kind: 'azure'; cluster: HDInsightCluster } | LinkedLoginTarget;

/** Where a cluster login came from. */
export type LoginSource = 'azure' | 'secretStorage' | 'entered';

/** A missing login, when the caller may not ask for it. */
export class MissingLoginError extends HDInsightError {
  constructor(
    cluster: string,
    message = `The cluster login of ${cluster} is not known.`,
    action = 'Enter it with "HDInsight: Enter Cluster Login…".',
  ) {
    super('Unauthorized', message, action);
    this.name = 'MissingLoginError';
  }
}

/** Cluster logins (the gateway's HTTP Basic credentials). */
export interface ClusterLoginStore {
  /** The login, or undefined when none is known and `interactive` is false. */
  get(
    target: LoginTarget,
    options: { interactive: boolean; signal?: AbortSignal },
  ): Promise<{ login: GatewayLogin; source: LoginSource } | undefined>;
}

/** SSH logins for tunnels to the brokers, bound to the SSH endpoint they were entered for. */
export interface SshLoginStore {
  get(target: ClusterTarget, endpoint: SshEndpoint, options: { interactive: boolean }): Promise<SshLogin>;
}

/** SSH host keys trusted per cluster and SSH endpoint. */
export interface SshHostKeyStore {
  /** The key trusted for the endpoint, if any. */
  pinned(target: ClusterTarget, endpoint: SshEndpoint): { sha256: string } | undefined;
  pin(target: ClusterTarget, endpoint: SshEndpoint, key: SshHostKey): Promise<void>;
  /** How the tunnel decides whether the key it is offered is trusted. */
  policy(target: ClusterTarget, endpoint: SshEndpoint, options: { interactive: boolean }): HostKeyPolicy;
  /** Marks a changed-key error with the way to forget the old key. */
  offerForget<E>(err: E, target: ClusterTarget): E;
}
