// kafkajs, loaded on first use (its own bundle, dist/chunks/kafka.js).
import net from 'node:net';
import { type Admin, ConfigResourceTypes, ConfigSource, type ISocketFactory, Kafka, logLevel, type Producer } from 'kafkajs';
import { HDInsightError, throwIfAborted } from '../core/errors';
import { Limiter } from '../core/limiter';
import {
  type BrowsedMessage,
  type BrowseRequest,
  type ConsumerGroup,
  type Encoding,
  type KafkaConnectionOptions,
  type KafkaService,
  MAX_PREVIEW_BYTES,
  type TopicSummary,
} from './client';
import { NoAnswerError, toKafkaError } from './errors';
import type { SocketFactory } from '../ssh/tunnel';

export function createKafkaService(options: KafkaConnectionOptions): KafkaService {
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 5_000;
  const sockets = watchSockets(options.socketFactory);
  const kafka = new Kafka({
    clientId: options.clientId ?? 'vscode-hdinsight-streaming',
    brokers: options.brokers,
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // Enough for a topic created a moment ago to reach the metadata; bounded when brokers are down.
    retry: { retries: 4, initialRetryTime: 250, maxRetryTime: 2_000 },
    logLevel: logLevel.NOTHING,
    socketFactory: sockets.factory as unknown as ISocketFactory,
  });
  /**
   * A client must be connected, and the brokers must have answered its first requests, within
   * this long. kafkajs alone waits its whole request timeout (30 s) on a broker that accepts
   * connections but never answers (a wrong port, a proxy, a hung broker), retries, and then
   * says only "Broker not connected".
   */
  const answerMs = options.answerTimeoutMs ?? 2 * connectionTimeoutMs;
  const establish = async <T>(connect: () => Promise<T>, disconnect: () => Promise<void>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NoAnswerError(answerMs, sockets.silent(), sockets.lastError())), answerMs);
    });
    try {
      return await Promise.race([connect(), deadline]);
    } catch (err) {
      if (err instanceof NoAnswerError) void disconnect().catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
  const limiter = new Limiter(8);
  let offsetsCluster: Promise<InternalCluster> | undefined;
  const getOffsetsCluster = (): Promise<InternalCluster> => {
    if (!offsetsCluster) {
      const cluster = internalCluster(kafka);
      offsetsCluster = establish(
        () => cluster.connect().then(() => cluster),
        () => cluster.disconnect(),
      );
    }
    offsetsCluster.catch(() => (offsetsCluster = undefined));
    return offsetsCluster;
  };
  /**
   * Offsets of many partitions at once: one ListOffsets request per leader broker, not one per
   * topic. (kafkajs' own Cluster.fetchTopicsOffset merges its answers in quadratic time: 12 s for
   * 5,000 topics; this takes a fraction of a second.)
   */
  const partitionOffsets = async (
    partitions: { topic: string; partition: number }[],
    fromBeginning: boolean,
  ): Promise<Map<string, string>> => {
    const result = new Map<string, string>();
    if (partitions.length === 0) return result;
    const cluster = await getOffsetsCluster();
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
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  const connected = <T extends Admin | Producer>(client: T): Promise<T> =>
    establish(
      () => client.connect().then(() => client),
      () => client.disconnect(),
    );
  const getAdmin = (): Promise<Admin> => {
    admin ??= connected(kafka.admin());
    admin.catch(() => (admin = undefined));
    return admin;
  };
  const call = async <T>(what: string, signal: AbortSignal | undefined, task: (admin: Admin) => Promise<T>): Promise<T> => {
    throwIfAborted(signal);
    try {
      const result = await task(await getAdmin());
      throwIfAborted(signal);
      return result;
    } catch (err) {
      throw toKafkaError(err, what, options.brokers);
    }
  };

  const forgetTopics = async (): Promise<void> => {
    const stale = [producer, offsetsCluster].filter((c): c is Promise<Producer> | Promise<InternalCluster> => !!c);
    producer = offsetsCluster = undefined;
    await Promise.all(stale.map(async (c) => (await c.catch(() => undefined))?.disconnect()));
  };

  return {
    describeCluster: (signal) =>
      call('Reading the Kafka cluster', signal, async (a) => {
        const info = await a.describeCluster();
        return {
          brokers: info.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
          controller: info.controller,
          clusterId: info.clusterId,
        };
      }),

    listTopics: ({ includeInternal }, signal) =>
      call('Listing the topics', signal, (a) =>
        // A topic deleted a moment ago can still be in the metadata while its partitions are gone.
        retryWhileTopicsSettle(async () => {
          const { topics } = await a.fetchTopicMetadata();
          const wanted = topics.filter((t) => includeInternal || !isInternal(t.name));
          const partitions = wanted.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId })));
          const [starts, ends] = await Promise.all([partitionOffsets(partitions, true), partitionOffsets(partitions, false)]);
          const summaries = wanted.map((t): TopicSummary => ({
            name: t.name,
            partitions: t.partitions.length,
            replicationFactor: t.partitions[0]?.replicas.length ?? 0,
            messages: t.partitions.reduce(
              (sum, p) => sum + Number(ends.get(`${t.name}/${p.partitionId}`) ?? 0) - Number(starts.get(`${t.name}/${p.partitionId}`) ?? 0),
              0,
            ),
            internal: isInternal(t.name),
          }));
          return summaries.sort((x, y) => x.name.localeCompare(y.name));
        }, getOffsetsCluster),
      ),

    describeTopic: (topic, signal) =>
      call(`Reading topic ${topic}`, signal, async (a) => {
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
      }),

    listGroups: (signal) =>
      call('Listing the consumer groups', signal, async (a) => {
        const { groups } = await a.listGroups();
        if (groups.length === 0) return [];
        const [{ groups: described }, committed] = await Promise.all([
          a.describeGroups(groups.map((g) => g.groupId)),
          // One OffsetFetch per group (all its topics at once).
          Promise.all(groups.map((g) => limiter.run(() => a.fetchOffsets({ groupId: g.groupId }), signal))),
        ]);
        // A group can still hold offsets of a topic deleted a moment ago: leave those out.
        const { topics: existing } = await a.fetchTopicMetadata();
        const live = new Set(existing.map((t) => t.name));
        const partitions = committed.flatMap((topics) =>
          topics.filter((t) => live.has(t.topic)).flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition }))),
        );
        const unique = [...new Map(partitions.map((p) => [`${p.topic}/${p.partition}`, p])).values()];
        const ends = await retryWhileTopicsSettle(() => partitionOffsets(unique, false), getOffsetsCluster);
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
      }),

    browse: (request, signal) =>
      call(`Reading ${request.topic}`, signal, async (a) => {
        const { topics } = await a.fetchTopicMetadata({ topics: [request.topic] });
        const all = (topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((x, y) => x - y);
        const wanted = request.partitions ?? all;
        const unknown = wanted.filter((p) => !all.includes(p));
        if (unknown.length > 0) {
          throw new HDInsightError('InvalidInput', `${request.topic} has no partition ${unknown.join(', ')} (it has ${all.length}).`);
        }
        // A topic created a moment ago may not be in every broker's metadata yet.
        return retryWhileTopicsSettle(
          async () => readMessages(await getOffsetsCluster(), request, wanted, partitionOffsets, signal),
          getOffsetsCluster,
        );
      }),

    createTopic: ({ topic, partitions, replicationFactor, configs }, signal) =>
      call(`Creating topic ${topic}`, signal, async (a) => {
        const created = await a.createTopics({
          waitForLeaders: true,
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
      }),

    deleteTopic: (topic, signal) =>
      call(`Deleting topic ${topic}`, signal, async (a) => {
        await a.deleteTopics({ topics: [topic] });
        // Deletion completes in the background: wait (briefly) until the metadata no longer lists it.
        for (let i = 0; i < 40 && (await a.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 250));
        // kafkajs clients keep the topics they used in their metadata, and a topic that no longer
        // exists makes every later metadata refresh fail: start them afresh.
        await forgetTopics();
      }),

    produce: async (topic, messages, signal) => {
      throwIfAborted(signal);
      try {
        producer ??= connected(kafka.producer({ allowAutoTopicCreation: false, idempotent: false }));
        producer.catch(() => (producer = undefined));
        const p = await producer;
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
        await forgetTopics(); // a topic deleted elsewhere would keep failing this producer
        throw toKafkaError(err, `Producing to ${topic}`, options.brokers);
      }
    },

    close: async () => {
      const closing = [admin, producer, offsetsCluster].filter(
        (c): c is Promise<Admin> | Promise<Producer> | Promise<InternalCluster> => !!c,
      );
      admin = producer = offsetsCluster = undefined;
      await Promise.all(closing.map(async (c) => (await c.catch(() => undefined))?.disconnect()));
    },
  };
}

/** ListOffsets timestamps meaning the start and the end of a partition, and its isolation level. */
const EARLIEST = -2;
const LATEST = -1;
const READ_COMMITTED = 1;
const MAX_ROUNDS = 500;

type OffsetsOf = (partitions: { topic: string; partition: number }[], fromBeginning: boolean) => Promise<Map<string, string>>;

/**
 * Reads with plain Fetch requests to each partition's leader, as a consumer would, but without a
 * group: nothing joins, nothing is committed, the cluster keeps no trace of the read.
 */
async function readMessages(
  cluster: InternalCluster,
  { topic, from, limit, until, previewBytes }: BrowseRequest,
  partitionIds: number[],
  offsetsOf: OffsetsOf,
  signal?: AbortSignal,
): Promise<BrowsedMessage[]> {
  const keys = partitionIds.map((partition) => ({ topic, partition }));
  const [starts, ends] = await Promise.all([offsetsOf(keys, true), offsetsOf(keys, false)]);
  const bounds = new Map(
    partitionIds.map((p) => {
      const start = BigInt(starts.get(`${topic}/${p}`) ?? '0');
      const logEnd = BigInt(ends.get(`${topic}/${p}`) ?? '0');
      const stop = until?.[p] !== undefined ? BigInt(until[p]) : logEnd;
      return [p, { start, end: stop < logEnd ? stop : logEnd }];
    }),
  );
  const next = new Map<number, bigint>();
  if (typeof from === 'object' && 'timestamp' in from) {
    const [found] = await cluster.fetchTopicsOffset([
      { topic, fromTimestamp: from.timestamp, partitions: partitionIds.map((partition) => ({ partition })) },
    ]);
    for (const p of found?.partitions ?? []) {
      const offset = BigInt(p.offset);
      next.set(p.partition, offset < 0n ? bounds.get(p.partition)!.end : offset);
    }
  } else if (typeof from === 'object' && 'offsets' in from) {
    for (const [p, { start, end }] of bounds) {
      const offset = from.offsets[p] !== undefined ? BigInt(from.offsets[p]) : end;
      next.set(p, offset < start ? start : offset > end ? end : offset);
    }
  } else {
    for (const [p, { start, end }] of bounds) {
      const perPartition = BigInt(limit);
      const offset =
        from === 'earliest'
          ? start
          : from === 'latest'
            ? end
            : from === 'newest'
              ? end - perPartition
              : BigInt(Math.max(0, Math.trunc(from.offset)));
      next.set(p, offset < start ? start : offset > end ? end : offset);
    }
  }

  const preview = Math.max(0, Math.min(previewBytes ?? MAX_PREVIEW_BYTES, MAX_PREVIEW_BYTES));
  const collected = new Map<number, BrowsedMessage[]>(partitionIds.map((p) => [p, []]));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    throwIfAborted(signal);
    const pending = partitionIds.filter((p) => next.get(p)! < bounds.get(p)!.end && collected.get(p)!.length < limit);
    if (pending.length === 0) break;
    const byLeader = cluster.findLeaderForPartitions(topic, pending);
    let progressed = false;
    await Promise.all(
      Object.entries(byLeader).map(async ([nodeId, partitions]) => {
        const broker = await cluster.findBroker({ nodeId });
        const { responses } = await broker.fetch({
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: 8 * 1024 * 1024,
          isolationLevel: 0,
          topics: [
            {
              topic,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: next.get(partition)!.toString(),
                maxBytes: 1024 * 1024,
              })),
            },
          ],
        });
        for (const response of responses) {
          for (const part of response.partitions) {
            const fetchOffset = next.get(part.partition)!;
            const { end } = bounds.get(part.partition)!;
            const list = collected.get(part.partition)!;
            for (const m of part.messages) {
              const offset = BigInt(m.offset);
              if (offset < fetchOffset || offset >= end || list.length >= limit) continue;
              list.push(toBrowsed(part.partition, m, preview));
              next.set(part.partition, offset + 1n);
              progressed = true;
            }
            // Transaction markers and compacted gaps hold offsets without messages.
            const last = part.messages.at(-1);
            if (last && BigInt(last.offset) + 1n > next.get(part.partition)!) {
              next.set(part.partition, BigInt(last.offset) + 1n);
              progressed = true;
            }
          }
        }
      }),
    );
    if (!progressed) break;
  }
  const messages = [...collected.values()].flat();
  messages.sort(
    (x, y) => Date.parse(x.timestamp) - Date.parse(y.timestamp) || x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset)),
  );
  // The newest N overall, or the first N from the starting point.
  return from === 'newest' ? messages.slice(-limit) : messages.slice(0, limit);
}

