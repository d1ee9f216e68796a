// The HDInsight notebook kernels: for each running Spark cluster (Azure or linked), "HDInsight
// Spark (Scala)" and "HDInsight PySpark" controllers for Jupyter notebooks, suggested for
// notebooks whose kernelspec is sparkmagic's. Each notebook gets its own Livy session, started on
// its first run with what its %%configure said; cells run as statements in order, showing the
// driver's output and the streaming-query monitor while they run. Interrupt cancels the statement;
// Restart recreates the session; closing the notebook offers to delete it.
import * as vscode from 'vscode';
import { isRunning } from '../azure/model';
import { allAzureClusters, type ClusterTarget } from '../clusters/ClusterTarget';
import type { JobAccess } from '../clusters/LivyConnections';
import { clusterIdentity } from '../clusters/sshEndpoint';
import { HDInsightError, InvalidInputError, isCancellation, userMessage } from '../core/errors';
import type { LivySession } from '../livy/LivyClient';
import { stopStreamingQueriesCode, type JobSnapshot, type LivyJob } from '../livy/LivyJob';
import { helpText, parseCell } from '../sparkmagic/magics';
import { deleteAllSessions, deleteSession, listSessions, NotebookSession } from '../sparkmagic/NotebookSession';
import { statementOutputs, tableOutput } from '../sparkmagic/outputs';
import { parseSqlResult, sqlStatement } from '../sparkmagic/sql';
import type { CellCommand, CellOutput, NotebookLanguage } from '../sparkmagic/types';
import { CellOutputs } from './cellOutputs';
import { JUPYTER_NOTEBOOK, type NotebookKernelDeps } from './contract';

const LANGUAGES: readonly NotebookLanguage[] = ['scala', 'python'];
/** sparkmagic's kernelspec names. */
const KERNELSPECS: Record<string, NotebookLanguage> = { sparkkernel: 'scala', pysparkkernel: 'python' };
/** The cell languages the kernels run: sparkmagic's notebooks say scala or pyspark (or python); %%sql cells may say sql. */
const CELL_LANGUAGES = ['scala', 'python', 'pyspark', 'sql', 'plaintext', 'raw'];
/** Clusters are listed again for a newly opened notebook at most this often. */
const RELIST_MS = 60_000;
/** How long an interrupt waits for Livy to end the cancelled statement. */
const CANCEL_WAIT_MS = 30_000;

interface Kernel {
  id: string;
  target: ClusterTarget;
  language: NotebookLanguage;
  controller: vscode.NotebookController;
}

/** A notebook run by one kernel: its session, the cells queued, the one running. */
interface NotebookRun {
  key: string;
  notebook: vscode.NotebookDocument;
  kernel: Kernel;
  session?: NotebookSession;
  access?: JobAccess;
  queue: Promise<void>;
  pending: Set<vscode.NotebookCellExecution>;
  current?: { abort: AbortController };
  order: number;
  /** Closing: the question whether to delete the session is being asked. */
  closing?: boolean;
}

/** The id of a cluster's kernel for a language: stable, so VS Code remembers a notebook's choice. */
export function kernelId(target: ClusterTarget, language: NotebookLanguage): string {
  const cluster = clusterIdentity(target).replace(/[^a-z0-9]+/g, '-');
  return `hdinsight-${language}-${cluster}`;
}

export function kernelLabel(cluster: string, language: NotebookLanguage): string {
  return language === 'scala' ? `HDInsight Spark (Scala) — ${cluster}` : `HDInsight PySpark — ${cluster}`;
}

/** What sparkmagic's kernelspec in a notebook asks for, if anything. */
export function kernelspecLanguage(notebook: vscode.NotebookDocument): NotebookLanguage | undefined {
  const metadata = notebook.metadata as { metadata?: { kernelspec?: { name?: unknown } } } | undefined;
  const name = metadata?.metadata?.kernelspec?.name;
  return typeof name === 'string' ? KERNELSPECS[name.toLowerCase()] : undefined;
}

export class NotebookKernels implements vscode.Disposable {
  private readonly kernels = new Map<string, Kernel>();
  private readonly runs = new Map<string, NotebookRun>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private listedAt = 0;
  private listing?: Promise<void>;

