// The facts the pre-flight of a streaming job checks against: the Spark cluster's network and
// versions, and the Kafka clusters whose brokers the extension knows. Taken from what the
// extension already holds (the cluster the command resolved, the brokers discovered in this
// window, linked clusters' settings); Resource Manager is asked again only for the Kafka clusters
// a job names, each within a bounded time, falling back to what was known. No vscode import.
import type { HDInsightCluster } from '../azure/model';
import type { KafkaClusterFacts, SparkClusterFacts } from '../preflight/streamingPreflight';
import type { ClusterLookup, ClusterTarget } from './ClusterTarget';
import type { KnownBrokers } from './knownBrokers';

/** How long refreshing one Kafka cluster's facts from Resource Manager may take. */
export const FACTS_TIMEOUT_MS = 4_000;

export function sparkFacts(target: ClusterTarget): SparkClusterFacts {
  if (target.kind === 'linked') return { name: target.cluster.name, source: 'linked' };
  const c = target.cluster;
  return {
    name: c.name,
    source: 'azure',
    virtualNetwork: c.network.virtualNetwork,
    subnet: c.network.subnet,
    location: c.location,
    sparkVersion: c.kind === 'spark' ? c.componentVersion : undefined,
    clusterVersion: c.clusterVersion,
  };
}

function kafkaFacts(target: ClusterTarget, brokers: string[]): KafkaClusterFacts {
  if (target.kind === 'linked') return { name: target.cluster.name, source: 'linked', brokers };
  const c = target.cluster;
  return {
    name: c.name,
    source: 'azure',
    brokers,
    virtualNetwork: c.network.virtualNetwork,
    subnet: c.network.subnet,
    location: c.location,
  };
}

/**
 * Every Kafka cluster whose brokers are known: discovered in this window (the latest discovery
 * first: when two clusters name the same brokers, the one the user just looked at), or a linked
 * cluster's list.
 */
export function knownKafkaClusters(
  lookup: ClusterLookup,
  known: KnownBrokers | undefined,
): { target: ClusterTarget; facts: KafkaClusterFacts }[] {
  const found = (known?.list() ?? [])
    .sort((a, b) => b.discoveredAt - a.discoveredAt)
    .map((k) => ({ target: k.target, facts: kafkaFacts(k.target, k.brokers) }));
  for (const linked of lookup.settings.linkedClusters.clusters) {
    if (!linked.kafkaBootstrap?.length) continue;
    if (found.some((f) => f.target.kind === 'linked' && f.target.cluster.name.toLowerCase() === linked.name.toLowerCase())) continue;
    const target: ClusterTarget = { kind: 'linked', cluster: linked };
    found.push({ target, facts: kafkaFacts(target, linked.kafkaBootstrap) });
  }
  return found;
}

/**
 * The facts of the Azure Kafka clusters `names` names, as Resource Manager has them now (a
 * network may have changed since discovery); what was known when an answer does not come in time.
 * Returns which ones could not be refreshed.
 */
export async function refreshKafkaFacts(
  lookup: ClusterLookup,
  clusters: { target: ClusterTarget; facts: KafkaClusterFacts }[],
  names: string[],
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ facts: KafkaClusterFacts[]; stale: string[] }> {
  const stale: string[] = [];
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const facts = await Promise.all(
    clusters.map(async ({ target, facts }) => {
      if (target.kind !== 'azure' || !wanted.has(facts.name.toLowerCase())) return facts;
      try {
        const fresh = await withTimeout(
          async (signal) => (await lookup.account.client()).getCluster(target.cluster.id, signal),
          options.timeoutMs ?? FACTS_TIMEOUT_MS,
          options.signal,
        );
        return kafkaFacts({ kind: 'azure', cluster: fresh }, facts.brokers);
      } catch (err) {
        if (options.signal?.aborted) throw err;
        stale.push(facts.name);
        return facts;
      }
    }),
  );
  return { facts, stale };
}

/** `run` with a signal aborted after `timeoutMs` (or by `outer`); rejects then even if `run` ignores its signal. */
async function withTimeout(
  run: (signal: AbortSignal) => Promise<HDInsightCluster>,
  timeoutMs: number,
  outer?: AbortSignal,
): Promise<HDInsightCluster> {
  const signal = outer ? AbortSignal.any([outer, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('Timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run(signal), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
