// Structured Streaming progress as the Spark driver reports it. After each micro-batch with data
// (and at most every 10 s when idle) MicroBatchExecution logs at INFO
// "Streaming query made progress: " followed by the StreamingQueryProgress as pretty-printed JSON
// over many lines, of which only the first carries the log4j prefix (it goes to the driver's
// stderr). QueryProgressParser picks those blocks out of the driver's log, line by line, and maps
// each to a typed QueryProgress; fromLastProgress maps a session's `query.lastProgress` the same
// way. Spark omits rates that are NaN or infinite, gives the Kafka source's metrics as strings, and
// turns offsets that are JSON into objects (Kafka: {topic: {partition: offset}}). No vscode import.

/** A JSON value as Spark wrote it (offsets of sources other than Kafka are kept as they are). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface KafkaPartitionProgress {
  topic: string;
  partition: number;
  /** The offset the query had read up to at the end of this batch. */
  endOffset: number;
  /** The partition's latest offset as the source saw it when planning this batch (Spark 3.2+). */
  latestOffset?: number;
}

export interface KafkaSourceProgress {
  /** Every partition in the batch's end offsets, ordered by topic then partition. */
  topicPartitions: KafkaPartitionProgress[];
  /** From the source's metrics (strings in the JSON, numbers here); absent when Spark gave none. */
  avgOffsetsBehindLatest?: number;
  maxOffsetsBehindLatest?: number;
  minOffsetsBehindLatest?: number;
}

export interface SourceProgress {
  description: string;
  startOffset: JsonValue;
  endOffset: JsonValue;
  latestOffset: JsonValue;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  /** The source's own metrics as Spark gave them (strings). */
  metrics: Record<string, string>;
  /** Set for a Kafka source (offsets of the form {topic: {partition: offset}}). */
  kafka?: KafkaSourceProgress;
}

export interface StateOperatorProgress {
  operatorName?: string;
  numRowsTotal: number;
  numRowsUpdated: number;
  memoryUsedBytes?: number;
  numRowsDroppedByWatermark?: number;
}

export interface SinkProgress {
  description: string;
  /** -1 for sinks that do not count their rows (foreachBatch and other v1 sinks). */
  numOutputRows: number;
}

export interface QueryProgress {
  /** The query's id: stable across restarts from the same checkpoint. */
  id: string;
  /** Changes each time the query is (re)started. */
  runId: string;
  /** The query's name (queryName), absent when it has none. */
  name?: string;
  /** When the trigger started, ISO 8601 UTC as Spark wrote it. */
  timestamp: string;
  batchId: number;
  numInputRows: number;
  /** Absent when Spark omitted it (NaN or infinite). */
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  /** Phases of the trigger in milliseconds: triggerExecution, addBatch, getBatch, latestOffset, queryPlanning, walCommit, commitOffsets, … */
  durationMs: Record<string, number>;
  /** The event-time watermark (ISO 8601), when the query has one. */
  watermark?: string;
  /** Rows held in state, summed over the stateful operators; absent when there are none. */
  stateRows?: number;
  stateOperators: StateOperatorProgress[];
  sources: SourceProgress[];
  sink?: SinkProgress;
}

const MARKER = 'Streaming query made progress: ';
/** A block longer than this is not a progress report (or was cut): it is dropped. */
const MAX_BLOCK_CHARS = 4_000_000;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  // Kafka's metrics are strings; a hand-made JSON may quote numbers too.
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toJsonValue(v: unknown): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (isObj(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJsonValue(x);
    return out;
  }
  return null;
}

/** {topic: {partition: offset}} → "topic\u0000partition" → offset; undefined when the value has another shape. */
function kafkaOffsets(v: unknown): Map<string, { topic: string; partition: number; offset: number }> | undefined {
  if (!isObj(v)) return undefined;
  const out = new Map<string, { topic: string; partition: number; offset: number }>();
  for (const [topic, partitions] of Object.entries(v)) {
    if (!isObj(partitions)) return undefined;
    for (const [p, o] of Object.entries(partitions)) {
      const partition = Number(p);
      const offset = num(o);
      if (!Number.isInteger(partition) || offset === undefined) return undefined;
      out.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    }
  }
  return out;
}

