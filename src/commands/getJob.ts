// `hdinsight.getJob`: what a script sees of a job submitted from this window.
import type { JobRegistry } from '../jobs/JobRegistry';
import type { StatementOutput } from '../livy/LivyClient';
import type { JobSnapshot, LivyJob } from '../livy/LivyJob';
import { jobArgument } from './jobArgument';

export interface JobView {
  jobId: string;
  state: JobSnapshot['state'];
  appId?: string;
  log: string[];
  output?: StatementOutput;
  note?: string;
}

/** What a script sees of a job; a gap in the log reads as a line saying lines are missing. */
export function jobView(job: LivyJob): JobView {
  const s = job.snapshot;
  return {
    jobId: job.id,
    state: s.state,
    appId: s.appId,
    log: job.log.map((e) => ('gap' in e ? `[lines of ${e.stream} missing: Livy's log buffer overflowed]` : e.text)),
    output: s.output,
    note: s.note,
  };
}

/** `hdinsight.getJob` `{ jobId }` → `{ jobId, state, appId?, log, output?, note? }`, kept after Livy forgets the job. */
export function getJobCommand(jobs: JobRegistry) {
  return async (arg?: unknown): Promise<JobView> => jobView(await jobArgument(jobs, arg, 'Which job?'));
}
