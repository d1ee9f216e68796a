// What the job output page receives about the job's streaming queries: one entry per query, as the
// streaming-query monitor (src/livy/queryMonitor.ts, QueryView) gives it and hdinsight.getJob
// returns it. Plain JSON; the same shape is checked against the monitor's type in the tests.

/** A JSON value as Spark wrote it (a source's offsets). */
export type JsonWire = null | boolean | number | string | JsonWire[] | { [key: string]: JsonWire };

export interface QuerySeriesPointWire {
  batchId: number;
  timestamp: string;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  triggerExecutionMs?: number;
  kafkaOffsetsBehind?: number;
}

export interface PartitionLagWire {
  topic: string;
  partition: number;
  /** The query's end offset for the partition. */
  offset: number;
  latest?: number;
  lag?: number;
  /** 'topic': read through Kafka just now; 'batch': the source's latest offset when the batch was planned. */
  latestFrom?: 'topic' | 'batch';
}

export interface SourceWire {
  description: string;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  startOffset: JsonWire;
  endOffset: JsonWire;
  latestOffset: JsonWire;
  kafka?: {
    partitions: PartitionLagWire[];
    totalLag?: number;
    avgOffsetsBehindLatest?: number;
    maxOffsetsBehindLatest?: number;
  };
}

export interface QueryWire {
  id: string;
  runId: string;
  name?: string;
  timestamp: string;
  batchId: number;
  numInputRows: number;
  inputRowsPerSecond?: number;
  processedRowsPerSecond?: number;
  durationMs: Record<string, number>;
  watermark?: string;
  stateRows?: number;
  sources: SourceWire[];
  sink?: { description: string; numOutputRows: number };
  fallingBehind: boolean;
  fallingBehindReason?: string;
  /** The last batches, oldest first. */
  series: QuerySeriesPointWire[];
}

/** Panel → page: the queries as of now (the whole list each time; the page redraws them). */
export interface QueriesMessage {
  type: 'queries';
  queries: QueryWire[];
}