function mapKafka(description: string, source: Obj, metrics: Record<string, string>): KafkaSourceProgress | undefined {
  const looksKafka = /^Kafka/i.test(description) || 'avgOffsetsBehindLatest' in metrics || 'maxOffsetsBehindLatest' in metrics;
  if (!looksKafka) return undefined;
  const end = kafkaOffsets(source.endOffset);
  if (!end) return undefined;
  const latest = kafkaOffsets(source.latestOffset);
  const topicPartitions = [...end.entries()]
    .map(([key, e]): KafkaPartitionProgress => {
      const l = latest?.get(key);
      return l === undefined
        ? { topic: e.topic, partition: e.partition, endOffset: e.offset }
        : { topic: e.topic, partition: e.partition, endOffset: e.offset, latestOffset: l.offset };
    })
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  const kafka: KafkaSourceProgress = { topicPartitions };
  const avg = num(metrics.avgOffsetsBehindLatest);
  const max = num(metrics.maxOffsetsBehindLatest);
  const min = num(metrics.minOffsetsBehindLatest);
  if (avg !== undefined) kafka.avgOffsetsBehindLatest = avg;
  if (max !== undefined) kafka.maxOffsetsBehindLatest = max;
  if (min !== undefined) kafka.minOffsetsBehindLatest = min;
  return kafka;
}

function mapSource(v: unknown): SourceProgress | undefined {
  if (!isObj(v)) return undefined;
  const description = str(v.description) ?? '';
  const metrics: Record<string, string> = {};
  if (isObj(v.metrics)) {
    for (const [k, m] of Object.entries(v.metrics)) {
      if (typeof m === 'string') metrics[k] = m;
      else if (typeof m === 'number' && Number.isFinite(m)) metrics[k] = String(m);
    }
  }
  const source: SourceProgress = {
    description,
    startOffset: toJsonValue(v.startOffset),
    endOffset: toJsonValue(v.endOffset),
    latestOffset: toJsonValue(v.latestOffset),
    numInputRows: num(v.numInputRows) ?? 0,
    metrics,
  };
  const input = num(v.inputRowsPerSecond);
  const processed = num(v.processedRowsPerSecond);
  if (input !== undefined) source.inputRowsPerSecond = input;
  if (processed !== undefined) source.processedRowsPerSecond = processed;
  const kafka = mapKafka(description, v, metrics);
  if (kafka) source.kafka = kafka;
  return source;
}

function mapStateOperator(v: unknown): StateOperatorProgress | undefined {
  if (!isObj(v)) return undefined;
  const op: StateOperatorProgress = { numRowsTotal: num(v.numRowsTotal) ?? 0, numRowsUpdated: num(v.numRowsUpdated) ?? 0 };
  const name = str(v.operatorName);
  const memory = num(v.memoryUsedBytes);
  const dropped = num(v.numRowsDroppedByWatermark);
  if (name !== undefined) op.operatorName = name;
  if (memory !== undefined) op.memoryUsedBytes = memory;
  if (dropped !== undefined) op.numRowsDroppedByWatermark = dropped;
  return op;
}

/**
 * Maps a parsed StreamingQueryProgress (the logged JSON, or a session's `lastProgress` dict) to a
 * QueryProgress; undefined when it is not one (no id or no batch id). Never throws.
 */
export function mapProgress(value: unknown): QueryProgress | undefined {
  if (!isObj(value)) return undefined;
  const id = str(value.id);
  const batchId = num(value.batchId);
  if (id === undefined || batchId === undefined) return undefined;
  const durationMs: Record<string, number> = {};
  if (isObj(value.durationMs)) {
    for (const [k, d] of Object.entries(value.durationMs)) {
      const n = num(d);
      if (n !== undefined) durationMs[k] = n;
    }
  }
  const stateOperators = (Array.isArray(value.stateOperators) ? value.stateOperators : [])
    .map(mapStateOperator)
    .filter((o) => o !== undefined);
  const sources = (Array.isArray(value.sources) ? value.sources : []).map(mapSource).filter((s) => s !== undefined);
  const progress: QueryProgress = {
    id,
    runId: str(value.runId) ?? '',
    timestamp: str(value.timestamp) ?? '',
    batchId,
    numInputRows: num(value.numInputRows) ?? 0,
    durationMs,
    stateOperators,
    sources,
  };
  const name = str(value.name);
  if (name !== undefined && name !== '') progress.name = name;
  const input = num(value.inputRowsPerSecond);
  const processed = num(value.processedRowsPerSecond);
  if (input !== undefined) progress.inputRowsPerSecond = input;
  if (processed !== undefined) progress.processedRowsPerSecond = processed;
  const watermark = isObj(value.eventTime) ? str(value.eventTime.watermark) : undefined;
  if (watermark !== undefined) progress.watermark = watermark;
  if (stateOperators.length > 0) progress.stateRows = stateOperators.reduce((sum, o) => sum + o.numRowsTotal, 0);
  if (isObj(value.sink))
    progress.sink = { description: str(value.sink.description) ?? '', numOutputRows: num(value.sink.numOutputRows) ?? -1 };
  return progress;
}

