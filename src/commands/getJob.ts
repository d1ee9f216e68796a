// `hdinsight.getJob`: what a script sees of a job submitted from this window.
import type { JobRegistry } from '../jobs/JobRegistry';
import type { JobLogEntry, JobLogStream, LogLevel } from '../livy/jobLog';
import type { StatementOutput } from '../livy/LivyClient';
import type { JobSnapshot, LivyJob } from '../livy/LivyJob';
import { jobArgument } from './jobArgument';

/**
 * A line of the job's log with where it came from: Livy's log ('stdout', 'stderr': on a YARN
 * cluster the launcher's lines; 'yarn': YARN's diagnostics), the driver's 'driverStdout' and
 * 'driverStderr', or a 'notice' of the extension. `continued`: it belongs to the entry above it on
 * the same source (a stack trace, pretty-printed JSON), whose level it carries. `gap`: Livy's
 * buffer overflowed and lines of that source are missing here.
 */
export interface JobLine {
  source: JobLogStream | 'notice';
  text: string;
  level?: LogLevel;
  continued?: true;
  gap?: true;
}

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
}

function jobLine(e: JobLogEntry): JobLine {
  if ('gap' in e) return { source: e.stream, text: `[lines of ${e.stream} missing: Livy's log buffer overflowed]`, gap: true };
  if (e.stream === 'notice') return { source: 'notice', text: e.text };
  return { source: e.stream, text: e.text, ...(e.level && { level: e.level }), ...(e.continued && { continued: e.continued }) };
}

/** What a script sees of a job; a gap in the log reads as a line saying lines are missing. */
export function jobView(job: LivyJob): JobView {
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
  };
}

/**
 * `hdinsight.getJob` `{ jobId }` → `{ jobId, state, appId?, log, lines, driverLog?, output?, note? }`,
 * kept after Livy forgets the job.
 */
export function getJobCommand(jobs: JobRegistry) {
  return async (arg?: unknown): Promise<JobView> => jobView(await jobArgument(jobs, arg, 'Which job?'));
}
