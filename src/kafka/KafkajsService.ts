// The Kafka service on kafkajs: topics, consumer groups, reads without a group and writes, over
// direct connections or an SSH tunnel. kafkajs loads with it, on first use (the chunk
// src/chunks/kafka.ts, its own bundle dist/chunks/kafka.js); everything else sees KafkaService.
import { type Admin, ConfigResourceTypes, ConfigSource, type ISocketFactory, Kafka, logLevel, type Producer } from 'kafkajs';
import { CancelledError, HDInsightError, throwIfAborted } from '../core/errors';
import { Limiter } from '../core/limiter';
import type {
  BrowsedMessage,
  BrowseRequest,
  ConsumerGroup,
  KafkaClusterInfo,
  KafkaConnectionOptions,
  KafkaService,
  MessageStream,
  NewTopic,
  OutgoingMessage,
  PartitionDetail,
  StreamedMessage,
  StreamRequest,
  TopicConfigEntry,
  TopicSummary,
} from './client';
import { MAX_PREVIEW_BYTES } from './client';
import { toBrowsed } from './decode';
import { NoAnswerError, toKafkaError } from './errors';
import { type InternalCluster, internalCluster } from './internalCluster';
import { listAllTopics } from './listTopics';
import { fetchMessages, planRead, SETTLING, type StreamState } from './readMessages';
import { watchSockets } from './watchSockets';

/** A new kafkajs service: what KafkaConnections loads from the chunk. */
export function createKafkaService(options: KafkaConnectionOptions): KafkaService {
  return new KafkajsService(options);
}

export class KafkajsService implements KafkaService {
  private readonly sockets: ReturnType<typeof watchSockets>;
  private readonly kafka: Kafka;
  /**
   * A client must be connected, and the brokers must have answered its first requests, within
   * this long. kafkajs alone waits its whole request timeout (30 s) on a broker that accepts
   * connections but never answers (a wrong port, a proxy, a hung broker), retries, and then
   * says only "Broker not connected".
   */
  private readonly answerMs: number;
  private readonly limiter = new Limiter(8);
  private offsetsCluster: Promise<InternalCluster> | undefined;
  private admin: Promise<Admin> | undefined;
  private producer: Promise<Producer> | undefined;
  /** Closes the connections of the streams reading over their own. */
  private readonly streams = new Set<() => void>();