  constructor(private readonly deps: NotebookKernelDeps) {
    this.subscriptions.push(
      deps.lookup.settings.onDidChange(() => this.stale()),
      deps.lookup.account.onDidChange(() => this.stale()),
      // The user closing a notebook's last tab; VS Code closes the document itself only later
      // (it keeps a notebook opened by an extension for a while).
      vscode.window.tabGroups.onDidChangeTabs(({ closed }) => {
        for (const tab of closed) {
          const input = tab.input;
          if (!(input instanceof vscode.TabInputNotebook) || input.notebookType !== JUPYTER_NOTEBOOK) continue;
          const uri = input.uri.toString();
          const shown = vscode.window.tabGroups.all.some((g) =>
            g.tabs.some((t) => t.input instanceof vscode.TabInputNotebook && t.input.uri.toString() === uri),
          );
          if (!shown) void this.closed(uri);
        }
      }),
      vscode.workspace.onDidCloseNotebookDocument((notebook) => void this.closed(notebook.uri.toString())),
    );
    void this.relist();
  }

  /** A Jupyter notebook opened: the kernels are (re)listed if it has been a while, and suggested. */
  opened(notebook: vscode.NotebookDocument): void {
    if (Date.now() - this.listedAt > RELIST_MS) void this.relist();
    else this.suggest(notebook);
  }

  /** The clusters may have changed: listed again now while a notebook is open, else when one opens. */
  private stale(): void {
    if (vscode.workspace.notebookDocuments.some((n) => n.notebookType === JUPYTER_NOTEBOOK)) void this.relist();
    else this.listedAt = 0;
  }

  /** The kernels of the running Spark clusters now; the ones of clusters gone are removed. */
  relist(): Promise<void> {
    this.listing ??= this.list().finally(() => (this.listing = undefined));
    return this.listing;
  }

  /** The kernels offered now, once the clusters being listed are known. */
  async offered(): Promise<{ id: string; label: string; cluster: string; language: NotebookLanguage }[]> {
    await this.listing;
    return [...this.kernels.values()].map((k) => ({
      id: k.id,
      label: k.controller.label,
      cluster: k.target.cluster.name,
      language: k.language,
    }));
  }

  private async list(): Promise<void> {
    const targets: ClusterTarget[] = this.deps.lookup.settings.linkedClusters.clusters
      .filter((c) => c.livyUrl)
      .map((cluster) => ({ kind: 'linked', cluster }));
    try {
      const azure = await allAzureClusters(this.deps.lookup);
      for (const cluster of azure) if (cluster.kind === 'spark' && isRunning(cluster)) targets.push({ kind: 'azure', cluster });
    } catch (err) {
      this.deps.logger.error('Listing the Spark clusters for the notebook kernels', err);
    }
    this.listedAt = Date.now();
    const wanted = new Set<string>();
    for (const target of targets) {
      for (const language of LANGUAGES) {
        const id = kernelId(target, language);
        wanted.add(id);
        const known = this.kernels.get(id);
        if (known) known.target = target;
        else this.kernels.set(id, this.create(id, target, language));
      }
    }
    for (const [id, kernel] of this.kernels) {
      // A kernel whose cluster went away stays while a notebook still runs on it.
      if (wanted.has(id) || [...this.runs.values()].some((r) => r.kernel === kernel)) continue;
      kernel.controller.dispose();
      this.kernels.delete(id);
    }
    for (const notebook of vscode.workspace.notebookDocuments) this.suggest(notebook);
  }

