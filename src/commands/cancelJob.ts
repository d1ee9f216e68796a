// `hdinsight.cancelJob`: cancels a job the way the job says it can be (kill the batch, cancel the
// statement, stop the streaming queries a statement left running, or stop the submission).
import type { JobRegistry } from '../jobs/JobRegistry';
import { jobView, type JobView } from './getJob';
import { jobArgument } from './jobArgument';

/** `hdinsight.cancelJob` `{ jobId }` → the job's view once the cancel was sent. */
export function cancelJobCommand(jobs: JobRegistry) {
  return async (arg?: unknown): Promise<JobView> => {
    const job = await jobArgument(jobs, arg, 'Which job should stop?', {
      filter: (j) => j.cancellation.cancellable,
      none: 'No job is running.',
    });
    await job.cancel();
    return jobView(job, jobs.preflightOf(job.id));
  };
}
