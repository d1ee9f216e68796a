// Reads a topic without a consumer group: the Kafka side of the message browser and of exports.
// planRead turns a starting point, an end and a limit into an offset range per partition (so a
// page reads only the messages it keeps); fetchMessages reads those ranges as a stream of
// batches, one Fetch round ahead of its consumer and no further.
import { CancelledError, throwIfAborted } from '../core/errors';
import type { StreamedMessage, StreamRequest } from './client';
import type { FetchedMessage, InternalCluster } from './internalCluster';

/** The start (`fromBeginning`) or end offsets of partitions, keyed `topic/partition`. */
export type OffsetsOf = (partitions: { topic: string; partition: number }[], fromBeginning: boolean) => Promise<Map<string, string>>;

/** Per partition, the offsets to read: from `next` up to (not including) `end`. */
export type ReadPlan = Map<number, { next: bigint; end: bigint }>;

/** What a stream shows of itself (MessageStream). */
export interface StreamState {
  fetches: number;
  buffered: number;
  maxBuffered: number;
  planned: number | undefined;
}

/** Bytes of a whole Fetch response, and the most of one partition in it: one round holds at most this much. */
const ROUND_BYTES = 1024 * 1024;
const PARTITION_BYTES = 256 * 1024;
/** The least asked of a partition: a few record batches, so that a small share still arrives in one round. */
const MIN_PARTITION_BYTES = 64 * 1024;

/** The offset range of each partition that `request` reads. Only ListOffsets requests: nothing is fetched. */
export async function planRead(
  cluster: InternalCluster,
  { topic, from, to, limit }: Pick<StreamRequest, 'topic' | 'from' | 'to' | 'limit'>,
  partitionIds: number[],
  offsetsOf: OffsetsOf,
): Promise<ReadPlan> {
  const keys = partitionIds.map((partition) => ({ topic, partition }));
  const [starts, ends] = await Promise.all([offsetsOf(keys, true), offsetsOf(keys, false)]);
  const atTime = async (timestamp: number): Promise<Map<number, bigint>> => {
    const [found] = await cluster.fetchTopicsOffset([
      { topic, fromTimestamp: timestamp, partitions: partitionIds.map((partition) => ({ partition })) },
    ]);
    // -1: no message at or after that time.
    return new Map((found?.partitions ?? []).filter((p) => BigInt(p.offset) >= 0n).map((p) => [p.partition, BigInt(p.offset)]));
  };
  const stops = typeof to === 'object' && 'timestamp' in to ? await atTime(to.timestamp) : undefined;
  const starting = typeof from === 'object' && 'timestamp' in from ? await atTime(from.timestamp) : undefined;
  const plan: ReadPlan = new Map();
  for (const p of partitionIds) {
    const start = BigInt(starts.get(`${topic}/${p}`) ?? '0');
    let end = BigInt(ends.get(`${topic}/${p}`) ?? '0');
    const stop =
      typeof to === 'object' && 'offsets' in to ? (to.offsets[p] !== undefined ? BigInt(to.offsets[p]) : undefined) : stops?.get(p);
    if (stop !== undefined && stop < end) end = stop;
    if (end < start) end = start;
    let next: bigint;
    if (starting) next = starting.get(p) ?? end;
    else if (typeof from === 'object' && 'offsets' in from) next = from.offsets[p] !== undefined ? BigInt(from.offsets[p]) : end;
    else if (typeof from === 'object' && 'offset' in from) next = BigInt(Math.max(0, Math.trunc(from.offset)));
    else next = from === 'latest' ? end : start; // earliest, and newest (cut to its share below)
    plan.set(p, { next: next < start ? start : next > end ? end : next, end });
  }
  if (limit !== undefined) {
    const shares = share(new Map([...plan].map(([p, { next, end }]) => [p, end - next])), limit);
    for (const [p, range] of plan) {
      const n = shares.get(p) ?? 0n;
      if (from === 'newest') range.next = range.end - n;
      else range.end = range.next + n;
    }
  }
  return plan;
}

/**
 * `limit` shared among partitions that hold `available` messages each: equal shares (the first
 * partitions by number take the remainder), and what a partition cannot fill goes to the others.
 */
export function share(available: Map<number, bigint>, limit: number): Map<number, bigint> {
  const ids = [...available.keys()].sort((a, b) => a - b);
  const given = new Map(ids.map((p) => [p, 0n]));
  let left = BigInt(Math.max(0, Math.trunc(limit)));
  let open = ids.filter((p) => available.get(p)! > 0n);
  while (left > 0n && open.length > 0) {
    const each = left / BigInt(open.length);
    if (each === 0n) {
      for (const p of open.slice(0, Number(left))) given.set(p, given.get(p)! + 1n);
      break;
    }
    for (const p of open) {
      const room = available.get(p)! - given.get(p)!;
      const give = room < each ? room : each;
      given.set(p, given.get(p)! + give);
      left -= give;
    }
    open = open.filter((p) => given.get(p)! < available.get(p)!);
  }
  return given;
}

