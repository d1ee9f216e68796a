// The HDInsight cluster gateway (https://CLUSTER.azurehdinsight.net): one HTTPS listener per
// emulated cluster, HTTP Basic with the cluster login, and Ambari's REST API under /api/v1 with
// the answers broker discovery reads. A Kafka cluster's Ambari names a real broker; a Spark
// cluster's gateway serves Livy under /livy (see livy.ts) and, given a real YARN, YARN's REST and
// pages under /yarnui (see yarnui.ts).
import crypto from 'node:crypto';
import type { ResolvedClusterSpec } from './arm';
import type { LivyEmulator } from './livy';
import { Emulator, type EmulatorRequest, type EmulatorResponse, type TlsMaterial } from './server';
import { mountYarnUi, type YarnBinding } from './yarnui';

export interface KafkaBinding {
  /** host:port of each broker as the cluster's configuration names them. */
  brokers: { host: string; port: number }[];
  /** ZooKeeper hosts; three made-up internal names when absent. */
  zookeeper?: string[];
}

export interface GatewayOptions {
  /** Ambari's own name of the cluster; its case can differ from Resource Manager's. */
  ambariName?: string;
  kafka?: KafkaBinding;
  /** Leaves `listeners` out of kafka-broker's configuration (clients then assume 9092). */
  noListenersConfig?: boolean;
  /** Livy (on real Spark) under /livy, behind the gateway's Basic auth. */
  livy?: LivyEmulator;
  /**
   * The YARN behind /yarnui, or a function giving it (undefined while it is not running, for a
   * YARN started only when a test needs it). Without it /yarnui is not served (404).
   */
  yarn?: YarnBinding | (() => YarnBinding | undefined);
}

export class ClusterGateway {
  readonly emulator: Emulator;
  readonly ambariName: string;

  /** Without TLS material it serves plain http (loopback only, for unit tests). */
  constructor(
    tls: TlsMaterial | undefined,
    private readonly cluster: ResolvedClusterSpec,
    private readonly options: GatewayOptions = {},
  ) {
    this.emulator = new Emulator(tls);
    this.ambariName = options.ambariName ?? cluster.name;
    this.routes();
    options.livy?.mount(this.emulator, '/livy', (req) => this.authorized(req));
    const yarn = options.yarn;
    if (yarn) mountYarnUi(this.emulator, typeof yarn === 'function' ? yarn : () => yarn, (req) => this.authorized(req));
  }

  async start(): Promise<{ host: string; port: number }> {
    const url = new URL(await this.emulator.start());
    return { host: url.hostname, port: Number(url.port) };
  }

  stop(): Promise<void> {
    return this.emulator.stop();
  }

  private routes(): void {
    const api = (pattern: string, handler: (req: EmulatorRequest) => EmulatorResponse): void =>
      // Ambari paths are case-sensitive: a cluster name in the wrong case is not found.
      this.emulator.route('GET', new RegExp(`^/api/v1${pattern}$`), (req) => this.authorized(req) ?? handler(req));
    const href = (req: EmulatorRequest): string => `${this.emulator.url}${req.url.pathname}`;
    const name = this.ambariName;

    api('/clusters', (req) =>
      ok({ href: href(req), items: [{ href: `${href(req)}/${name}`, Clusters: { cluster_name: name, version: 'HDP-5.1' } }] }),
    );
    api('/clusters/(?<name>[^/]+)', (req) => {
      if (req.params.name !== name) return clusterNotFound(req.params.name);
      const tag = 'version1';
      return ok({
        href: href(req),
        Clusters: {
          cluster_name: name,
          version: 'HDP-5.1',
          desired_configs: this.options.kafka && !this.options.noListenersConfig ? { 'kafka-broker': { tag, version: 1 } } : {},
        },
      });
    });
    api('/clusters/(?<name>[^/]+)/configurations', (req) => {
      if (req.params.name !== name) return clusterNotFound(req.params.name);
      const type = req.url.searchParams.get('type');
      const items =
        type === 'kafka-broker' && this.options.kafka
          ? [
              {
                href: href(req),
                tag: req.url.searchParams.get('tag') ?? 'version1',
                type,
                version: 1,
                Config: { cluster_name: name },
                properties: {
                  listeners: `PLAINTEXT://localhost:${this.options.kafka.brokers[0].port}`,
                  'auto.create.topics.enable': 'true',
                },
              },
            ]
          : [];
      return ok({ href: href(req), items });
    });
    api('/clusters/(?<name>[^/]+)/services/(?<service>[^/]+)/components/(?<component>[^/]+)', (req) => {
      const { service, component } = req.params;
      if (req.params.name !== name) return clusterNotFound(req.params.name);
      const hosts = this.hostsOf(service, component);
      if (!hosts) {
        return {
          status: 404,
          body: {
            status: 404,
            message: `The requested resource doesn't exist: Service not found, clusterName=${name}, serviceName=${service}`,
          },
        };
      }
      return ok({
        href: href(req),
        ServiceComponentInfo: { cluster_name: name, component_name: component, service_name: service, state: 'STARTED' },
        host_components: hosts.map((host) => ({
          href: `${this.emulator.url}/api/v1/clusters/${name}/hosts/${host}/host_components/${component}`,
          HostRoles: { cluster_name: name, component_name: component, host_name: host },
        })),
      });
    });
  }

  private hostsOf(service: string, component: string): string[] | undefined {
    const kafka = this.options.kafka;
    if (service === 'KAFKA' && component === 'KAFKA_BROKER' && kafka) return kafka.brokers.map((b) => b.host);
    if (service === 'ZOOKEEPER' && component === 'ZOOKEEPER_SERVER') {
      return kafka?.zookeeper ?? [0, 1, 2].map((i) => `zk${i}-${this.cluster.name.slice(0, 6)}.internal.cloudapp.net`);
    }
    return undefined;
  }

  /** undefined when the request carries the cluster login; otherwise Ambari's 401 or 403. */
  private authorized(req: EmulatorRequest): EmulatorResponse | undefined {
    const header = req.headers.authorization ?? '';
    const match = /^Basic (.+)$/i.exec(header);
    if (!match) {
      return {
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="Ambari"' },
        body: { status: 401, message: 'Authentication required' },
      };
    }
    const [user, ...rest] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
    const password = rest.join(':');
    const expected = `${this.cluster.gatewayUsername}:${this.cluster.gatewayPassword}`;
    if (!constantTimeEqual(`${user}:${password}`, expected)) {
      return { status: 403, body: { status: 403, message: 'Unable to sign in. Invalid username/password combination.' } };
    }
    return undefined;
  }
}

function ok(body: unknown): EmulatorResponse {
  return { status: 200, body };
}

function clusterNotFound(name: string | undefined): EmulatorResponse {
  return { status: 404, body: { status: 404, message: `The requested resource doesn't exist: Cluster not found, clusterName=${name}` } };
}

function constantTimeEqual(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
