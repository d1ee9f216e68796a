// Every topic of a cluster with its partition and message counts, in as few requests as Kafka
// allows: one Metadata request for all topics, then, to each leader, ListOffsets requests for the
// partitions' starts and ends, all at once. The work on the answers stays in short tasks, so a
// cluster with thousands of topics never holds the extension host's thread for long.
import type { TopicSummary } from './client';
import type { InternalCluster } from './internalCluster';

/** Partitions per ListOffsets request: kafkajs encodes each request and decodes each answer in one go. */
const PARTITIONS_PER_REQUEST = 500;
/** Topics summarised between two yields to the event loop. */
const TOPICS_PER_SLICE = 1_000;

/** ListOffsets timestamps meaning the start and the end of a partition, and its isolation level. */
const EARLIEST = -2;
const LATEST = -1;
const READ_COMMITTED = 1;

interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
}

interface TopicMetadata {
  topic: string;
  partitionMetadata: PartitionMetadata[];
}

/**
 * The broker pool inside kafkajs' Cluster: its refreshMetadata asks one broker for the metadata of
 * the topics named (all topics for none) and keeps the answer, and the brokers it names, for
 * findBroker. The Cluster's own metadata() asks twice on a fresh connection, and its
 * findLeaderForPartitions searches the whole metadata once per topic (quadratic in the topics).
 */
interface BrokerPool {
  refreshMetadata(topics: string[]): Promise<void>;
  metadata: { topicMetadata: TopicMetadata[] } | null;
}

/** Lets other callbacks (and the tree's drawing) run between slices of work. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function listAllTopics(
  cluster: InternalCluster,
  wanted: (topic: string) => boolean,
  isInternal: (topic: string) => boolean,
): Promise<TopicSummary[]> {
  const pool = (cluster as unknown as { brokerPool: BrokerPool }).brokerPool;
  await pool.refreshMetadata([]);
  const topics = (pool.metadata?.topicMetadata ?? []).filter((t) => wanted(t.topic));
  await yieldToLoop();

  // Per leader, its partitions, in requests of a bounded size.
  const byLeader = new Map<number, { topic: string; partitions: number[] }[][]>();
  const counts = new Map<number, number>();
  for (const t of topics) {
    for (const p of t.partitionMetadata) {
      // A partition without a leader has no offsets to ask for: the caller retries while it settles.
      if (p.leader < 0)
        throw Object.assign(new Error(`Partition ${p.partitionId} of ${t.topic} has no leader`), { type: 'LEADER_NOT_AVAILABLE' });
      let requests = byLeader.get(p.leader);
      if (!requests) byLeader.set(p.leader, (requests = [[]]));
      let count = counts.get(p.leader) ?? 0;
      if (count >= PARTITIONS_PER_REQUEST) {
        requests.push([]);
        count = 0;
      }
      const current = requests[requests.length - 1];
      const last = current[current.length - 1];
      if (last?.topic === t.topic) last.partitions.push(p.partitionId);
      else current.push({ topic: t.topic, partitions: [p.partitionId] });
      counts.set(p.leader, count + 1);
    }
  }
  // Per topic, its partitions' start and end offsets.
  const starts = new Map<string, number[]>();
  const ends = new Map<string, number[]>();
  const ask = async (nodeId: number, request: { topic: string; partitions: number[] }[], timestamp: number): Promise<void> => {
    const broker = await cluster.findBroker({ nodeId: String(nodeId) });
    const { responses } = await broker.listOffsets({
      isolationLevel: READ_COMMITTED,
      topics: request.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition, timestamp })) })),
    });
    const into = timestamp === EARLIEST ? starts : ends;
    for (const t of responses) {
      let offsets = into.get(t.topic);
      if (!offsets) into.set(t.topic, (offsets = []));
      for (const p of t.partitions) offsets[p.partition] = Number(p.offset);
    }
  };
  // Sent one after another (each encoded in its own task), answered all at once.
  // The first failure is kept (and thrown once all have answered): one failing while the rest are
  // still being sent must not go unhandled.
  const asked: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  for (const [nodeId, requests] of byLeader) {
    for (const request of requests) {
      for (const timestamp of [EARLIEST, LATEST]) {
        asked.push(ask(nodeId, request, timestamp).catch((error: unknown) => void (failure ??= { error })));
        await yieldToLoop();
      }
    }
  }
  await Promise.all(asked);
  if (failure) throw failure.error;

  const summaries: TopicSummary[] = [];
  for (let i = 0; i < topics.length; i++) {
    if (i > 0 && i % TOPICS_PER_SLICE === 0) await yieldToLoop();
    const t = topics[i];
    const start = starts.get(t.topic) ?? [];
    const end = ends.get(t.topic) ?? [];
    let messages = 0;
    for (const p of t.partitionMetadata) messages += (end[p.partitionId] ?? 0) - (start[p.partitionId] ?? 0);
    summaries.push({
      name: t.topic,
      partitions: t.partitionMetadata.length,
      replicationFactor: t.partitionMetadata[0]?.replicas.length ?? 0,
      messages,
      internal: isInternal(t.topic),
    });
  }
  await yieldToLoop();
  // A collator's compare orders as localeCompare does, without setting up the locale on each call.
  const { compare } = new Intl.Collator();
  return summaries.sort((x, y) => compare(x.name, y.name));
}
