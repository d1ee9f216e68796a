import { gatewayUrl, isRunning } from '../azure/model';
import { HDInsightError } from '../core/errors';
import type { ServiceEndpoint } from '../core/http';
import { linkedLoginTarget } from '../core/linkedClusters';
import type { BrokerLookup } from './brokers';
import type { ClusterTarget } from './ClusterTarget';
import { MissingLoginError, type LoginTarget } from './logins';

/** Livy of a cluster: https://CLUSTER.azurehdinsight.net/livy with the cluster login, or a linked cluster's Livy URL. */
export async function livyEndpoint(
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
