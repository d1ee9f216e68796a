// kafkajs' own Cluster object, reached through a private factory of the Kafka client: what the
// offsets of many partitions and the group-less reads of messages are made of.
import type { Kafka } from 'kafkajs';

/** A message as a Fetch response holds it. */
export interface FetchedMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[] | undefined>;
}

/**
 * kafkajs' own Cluster object, as its admin client uses internally. Its public admin API asks
 * for offsets one topic at a time; the Cluster groups any number of partitions by leader into one
 * ListOffsets request per broker. kafkajs 2.2.4 is its last release, so this internal is stable.
 */
export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning?: boolean; fromTimestamp?: number; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(options: { nodeId: string }): Promise<{
    listOffsets(request: {
      isolationLevel: number;
      topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[];
    }): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string }[] }[] }>;
    fetch(request: {
      maxWaitTime: number;
      minBytes: number;
      maxBytes: number;
      isolationLevel: number;
      topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
    }): Promise<{ responses: { topicName: string; partitions: { partition: number; messages: FetchedMessage[] }[] }[] }>;
  }>;
}

export function internalCluster(kafka: Kafka): InternalCluster {
  const create = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!create) throw new Error('kafkajs no longer has the cluster factory this extension relies on');
  const factory = (kafka as unknown as Record<symbol, (options: { metadataMaxAge: number }) => InternalCluster>)[create];
  return factory({ metadataMaxAge: 300_000 });
}
