// The job a job command acts on, from its argument: a Jobs tree row, `{ jobId }`, a job id, or
// (from the palette) the user's pick.
import * as vscode from 'vscode';
import { InvalidInputError } from '../core/errors';
import type { JobRegistry } from '../jobs/JobRegistry';
import type { LivyJob } from '../livy/LivyJob';
import { JobNode } from '../tree/nodes/JobNodes';
import { isScripted } from './command';

/** A job by `{ jobId }`, a job id string, or (from the palette) the user's pick among those `offered` keeps. */
export async function jobArgument(
  jobs: JobRegistry,
  arg: unknown,
  placeHolder: string,
  offered: { filter: (job: LivyJob) => boolean; none: string } = { filter: () => true, none: 'No job was submitted in this window yet.' },
): Promise<LivyJob> {
  if (arg instanceof JobNode) return arg.job;
  const id = typeof arg === 'string' ? arg : isScripted([arg]) ? (arg as { jobId?: unknown }).jobId : undefined;
  if (id !== undefined) {
    if (typeof id !== 'string' || !id) throw new InvalidInputError('"jobId" must be the id Submit Streaming Job returned.');
    const job = jobs.get(id);
    if (!job) throw new InvalidInputError(`There is no job ${id} in this window.`);
    return job;
  }
  const candidates = jobs.list().filter(offered.filter);
  if (candidates.length === 0) throw new InvalidInputError(offered.none);
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
