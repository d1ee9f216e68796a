// Reads a bounded number of messages of a topic, from a starting point, without a consumer group:
// the Kafka side of the message browser. Values are kept up to a preview size, as text or hex.
import { throwIfAborted } from '../core/errors';
import { type BrowsedMessage, type BrowseRequest, type Encoding, MAX_PREVIEW_BYTES } from './client';
import type { FetchedMessage, InternalCluster } from './internalCluster';

/** At most this many Fetch rounds per read (each round asks every leader once). */
const MAX_ROUNDS = 500;

/** The start (`fromBeginning`) or end offsets of partitions, keyed `topic/partition`. */
export type OffsetsOf = (partitions: { topic: string; partition: number }[], fromBeginning: boolean) => Promise<Map<string, string>>;

/**
 * Reads with plain Fetch requests to each partition's leader, as a consumer would, but without a
 * group: nothing joins, nothing is committed, the cluster keeps no trace of the read.
 */
export async function readMessages(
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