/**
 * JSON as Python's json.dumps writes it: NaN, Infinity and -Infinity (its non-finite floats, not
 * JSON tokens) read as null. Throws as JSON.parse does.
 */
export function parsePythonJson(text: string): unknown {
  return JSON.parse(text.replace(/(?<=[:[,]\s*)(?:NaN|-?Infinity)(?=\s*[,}\]])/g, 'null')) as unknown;
}

/**
 * A session's `query.lastProgress`: the dict itself (as JSON text, e.g. printed with json.dumps,
 * or already parsed). Python's json.dumps writes NaN for a NaN float; that is read as absent.
 * Undefined when there is no progress yet (Python's None) or the text is not a progress. Never throws.
 */
export function fromLastProgress(json: unknown): QueryProgress | undefined {
  if (typeof json !== 'string') return mapProgress(json);
  const text = json.trim();
  if (text === '' || text === 'None' || text === 'null') return undefined;
  try {
    return mapProgress(parsePythonJson(text));
  } catch {
    return undefined;
  }
}

/**
 * Picks the progress reports out of a driver log fed one line at a time. One parser per stream
 * (log4j writes them to stderr): lines of another stream would split a block. A block cut short
 * (a line that cannot be inside the pretty-printed JSON, or too long) or malformed is dropped and
 * the parser goes on; it never throws.
 */
export class QueryProgressParser {
  private block: string[] | undefined;
  private blockChars = 0;
  private depth = 0;

  /** Feeds one line (without its line break); returns the progress reports this line completed. */
  feed(line: string): QueryProgress[] {
    const out: QueryProgress[] = [];
    if (this.block !== undefined) {
      // Inside a block every line is indented or closes it ("}" at column 0 ends the top level);
      // anything else means the block was cut (e.g. the log rolled) and this line starts afresh.
      if (/^[\s}\]]/.test(line) || line === '') {
        this.scan(line, out);
        return out;
      }
      this.reset();
    }
    const at = line.indexOf(MARKER);
    if (at < 0) return out;
    const rest = line.slice(at + MARKER.length);
    if (!rest.trimStart().startsWith('{')) return out;
    this.block = [];
    this.blockChars = 0;
    this.depth = 0;
    this.scan(rest, out);
    return out;
  }

  /** Drops a block in progress (e.g. when the log's source changes). */
  reset(): void {
    this.block = undefined;
    this.blockChars = 0;
    this.depth = 0;
  }

  private scan(text: string, out: QueryProgress[]): void {
    const block = this.block;
    if (block === undefined) return;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) {
          block.push(text.slice(0, i + 1));
          const json = block.join('\n');
          this.reset();
          const progress = parseBlock(json);
          if (progress) out.push(progress);
          // Whatever follows the block on the same line may start another report.
          const after = text.slice(i + 1);
          if (after.includes(MARKER)) out.push(...this.feed(after));
          return;
        }
        if (this.depth < 0) {
          this.reset();
          return;
        }
      }
    }
    // Pretty-printed JSON never breaks a line inside a string: a string left open means a broken block.
    if (inString) {
      this.reset();
      return;
    }
    block.push(text);
    this.blockChars += text.length + 1;
    if (this.blockChars > MAX_BLOCK_CHARS) this.reset();
  }
}

function parseBlock(json: string): QueryProgress | undefined {
  try {
    return mapProgress(JSON.parse(json) as unknown);
  } catch {
    return undefined;
  }
}