interface FetchedMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[] | undefined>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as text when they are UTF-8, else as hex. `cut` says the bytes are the start of a longer
 * value: a character the cut split in two at the end does not make the text binary.
 */
function text(bytes: Buffer, cut = false): { text: string; encoding: Encoding } {
  for (let trim = 0; trim <= (cut ? Math.min(3, bytes.length - 1) : 0); trim++) {
    try {
      return { text: utf8.decode(bytes.subarray(0, bytes.length - trim)), encoding: 'utf8' };
    } catch {
      // not UTF-8 (yet): try without the last bytes of a split character, then give hex
    }
  }
  return { text: bytes.toString('hex'), encoding: 'hex' };
}

function toBrowsed(partition: number, m: FetchedMessage, previewBytes: number): BrowsedMessage {
  const valueSize = m.value?.length ?? 0;
  const truncated = valueSize > previewBytes;
  const value = m.value ? text(m.value.subarray(0, previewBytes), truncated) : undefined;
  const key = m.key ? text(m.key) : undefined;
  const headers: Record<string, string> = {};
  const headerEncodings: Record<string, Encoding> = {};
  for (const [name, raw] of Object.entries(m.headers ?? {})) {
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (!first) continue;
    const header = text(first);
    headers[name] = header.text;
    headerEncodings[name] = header.encoding;
  }
  return {
    partition,
    offset: m.offset,
    timestamp: new Date(Number(m.timestamp)).toISOString(),
    key: key?.text ?? null,
    keyEncoding: key?.encoding ?? 'utf8',
    value: value?.text ?? null,
    valueEncoding: value?.encoding ?? 'utf8',
    valueSize,
    truncated,
    headers,
    headerEncodings,
  };
}

