// `hdinsight.getJob`: what a script sees of a job submitted from this window.
import type { JobRegistry } from '../jobs/JobRegistry';
import { type JobLine, jobLine } from '../livy/jobLog';
import type { StatementOutput } from '../livy/LivyClient';
import type { JobSnapshot, LivyJob } from '../livy/LivyJob';
import type { QueryView } from '../livy/queryMonitor';
import type { PreflightReport } from '../preflight/streamingPreflight';
import { jobArgument } from './jobArgument';

export interface JobView {
  jobId: string;
  state: JobSnapshot['state'];
  appId?: string;
  /** The log's lines as text, as `lines` has them. */
  log: string[];
  lines: JobLine[];
  /** The driver's log from YARN: being read, read to its end, or given up on after the job ended. */
  driverLog?: JobSnapshot['driverLog'];
  output?: StatementOutput;
  note?: string;
  /**
   * The streaming queries whose progress the driver logged: per query its id, name, batchId,
   * inputRowsPerSecond, processedRowsPerSecond, durationMs, sources (Kafka partitions' lag),
   * fallingBehind, and more (watermark, stateRows, the last batches). Empty when there are none.
   */
  queries: QueryView[];
  /** What the pre-flight found before submitting: findings (severity, message, action, fix), the fix applied. */
  preflight?: PreflightReport;
}

/** What a script sees of a job; a gap in the log reads as a line saying lines are missing. */
export function jobView(job: LivyJob, preflight?: PreflightReport): JobView {
  const s = job.snapshot;
  const lines = job.log.map(jobLine);
  return {
    jobId: job.id,
    state: s.state,
    appId: s.appId,
    log: lines.map((l) => l.text),
    lines,
    driverLog: s.driverLog,
    output: s.output,
    note: s.note,
    queries: job.queries,
    ...(preflight ? { preflight } : {}),
  };
}

/**
 * `hdinsight.getJob` `{ jobId }` → `{ jobId, state, appId?, log, lines, driverLog?, output?, note?, queries, preflight? }`,
 * kept after Livy forgets the job.
 */
export function getJobCommand(jobs: JobRegistry) {
  return async (arg?: unknown): Promise<JobView> => {
    const job = await jobArgument(jobs, arg, 'Which job?');
    return jobView(job, jobs.preflightOf(job.id));
  };
}
