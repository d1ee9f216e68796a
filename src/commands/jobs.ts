import * as vscode from 'vscode';
import { InvalidInputError } from '../core/errors';
import type { JobRegistry } from '../jobs/JobRegistry';
import type { JobSnapshot, LivyJob } from '../livy/LivyJob';
import type { StatementOutput } from '../livy/LivyClient';
import { JobOutputPanel } from '../panels/JobOutputPanel';
import { JobNode } from '../tree/nodes/JobNodes';
import { isScripted } from './command';

export interface JobView {
  jobId: string;
  state: JobSnapshot['state'];
  appId?: string;
  log: string[];
  output?: StatementOutput;
  note?: string;
}

/** A job by `{ jobId }`, a job id string, or (from the palette) the user's pick. */
async function jobOf(jobs: JobRegistry, arg: unknown, placeHolder: string, onlyRunning = false): Promise<LivyJob> {
  if (arg instanceof JobNode) return arg.job;
  const id = typeof arg === 'string' ? arg : isScripted([arg]) ? (arg as { jobId?: unknown }).jobId : undefined;
  if (id !== undefined) {
    if (typeof id !== 'string' || !id) throw new InvalidInputError('"jobId" must be the id Submit Streaming Job returned.');
    const job = jobs.get(id);
    if (!job) throw new InvalidInputError(`There is no job ${id} in this window.`);
    return job;
  }
  const candidates = jobs.list().filter((j) => !onlyRunning || j.cancellation.cancellable);
  if (candidates.length === 0) throw new InvalidInputError(onlyRunning ? 'No job is running.' : 'No job was submitted in this window yet.');
  const pick = await vscode.window.showQuickPick(
    candidates.map((job) => ({
      label: job.snapshot.name,
      description: `${job.snapshot.cluster} · ${job.snapshot.state}`,
      detail: job.id,
      job,
    })),
    { placeHolder },
  );
  if (!pick) throw new vscode.CancellationError();
  return pick.job;
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
  return async (arg?: unknown): Promise<JobView> => jobView(await jobOf(jobs, arg, 'Which job?'));
}

/** `hdinsight.cancelJob` `{ jobId }` → the job's view once the cancel was sent. */
export function cancelJobCommand(jobs: JobRegistry) {
  return async (arg?: unknown): Promise<JobView> => {
    const job = await jobOf(jobs, arg, 'Which job should stop?', true);
    await job.cancel();
    return jobView(job);
  };
}

/** `hdinsight.showJobOutput` `{ jobId }`: opens (or reveals) the job's output panel. */
export function showJobOutputCommand(jobs: JobRegistry, extensionUri: vscode.Uri) {
  return async (arg?: unknown): Promise<{ jobId: string }> => {
    const job = await jobOf(jobs, arg, 'Whose output?');
    JobOutputPanel.show(extensionUri, job);
    return { jobId: job.id };
  };
}