/**
 * Connects as kafkajs would (or through the given factory, an SSH tunnel), and notes which brokers
 * accepted a connection but have not sent a byte back: what a timeout names.
 */
function watchSockets(base: SocketFactory | undefined): {
  factory: SocketFactory;
  silent: () => string[];
  lastError: () => string | undefined;
} {
  const state = new Map<string, 'connected' | 'answered'>();
  let lastError: string | undefined;
  const factory: SocketFactory = ({ host, port, ssl, onConnect }) => {
    const address = `${host}:${port}`;
    const connected = (): void => {
      if (state.get(address) !== 'answered') state.set(address, 'connected');
      onConnect();
    };
    let socket;
    if (base) {
      socket = base({ host, port, ssl, onConnect: connected });
    } else {
      socket = net.connect({ host, port }, connected);
      socket.setKeepAlive(true, 60_000);
    }
    socket.once('data', () => state.set(address, 'answered'));
    socket.once('error', (err: Error) => (lastError = err.message));
    return socket;
  };
  return {
    factory,
    silent: () => [...state].filter(([, s]) => s === 'connected').map(([address]) => address),
    lastError: () => lastError,
  };
}

/** What brokers answer while topics just created or deleted settle (leaders being elected or removed). */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

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

/**
 * kafkajs' own Cluster object, as its admin client uses internally. Its public admin API asks
 * for offsets one topic at a time; the Cluster groups any number of partitions by leader into one
 * ListOffsets request per broker. kafkajs 2.2.4 is its last release, so this internal is stable.
 */
interface InternalCluster {
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

function internalCluster(kafka: Kafka): InternalCluster {
  const create = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!create) throw new Error('kafkajs no longer has the cluster factory this extension relies on');
  const factory = (kafka as unknown as Record<symbol, (options: { metadataMaxAge: number }) => InternalCluster>)[create];
  return factory({ metadataMaxAge: 300_000 });
}

function isInternal(topic: string): boolean {
  return topic.startsWith('__') || topic.startsWith('_confluent');
}
