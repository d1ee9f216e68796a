// `hdinsight.showJobOutput`: the output panel of a job submitted from this window.
import type * as vscode from 'vscode';
import type { JobRegistry } from '../jobs/JobRegistry';
import { JobOutputPanel } from '../panels/JobOutputPanel';
import { jobArgument } from './jobArgument';

/** `hdinsight.showJobOutput` `{ jobId }`: opens (or reveals) the job's output panel. */
export function showJobOutputCommand(jobs: JobRegistry, extensionUri: vscode.Uri) {
  return async (arg?: unknown): Promise<{ jobId: string }> => {
    const job = await jobArgument(jobs, arg, 'Whose output?');
    JobOutputPanel.show(extensionUri, job);
    return { jobId: job.id };
  };
}