  private create(id: string, target: ClusterTarget, language: NotebookLanguage): Kernel {
    const name = target.cluster.name;
    const controller = vscode.notebooks.createNotebookController(id, JUPYTER_NOTEBOOK, kernelLabel(name, language));
    controller.supportedLanguages = CELL_LANGUAGES;
    controller.supportsExecutionOrder = true;
    controller.description = target.kind === 'azure' ? `${target.cluster.location} · Livy session` : 'linked cluster · Livy session';
    controller.detail = `Runs each cell as a statement in the notebook's own Livy session on ${name}; sparkmagic's %%configure, %%info, %%sql, %%logs, %%cleanup, %%delete and %%help work.`;
    const kernel: Kernel = { id, target, language, controller };
    controller.executeHandler = (cells, notebook) => this.execute(kernel, cells, notebook);
    controller.interruptHandler = (notebook) => this.interrupt(notebook);
    controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
      // Another kernel chosen: this one's session ends, as a Jupyter kernel shuts down.
      if (!selected) void this.endRun(notebook, kernel, 'another kernel was chosen');
    });
    return kernel;
  }

  private suggest(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType !== JUPYTER_NOTEBOOK) return;
    const language = kernelspecLanguage(notebook);
    if (!language) return;
    for (const kernel of this.kernels.values()) {
      kernel.controller.updateNotebookAffinity(
        notebook,
        kernel.language === language ? vscode.NotebookControllerAffinity.Preferred : vscode.NotebookControllerAffinity.Default,
      );
    }
  }

  private runOf(notebook: vscode.NotebookDocument, kernel: Kernel): NotebookRun {
    const key = notebook.uri.toString();
    let run = this.runs.get(key);
    if (run && run.kernel !== kernel) {
      void this.endRun(notebook, run.kernel, 'another kernel was chosen');
      run = undefined;
    }
    if (!run) {
      run = { key, notebook, kernel, queue: Promise.resolve(), pending: new Set(), order: 0 };
      this.runs.set(key, run);
    }
    return run;
  }

  private execute(kernel: Kernel, cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): void {
    const run = this.runOf(notebook, kernel);
    // Every cell asked for shows as queued at once; they run one after another.
    const executions = cells.map((cell) => kernel.controller.createNotebookCellExecution(cell));
    for (const execution of executions) run.pending.add(execution);
    run.queue = run.queue.then(async () => {
      for (const execution of executions) {
        if (!run.pending.delete(execution)) continue; // interrupted while queued
        await this.runCell(run, execution);
      }
    });
  }

  private interrupt(notebook: vscode.NotebookDocument): void {
    const run = this.runs.get(notebook.uri.toString());
    if (!run) return;
    for (const execution of run.pending) execution.end(undefined);
    run.pending.clear();
    // The running cell's statement is cancelled by its abort (follow).
    run.current?.abort.abort();
  }

  private async runCell(run: NotebookRun, execution: vscode.NotebookCellExecution): Promise<void> {
    execution.executionOrder = ++run.order;
    execution.start(Date.now());
    await execution.clearOutput();
    const out = new CellOutputs(execution);
    const abort = new AbortController();
    run.current = { abort };
    let success = false;
    try {
      const command = parseCell(execution.cell.document.getText(), run.kernel.language);
      success = await this.perform(run, command, out, abort.signal);
    } catch (err) {
      if (abort.signal.aborted || isCancellation(err)) {
        await out.addResults([{ kind: 'error', name: 'Interrupted', message: 'The cell was interrupted.', traceback: [] }]);
      } else {
        this.deps.logger.error(`Running a cell of ${run.notebook.uri.path}`, err);
        await out.addResults([errorOutput(err)]);
      }
    } finally {
      run.current = undefined;
      await out.flushed().catch(() => undefined);
      execution.end(success, Date.now());
    }
  }

  private async accessOf(run: NotebookRun, signal: AbortSignal): Promise<JobAccess> {
    run.access ??= await this.deps.livy.job(run.kernel.target, { interactive: true, signal });
    return run.access;
  }

  private async sessionOf(run: NotebookRun, signal: AbortSignal): Promise<NotebookSession> {
    if (!run.session) {
      const access = await this.accessOf(run, signal);
      const file =
        run.notebook.uri.path
          .split('/')
          .pop()
          ?.replace(/\.ipynb$/i, '') ?? 'notebook';
      run.session = new NotebookSession({
        access,
        cluster: run.kernel.target.cluster.name,
        language: run.kernel.language,
        name: `hdinsight-notebook-${file.replace(/[^\w.-]+/g, '_').slice(0, 40)}-${Date.now().toString(36)}`,
      });
    }
    return run.session;
  }

  private starting(run: NotebookRun, out: CellOutputs): (session: LivySession) => void {
    return (session) => void out.setStatus(`Starting Livy session ${session.id} on ${run.kernel.target.cluster.name} (${session.state})…`);
  }

  /** Does what the cell asks; whether it succeeded. */
  private async perform(run: NotebookRun, command: CellCommand, out: CellOutputs, signal: AbortSignal): Promise<boolean> {
    const cluster = run.kernel.target.cluster.name;
    switch (command.kind) {
      case 'code': {
        const result = await this.statement(run, command.code, out, signal, true);
        await out.addResults([...statementOutputs(result.output), ...failureOutputs(result, 'StatementFailed')]);
        return result.state === 'succeeded';
      }
      case 'sql': {
        const result = await this.statement(run, sqlStatement(command.sql, run.kernel.language).code, out, signal, false);
        if (result.state !== 'succeeded') {
          await out.addResults([...statementOutputs(result.output), ...failureOutputs(result, 'SqlFailed')]);
          return false;
        }
        if (!result.output) throw new HDInsightError('Remote', `Livy gave statement ${result.statementId} no result.`);
        const table = parseSqlResult(result.output);
        await out.addResults(command.sql.quiet ? [] : [tableOutput(table)]);
        return true;
      }
      case 'configure': {
        const session = await this.sessionOf(run, signal);
        const wasStarted = session.started;
        await session.configure(command.properties, command.force, signal);
        const properties = JSON.stringify(session.properties, null, 2);
        const text = session.started
          ? `Livy session ${session.sessionId} on ${cluster} runs with:\n${properties}`
          : wasStarted
            ? `The notebook's Livy session was deleted; the next run starts a new one on ${cluster} with:\n${properties}`
            : `The notebook's Livy session starts on ${cluster} with:\n${properties}`;
        await out.addResults([textOutput(text)]);
        return true;
      }
      case 'info': {
        const access = await this.accessOf(run, signal);
        const sessions = await listSessions(access.livy, signal);
        const mine = run.session?.sessionId;
        const table = tableOutput({
          columns: ['ID', 'Name', 'Kind', 'State', 'YARN application', 'This notebook'],
          rows: sessions.map((s: LivySession) => [s.id, s.name ?? '', s.kind ?? '', s.state, s.appId ?? '', s.id === mine ? 'yes' : '']),
        });
        const properties = run.session ? JSON.stringify(run.session.properties) : '{}';
        await out.addResults([
          textOutput(
            `${sessions.length} Livy session${sessions.length === 1 ? '' : 's'} on ${cluster}. This notebook's: ${mine === undefined ? 'not started' : `session ${mine}`}, with ${properties}.`,
          ),
          table,
        ]);
        return true;
      }
      case 'logs': {
        if (!run.session?.started) {
          await out.addResults([textOutput(`No Livy session has been started for this notebook on ${cluster} yet.`)]);
          return true;
        }
        const lines = await run.session.logs(signal);
        await out.appendLines(lines);
        await out.flushed();
        return true;
      }
      case 'cleanup': {
        if (!command.force) {
          throw new InvalidInputError(
            `%%cleanup deletes every Livy session on ${cluster}, other people's and this notebook's included.`,
            'Run it as %%cleanup -f to confirm.',
          );
        }
        const access = await this.accessOf(run, signal);
        const deleted = await deleteAllSessions(access.livy, signal);
        await run.session?.delete(signal).catch(() => undefined);
        await out.addResults([textOutput(`Deleted ${deleted} Livy session${deleted === 1 ? '' : 's'} on ${cluster}.`)]);
        return true;
      }
      case 'delete': {
        if (command.sessionId === run.session?.sessionId) {
          throw new InvalidInputError(
            `Session ${command.sessionId} is this notebook's own.`,
            'Restart it from the notebook toolbar, or run %%cleanup -f.',
          );
        }
        if (!command.force)
          throw new InvalidInputError(`%%delete deletes session ${command.sessionId} on ${cluster}.`, 'Add -f to confirm.');
        const access = await this.accessOf(run, signal);
        await deleteSession(access.livy, command.sessionId, signal);
        await out.addResults([textOutput(`Deleted Livy session ${command.sessionId} on ${cluster}.`)]);
        return true;
      }
      case 'help':
        await out.addResults([{ kind: 'data', items: [{ mime: 'text/markdown', data: helpText() }] }]);
        return true;
    }
  }

  /** Runs code as a statement in the notebook's session, showing it while it runs; how it ended. */
  private async statement(
    run: NotebookRun,
    code: string,
    out: CellOutputs,
    signal: AbortSignal,
    stream: boolean,
  ): Promise<Readonly<JobSnapshot>> {
    const session = await this.sessionOf(run, signal);
    const job = await session.run(code, signal, this.starting(run, out));
    await this.follow(job, out, signal, stream);
    return job.snapshot;
  }

  /** Shows the job's driver output (when `stream`) and its queries while it runs; resolves when the statement ended. */
  private async follow(job: LivyJob, out: CellOutputs, signal: AbortSignal, stream: boolean): Promise<void> {
    let seen = job.snapshot.droppedLines;
    let revision = -1;
    const show = (): void => {
      const { state } = job.snapshot;
      if (state === 'running' || job.ended) void out.setStatus(undefined);
      if (stream) {
        const entries = job.log;
        const base = job.snapshot.droppedLines;
        if (seen < base) {
          void out.note(`${base - seen} lines of the driver's output were let go before they could be shown.`);
          seen = base;
        }
        const fresh = entries.slice(seen - base);
        seen = base + entries.length;
        const lines: string[] = [];
        const flush = (): void => {
          if (lines.length > 0) void out.appendLines(lines.splice(0));
        };
        const driver = job.snapshot.driverLog !== undefined;
        for (const entry of fresh) {
          if (entry.stream === 'notice') {
            flush();
            void out.note(entry.text);
          } else if ('gap' in entry) {
            if (entry.stream === (driver ? 'driverStdout' : 'stdout')) {
              flush();
              void out.note("Some lines of the driver's output were lost here (Livy's log buffer overflowed).");
            }
          } else if (entry.stream === 'driverStdout' || (!driver && entry.stream === 'stdout')) {
            lines.push(entry.text);
          }
        }
        flush();
      }
      if (job.queriesRevision !== revision) {
        revision = job.queriesRevision;
        void out.setQueries(job.queries);
      }
    };
    // Interrupt aborts the cell: the statement is cancelled, and Livy ends it at its next poll.
    const onAbort = (): void => {
      if (!job.ended) void job.cancel().catch((err: unknown) => this.deps.logger.error('Cancelling the statement', err));
    };
    const subscription = job.onDidChange(show);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    show();
    try {
      await Promise.race([whenEnded(job), cancelGivenUp(signal)]);
    } finally {
      subscription.dispose();
      signal.removeEventListener('abort', onAbort);
      // Nothing of the statement is followed once the cell ended: the next cell reads the session from then on.
      job.dispose();
    }
    await out.flushed();
  }

  /** Restarts the notebook's session with the same properties (the notebook toolbar's Restart). */
  async restart(notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<number | undefined> {
    const run = this.runs.get(notebook.uri.toString());
    if (!run?.session) return undefined;
    this.interrupt(notebook);
    await run.queue.catch(() => undefined);
    const session = await run.session.restart(signal);
    run.order = 0;
    return session.id;
  }

  /** Stops the streaming queries running in the notebook's session; false when it has none. */
  async stopStreamingQueries(notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<boolean> {
    const run = this.runs.get(notebook.uri.toString());
    if (!run?.session?.started) return false;
    const job = await run.session.run(stopStreamingQueriesCode(run.kernel.language), signal);
    try {
      await whenEnded(job);
    } finally {
      job.dispose();
    }
    if (job.snapshot.state !== 'succeeded')
      throw new HDInsightError('Remote', `Stopping the streaming queries failed (${job.snapshot.state}).`);
    return true;
  }

  /** The notebook this kernel set runs, by URI. */
  sessionOfNotebook(notebook: vscode.NotebookDocument): { cluster: string; sessionId?: number } | undefined {
    const run = this.runs.get(notebook.uri.toString());
    return run && { cluster: run.kernel.target.cluster.name, sessionId: run.session?.sessionId };
  }

  private async closed(key: string): Promise<void> {
    const run = this.runs.get(key);
    if (!run || run.closing) return;
    const sessionId = run.session?.sessionId;
    if (!run.session?.started || sessionId === undefined) {
      this.runs.delete(run.key);
      return;
    }
    const when = vscode.workspace.getConfiguration('hdinsight').get<string>('notebook.deleteSessionOnClose', 'ask');
    const cluster = run.kernel.target.cluster.name;
    if (when === 'never') return; // kept, and found again when the notebook reopens
    run.closing = true;
    if (when === 'ask') {
      const file = run.notebook.uri.path.split('/').pop();
      const choice = await vscode.window.showInformationMessage(
        `Delete Livy session ${sessionId} on ${cluster}, which ${file} used? Until it is deleted it holds YARN capacity.`,
        'Delete Session',
        'Keep',
      );
      run.closing = false;
      if (choice !== 'Delete Session') return;
    }
    await this.endRun(run.notebook, run.kernel, 'the notebook was closed');
  }

  private async endRun(notebook: vscode.NotebookDocument, kernel: Kernel, why: string): Promise<void> {
    const key = notebook.uri.toString();
    const run = this.runs.get(key);
    if (!run || run.kernel !== kernel) return;
    this.runs.delete(key);
    for (const execution of run.pending) execution.end(undefined);
    run.pending.clear();
    run.current?.abort.abort();
    const id = run.session?.sessionId;
    if (id === undefined) return;
    try {
      await run.session?.delete();
      this.deps.logger.info(`Deleted Livy session ${id} on ${kernel.target.cluster.name}: ${why}`);
    } catch (err) {
      this.deps.logger.error(`Deleting Livy session ${id} on ${kernel.target.cluster.name}`, err);
    }
  }

  dispose(): void {
    // The window closes: sessions go with it unless the user keeps them.
    const keep = vscode.workspace.getConfiguration('hdinsight').get<string>('notebook.deleteSessionOnClose', 'ask') === 'never';
    for (const run of this.runs.values()) {
      run.current?.abort.abort();
      if (!keep) void run.session?.delete().catch(() => undefined);
    }
    this.runs.clear();
    for (const kernel of this.kernels.values()) kernel.controller.dispose();
    this.kernels.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}

function textOutput(text: string): CellOutput {
  return { kind: 'data', items: [{ mime: 'text/plain', data: text }] };
}

/** An error as the cell shows it: the message with what to do (a dead session's last lines are in it). */
function errorOutput(err: unknown): CellOutput {
  const name =
    err instanceof HDInsightError ? (err.name === 'HDInsightError' ? err.code : err.name) : err instanceof Error ? err.name : 'Error';
  return { kind: 'error', name, message: userMessage(err), traceback: [] };
}

/** What a statement that did not succeed adds to Livy's own output: why, when Livy's output does not say. */
function failureOutputs(result: Readonly<JobSnapshot>, name: string): CellOutput[] {
  const { state, output, note, statementId, sessionId } = result;
  if (state === 'cancelled') {
    const message =
      `Statement ${statementId} in Livy session ${sessionId} was cancelled. Streaming queries it started, if any, run on in the ` +
      'session: "HDInsight: Stop Streaming Queries" on the notebook toolbar stops them.';
    return [{ kind: 'error', name: 'Cancelled', message, traceback: [] }];
  }
  if (state === 'succeeded' || output?.status === 'error') return [];
  const message = note ?? (state === 'failed' ? 'The statement failed.' : `The statement ended ${state}.`);
  return [{ kind: 'error', name, message, traceback: [] }];
}

/** Resolves once the job ended. */
function whenEnded(job: LivyJob): Promise<void> {
  return new Promise((resolve) => {
    if (job.ended) return resolve();
    const subscription = job.onDidChange(() => {
      if (!job.ended) return;
      subscription.dispose();
      resolve();
    });
  });
}

/** Resolves CANCEL_WAIT_MS after the signal fired: a cancelled statement Livy never ends stops holding the cell. */
function cancelGivenUp(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wait = (): void => void setTimeout(resolve, CANCEL_WAIT_MS).unref();
    if (signal.aborted) wait();
    else signal.addEventListener('abort', wait, { once: true });
  });
}
