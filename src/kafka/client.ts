import type { SocketFactory } from '../ssh/tunnel';

// What the extension asks of a Kafka cluster. The implementation (KafkajsService.ts) loads with
// kafkajs on first use, through the chunk src/chunks/kafka.ts; everything else sees only this interface.

export interface KafkaConnectionOptions {
  /** host:port of at least one broker. */
  brokers: string[];
  clientId?: string;
  /** Milliseconds to open a connection (kafkajs' 1 s default is too short through tunnels). */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * Milliseconds for a new client to connect and get its first answers from the brokers (twice
   * the connection timeout when absent): a broker that accepts connections but never answers
   * fails within this, not after kafkajs' retries of its request timeout.
   */
  answerTimeoutMs?: number;
  /** Reaches brokers some other way than a direct TCP connection (an SSH tunnel). */
  socketFactory?: SocketFactory;
}

export interface TopicSummary {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Messages currently held: end minus start offsets, over all partitions. */
  messages: number;
  internal: boolean;
}

export interface PartitionDetail {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  start: string;
  end: string;
}

export interface TopicConfigEntry {
  name: string;
  value: string | null;
  /** Not set on the topic itself (a broker or cluster default applies). */
  isDefault: boolean;
}

export interface NewTopic {
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs?: Record<string, string>;
}

export interface OutgoingMessage {
  key?: string | null;
  value: string | null;
  headers?: Record<string, string>;
  partition?: number;
}

export interface KafkaClusterInfo {
  brokers: { nodeId: number; host: string; port: number }[];
  controller: number | null;
  clusterId: string;
}

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  committed: string;
  end: string;
  lag: number;
}

export interface ConsumerGroup {
  groupId: string;
  state: string;
  protocolType: string;
  members: { memberId: string; clientId: string; clientHost: string }[];
  /** Total lag over the partitions the group has committed offsets for. */
  lag: number;
  partitions: GroupPartitionLag[];
}

/**
 * Where reading starts: the oldest messages, only new ones, the newest N, an offset (in every
 * chosen partition), a time (ms), or a position per partition (to page on, or to tail).
 */
export type BrowseFrom =
  'earliest' | 'latest' | 'newest' | { offset: number } | { timestamp: number } | { offsets: Record<number, string> };

export interface BrowseRequest {
  topic: string;
  /** All partitions when absent. */
  partitions?: number[];
  from: BrowseFrom;
  /**
   * At most this many messages (the caller caps it to bound memory), shared among the partitions
   * from their offsets (see StreamRequest.limit): only these are read.
   */
  limit: number;
  /** Per partition, the offset to stop before (to page back); the partition's end when absent. */
  until?: Record<number, string>;
  /** How many bytes of each value to keep (MAX_PREVIEW_BYTES when absent, and never more). */
  previewBytes?: number;
}

/** Where a stream stops: each partition's end when it starts, a time (ms: the messages before it), or an offset per partition. */
export type StreamTo = 'end' | { timestamp: number } | { offsets: Record<number, string> };

export interface StreamRequest {
  topic: string;
  /** All partitions when absent. */
  partitions?: number[];
  from: BrowseFrom;
  /** Each partition's end as the stream starts when absent (messages written later are not read). */
  to?: StreamTo;
  /**
   * At most this many messages, shared among the partitions from their offsets alone (before any
   * is fetched): each partition gets an equal share, and a share a partition cannot fill goes to
   * the others. With "newest" each partition's share is its newest messages. Unlimited when absent.
   */
  limit?: number;
  /**
   * Reads over a connection of its own, closed when the stream ends (a long read then neither
   * waits behind nor delays the service's other requests, and cancelling it closes its sockets).
   */
  dedicated?: boolean;
}

/** A message as fetched: its bytes as they are (see decode.ts for text). */
export interface StreamedMessage {
  partition: number;
  offset: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** The first value of each header. */
  headers: Record<string, Buffer>;
}

/**
 * Messages as the brokers give them, a batch per Fetch round, in offset order within each
 * partition. Back-pressure: a Fetch round (at most 1 MB per broker) is sent only when the
 * consumer asks for the next batch, so however slowly the batches are taken nothing is read
 * ahead of it. Aborting the signal ends it with a CancelledError and closes its own connection.
 */
export interface MessageStream extends AsyncIterable<StreamedMessage[]> {
  /** Fetch requests sent so far. */
  readonly fetches: number;
  /** Messages fetched and not yet taken by the consumer. */
  readonly buffered: number;
  /** The most messages ever waiting at once. */
  readonly maxBuffered: number;
  /** How many messages the stream reads at most (known once it has planned its read: after its first batch). */
  readonly planned: number | undefined;
}

/** The most of a value a read keeps: a larger value is previewed, never held whole. */
export const MAX_PREVIEW_BYTES = 256 * 1024;

/** How bytes were turned into the text of a key, value or header: as UTF-8 text, or as hex when they are not UTF-8. */
export type Encoding = 'utf8' | 'hex';

export interface BrowsedMessage {
  partition: number;
  offset: string;
  /** ISO 8601 */
  timestamp: string;
  key: string | null;
  /** "hex" when the key's bytes are not UTF-8 text ("utf8" for no key). */
  keyEncoding: Encoding;
  value: string | null;
  /** "hex" when the bytes are not UTF-8 text. */
  valueEncoding: Encoding;
  /** Size of the whole value in bytes; `value` holds at most the preview. */
  valueSize: number;
  /** `value` is the start of a longer value (see `valueSize`). */
  truncated: boolean;
  /** Header values as text (hex when not UTF-8; see `headerEncodings`). */
  headers: Record<string, string>;
  /** Per header name, how its value in `headers` was written: "hex" when its bytes are not UTF-8 text. */
  headerEncodings: Record<string, Encoding>;
}

export interface KafkaService {
  describeCluster(signal?: AbortSignal): Promise<KafkaClusterInfo>;
  listTopics(options: { includeInternal: boolean }, signal?: AbortSignal): Promise<TopicSummary[]>;
  describeTopic(topic: string, signal?: AbortSignal): Promise<{ partitions: PartitionDetail[]; configs: TopicConfigEntry[] }>;
  /** Consumer groups with their state, members and lag, in a bounded number of requests. */
  listGroups(signal?: AbortSignal): Promise<ConsumerGroup[]>;
  /** Reads messages without joining a consumer group or committing anything. */
  browse(request: BrowseRequest, signal?: AbortSignal): Promise<BrowsedMessage[]>;
  /** Reads as a stream of batches with back-pressure (see MessageStream), without a group. */
  stream(request: StreamRequest, signal?: AbortSignal): MessageStream;
  createTopic(topic: NewTopic, signal?: AbortSignal): Promise<void>;
  deleteTopic(topic: string, signal?: AbortSignal): Promise<void>;
  /** Writes the messages; returns where each landed, in order. */
  produce(topic: string, messages: OutgoingMessage[], signal?: AbortSignal): Promise<{ partition: number; offset: string }[]>;
  /** Each partition's latest offset (the next offset to be written), by partition: one ListOffsets per leader. */
  latestOffsets(topic: string, signal?: AbortSignal): Promise<Map<number, number>>;
  close(): Promise<void>;
}
