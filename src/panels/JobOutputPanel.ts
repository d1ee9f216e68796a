import * as vscode from 'vscode';
import { webviewHtml, webviewRoots } from './webviewHtml';
import type { JobSnapshot, LivyJob } from '../livy/LivyJob';
import type { JobOutputToHost, JobOutputToPage, JobView } from '../webviews/protocol';

/** Messages to the webview (src/webviews/protocol.ts): the job's JobSnapshot and LogEntries go as they are. */
export type ToJobWebview = JobOutputToPage;

/** Messages from the webview. */
type FromJobWebview = JobOutputToHost;

/** Log entries sent per message, so a long log reaches a reopened panel in steps. */
const CHUNK = 5_000;

/**
 * The output of one job in the editor area: state and elapsed time, application id and links,
 * the log as it streams (each line tagged with its source, launcher or driver, filterable by it; coloured by
 * level, an entry with its continuation lines as one; searchable; following the end), the statement's
 * result, and Cancel. Closing it does not stop the job; opening it again shows everything so far.
 * Data reaches the webview as structured messages rendered with textContent, never as HTML.
 */
export class JobOutputPanel implements vscode.Disposable {
  private static readonly open = new Map<string, JobOutputPanel>();
  /** Absolute index (counting entries the job let go) of the next log entry to send. */
  private sent = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** The job's queriesRevision the page has: queries go only when they changed. */
  private queriesSent = -1;

  static show(extensionUri: vscode.Uri, job: LivyJob): JobOutputPanel {
    const existing = JobOutputPanel.open.get(job.id);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      'hdinsight.jobOutput',
      `${job.snapshot.name} · ${job.snapshot.cluster}`,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: webviewRoots(extensionUri),
        retainContextWhenHidden: true,
      },
    );
    const view = new JobOutputPanel(panel, extensionUri, job);
    JobOutputPanel.open.set(job.id, view);
    return view;
  }

  static of(jobId: string): JobOutputPanel | undefined {
    return JobOutputPanel.open.get(jobId);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly job: LivyJob,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'spark.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      script: 'jobOutput.js',
      style: ['jobOutput.css', 'queryMonitor.css'],
      title: 'Job output',
    });
    let pending = false;
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromJobWebview) => void this.handle(m)),
      panel.onDidDispose(() => this.dispose()),
      // Updates come in bursts (state and log of one poll): send them together.
      job.onDidChange(() => {
        if (pending || !this.ready) return;
        pending = true;
        setTimeout(() => {
          pending = false;
          this.push();
        }, 50);
      }),
    );
  }

  private async handle(message: FromJobWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.sent = 0;
        this.queriesSent = -1;
        this.push(true);
        return;
      case 'cancel':
        await this.job.cancel().catch(() => undefined); // the job's note says what happened
        return;
      case 'open':
        // Only the links the job itself reported.
        if (message.url === this.job.snapshot.sparkUiUrl || message.url === this.job.snapshot.driverLogUrl) {
          await vscode.env.openExternal(vscode.Uri.parse(message.url));
        }
        return;
    }
  }

  private push(reset = false): void {
    const { droppedLines } = this.job.snapshot;
    const log = this.job.log;
    let start = Math.max(0, this.sent - droppedLines);
    const skipped = Math.max(0, droppedLines - this.sent);
    let first = true;
    while (start < log.length) {
      const entries = log.slice(start, start + CHUNK);
      void this.panel.webview.postMessage({
        type: 'log',
        entries,
        reset: reset && first,
        dropped: first ? skipped : 0,
      } satisfies ToJobWebview);
      first = false;
      start += entries.length;
    }
    if (first && reset)
      void this.panel.webview.postMessage({ type: 'log', entries: [], reset: true, dropped: skipped } satisfies ToJobWebview);
    this.sent = droppedLines + log.length;
    // The whole snapshot goes; Pick fails to compile unless it has every field the page reads under that name.
    // `cancellation` says whether Cancel applies now and what it does: the job decides, the page only shows it.
    const snapshot: Pick<JobSnapshot, keyof JobView> = this.job.snapshot;
    void this.panel.webview.postMessage({
      type: 'snapshot',
      snapshot,
      cancellation: this.job.cancellation,
      now: Date.now(),
    } satisfies ToJobWebview);
    // The streaming queries, whole, when a progress report changed them (the monitor's QueryView is the page's QueryWire).
    const revision = this.job.queriesRevision;
    if (revision !== this.queriesSent && (revision > 0 || reset)) {
      this.queriesSent = revision;
      void this.panel.webview.postMessage({ type: 'queries', queries: this.job.queries } satisfies ToJobWebview);
    }
  }

  dispose(): void {
    for (const [key, value] of JobOutputPanel.open) if (value === this) JobOutputPanel.open.delete(key);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
