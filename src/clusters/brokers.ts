import type { BrokerDiscovery } from '../ambari/discovery';
import { gatewayUrl, isRunning } from '../azure/model';
import { HDInsightError } from '../core/errors';
import { linkedLoginTarget } from '../core/linkedClusters';
import type { ClusterLookup, ClusterTarget } from './ClusterTarget';
import type { KnownBrokers } from './knownBrokers';
import { MissingLoginError, type ClusterLoginStore, type LoginTarget } from './logins';

export interface BrokerLookup extends ClusterLookup {
  logins: ClusterLoginStore;
  /** Remembers what was discovered, for the pre-flight of streaming jobs. */
  knownBrokers?: KnownBrokers;
}

/**
 * The Kafka brokers of a cluster: from Ambari on the cluster gateway, with the cluster login;
 * for a linked cluster without Ambari, the bootstrap list it was linked with.
 */
export async function findBrokers(
  target: ClusterTarget,
  lookup: BrokerLookup,
  options: { interactive: boolean; signal?: AbortSignal },
): Promise<BrokerDiscovery> {
  let baseUrl: URL;
  let loginTarget: LoginTarget;
  if (target.kind === 'azure') {
    const { cluster } = target;
    if (!isRunning(cluster)) {
      throw new HDInsightError('InvalidInput', `${cluster.name} is not running (state ${cluster.state}).`, 'Wait until it is Running.');
    }
    baseUrl = gatewayUrl(cluster, lookup.settings.resourceManager.cloud.gatewaySuffix);
    loginTarget = target;
  } else {
    const { cluster } = target;
    if (!cluster.ambariUrl) {
      if (cluster.kafkaBootstrap) {
        lookup.knownBrokers?.record(target, cluster.kafkaBootstrap);
        return { clusterName: cluster.name, brokers: cluster.kafkaBootstrap, bootstrap: cluster.kafkaBootstrap.join(','), zookeeper: [] };
      }
      throw new HDInsightError(
        'NotFound',
        `Linked cluster ${cluster.name} has neither an Ambari URL nor Kafka brokers.`,
        'Add ambariUrl or kafkaBootstrap to the setting hdinsight.linkedClusters.',
      );
    }
    baseUrl = cluster.ambariUrl;
    loginTarget = linkedLoginTarget(cluster);
  }
  const found = await lookup.logins.get(loginTarget, options);
  if (!found) throw new MissingLoginError(target.cluster.name);
  const { discoverBrokers } = await import('../chunks/ambari');
  const discovered = await discoverBrokers({ baseUrl, login: found.login, signal: options.signal });
  lookup.knownBrokers?.record(target, discovered.brokers);
  return discovered;
}

/** The cluster's Ambari says it runs no Kafka (by name: lazy chunks have their own copy of the class). */
export function isNoKafka(err: unknown): boolean {
  return err instanceof HDInsightError && err.name === 'NoKafkaError';
}
