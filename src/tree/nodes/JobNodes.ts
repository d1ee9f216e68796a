import * as vscode from 'vscode';
import { MissingLoginError } from '../../clusters/logins';
import type { ClusterTarget } from '../../clusters/ClusterTarget';
import type { LivyJob } from '../../livy/LivyJob';
import { folderItem, InfoNode, loginNeededNode } from './CommonNodes';
import type { TreeContext } from './TreeContext';
import { recognisedAcrossBundles, type TreeNode } from './TreeNode';

const STATE_ICONS: Record<string, string> = {
  submitting: 'loading~spin',
  starting: 'loading~spin',
  running: 'sync~spin',
  succeeded: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
  unknown: 'question',
};

/** The Livy sessions and batches of a Spark cluster, and the jobs submitted from this window. */
export class JobsNode implements TreeNode {
  readonly id: string;
  /** The rows of this window's jobs, by job id. */
  readonly shown = new Map<string, JobNode>();

  constructor(
    private readonly context: TreeContext,
    readonly parent: TreeNode,
    private readonly target: ClusterTarget,
  ) {
    this.id = `${parent.id}/jobs`;
  }

  getTreeItem(): vscode.TreeItem {
    return folderItem(this.id, 'Jobs', 'run-all', 'jobs');
  }

  hasNewJobs(): boolean {
    return this.context.jobs.list(this.target.cluster.name).some((job) => !this.shown.has(job.id));
  }

  async getChildren(signal: AbortSignal): Promise<TreeNode[]> {
    const mine = this.context.jobs.list(this.target.cluster.name);
    this.shown.clear();
    for (const job of mine) this.shown.set(job.id, new JobNode(this, job));
    const nodes: TreeNode[] = [...this.shown.values()];
    try {
      const livy = await this.context.livy.client(this.target, { interactive: false, signal });
      const [batches, sessions] = await Promise.all([livy.listBatches(signal), livy.listSessions(signal)]);
      const known = new Set(mine.flatMap((j) => (j.snapshot.batchId !== undefined ? [`batch ${j.snapshot.batchId}`] : [])));
      for (const b of batches) {
        if (known.has(`batch ${b.id}`)) continue;
        nodes.push(
          new InfoNode(
            this,
            `${this.id}/batch/${b.id}`,
            b.name ?? `batch ${b.id}`,
            `batch ${b.id} · ${b.state}`,
            'package',
            b.appId ?? undefined,
          ),
        );
      }
      for (const s of sessions) {
        nodes.push(
          new InfoNode(
            this,
            `${this.id}/session/${s.id}`,
            s.name ?? `session ${s.id}`,
            `session ${s.id} · ${s.kind ?? ''} · ${s.state}`,
            'terminal',
            s.appId ?? undefined,
          ),
        );
      }
    } catch (err) {
      if (!(err instanceof MissingLoginError)) throw err;
      nodes.push(loginNeededNode(this, this.target.cluster.name, 'Livy’s jobs'));
    }
    if (nodes.length === 0) nodes.push(new InfoNode(this, `${this.id}/none`, 'No jobs', 'Submit Streaming Job runs one', 'info'));
    return nodes;
  }
}

/** A job submitted from this window: its state, and its output panel on click. */
export class JobNode implements TreeNode {
  static {
    recognisedAcrossBundles(this, 'JobNode');
  }

  readonly id: string;

  constructor(
    readonly parent: TreeNode,
    readonly job: LivyJob,
  ) {
    this.id = `${parent.id}/job/${job.id}`;
  }

  getTreeItem(): vscode.TreeItem {
    const s = this.job.snapshot;
    const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const where = s.batchId !== undefined ? `batch ${s.batchId}` : s.sessionId !== undefined ? `session ${s.sessionId}` : s.mode;
    item.description = `${s.state} · ${where}`;
    item.tooltip = [`${s.name} (${this.job.id})`, `${s.state}${s.livyState ? ` (Livy: ${s.livyState})` : ''}`, s.appId, s.note]
      .filter(Boolean)
      .join('\n');
    item.iconPath = new vscode.ThemeIcon(STATE_ICONS[s.state] ?? 'circle-outline');
    // The job says whether it can be cancelled: a streaming query left running by a finished statement can be stopped.
    item.contextValue = this.job.cancellation.cancellable ? 'job.running' : 'job.ended';
    item.command = { command: 'hdinsight.showJobOutput', title: 'Show Job Output', arguments: [{ jobId: this.job.id }] };
    return item;
  }
}
