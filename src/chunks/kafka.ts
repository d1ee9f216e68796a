// kafkajs, loaded on first use (its own bundle, dist/chunks/kafka.js).
import { type Admin, ConfigResourceTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { throwIfAborted } from '../core/errors';
import { Limiter } from '../core/limiter';
import type { KafkaConnectionOptions, KafkaService, TopicSummary } from '../kafka/client';
import { toKafkaError } from '../kafka/errors';

export function createKafkaService(options: KafkaConnectionOptions): KafkaService {
  const kafka = new Kafka({
    clientId: options.clientId ?? 'vscode-hdinsight-streaming',
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 3_000 },
    logLevel: logLevel.NOTHING,
  });
  const limiter = new Limiter(8);
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  const connected = <T extends Admin | Producer>(client: T): Promise<T> => client.connect().then(() => client);
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
      call('Listing the topics', signal, async (a) => {
        const { topics } = await a.fetchTopicMetadata();
        const wanted = topics.filter((t) => includeInternal || !isInternal(t.name));
        const summaries = await Promise.all(
          wanted.map((t) =>
            limiter.run(async (): Promise<TopicSummary> => {
              const offsets = await a.fetchTopicOffsets(t.name);
              const messages = offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
              return {
                name: t.name,
                partitions: t.partitions.length,
                replicationFactor: t.partitions[0]?.replicas.length ?? 0,
                messages,
                internal: isInternal(t.name),
              };
            }, signal),
          ),
        );
        return summaries.sort((x, y) => x.name.localeCompare(y.name));
      }),

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
            .map((e) => ({ name: e.configName, value: e.isSensitive ? null : e.configValue, isDefault: e.isDefault }))
            .sort((x, y) => x.name.localeCompare(y.name)),
        };
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

    deleteTopic: (topic, signal) => call(`Deleting topic ${topic}`, signal, (a) => a.deleteTopics({ topics: [topic] })),

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
        throw toKafkaError(err, `Producing to ${topic}`, options.brokers);
      }
    },

    close: async () => {
      const closing = [admin, producer].filter((c): c is Promise<Admin> | Promise<Producer> => !!c);
      admin = producer = undefined;
      await Promise.all(closing.map(async (c) => (await c.catch(() => undefined))?.disconnect()));
    },
  };
}

function isInternal(topic: string): boolean {
  return topic.startsWith('__') || topic.startsWith('_confluent');
}
