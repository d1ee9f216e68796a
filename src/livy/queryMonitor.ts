// The streaming-query monitor's model: per query (by id) the latest progress report, a bounded
// series of its last batches (rates and trigger time, for the small charts), whether it is falling
// behind, and per Kafka partition the query's offset against the topic's latest offset (lag). It
// is fed QueryProgress from the driver's log (QueryProgressParser) or a session's lastProgress,
// and the topics' latest offsets read elsewhere (through the extension's own Kafka connection).
// `queries()` gives plain data, what hdinsight.getJob returns and the job output page renders.
// No vscode import.
import type { JsonValue, QueryProgress } from './queryProgress';

/** Batches kept per query for the charts. */
export const SERIES_LENGTH = 60;
/** Batches the falling-behind rule looks at. */
export const FALLING_BEHIND_BATCHES = 3;

export interface QuerySeriesPoint {
  batchId: number;
  timestamp: string;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  triggerExecutionMs?: number;
  /** Offsets behind latest summed over the query's Kafka partitions, as of this batch. */
  kafkaOffsetsBehind?: number;
}

export interface PartitionLagView {
  topic: string;
  partition: number;
  /** The query's end offset for the partition (what it has read up to). */
  offset: number;
  /** The partition's latest offset: the topic's as read through Kafka when known, else the source's at the batch. */
  latest?: number;
  /** latest − offset, never below 0 (a latest offset read before the batch can be behind it). */
  lag?: number;
  /** Where `latest` came from. */
  latestFrom?: 'topic' | 'batch';
}

export interface KafkaSourceView {
  partitions: PartitionLagView[];
  /** Sum of the partitions' lag (undefined when no partition's latest offset is known). */
  totalLag?: number;
  avgOffsetsBehindLatest?: number;
  maxOffsetsBehindLatest?: number;
}

export interface SourceView {
  description: string;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  startOffset: JsonValue;
  endOffset: JsonValue;
  latestOffset: JsonValue;
  kafka?: KafkaSourceView;
}

/** A query as shown: its latest progress report (the state operators summed into stateRows), its sources with lag, and its recent batches. */
export interface QueryView extends Omit<QueryProgress, 'stateOperators' | 'sources'> {
  sources: SourceView[];
  fallingBehind: boolean;
  /** One sentence saying why, when fallingBehind. */
  fallingBehindReason?: string;
  /** The last batches, oldest first (at most SERIES_LENGTH). */
  series: QuerySeriesPoint[];
}

interface QueryState {
  latest: QueryProgress;
  series: QuerySeriesPoint[];
}

/** Offsets behind latest for a progress report's Kafka sources: from latestOffset − endOffset, else the maxOffsetsBehindLatest metric. */
function kafkaBehind(progress: QueryProgress): number | undefined {
  let total: number | undefined;
  for (const source of progress.sources) {
    const kafka = source.kafka;
    if (!kafka) continue;
    let behind = 0;
    let known = false;
    for (const p of kafka.topicPartitions) {
      if (p.latestOffset === undefined) continue;
      behind += Math.max(0, p.latestOffset - p.endOffset);
      known = true;
    }
    if (!known && kafka.avgOffsetsBehindLatest !== undefined) {
      behind = kafka.avgOffsetsBehindLatest * kafka.topicPartitions.length;
      known = true;
    }
    if (known) total = (total ?? 0) + behind;
  }
  return total;
}

