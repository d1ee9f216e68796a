// Livy of a cluster for the jobs and the tree: its address and login, and Livy's code (client, job
// following, submission), which loads on first use from its own bundle (dist/chunks/livy.js): most
// sessions never submit a job. No vscode import.
import type * as livyChunk from '../chunks/livy';
import { gatewayUrl, isRunning } from '../azure/model';
import { HDInsightError } from '../core/errors';
import type { ServiceEndpoint } from '../core/http';
import { linkedLoginTarget } from '../core/linkedClusters';
import type { LivyClient } from '../livy/LivyClient';
import type { BrokerLookup } from './brokers';
import type { ClusterTarget } from './ClusterTarget';
import { MissingLoginError, type LoginTarget } from './logins';

/** Livy's client, job and submission code, as its lazy bundle exports them. */
export type LivyCode = typeof livyChunk;

/**
 * Livy clients of clusters, shared by the job registry and the tree's Jobs nodes. Unlike a Kafka
 * client a Livy client holds no connection (each call is its own HTTPS request), so nothing is
 * kept open: each client is made with the address and login the cluster has now, and a login
 * entered since applies to the next one.
 */
export class LivyConnections {
  constructor(private readonly lookup: BrokerLookup) {}

  /** Livy's code, loaded once on first use. */
  code(): Promise<LivyCode> {
    return import('../chunks/livy');
  }

  /** A client for the cluster's Livy; the login is asked for (when `interactive`) before Livy's code loads. */
  async client(target: ClusterTarget, options: { interactive: boolean; signal?: AbortSignal }): Promise<LivyClient> {
    const endpoint = await livyEndpoint(target, this.lookup, options);
    const { LivyClient } = await this.code();
    return new LivyClient(endpoint);
  }
}

/** Livy of a cluster: https://CLUSTER.azurehdinsight.net/livy with the cluster login, or a linked cluster's Livy URL. */
async function livyEndpoint(
  target: ClusterTarget,
  lookup: BrokerLookup,
  options: { interactive: boolean; signal?: AbortSignal },
): Promise<ServiceEndpoint> {
  let baseUrl: URL;
  let loginTarget: LoginTarget;
  if (target.kind === 'azure') {
    const { cluster } = target;
    if (cluster.kind !== 'spark') {
      throw new HDInsightError(
        'InvalidInput',
        `${cluster.name} is a ${cluster.kind} cluster; streaming jobs run on a Spark cluster.`,
        'Choose a Spark cluster.',
      );
    }
    if (!isRunning(cluster)) {
      throw new HDInsightError('InvalidInput', `${cluster.name} is not running (state ${cluster.state}).`, 'Wait until it is Running.');
    }
    baseUrl = new URL('livy', gatewayUrl(cluster, lookup.settings.resourceManager.cloud.gatewaySuffix));
    loginTarget = target;
  } else {
    const { cluster } = target;
    if (!cluster.livyUrl) {
      throw new HDInsightError(
        'NotFound',
        `Linked cluster ${cluster.name} has no Livy URL.`,
        'Add livyUrl to it in the setting hdinsight.linkedClusters.',
      );
    }
    baseUrl = cluster.livyUrl;
    loginTarget = linkedLoginTarget(cluster);
  }
  const found = await lookup.logins.get(loginTarget, options);
  if (!found) throw new MissingLoginError(target.cluster.name);
  return { service: 'Livy', baseUrl, login: found.login, timeoutMs: 30_000 };
}