  constructor(private readonly options: KafkaConnectionOptions) {
    const connectionTimeoutMs = options.connectionTimeoutMs ?? 5_000;
    this.sockets = watchSockets(options.socketFactory);
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'vscode-hdinsight-streaming',
      brokers: options.brokers,
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      // Enough for a topic created a moment ago to reach the metadata; bounded when brokers are down.
      retry: { retries: 4, initialRetryTime: 250, maxRetryTime: 2_000 },
      logLevel: logLevel.NOTHING,
      socketFactory: this.sockets.factory as unknown as ISocketFactory,
    });
    this.answerMs = options.answerTimeoutMs ?? 2 * connectionTimeoutMs;
  }

  describeCluster(signal?: AbortSignal): Promise<KafkaClusterInfo> {
    return this.call('Reading the Kafka cluster', signal, async (a) => {
      const info = await a.describeCluster();
      return {
        brokers: info.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
        controller: info.controller,
        clusterId: info.clusterId,
      };
    });
  }

  listTopics({ includeInternal }: { includeInternal: boolean }, signal?: AbortSignal): Promise<TopicSummary[]> {
    return this.call('Listing the topics', signal, () =>
      // A topic deleted a moment ago can still be in the metadata while its partitions are gone.
      retryWhileTopicsSettle(
        async () => listAllTopics(await this.getOffsetsCluster(), (t) => includeInternal || !isInternal(t), isInternal),
        this.getOffsetsCluster,
      ),
    );
  }

  describeTopic(topic: string, signal?: AbortSignal): Promise<{ partitions: PartitionDetail[]; configs: TopicConfigEntry[] }> {
    return this.call(`Reading topic ${topic}`, signal, async (a) => {
      const [{ topics }, offsets, configs] = await Promise.all([
        a.fetchTopicMetadata({ topics: [topic] }),
        a.fetchTopicOffsets(topic),
        a.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false }),
      ]);
      const partitions = (topics[0]?.partitions ?? [])
        .map((p) => {
          const o = offsets.find((x) => x.partition === p.partitionId);
          return {
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            start: o?.low ?? '0',
            end: o?.high ?? '0',
          };
        })
        .sort((x, y) => x.partition - y.partition);
      const entries = configs.resources[0]?.configEntries ?? [];
      return {
        partitions,
        configs: entries
          // Kafka 4.1+ sets cluster-wide dynamic defaults (min.insync.replicas) that are not the topic's own.
          .map((e) => ({
            name: e.configName,
            value: e.isSensitive ? null : e.configValue,
            isDefault: e.configSource !== ConfigSource.TOPIC_CONFIG,
          }))
          .sort((x, y) => x.name.localeCompare(y.name)),
      };
    });
  }

  listGroups(signal?: AbortSignal): Promise<ConsumerGroup[]> {
    return this.call('Listing the consumer groups', signal, async (a) => {
      const { groups } = await a.listGroups();
      if (groups.length === 0) return [];
      const [{ groups: described }, committed] = await Promise.all([
        a.describeGroups(groups.map((g) => g.groupId)),
        // One OffsetFetch per group (all its topics at once).
        Promise.all(groups.map((g) => this.limiter.run(() => a.fetchOffsets({ groupId: g.groupId }), signal))),
      ]);
      // A group can still hold offsets of a topic deleted a moment ago: leave those out.
      const { topics: existing } = await a.fetchTopicMetadata();
      const live = new Set(existing.map((t) => t.name));
      const partitions = committed.flatMap((topics) =>
        topics.filter((t) => live.has(t.topic)).flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition }))),
      );
      const unique = [...new Map(partitions.map((p) => [`${p.topic}/${p.partition}`, p])).values()];
      const ends = await retryWhileTopicsSettle(() => this.partitionOffsets(unique, false), this.getOffsetsCluster);
      return groups
        .map((g, i): ConsumerGroup => {
          const d = described.find((x) => x.groupId === g.groupId);
          const lags = committed[i]
            .filter((t) => live.has(t.topic))
            .flatMap((t) =>
              t.partitions
                .filter((p) => Number(p.offset) >= 0)
                .map((p) => {
                  const end = ends.get(`${t.topic}/${p.partition}`) ?? p.offset;
                  return {
                    topic: t.topic,
                    partition: p.partition,
                    committed: p.offset,
                    end,
                    lag: Math.max(0, Number(end) - Number(p.offset)),
                  };
                }),
            );
          lags.sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
          return {
            groupId: g.groupId,
            state: d?.state ?? 'Unknown',
            protocolType: g.protocolType,
            members: (d?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
            lag: lags.reduce((sum, p) => sum + p.lag, 0),
            partitions: lags,
          };
        })
        .sort((x, y) => x.groupId.localeCompare(y.groupId));
    });
  }

  async browse(request: BrowseRequest, signal?: AbortSignal): Promise<BrowsedMessage[]> {
    const preview = Math.max(0, Math.min(request.previewBytes ?? MAX_PREVIEW_BYTES, MAX_PREVIEW_BYTES));
    const { topic, partitions, from, limit, until } = request;
    const messages: BrowsedMessage[] = [];
    for await (const batch of this.stream({ topic, partitions, from, limit, to: until ? { offsets: until } : 'end' }, signal)) {
      for (const m of batch) messages.push(toBrowsed(m, preview));
    }
    return messages.sort(
      (x, y) =>
        Date.parse(x.timestamp) - Date.parse(y.timestamp) || x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset)),
    );
  }

  stream(request: StreamRequest, signal?: AbortSignal): MessageStream {
    const state: StreamState = { fetches: 0, buffered: 0, maxBuffered: 0, planned: undefined };
    const batches = this.streamBatches(request, state, signal);
    return {
      [Symbol.asyncIterator]: () => batches,
      get fetches() {
        return state.fetches;
      },
      get buffered() {
        return state.buffered;
      },
      get maxBuffered() {
        return state.maxBuffered;
      },
      get planned() {
        return state.planned;
      },
    };
  }

  private async *streamBatches(request: StreamRequest, state: StreamState, signal?: AbortSignal): AsyncGenerator<StreamedMessage[]> {
    const { topic } = request;
    let own: InternalCluster | undefined;
    // Cancelling closes a stream's own sockets at once, even while its consumer holds a batch.
    const close = (): void => void own?.disconnect().catch(() => undefined);
    signal?.addEventListener('abort', close, { once: true });
    if (request.dedicated) this.streams.add(close);
    try {
      throwIfAborted(signal);
      const admin = await this.getAdmin();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const all = (topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((x, y) => x - y);
      const wanted = request.partitions ?? all;
      const unknown = wanted.filter((p) => !all.includes(p));
      if (unknown.length > 0) {
        throw new HDInsightError('InvalidInput', `${topic} has no partition ${unknown.join(', ')} (it has ${all.length}).`);
      }
      let cluster: InternalCluster;
      if (request.dedicated) {
        const fresh = internalCluster(this.kafka);
        own = fresh;
        cluster = await this.establish(
          () => fresh.connect().then(() => fresh),
          () => fresh.disconnect(),
        );
        throwIfAborted(signal);
        await cluster.addMultipleTargetTopics([topic]);
      } else {
        cluster = await this.getOffsetsCluster();
      }
      // A topic created a moment ago may not be in every broker's metadata yet.
      const plan = await retryWhileTopicsSettle(
        async () => planRead(await this.getOffsetsCluster(), request, wanted, this.partitionOffsets),
        this.getOffsetsCluster,
      );
      state.planned = [...plan.values()].reduce((sum, r) => sum + Number(r.end - r.next), 0);
      yield* fetchMessages(cluster, topic, plan, state, signal);
    } catch (err) {
      if (signal?.aborted) throw new CancelledError();
      throw toKafkaError(err, `Reading ${topic}`, this.options.brokers);
    } finally {
      signal?.removeEventListener('abort', close);
      this.streams.delete(close);
      if (own) await own.disconnect().catch(() => undefined);
    }
  }

  latestOffsets(topic: string, signal?: AbortSignal): Promise<Map<number, number>> {
    return this.call(`Reading the latest offsets of ${topic}`, signal, async (a) => {
      const offsets = await a.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    });
  }

  createTopic({ topic, partitions, replicationFactor, configs }: NewTopic, signal?: AbortSignal): Promise<void> {
    return this.call(`Creating topic ${topic}`, signal, async (a) => {
      // kafkajs' own wait for the leaders gives up when the broker does not know the new topic yet
      // (a busy KRaft broker answers so for a moment), though the topic was created.
      const created = await a.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor,
            configEntries: Object.entries(configs ?? {}).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      if (!created) throw Object.assign(new Error('Topic already exists'), { type: 'TOPIC_ALREADY_EXISTS' });
      for (let attempt = 1; ; attempt++) {
        try {
          const { topics } = await a.fetchTopicMetadata({ topics: [topic] });
          if (topics[0]?.partitions.length === partitions && topics[0].partitions.every((p) => p.leader >= 0)) return;
        } catch (err) {
          if (!SETTLING.has((err as { type?: string }).type ?? '')) throw err;
        }
        if (attempt >= 100) throw Object.assign(new Error('Timed out while waiting for topic leaders'), { type: 'LEADER_NOT_AVAILABLE' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
  }

  deleteTopic(topic: string, signal?: AbortSignal): Promise<void> {
    return this.call(`Deleting topic ${topic}`, signal, async (a) => {
      await a.deleteTopics({ topics: [topic] });
      // Deletion completes in the background: wait (briefly) until the metadata no longer lists it.
      for (let i = 0; i < 40 && (await a.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 250));
      // kafkajs clients keep the topics they used in their metadata, and a topic that no longer
      // exists makes every later metadata refresh fail: start them afresh.
      await this.forgetTopics();
    });
  }

  async produce(topic: string, messages: OutgoingMessage[], signal?: AbortSignal): Promise<{ partition: number; offset: string }[]> {
    throwIfAborted(signal);
    try {
      this.producer ??= this.connected(this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false }));
      this.producer.catch(() => (this.producer = undefined));
      const p = await this.producer;
      const written: { partition: number; offset: string }[] = [];
      // One at a time: each message's own partition and offset, in order.
      for (const m of messages) {
        throwIfAborted(signal);
        const [meta] = await p.send({
          topic,
          messages: [{ key: m.key ?? null, value: m.value, headers: m.headers, partition: m.partition }],
        });
        written.push({ partition: meta.partition, offset: meta.baseOffset ?? '0' });
      }
      return written;
    } catch (err) {
      await this.forgetTopics(); // a topic deleted elsewhere would keep failing this producer
      throw toKafkaError(err, `Producing to ${topic}`, this.options.brokers);
    }
  }

  async close(): Promise<void> {
    for (const close of this.streams) close();
    const closing = [this.admin, this.producer, this.offsetsCluster].filter(
      (c): c is Promise<Admin> | Promise<Producer> | Promise<InternalCluster> => !!c,
    );
    this.admin = this.producer = this.offsetsCluster = undefined;
    await Promise.all(closing.map(async (c) => (await c.catch(() => undefined))?.disconnect()));
  }

  private async establish<T>(connect: () => Promise<T>, disconnect: () => Promise<void>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NoAnswerError(this.answerMs, this.sockets.silent(), this.sockets.lastError())), this.answerMs);
    });
    try {
      return await Promise.race([connect(), deadline]);
    } catch (err) {
      if (err instanceof NoAnswerError) void disconnect().catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private readonly getOffsetsCluster = (): Promise<InternalCluster> => {
    if (!this.offsetsCluster) {
      const cluster = internalCluster(this.kafka);
      this.offsetsCluster = this.establish(
        () => cluster.connect().then(() => cluster),
        () => cluster.disconnect(),
      );
    }
    this.offsetsCluster.catch(() => (this.offsetsCluster = undefined));
    return this.offsetsCluster;
  };

  /**
   * Offsets of many partitions at once: one ListOffsets request per leader broker, not one per
   * topic. (kafkajs' own Cluster.fetchTopicsOffset merges its answers in quadratic time: 12 s for
   * 5,000 topics; this takes a fraction of a second.)
   */
  private readonly partitionOffsets = async (
    partitions: { topic: string; partition: number }[],
    fromBeginning: boolean,
  ): Promise<Map<string, string>> => {
    const result = new Map<string, string>();
    if (partitions.length === 0) return result;
    const cluster = await this.getOffsetsCluster();
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) {
      const ids = byTopic.get(topic);
      if (ids) ids.push(partition);
      else byTopic.set(topic, [partition]);
    }
    await cluster.addMultipleTargetTopics([...byTopic.keys()]);
    const byLeader = new Map<string, { topic: string; partitions: { partition: number; timestamp: number }[] }[]>();
    for (const [topic, ids] of byTopic) {
      for (const [nodeId, leading] of Object.entries(cluster.findLeaderForPartitions(topic, ids))) {
        const topics = byLeader.get(nodeId) ?? [];
        topics.push({ topic, partitions: leading.map((partition) => ({ partition, timestamp: fromBeginning ? EARLIEST : LATEST })) });
        byLeader.set(nodeId, topics);
      }
    }
    await Promise.all(
      [...byLeader].map(async ([nodeId, topics]) => {
        const broker = await cluster.findBroker({ nodeId });
        const { responses } = await broker.listOffsets({ isolationLevel: READ_COMMITTED, topics });
        for (const t of responses) for (const p of t.partitions) result.set(`${t.topic}/${p.partition}`, p.offset);
      }),
    );
    return result;
  };

  private connected<T extends Admin | Producer>(client: T): Promise<T> {
    return this.establish(
      () => client.connect().then(() => client),
      () => client.disconnect(),
    );
  }

  private getAdmin(): Promise<Admin> {
    this.admin ??= this.connected(this.kafka.admin());
    this.admin.catch(() => (this.admin = undefined));
    return this.admin;
  }

  private async call<T>(what: string, signal: AbortSignal | undefined, task: (admin: Admin) => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    try {
      const result = await task(await this.getAdmin());
      throwIfAborted(signal);
      return result;
    } catch (err) {
      throw toKafkaError(err, what, this.options.brokers);
    }
  }

  private async forgetTopics(): Promise<void> {
    const stale = [this.producer, this.offsetsCluster].filter((c): c is Promise<Producer> | Promise<InternalCluster> => !!c);
    this.producer = this.offsetsCluster = undefined;
    await Promise.all(stale.map(async (c) => (await c.catch(() => undefined))?.disconnect()));
  }
}

/** ListOffsets timestamps meaning the start and the end of a partition, and its isolation level. */
const EARLIEST = -2;
const LATEST = -1;
const READ_COMMITTED = 1;

/** Runs `task` again (up to three times) while the brokers still answer for topics just created or deleted. */
async function retryWhileTopicsSettle<T>(task: () => Promise<T>, cluster: () => Promise<InternalCluster>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      if (attempt >= 3 || !SETTLING.has((err as { type?: string }).type ?? '')) throw err;
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      await (await cluster()).refreshMetadata();
    }
  }
}

function isInternal(topic: string): boolean {
  return topic.startsWith('__') || topic.startsWith('_confluent');
}