function point(progress: QueryProgress): QuerySeriesPoint {
  const p: QuerySeriesPoint = { batchId: progress.batchId, timestamp: progress.timestamp, numInputRows: progress.numInputRows };
  if (progress.inputRowsPerSecond !== undefined) p.inputRowsPerSecond = progress.inputRowsPerSecond;
  if (progress.processedRowsPerSecond !== undefined) p.processedRowsPerSecond = progress.processedRowsPerSecond;
  const trigger = progress.durationMs.triggerExecution;
  if (trigger !== undefined) p.triggerExecutionMs = trigger;
  const behind = kafkaBehind(progress);
  if (behind !== undefined) p.kafkaOffsetsBehind = behind;
  return p;
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * Whether the last `n` batches show a query that cannot keep up, and why:
 * - its Kafka sources' offsets behind latest grew at every one of those batches; or
 * - processed rows/s stayed below input rows/s in each of them, all with input, unless the Kafka
 *   backlog shrank meanwhile (then it is catching up, whatever the rates' noise says).
 */
export function fallingBehind(series: readonly QuerySeriesPoint[], n = FALLING_BEHIND_BATCHES): string | undefined {
  if (series.length < n) return undefined;
  const last = series.slice(-n);
  const b = last.map((p) => p.kafkaOffsetsBehind).filter((x) => x !== undefined);
  if (b.length === n) {
    const growing = b.every((x, i) => i === 0 || x > b[i - 1]);
    if (growing) return `Kafka offsets behind latest grew over the last ${n} batches (${b.map(fmt).join(' → ')}).`;
    if (b[b.length - 1] < b[0]) return undefined;
  }
  const slower = last.every(
    (p) =>
      p.numInputRows > 0 &&
      p.inputRowsPerSecond !== undefined &&
      p.processedRowsPerSecond !== undefined &&
      p.processedRowsPerSecond < p.inputRowsPerSecond,
  );
  if (slower) {
    const l = last[last.length - 1];
    return `Processed rows/s stayed below input rows/s for the last ${n} batches (now ${fmt(l.processedRowsPerSecond ?? 0)} against ${fmt(l.inputRowsPerSecond ?? 0)}).`;
  }
  return undefined;
}

export class QueryMonitor {
  private readonly states = new Map<string, QueryState>();
  /** topic → partition → latest offset, as read through Kafka. */
  private readonly topicLatest = new Map<string, Map<number, number>>();

  constructor(
    private readonly seriesLength = SERIES_LENGTH,
    private readonly behindBatches = FALLING_BEHIND_BATCHES,
  ) {}

  /**
   * Takes a progress report. The same report seen twice (from the log and from lastProgress) counts
   * once; an older batch of the same run is ignored; a new run of the query starts a new series.
   * Returns whether anything changed.
   */
  add(progress: QueryProgress): boolean {
    const state = this.states.get(progress.id);
    if (!state || state.latest.runId !== progress.runId) {
      this.states.set(progress.id, { latest: progress, series: [point(progress)] });
      return true;
    }
    const last = state.series[state.series.length - 1];
    if (progress.batchId < state.latest.batchId) return false;
    if (last && last.batchId === progress.batchId && last.timestamp === progress.timestamp) return false;
    state.latest = progress;
    state.series.push(point(progress));
    if (state.series.length > this.seriesLength) state.series.splice(0, state.series.length - this.seriesLength);
    return true;
  }

  /** The topic's latest offsets per partition, read through Kafka: each partition's lag becomes latest − the query's end offset. */
  setLatestOffsets(topic: string, latest: ReadonlyMap<number, number>): void {
    this.topicLatest.set(topic, new Map(latest));
  }

  /** The topics the queries read from Kafka (whose latest offsets are worth reading). */
  kafkaTopics(): string[] {
    const topics = new Set<string>();
    for (const { latest } of this.states.values()) {
      for (const s of latest.sources) for (const p of s.kafka?.topicPartitions ?? []) topics.add(p.topic);
    }
    return [...topics].sort();
  }

  /** Plain data for getJob and the page, in the order the queries were first seen. */
  queries(): QueryView[] {
    return [...this.states.values()].map((state) => this.view(state));
  }

  private view({ latest, series }: QueryState): QueryView {
    const view: QueryView = {
      id: latest.id,
      runId: latest.runId,
      timestamp: latest.timestamp,
      batchId: latest.batchId,
      numInputRows: latest.numInputRows,
      durationMs: { ...latest.durationMs },
      sources: latest.sources.map((s) => {
        const source: SourceView = {
          description: s.description,
          numInputRows: s.numInputRows,
          startOffset: s.startOffset,
          endOffset: s.endOffset,
          latestOffset: s.latestOffset,
        };
        if (s.inputRowsPerSecond !== undefined) source.inputRowsPerSecond = s.inputRowsPerSecond;
        if (s.processedRowsPerSecond !== undefined) source.processedRowsPerSecond = s.processedRowsPerSecond;
        if (s.kafka) {
          const partitions = s.kafka.topicPartitions.map((p): PartitionLagView => {
            const fromTopic = this.topicLatest.get(p.topic)?.get(p.partition);
            const row: PartitionLagView = { topic: p.topic, partition: p.partition, offset: p.endOffset };
            // Both are lower bounds of the partition's latest offset now: a read through Kafka older
            // than the batch must not hide what the batch saw.
            const useTopic = fromTopic !== undefined && (p.latestOffset === undefined || fromTopic >= p.latestOffset);
            const known = useTopic ? fromTopic : p.latestOffset;
            if (known !== undefined) {
              row.latest = known;
              row.lag = Math.max(0, known - p.endOffset);
              row.latestFrom = useTopic ? 'topic' : 'batch';
            }
            return row;
          });
          const kafka: KafkaSourceView = { partitions };
          const lags = partitions.map((p) => p.lag).filter((l) => l !== undefined);
          if (lags.length > 0) kafka.totalLag = lags.reduce((a, b) => a + b, 0);
          if (s.kafka.avgOffsetsBehindLatest !== undefined) kafka.avgOffsetsBehindLatest = s.kafka.avgOffsetsBehindLatest;
          if (s.kafka.maxOffsetsBehindLatest !== undefined) kafka.maxOffsetsBehindLatest = s.kafka.maxOffsetsBehindLatest;
          source.kafka = kafka;
        }
        return source;
      }),
      fallingBehind: false,
      series: series.map((p) => ({ ...p })),
    };
    if (latest.name !== undefined) view.name = latest.name;
    if (latest.inputRowsPerSecond !== undefined) view.inputRowsPerSecond = latest.inputRowsPerSecond;
    if (latest.processedRowsPerSecond !== undefined) view.processedRowsPerSecond = latest.processedRowsPerSecond;
    if (latest.watermark !== undefined) view.watermark = latest.watermark;
    if (latest.stateRows !== undefined) view.stateRows = latest.stateRows;
    if (latest.sink) view.sink = { ...latest.sink };
    const reason = fallingBehind(series, this.behindBatches);
    if (reason !== undefined) {
      view.fallingBehind = true;
      view.fallingBehindReason = reason;
    }
    return view;
  }
}
