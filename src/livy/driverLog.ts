// The Spark driver's own output on a YARN cluster. With Livy in YARN cluster mode (as on
// HDInsight), Livy's log holds only the spark-submit launcher's lines and YARN's diagnostics; what
// the job prints (a console sink's rows, print(), Spark's log4j lines and the streaming queries'
// progress) is in the driver container's stdout and stderr, which YARN serves through the cluster
// gateway under /yarnui/. A DriverLogSource reads them incrementally for one YARN application.

/** Which of the driver container's files a line came from. */
export type DriverStream = 'driverStdout' | 'driverStderr';

export interface DriverLogLine {
  stream: DriverStream;
  text: string;
}

export interface DriverLogPoll {
  /** New complete lines since the last poll, in order per stream (stdout's, then stderr's). */
  lines: DriverLogLine[];
  /**
   * One sentence for the user when a page could not be read this time (YARN answered 403 or 404,
   * the log moved to the history server and is not there yet); the source goes on from where it was.
   */
  notice?: string;
  /** The application ended and its log was read to the end (the aggregated copy): nothing more will come. */
  complete: boolean;
}

/** The YARN application as its ResourceManager last described it (a final state once seen stays). */
export interface DriverApplication {
  /** NEW … RUNNING, FINISHED, FAILED, KILLED. */
  state: string;
  /** UNDEFINED, SUCCEEDED, FAILED, KILLED. */
  finalStatus: string;
  diagnostics?: string;
}

export interface DriverLogSource {
  /** What is new. Throws only on faults the caller should show (cancellation, the login refused). */
  poll(signal?: AbortSignal): Promise<DriverLogPoll>;
  /** The application, once read: the job's state when Livy no longer knows the job. */
  readonly application?: DriverApplication;
  readonly stats: { requests: number; bytesReceived: number };
}
