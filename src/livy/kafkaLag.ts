// A streaming job's Kafka lag against now: while the job's queries read Kafka topics of a cluster
// the extension can reach, the topics' latest offsets are read through the extension's own Kafka
// connection every few seconds, so the monitor shows how far behind each partition is between the
// driver's progress reports (which only say what the topic held when the last batch planned).
import { withDeadline } from '../core/deadline';
import type { KafkaService } from '../kafka/client';
import type { LivyJob } from './LivyJob';

/** How often the topics' latest offsets are read while the job runs. */
export const LAG_INTERVAL_MS = 5_000;
/** One read of a topic's offsets gives up after this long (the monitor keeps the batch's figures). */
const READ_TIMEOUT_MS = 10_000;

export interface KafkaLagOptions {
  intervalMs?: number;
  /** Told once per kind of failure; the monitor keeps the progress reports' figures meanwhile. */
  onError?: (err: unknown) => void;
}

/**
 * Reads the latest offsets of the job's Kafka topics while its queries may run, until `dispose()`. `kafka`
 * gives the connection to the cluster the job's code names (undefined: none known, and reading
 * stops); it is asked only once the job reports a Kafka source, so a job without one costs nothing.
 */
export function followKafkaLag(
  job: LivyJob,
  kafka: (signal: AbortSignal) => Promise<KafkaService | undefined>,
  options: KafkaLagOptions = {},
): { dispose(): void } {
  const intervalMs = options.intervalMs ?? LAG_INTERVAL_MS;
  const stop = new AbortController();
  const told = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let service: Promise<KafkaService | undefined> | undefined;

  const tick = async (): Promise<void> => {
    const topics = job.kafkaTopics;
    if (topics.length === 0) return;
    service ??= kafka(stop.signal);
    const client = await service;
    // No cluster the extension knows has these brokers: the monitor keeps the batches' figures.
    if (!client) return dispose();
    for (const topic of topics) {
      if (stop.signal.aborted) return;
      const latest = await withDeadline(stop.signal, READ_TIMEOUT_MS, (signal) => client.latestOffsets(topic, signal));
      job.setTopicLatestOffsets(topic, latest);
    }
  };
  const schedule = (): void => {
    if (stop.signal.aborted || !job.queriesMayRun) return;
    timer = setTimeout(() => {
      tick().then(schedule, (err: unknown) => {
        if (stop.signal.aborted) return;
        // A connection that failed is asked for again at the next tick.
        service = undefined;
        const kind = err instanceof Error ? err.name : 'Error';
        if (!told.has(kind)) {
          told.add(kind);
          options.onError?.(err);
        }
        schedule();
      });
    }, intervalMs);
  };
  const ended = job.onDidChange(() => {
    if (!job.queriesMayRun) dispose();
  });
  const dispose = (): void => {
    stop.abort();
    clearTimeout(timer);
    ended.dispose();
  };
  schedule();
  return { dispose };
}
