// Kafka broker and ZooKeeper discovery through Ambari's REST API on the cluster gateway.
// No vscode import: plain data in, plain data out, typed errors.
import { HDInsightError } from '../core/errors';
import { checkServiceUrl, requestJson, type GatewayLogin, type ServiceEndpoint } from '../core/http';

export type { GatewayLogin } from '../core/http';

export interface BrokerDiscovery {
  /** Ambari's exact-case name of the cluster. */
  clusterName: string;
  brokers: string[];
  /** The brokers joined by commas, as Kafka clients take them. */
  bootstrap: string;
  zookeeper: string[];
}

export interface AmbariOptions {
  /** Ambari's base URL: the cluster gateway, e.g. https://CLUSTER.azurehdinsight.net */
  baseUrl: URL;
  login: GatewayLogin;
  signal?: AbortSignal;
  /** Per request (default 20 s). */
  timeoutMs?: number;
}

/** Ambari knows no Kafka service on the cluster (a Spark or Hadoop cluster). */
export class NoKafkaError extends HDInsightError {
  constructor(cluster: string) {
    super('NotFound', `${cluster} runs no Kafka brokers.`, 'Choose a Kafka cluster.');
    this.name = 'NoKafkaError';
  }
}

const DEFAULT_BROKER_PORT = 9092;
const ZOOKEEPER_PORT = 2181;

export async function discoverBrokers(options: AmbariOptions): Promise<BrokerDiscovery> {
  const ambari = new Ambari(options);
  const clusters = await ambari.get<{ items?: { Clusters?: { cluster_name?: string } }[] }>('/api/v1/clusters');
  const clusterName = clusters.items?.[0]?.Clusters?.cluster_name;
  if (!clusterName) throw new HDInsightError('NotFound', `Ambari at ${options.baseUrl.host} lists no cluster.`);
  const base = `/api/v1/clusters/${encodeURIComponent(clusterName)}`;

  const brokerHosts = await ambari.componentHosts(`${base}/services/KAFKA/components/KAFKA_BROKER`, () => new NoKafkaError(clusterName));
  const port = await brokerPort(ambari, base);
  const zookeeperHosts = await ambari.componentHosts(`${base}/services/ZOOKEEPER/components/ZOOKEEPER_SERVER`, () => undefined);
  const brokers = brokerHosts.sort().map((host) => `${host}:${port}`);
  return {
    clusterName,
    brokers,
    bootstrap: brokers.join(','),
    zookeeper: zookeeperHosts.sort().map((host) => `${host}:${ZOOKEEPER_PORT}`),
  };
}

/** The port of the broker's listener, from the current kafka-broker configuration (9092 when it says nothing). */
async function brokerPort(ambari: Ambari, base: string): Promise<number> {
  const cluster = await ambari.get<{ Clusters?: { desired_configs?: Record<string, { tag?: string }> } }>(
    `${base}?fields=Clusters/desired_configs`,
  );
  const tag = cluster.Clusters?.desired_configs?.['kafka-broker']?.tag;
  if (!tag) return DEFAULT_BROKER_PORT;
  const config = await ambari.get<{ items?: { properties?: Record<string, string> }[] }>(
    `${base}/configurations?type=kafka-broker&tag=${encodeURIComponent(tag)}`,
  );
  const listeners = config.items?.[0]?.properties?.listeners ?? '';
  // e.g. "PLAINTEXT://localhost:9092,SASL_PLAINTEXT://localhost:9093": the first listener's port.
  const match = /:\/\/[^:,]*:(\d+)/.exec(listeners);
  return match ? Number(match[1]) : DEFAULT_BROKER_PORT;
}

class Ambari {
  private readonly endpoint: ServiceEndpoint;

  constructor(private readonly options: AmbariOptions) {
    this.endpoint = { service: 'Ambari', baseUrl: options.baseUrl, login: options.login, timeoutMs: options.timeoutMs };
    checkServiceUrl(this.endpoint);
  }

  async componentHosts(path: string, missing: () => HDInsightError | undefined): Promise<string[]> {
    try {
      const body = await this.get<{ host_components?: { HostRoles?: { host_name?: string } }[] }>(path);
      return (body.host_components ?? []).map((c) => c.HostRoles?.host_name).filter((h): h is string => !!h);
    } catch (err) {
      if (err instanceof HDInsightError && err.code === 'NotFound') {
        const replacement = missing();
        if (replacement) throw replacement;
        return [];
      }
      throw err;
    }
  }

  async get<T>(path: string): Promise<T> {
    return (await requestJson<T>(this.endpoint, 'GET', path, { signal: this.options.signal })).body;
  }
}