/** What brokers answer while topics just created or deleted settle (leaders being elected or removed). */
export const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** Waits for `promise`, or throws a CancelledError as soon as the signal is aborted. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

/**
 * Reads the planned ranges with plain Fetch requests to each partition's leader, as a consumer
 * would, but without a group: nothing joins, nothing is committed, the cluster keeps no trace.
 * Each round asks every leader once, for at most ROUND_BYTES per leader; the next round is sent
 * when the consumer asks for the next batch, so nothing is read ahead of it.
 */
export async function* fetchMessages(
  cluster: InternalCluster,
  topic: string,
  plan: ReadPlan,
  state: StreamState,
  signal?: AbortSignal,
): AsyncGenerator<StreamedMessage[]> {
  const ids = [...plan.keys()];
  // An estimate of a message's size, to ask each partition for about what remains of its range.
  let bytesPerMessage = 1024;
  const round = async (attempt = 1): Promise<StreamedMessage[] | undefined> => {
    throwIfAborted(signal);
    const pending = ids.filter((p) => plan.get(p)!.next < plan.get(p)!.end);
    if (pending.length === 0) return undefined;
    const batch: StreamedMessage[] = [];
    let progressed = false;
    let bytes = 0;
    const results = await Promise.allSettled(
      Object.entries(cluster.findLeaderForPartitions(topic, pending)).map(async ([nodeId, partitions]) => {
        const broker = await cluster.findBroker({ nodeId });
        throwIfAborted(signal);
        state.fetches++;
        const { responses } = await broker.fetch({
          maxWaitTime: 100,
          minBytes: 1,
          maxBytes: ROUND_BYTES,
          isolationLevel: 0,
          topics: [
            {
              topic,
              partitions: partitions.map((partition) => {
                const { next, end } = plan.get(partition)!;
                const wanted = Number(end - next) * bytesPerMessage * 1.25;
                return {
                  partition,
                  fetchOffset: next.toString(),
                  maxBytes: Math.round(Math.min(PARTITION_BYTES, Math.max(MIN_PARTITION_BYTES, wanted))),
                };
              }),
            },
          ],
        });
        for (const response of responses) {
          for (const part of response.partitions) {
            const range = plan.get(part.partition);
            if (!range) continue;
            const fetchOffset = range.next;
            for (const m of part.messages) {
              const offset = BigInt(m.offset);
              if (offset < fetchOffset || offset >= range.end) continue;
              batch.push(streamed(part.partition, m));
              bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0) + 70;
              range.next = offset + 1n;
              progressed = true;
            }
            // Transaction markers and compacted gaps hold offsets without messages.
            const last = part.messages.at(-1);
            if (last && BigInt(last.offset) + 1n > range.next) {
              range.next = BigInt(last.offset) + 1n < range.end ? BigInt(last.offset) + 1n : range.end;
              progressed = true;
            }
          }
        }
      }),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failed.length > 0) {
      throwIfAborted(signal);
      const settling = failed.every((err) => SETTLING.has((err as { type?: string }).type ?? ''));
      // A topic created a moment ago may not have its leaders yet: what was read is kept, the rest asked again.
      if (!settling || (attempt >= 3 && !progressed)) throw failed[0];
      await cluster.refreshMetadata();
      if (!progressed) {
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
        return round(attempt + 1);
      }
    }
    if (batch.length > 0) bytesPerMessage = Math.max(16, bytes / batch.length);
    state.buffered += batch.length;
    state.maxBuffered = Math.max(state.maxBuffered, state.buffered);
    return progressed ? batch : undefined;
  };

  // The next round is asked for only when the consumer asks for the next batch. (Reading one round
  // ahead overlaps the network with the consumer's work, but the round then lives on while the
  // consumer works and is let go late by the GC: measured, 15 MB more of peak memory exporting
  // 200,000 messages locally, for no gain in rate.)
  for (;;) {
    const batch = await abortable(round(), signal);
    if (!batch) return;
    state.buffered -= batch.length;
    if (batch.length > 0) yield batch;
  }
}

function streamed(partition: number, m: FetchedMessage): StreamedMessage {
  const headers: Record<string, Buffer> = {};
  for (const [name, raw] of Object.entries(m.headers ?? {})) {
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (first) headers[name] = first;
  }
  return { partition, offset: m.offset, timestamp: Number(m.timestamp), key: m.key, value: m.value, headers };
}
