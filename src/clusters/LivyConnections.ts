// Livy of a cluster for the jobs and the tree: its address and login, and Livy's code (client, job
// following, submission), which loads on first use from its own bundle (dist/chunks/livy.js): most
// sessions never submit a job. No vscode import.
import type * as livyChunk from '../chunks/livy';
import { gatewayUrl, isRunning } from '../azure/model';
import { HDInsightError } from '../core/errors';
import type { ServiceEndpoint } from '../core/http';
import { linkedLoginTarget } from '../core/linkedClusters';
import type { DriverLogSource } from '../livy/driverLog';
import type { LivyClient } from '../livy/LivyClient';
import type { BrokerLookup } from './brokers';
import type { ClusterTarget } from './ClusterTarget';
import { MissingLoginError, type LoginTarget } from './logins';

/** Livy's client, job and submission code, as its lazy bundle exports them. */
export type LivyCode = typeof livyChunk;

/** The driver's log reader in Livy's bundle (livy/yarnDriverLog.ts): `{gateway}/yarnui/` with the cluster login, an application. */

/** What a job of the cluster reads: Livy, and the driver's log from YARN through the gateway, or why not. */
export interface JobAccess {
  livy: LivyClient;
  driverLog?: (appId: string, driverLogUrl?: string) => DriverLogSource;
  /** Without `driverLog`: why the job output shows only Livy's log. */
  noDriverLog?: string;
}

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

  /**
   * Livy's client for a job, and how the job reads its driver's log: through the gateway's
   * `/yarnui/` with the cluster login, where Livy is an HDInsight gateway's `/livy`.
   */
  async job(target: ClusterTarget, options: { interactive: boolean; signal?: AbortSignal }): Promise<JobAccess> {
    const endpoint = await livyEndpoint(target, this.lookup, options);
    const code = await this.code();
    const livy = new code.LivyClient(endpoint);
    const yarn = yarnEndpoint(endpoint);
    if (!yarn) {
      return {
        livy,
        noDriverLog:
          `Only Livy's log is shown: the driver's own output is in YARN's container logs, which are read through an HDInsight ` +
          `cluster gateway (https://CLUSTER.azurehdinsight.net/livy), and ${target.cluster.name}'s Livy URL ${endpoint.baseUrl.href} is not one.`,
      };
    }
    return { livy, driverLog: (appId, driverLogUrl) => new code.YarnDriverLog(yarn, appId, { driverLogUrl }) };
  }
}

/**
 * YARN's web UI and REST through the gateway whose `/livy` `livy` is (an HDInsight cluster's, as
 * the Azure clusters' always is): `{gateway}/yarnui/` with the same login. Undefined for a Livy
 * reached some other way (a linked cluster's own Livy server).
 */
export function yarnEndpoint(livy: ServiceEndpoint): ServiceEndpoint | undefined {
  const { baseUrl } = livy;
  const path = baseUrl.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/livy') || baseUrl.search || baseUrl.hash) return undefined;
  const base = new URL(baseUrl.href);
  base.pathname = `${path.slice(0, -'livy'.length)}yarnui/`;
  return { service: 'YARN', baseUrl: base, login: livy.login, timeoutMs: livy.timeoutMs };
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
