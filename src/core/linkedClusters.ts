// Linked clusters: clusters outside the user's Azure account, reached by their own addresses.
// Their settings are validated here; passwords never live in settings.
import { HDInsightError, userMessage } from './errors';
import { parseBootstrap, parseServiceUrl } from './urls';

export interface LinkedClusterSettings {
  name: string;
  ambariUrl?: string;
  livyUrl?: string;
  kafkaBootstrap?: string;
  sshHost?: string;
  sshPort?: number;
  username?: string;
}

export interface LinkedCluster {
  name: string;
  ambariUrl?: URL;
  livyUrl?: URL;
  kafkaBootstrap?: string[];
  ssh?: { host: string; port: number };
  username?: string;
}

export interface LinkedClusterProblem {
  /** The entry's name, or its position when it has none. */
  entry: string;
  message: string;
}

export function parseLinkedClusters(raw: unknown): { clusters: LinkedCluster[]; problems: LinkedClusterProblem[] } {
  const clusters: LinkedCluster[] = [];
  const problems: LinkedClusterProblem[] = [];
  if (raw === undefined || raw === null) return { clusters, problems };
  if (!Array.isArray(raw)) {
    problems.push({ entry: 'hdinsight.linkedClusters', message: 'The setting must be a list of clusters.' });
    return { clusters, problems };
  }
  const seen = new Set<string>();
  raw.forEach((item: unknown, index) => {
    const fallbackName = `entry ${index + 1}`;
    try {
      const cluster = parseLinkedCluster(item);
      if (seen.has(cluster.name.toLowerCase())) {
        throw new HDInsightError('InvalidSettings', `The name "${cluster.name}" is used twice.`, 'Give each linked cluster its own name.');
      }
      seen.add(cluster.name.toLowerCase());
      clusters.push(cluster);
    } catch (err) {
      const name = isRecord(item) && typeof item.name === 'string' && item.name.trim() ? item.name.trim() : fallbackName;
      problems.push({ entry: name, message: userMessage(err) });
    }
  });
  return { clusters, problems };
}

function parseLinkedCluster(item: unknown): LinkedCluster {
  if (!isRecord(item)) throw new HDInsightError('InvalidSettings', 'Each linked cluster must be an object with a name.');
  const name = typeof item.name === 'string' ? item.name.trim() : '';
  if (!name) throw new HDInsightError('InvalidSettings', 'A linked cluster has no name.', 'Add "name" to the entry.');
  const text = (key: keyof LinkedClusterSettings): string | undefined => {
    const value = item[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new HDInsightError('InvalidSettings', `"${key}" must be a string.`);
    return value;
  };
  const cluster: LinkedCluster = { name };
  const ambari = text('ambariUrl');
  if (ambari) cluster.ambariUrl = parseServiceUrl(ambari, 'The Ambari URL');
  const livy = text('livyUrl');
  if (livy) cluster.livyUrl = parseServiceUrl(livy, 'The Livy URL');
  const bootstrap = text('kafkaBootstrap');
  if (bootstrap) cluster.kafkaBootstrap = parseBootstrap(bootstrap);
  const sshHost = text('sshHost');
  if (sshHost) {
    const port = item.sshPort ?? 22;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new HDInsightError('InvalidSettings', `"sshPort" must be a port number between 1 and 65535.`);
    }
    cluster.ssh = { host: sshHost, port };
  }
  const username = text('username');
  if (username) cluster.username = username;
  if (!cluster.ambariUrl && !cluster.livyUrl && !cluster.kafkaBootstrap) {
    throw new HDInsightError('InvalidSettings', 'It has no address.', 'Add ambariUrl, livyUrl or kafkaBootstrap.');
  }
  return cluster;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whose stored login: a linked cluster, with the origins its login goes to. */
export interface LinkedLoginTarget {
  kind: 'linked';
  name: string;
  username?: string;
  origins: string[];
}

/** The login target of a linked cluster as its settings are now. */
export function linkedLoginTarget(cluster: LinkedCluster): LinkedLoginTarget {
  return { kind: 'linked', name: cluster.name, username: cluster.username, origins: loginOrigins(cluster) };
}

/**
 * Where a linked cluster's login is sent: the origins (scheme://host:port) of its Ambari and Livy.
 * The stored login is bound to them; any other origin gets it only after the user enters it again.
 */
export function loginOrigins(cluster: Pick<LinkedCluster, 'ambariUrl' | 'livyUrl'>): string[] {
  const origins = [cluster.ambariUrl, cluster.livyUrl].filter((u): u is URL => u !== undefined).map((u) => u.origin);
  return [...new Set(origins)].sort();
}
