// The messages between each panel (src/panels/) and its page (src/webviews/), in both directions:
// the one definition both sides compile against, so a renamed field fails the build instead of
// the page. Types only, and self-contained: the pages are browser bundles, so nothing here may
// import code that needs Node or vscode. The host posts its own objects (a BrowsedMessage, a
// JobSnapshot) where these shapes are asked for, and the compiler checks that they fit.

import type { QueriesMessage } from './queryProtocol';

// ---- The message browser (MessageBrowserPanel, MessageBrowserModel; messageBrowser.ts) ----

/** How the bytes of a key, value or header became text: UTF-8, or hex when they are not UTF-8 text. */
export type TextEncoding = 'utf8' | 'hex';

/** One Kafka message as the page shows it (the host sends its BrowsedMessage). */
export interface MessageView {
  // Where and when: the list's first columns.
  partition: number;
  offset: string;
  /** ISO 8601 */
  timestamp: string;
  // What it holds, as text.
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  // How that text came from the bytes: "hex" marks bytes that are not UTF-8 text.
  keyEncoding: TextEncoding;
  valueEncoding: TextEncoding;
  headerEncodings: Record<string, TextEncoding>;
  /** The whole value's size in bytes; `value` may hold only its start. */
  valueSize: number;
  /** `value` is the start of a longer value. */
  truncated: boolean;
}

/** Where Load starts reading: the newest messages, the oldest, an offset in every partition, or a time (ms). */
export type LoadFrom = 'newest' | 'earliest' | { offset: number } | { timestamp: number };

/** A message typed into the page's form. The host validates it like any other input before sending it. */
export interface ComposedMessage {
  key: string | null;
  value: string;
  headers?: Record<string, string>;
  partition?: number;
}

/** From the message browser's page to its panel. */
export type MessageBrowserToHost =
  | { type: 'ready' }
  | { type: 'load'; from: LoadFrom; partitions?: number[] }
  | { type: 'older' }
  | { type: 'newer' }
  | { type: 'tail'; enabled: boolean }
  | { type: 'produce'; message: ComposedMessage }
  /** The user opened a message: its whole value (up to 256 KB) is wanted. */
  | { type: 'open'; partition: number; offset: string };

/** From the message browser's panel to its page. */
export type MessageBrowserToPage =
  /** No partitions: the topic could not be read yet (a status message says why). */
  | { type: 'init'; cluster: string; topic: string; partitions: number[] }
  /** `dropped` held messages were let go (at the start, or at the end when prepending); `note` says so. */
  | { type: 'messages'; messages: MessageView[]; mode: 'replace' | 'prepend' | 'append'; dropped: number; note?: string }
  | { type: 'status'; text: string; error?: boolean }
  /** The reply to `open`: the message with its value up to 256 KB. */
  | { type: 'opened'; message: MessageView }
  | { type: 'openFailed'; partition: number; offset: string; text: string }
  | { type: 'produced'; partition: number; offset: string }
  | { type: 'produceFailed'; text: string };

// ---- The job output (JobOutputPanel; jobOutput.ts) ----

export type JobViewState = 'submitting' | 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

/** A statement's result as Livy returns it; `data` maps a MIME type to what Livy sent, unchecked. */
export type OutputView =
  { status: 'ok'; data: Record<string, unknown> } | { status: 'error'; ename: string; evalue: string; traceback: string[] };

/** What the page shows of a job, in the order it shows it (the host sends its JobSnapshot, which holds more). */
export interface JobView {
  name: string;
  cluster: string;
  state: JobViewState;
  /** From 0 to 1, while a statement runs. */
  progress?: number;
  // Where it runs: a batch, or a statement in a session.
  mode: 'session' | 'batch';
  batchId?: number;
  sessionId?: number;
  statementId?: number;
  appId?: string;
  /** The driver's log from YARN: being read, read to its end, or given up on after the job ended. */
  driverLog?: 'reading' | 'complete' | 'incomplete';
  // Links the job reported.
  sparkUiUrl?: string;
  driverLogUrl?: string;
  note?: string;
  output?: OutputView;
  /** Milliseconds since the epoch, by the host's clock. */
  submittedAt: number;
  endedAt?: number;
}

/**
 * Where a line came from: Livy's log ('stdout', 'stderr': on a YARN cluster the spark-submit
 * launcher's lines; 'yarn': YARN's diagnostics), or the driver container's stdout and stderr.
 */
export type LogStreamName = 'stdout' | 'stderr' | 'yarn' | 'driverStdout' | 'driverStderr';

export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';

/**
 * A line of the job's log; a mark where Livy's buffer overflowed and lines were lost; or a notice
 * from the extension (the driver's log could not be read, or is not available). A `continued`
 * line belongs to the entry above it on its stream (a stack trace, pretty-printed JSON) and
 * carries that entry's level.
 */
export type LogLine =
  | { stream: LogStreamName; text: string; level?: LogLevelName; continued?: true }
  | { stream: LogStreamName; gap: true }
  | { stream: 'notice'; text: string };

/** Whether Cancel applies now and what it does: the job decides (LivyJob.cancellation), the page only shows it. */
export type JobCancelView =
  { cancellable: false } | { cancellable: true; action: 'abortSubmission' | 'killBatch' | 'cancelStatement' | 'stopStreamingQueries' };

/** From the job output's panel to its page. `now` is the host's clock, to count the elapsed time from. */
export type JobOutputToPage =
  | { type: 'snapshot'; snapshot: JobView; cancellation: JobCancelView; now: number }
  /** `reset`: the log starts again with these lines; `dropped` earlier lines were let go. */
  | { type: 'log'; entries: LogLine[]; reset: boolean; dropped: number }
  /** The job's streaming queries (src/webviews/queryProtocol.ts), sent when they changed. */
  | QueriesMessage;

/** From the job output's page to its panel. `open` asks for one of the links the job reported. */
export type JobOutputToHost = { type: 'ready' } | { type: 'cancel' } | { type: 'open'; url: string };
