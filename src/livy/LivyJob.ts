// A streaming job on Livy, followed until it ends: a batch, or a statement in a shared interactive
// session. It polls state and log about once a second while the job runs and less when nothing
// happens, rides out failed requests (resuming the log where it was), and keeps its state, output
// and log after Livy has forgotten the job. It owns its cancel: what cancelling does depends on
// where the job is (being submitted, a batch, a statement, a streaming query left running in the
// session), and the job says so before anyone asks.
//
// On a YARN cluster Livy's log holds only the spark-submit launcher's lines; once Livy names the
// YARN application, the job also reads the driver container's stdout and stderr (a
// DriverLogSource) in the same poll cycle. After the job reached its final state it goes on
// reading the driver's log until the source says it read the log to its end, so the last lines
// are kept; it gives up when nothing new came for `driverLogGraceMs` (5 minutes by default) and
// says so.
//
// Lines that may carry Structured Streaming progress reports (the driver's stderr, where log4j
// writes them; Livy's own stdout and stderr while no driver log is read, as Spark in local mode
// gives them) go through a QueryProgressParser per stream into the job's QueryMonitor. No vscode
// import.
import { HDInsightError, isCancellation, userMessage } from '../core/errors';
import { withDeadline } from '../core/deadline';
import { redact } from '../core/redact';
import { pause } from '../core/sleep';
import type { DriverLogPoll, DriverLogSource } from './driverLog';
import { type JobLogEntry, type JobLogStream, LineGrouper } from './jobLog';
import {
  FINAL_STATES,
  type LivyBatch,
  type LivyClient,
  type LivySession,
  type LivyState,
  type SessionKind,
  type StatementOutput,
} from './LivyClient';
import { type FollowerStats, type LogEntry, LogFollower } from './logFollower';
import { readLastProgress } from './sessionProgress';
import { QueryMonitor, type QueryView } from './queryMonitor';
import { QueryProgressParser } from './queryProgress';

export type JobMode = 'session' | 'batch';
export type JobLanguage = 'python' | 'scala';
export type JobState = 'submitting' | 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

/** YARN's final application states (as the ResourceManager names them). */
const FINAL_YARN_STATES: ReadonlySet<string> = new Set(['FINISHED', 'FAILED', 'KILLED']);

const ENDED: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled', 'unknown']);

export interface JobSnapshot {
  jobId: string;
  cluster: string;
  mode: JobMode;
  language: JobLanguage;
  name: string;
  state: JobState;
  /** Livy's own state of the batch or session, and the statement's. */
  livyState?: string;
  sessionId?: number;
  batchId?: number;
  statementId?: number;
  appId?: string;
  sparkUiUrl?: string;
  driverLogUrl?: string;
  submittedAt: number;
  endedAt?: number;
  output?: StatementOutput;
  progress?: number;
  /** The latest problem following the job (a failed request, Livy forgetting it). */
  note?: string;
  /** Lines let go from the start of the log to keep memory bounded. */
  droppedLines: number;
  /**
   * The driver's log from YARN: being read, read to its end (nothing more will come), or given up
   * on after the job ended (a notice in the log says why). Absent while there is none.
   */
  driverLog?: 'reading' | 'complete' | 'incomplete';
}

/**
 * What cancelling a job does now:
 * - `abortSubmission`: stops the submission before Livy runs anything;
 * - `killBatch`: deletes the batch (Livy kills its application);
 * - `cancelStatement`: cancels the statement running in the interactive session;
 * - `stopStreamingQueries`: the statement returned after starting a streaming query, which runs on
 *   in the session: a statement stops the session's streaming queries (the session stays).
 */
export type JobCancelAction = 'abortSubmission' | 'killBatch' | 'cancelStatement' | 'stopStreamingQueries';

/** Whether a job can be cancelled now, and what cancelling does. Plain data: it is posted to the job's page as is. */
export type JobCancellation = { cancellable: false } | { cancellable: true; action: JobCancelAction };

/** A cancel with what it needs to ask Livy. */
type CancelPlan =
  | { action: 'abortSubmission' }
  | { action: 'killBatch'; batchId: number }
  | { action: 'cancelStatement'; sessionId: number; statementId: number }
  | { action: 'stopStreamingQueries'; sessionId: number };

const NOT_CANCELLABLE: JobCancellation = { cancellable: false };

export interface JobTiming {
  /** Poll interval while the job runs (default 1 s). */
  activeMs: number;
  /** Poll interval once nothing new arrived for a while (default 5 s). */
  quietMs: number;
  /** Backoff after failed requests, as sparkmagic does it. */
  retryMs: number[];
  /**
   * After the job ended, how long the driver's log is still read while nothing new comes and YARN
   * has not said it is complete (log aggregation late or failed): default 5 minutes.
   */
  driverLogGraceMs: number;
  /**
   * For a statement that left streaming queries running in its session: how often their
   * lastProgress is asked of the session when the log gave no progress report meanwhile (default 10 s).
   */
  sessionProgressMs: number;
}

const DEFAULT_TIMING: JobTiming = {
  activeMs: 1_000,
  quietMs: 5_000,
  retryMs: [200, 500, 1_000, 3_000, 5_000],
  driverLogGraceMs: 5 * 60_000,
  sessionProgressMs: 10_000,
};
/** A YARN application's id; Spark in local mode (a sandbox) names its application `local-…`, which YARN does not know. */
const YARN_APP = /^application_\d+_\d+$/;
/** Log entries a job keeps; older ones are let go (and counted). */
const MAX_LOG = 100_000;
/** Polls at most that read a session driver's past before a statement, while a poll still brought many lines. */
const SKIP_POLLS = 10;
const SKIP_AGAIN_LINES = 2_000;
/** After this long without a new line the job polls at the quiet interval. */
const QUIET_AFTER_MS = 10_000;

type Listener = (job: LivyJob) => void;

export interface JobTarget {
  jobId: string;
  cluster: string;
  mode: JobMode;
  language: JobLanguage;
  name: string;
  livy: LivyClient;
  /** Reads the driver's log of a YARN application through the cluster gateway; absent when the cluster's gateway is not known. */
  driverLog?: (appId: string, driverLogUrl?: string) => DriverLogSource;
  /** Without `driverLog`: why only Livy's log is shown (said once, when the YARN application is known). */
  noDriverLog?: string;
}

/** Following the driver's log of the job's YARN application. */
interface DriverFollow {
  source: DriverLogSource;
  /** The source said the log was read to its end, or the job gave up on it. */
  done: boolean;
  /** The notice shown last, not shown again while it stays the same. */
  notice?: string;
  lastLineAt: number;
  failures: number;
  retryAt: number;
}

export class LivyJob {
  private snap: JobSnapshot;
  private readonly entries: JobLogEntry[] = [];
  private readonly grouper = new LineGrouper();
  private driver?: DriverFollow;
  /** Whether the job decided about the driver's log (a YARN application was named). */
  private driverDecided = false;
  private readonly listeners = new Set<Listener>();
  private follower?: LogFollower;
  private readonly stop = new AbortController();
  private lastLineAt = Date.now();
  private failures = 0;
  private cancelRequested = false;
  /** Aborts the submission while it runs (until Livy accepted the job). */
  private submission?: AbortController;
  private readonly timing: JobTiming;
  /** The streaming queries whose progress the job's log reported. */
  private readonly monitor = new QueryMonitor();
  /** One progress parser per stream: a report is one block of lines on one stream. */
  private readonly progressParsers = new Map<JobLogStream, QueryProgressParser>();
  private queriesVersion = 0;
  /** When the log last gave a progress report (0: never). */
  private progressFromLogAt = 0;
  /** Whether the session's queries' lastProgress is being asked for. */
  private watchingSession = false;

  constructor(
    private readonly target: JobTarget,
    timing: Partial<JobTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
    this.snap = {
      jobId: target.jobId,
      cluster: target.cluster,
      mode: target.mode,
      language: target.language,
      name: target.name,
      state: 'submitting',
      submittedAt: Date.now(),
      droppedLines: 0,
    };
  }

  get id(): string {
    return this.target.jobId;
  }

  get snapshot(): Readonly<JobSnapshot> {
    return this.snap;
  }

  /** Livy's lines, the driver's lines and notices, in the order they were read. */
  get log(): readonly JobLogEntry[] {
    return this.entries;
  }

  /** The streaming queries the job's log reported progress of, in the order they were first seen. */
  get queries(): QueryView[] {
    return this.monitor.queries();
  }

  /** Goes up each time `queries` changed (a new progress report): listeners compare it to skip unchanged queries. */
  get queriesRevision(): number {
    return this.queriesVersion;
  }

  /** The Kafka topics the job's streaming queries read (whose latest offsets make their lag). */
  get kafkaTopics(): string[] {
    return this.monitor.kafkaTopics();
  }

  /** A topic's latest offsets per partition, read through the extension's own Kafka connection: lag against now. */
  setTopicLatestOffsets(topic: string, latest: ReadonlyMap<number, number>): void {
    this.monitor.setLatestOffsets(topic, latest);
    this.queriesVersion++;
    this.changed();
  }

  /** Requests and bytes spent reading the driver's log from YARN (for the benchmark). */
  get driverLogStats(): Readonly<DriverLogSource['stats']> | undefined {
    return this.driver?.source.stats;
  }

  /** Requests and bytes spent following the log (for the benchmark). */
  get logStats(): Readonly<FollowerStats> | undefined {
    return this.follower?.stats;
  }

  get ended(): boolean {
    return ENDED.has(this.snap.state);
  }

  /**
   * Whether the job's streaming queries may still be running: until it ends, and after a session
   * statement ended while the job still follows its session (the driver's log, or the queries'
   * lastProgress), since the queries a statement started run on in the session.
   */
  get queriesMayRun(): boolean {
    return !this.ended || (this.snap.mode === 'session' && (this.readingDriverLog || this.watchingSession));
  }

  /** Whether the job can be cancelled now, and what cancel() would do. */
  get cancellation(): JobCancellation {
    const plan = this.cancelPlan();
    return plan ? { cancellable: true, action: plan.action } : NOT_CANCELLABLE;
  }

  private cancelPlan(): CancelPlan | undefined {
    const { mode, state, batchId, sessionId, statementId } = this.snap;
    if (this.ended) {
      // A statement that starts a streaming query returns while the query runs on in the session.
      return mode === 'session' && state === 'succeeded' && sessionId !== undefined
        ? { action: 'stopStreamingQueries', sessionId }
        : undefined;
    }
    if (this.submission) return { action: 'abortSubmission' };
    if (batchId !== undefined) return { action: 'killBatch', batchId };
    if (sessionId !== undefined && statementId !== undefined) return { action: 'cancelStatement', sessionId, statementId };
    return undefined;
  }

  /**
   * Cancels the job as `cancellation` says, with the job's own Livy client; does nothing when it
   * cannot be cancelled. Resolves once Livy took the cancel (a cancelled statement ends at the
   * next poll); a refused cancel is also left in the job's note.
   */
  async cancel(signal?: AbortSignal): Promise<void> {
    const plan = this.cancelPlan();
    if (!plan) return;
    if (plan.action === 'abortSubmission') {
      this.submission?.abort();
      return;
    }
    const { livy } = this.target;
    this.cancelRequested = true;
    this.update({ note: 'Cancelling…' });
    try {
      switch (plan.action) {
        case 'killBatch':
          await livy.deleteBatch(plan.batchId, signal);
          this.markCancelled(); // a deleted batch is gone at once
          return;
        case 'cancelStatement':
          await livy.cancelStatement(plan.sessionId, plan.statementId, signal);
          return;
        case 'stopStreamingQueries': {
          await livy.runStatement(plan.sessionId, stopStreamingQueriesCode(this.snap.language), sessionKindOf(this.snap.language), signal);
          this.markCancelled('The streaming queries of the session were stopped.');
          return;
        }
      }
    } catch (err) {
      this.setNote(`Cancelling failed: ${userMessage(err)}`);
      throw err;
    }
  }

  /**
   * Runs the submission of this job (`submit` in submit.ts); until Livy accepted the job, cancel()
   * aborts it and the job ends cancelled. Other failures are the caller's to report.
   */
  async submitWith(run: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const submission = new AbortController();
    this.submission = submission;
    try {
      await run(submission.signal);
    } catch (err) {
      if (isCancellation(err)) return this.markCancelled('Cancelled before Livy started it.');
      throw err;
    } finally {
      if (this.submission === submission) this.submission = undefined;
    }
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private update(changes: Partial<JobSnapshot>): void {
    const next = { ...this.snap, ...changes };
    if (ENDED.has(next.state) && !next.endedAt) next.endedAt = Date.now();
    this.snap = next;
    this.changed();
  }

  /** Livy's entries, grouped into log4j entries per stream. */
  private appendLivy(entries: LogEntry[]): void {
    this.append(entries.map((e) => ('gap' in e ? this.grouper.gap(e.stream) : this.grouper.line(e.stream, e.text))));
  }

  private append(entries: JobLogEntry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) this.watchProgress(entry);
    this.entries.push(...entries);
    this.lastLineAt = Date.now();
    const excess = this.entries.length - MAX_LOG;
    if (excess > 0) {
      this.entries.splice(0, excess);
      this.snap = { ...this.snap, droppedLines: this.snap.droppedLines + excess };
    }
  }

  /**
   * Feeds a log line to its stream's progress parser when the stream can carry progress reports:
   * the driver's stderr; Livy's stdout and stderr only while the driver's log is not read (on a
   * YARN cluster they hold the launcher's lines, in local mode the driver's own). A gap drops a
   * block in progress.
   */
  private watchProgress(entry: JobLogEntry): void {
    const { stream } = entry;
    const watched = stream === 'driverStderr' || ((stream === 'stdout' || stream === 'stderr') && !this.driver);
    if (!watched) return;
    let parser = this.progressParsers.get(stream);
    if ('gap' in entry) {
      parser?.reset();
      return;
    }
    if (!parser) {
      parser = new QueryProgressParser();
      this.progressParsers.set(stream, parser);
    }
    const reports = parser.feed(entry.text);
    if (reports.length > 0) this.progressFromLogAt = Date.now();
    let changed = false;
    for (const progress of reports) changed = this.monitor.add(progress) || changed;
    if (changed) this.queriesVersion++;
  }

  /** Follows a batch Livy accepted. */
  followBatch(batchId: number, state: LivyState, appId?: string | null): void {
    this.submission = undefined; // Livy has it: from now on cancel kills the batch
    this.follower = new LogFollower(this.target.livy, 'batches', batchId);
    this.update({ batchId, livyState: state, state: batchState(state), appId: appId ?? undefined });
    let ticks = 0;
    let batch: LivyBatch | undefined;
    /** Livy answered 404 for the batch while its YARN application was known: YARN says how it ends. */
    let forgotten = false;
    void this.loop(async (signal) => {
      if (forgotten) return this.followApplication(signal);
      // The log every poll; the state every third one while lines flow (about 1.3 requests a
      // second), and every poll once the job is quiet.
      const quiet = Date.now() - this.lastLineAt > QUIET_AFTER_MS;
      // The driver's log is read while Livy is asked: its reads do not wait on Livy's answers.
      const driverRead = this.driver ? this.pollDriverLog(signal) : undefined;
      driverRead?.catch(() => undefined); // awaited below; a cancellation must not go unhandled meanwhile
      try {
        if (!batch || quiet || ticks++ % 3 === 0) batch = await this.target.livy.getBatch(batchId, signal);
        await this.pollLog(signal);
      } catch (err) {
        await driverRead?.catch(() => undefined);
        // Livy lost the batch (a restart, or it forgot it) while its YARN application may run on.
        if (!(err instanceof HDInsightError && err.code === 'NotFound') || !this.openDriverLog()) throw err;
        forgotten = true;
        this.notice(
          `Livy no longer knows batch ${batchId}: the job follows its YARN application ${this.snap.appId} for its state and the driver's log.`,
        );
        return this.followApplication(signal);
      }
      await driverRead;
      const killedByYarn = batch.state === 'killed' && !this.cancelRequested;
      this.update({
        livyState: batch.state,
        state: killedByYarn ? 'failed' : batchState(batch.state),
        appId: batch.appId ?? this.snap.appId,
        sparkUiUrl: batch.appInfo?.sparkUiUrl ?? this.snap.sparkUiUrl,
        driverLogUrl: batch.appInfo?.driverLogUrl ?? this.snap.driverLogUrl,
      });
      if (FINAL_STATES.has(batch.state)) await this.pollLog(signal); // the last lines
      if (!driverRead && this.openDriverLog()) await this.pollDriverLog(signal);
      if (killedByYarn && !this.snap.note) this.update({ note: this.yarnEnding('YARN killed the application') });
    });
  }

  /** Without Livy: the driver's log, and the state from YARN's ResourceManager once it is final. */
  private async followApplication(signal: AbortSignal): Promise<void> {
    await this.pollDriverLog(signal);
    const app = this.driver?.source.application;
    if (!app || !FINAL_YARN_STATES.has(app.state)) return;
    const status = app.state === 'FINISHED' ? app.finalStatus : app.state;
    const state: JobState = status === 'SUCCEEDED' ? 'succeeded' : status === 'KILLED' && this.cancelRequested ? 'cancelled' : 'failed';
    this.update({
      state,
      note: state === 'failed' ? this.yarnEnding(`YARN ended the application ${status}`) : undefined,
    });
  }

  /** What YARN said of the application's end, for the job's note. */
  private yarnEnding(what: string): string {
    const diagnostics = this.driver?.source.application?.diagnostics?.trim();
    return diagnostics ? `${what}: ${redact(diagnostics.split('\n')[0])}` : `${what}.`;
  }

  /** Follows a statement running in an interactive session; the session's log from `follower` on. */
  followStatement(sessionId: number, statementId: number, follower: LogFollower): void {
    this.submission = undefined; // Livy has it: from now on cancel cancels the statement
    this.follower = follower;
    this.update({ sessionId, statementId, state: 'starting' });
    let ticks = 0;
    /** Undefined while the session lives; otherwise why the statement cannot finish. */
    const sessionEnded = async (signal: AbortSignal): Promise<string | undefined> => {
      const session = await this.target.livy.getSession(sessionId, signal).catch((err: unknown) => {
        if (err instanceof HDInsightError && err.code === 'NotFound') return null;
        throw err;
      });
      if (session && !FINAL_STATES.has(session.state) && session.state !== 'shutting_down') return undefined;
      return `Session ${sessionId} ${session ? `is ${session.state}` : 'is gone'}: it ended while the statement ran. The log so far is kept.`;
    };
    void this.loop(async (signal) => {
      ticks++;
      const statement = await this.target.livy.getStatement(sessionId, statementId, signal).catch(async (err: unknown) => {
        // A session that died takes its statements with it: Livy forgets them (404), refuses to
        // read them once the session is not active (400), or fails to reach its driver (500).
        if (err instanceof HDInsightError && (err.code === 'NotFound' || err.code === 'InvalidInput' || err.code === 'Remote')) {
          const ended = await sessionEnded(signal);
          if (!ended) {
            if (err.code !== 'NotFound') throw err;
            throw new HDInsightError('NotFound', `Livy no longer knows statement ${statementId}.`);
          }
          await this.pollLog(signal).catch(() => undefined);
          await this.pollDriverLog(signal);
          this.update({ state: 'failed', note: ended });
          return undefined;
        }
        throw err;
      });
      if (!statement) return;
      await this.pollLog(signal);
      await this.pollDriverLog(signal);
      const output = statement.output ?? undefined;
      const state: JobState =
        statement.state === 'available'
          ? output?.status === 'error'
            ? 'failed'
            : 'succeeded'
          : statement.state === 'cancelled'
            ? 'cancelled'
            : statement.state === 'waiting'
              ? 'starting'
              : 'running';
      this.update({ livyState: statement.state, state, output, progress: statement.progress });
      if (ENDED.has(state)) {
        const session = await this.target.livy.getSession(sessionId, signal).catch(() => undefined);
        if (session) {
          this.update({
            appId: session.appId ?? this.snap.appId,
            sparkUiUrl: session.appInfo?.sparkUiUrl ?? this.snap.sparkUiUrl,
            driverLogUrl: session.appInfo?.driverLogUrl ?? this.snap.driverLogUrl,
          });
        }
        // Only a statement that can have started a query (the one way there is through writeStream).
        if (state === 'succeeded' && session && !FINAL_STATES.has(session.state) && /\bwriteStream\b/.test(statement.code ?? '')) {
          void this.watchSessionProgress(sessionId);
        }
        if (state === 'failed' && (!session || FINAL_STATES.has(session.state))) {
          this.update({
            note: `Session ${sessionId} is ${session ? session.state : 'gone'}: it ended while the statement ran. The log so far is kept.`,
          });
        }
      } else if (ticks % 3 === 0) {
        // A session that dies mid-statement can leave the statement 'running' for good.
        const ended = await sessionEnded(signal);
        if (ended) this.update({ state: 'failed', note: ended });
      }
    });
  }

  /**
   * A statement that started streaming queries returns while they run on in the session. When the
   * log gives no progress reports (a log level that hides them), their lastProgress is asked of the
   * session while it is idle (never queued behind the user's next statement), until none is active.
   */
  private async watchSessionProgress(sessionId: number): Promise<void> {
    const { signal } = this.stop;
    const kind = sessionKindOf(this.snap.language);
    const every = this.timing.sessionProgressMs;
    this.watchingSession = true;
    try {
      await this.askSessionProgress(sessionId, kind, every, signal);
    } finally {
      this.watchingSession = false;
      this.changed();
    }
  }

  private async askSessionProgress(sessionId: number, kind: SessionKind, every: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await pause(every, signal);
      if (signal.aborted) return;
      if (Date.now() - this.progressFromLogAt < 2 * every) continue;
      try {
        const session = await this.target.livy.getSession(sessionId, signal);
        if (FINAL_STATES.has(session.state)) return;
        if (session.state !== 'idle') continue;
        const found = await withDeadline(signal, 60_000, (bounded) => readLastProgress(this.target.livy, sessionId, kind, bounded));
        if (!found) continue;
        if (found.other.length > 0) {
          // What the queries printed meanwhile came as this statement's output: shown here, not lost.
          this.notice(`Printed in session ${sessionId} while the monitor asked for the queries' progress:`);
          this.append(found.other.map((text) => ({ stream: 'stdout', text })));
        }
        let changed = false;
        for (const progress of found.reports) changed = this.monitor.add(progress) || changed;
        if (changed) {
          this.queriesVersion++;
          this.changed();
        }
        if (found.active === 0) return;
      } catch (err) {
        if (isCancellation(err) || signal.aborted) return;
        if (err instanceof HDInsightError && err.code === 'NotFound') return;
        // A failed ask is tried again at the next interval; the log and the state are not touched.
      }
    }
  }

  /** The job could not be submitted: it ends here with the reason. */
  fail(err: unknown): void {
    this.update({ state: 'failed', note: userMessage(err) });
  }

  setNote(note: string | undefined, changes: Partial<JobSnapshot> = {}): void {
    this.update({ ...changes, note });
  }

  private async pollLog(signal: AbortSignal): Promise<void> {
    if (this.follower) this.appendLivy(await this.follower.poll(signal));
  }

  /**
   * For a statement: the driver's log of the session's YARN application, from now on. What the
   * session's driver wrote before (its start, earlier statements) is read once and let go, as
   * Livy's log is (LogFollower.skipExisting). Call it before the statement is sent.
   */
  async openSessionDriverLog(session: LivySession, signal?: AbortSignal): Promise<void> {
    const appId = session.appId ?? undefined;
    this.update({
      appId,
      sparkUiUrl: session.appInfo?.sparkUiUrl ?? undefined,
      driverLogUrl: session.appInfo?.driverLogUrl ?? undefined,
    });
    this.openDriverLog();
    const driver = this.driver;
    if (!driver) return;
    try {
      // A poll reads a bounded number of pages: a long past (a query printing for hours) takes
      // several, and what is left of it must not show as this statement's.
      for (let round = 0; round < SKIP_POLLS; round++) {
        const earlier = await driver.source.poll(signal);
        if (earlier.complete) {
          this.stopDriverLog('complete');
          break;
        }
        if (earlier.lines.length < SKIP_AGAIN_LINES) break;
      }
    } catch (err) {
      if (isCancellation(err) || signal?.aborted) throw err;
      // Without knowing where the session's log ends now, its whole past would show as this statement's.
      this.driver = undefined;
      this.update({ driverLog: undefined });
      this.notice(`Only Livy's log is shown: the driver's log of session ${session.id} could not be read (${userMessage(err)}).`);
    }
  }

  /**
   * Once Livy named a YARN application: starts reading its driver's log, or says once why only
   * Livy's log is shown. Returns whether the driver's log is read.
   */
  private openDriverLog(): boolean {
    const { appId, driverLogUrl } = this.snap;
    if (this.driverDecided || !appId || !YARN_APP.test(appId)) return this.driver !== undefined;
    this.driverDecided = true;
    const { driverLog, noDriverLog } = this.target;
    if (!driverLog) {
      if (noDriverLog) this.notice(noDriverLog);
      return false;
    }
    try {
      const source = driverLog(appId, driverLogUrl);
      this.driver = { source, done: false, lastLineAt: Date.now(), failures: 0, retryAt: 0 };
      this.update({ driverLog: 'reading' });
      return true;
    } catch (err) {
      this.notice(`Only Livy's log is shown: the driver's log cannot be read (${userMessage(err)}).`);
      return false;
    }
  }

  /**
   * One read of the driver's log: its new lines, then the source's notice (once while it stays the
   * same). A failed read is a notice too, and is retried with backoff: it never fails the poll of
   * Livy, and the source goes on from where it was, so nothing is lost or read twice.
   */
  private async pollDriverLog(signal: AbortSignal): Promise<void> {
    const driver = this.driver;
    if (!driver || driver.done || Date.now() < driver.retryAt) return;
    let read: DriverLogPoll;
    try {
      read = await driver.source.poll(signal);
    } catch (err) {
      if (isCancellation(err) || signal.aborted) throw err;
      driver.retryAt = Date.now() + this.timing.retryMs[Math.min(driver.failures, this.timing.retryMs.length - 1)];
      driver.failures++;
      this.driverNotice(driver, `The driver's log could not be read: ${userMessage(err)}`);
      return;
    }
    if (this.driver !== driver) return; // disposed meanwhile
    driver.failures = 0;
    if (read.lines.length > 0) driver.lastLineAt = Date.now();
    this.append(read.lines.map((l) => this.grouper.line(l.stream, l.text)));
    if (read.notice) this.driverNotice(driver, read.notice);
    else driver.notice = undefined;
    if (read.complete) this.stopDriverLog('complete');
    else if (read.lines.length > 0) this.changed();
  }

  /** After the job ended: reads the driver's log on until it is complete, or gives up after the grace time without a new line. */
  private async finishDriverLog(signal: AbortSignal): Promise<void> {
    const driver = this.driver;
    if (!driver || driver.done) return;
    await this.pollDriverLog(signal);
    if (driver.done) return;
    const since = Math.max(driver.lastLineAt, this.snap.endedAt ?? 0);
    if (Date.now() - since < this.timing.driverLogGraceMs) return;
    const minutes = Math.round(this.timing.driverLogGraceMs / 60_000);
    const period = minutes >= 1 ? `${minutes} min` : `${Math.round(this.timing.driverLogGraceMs / 1000)} s`;
    const link = this.snap.driverLogUrl ? '; the Driver log link opens it in YARN' : '';
    this.notice(
      this.snap.mode === 'session'
        ? // The session's application runs on: what its driver writes later is not this statement's.
          `Stopped reading the session driver's log: nothing new came for ${period} after the statement ended${link}.`
        : `Stopped reading the driver's log: nothing new came for ${period} after the job ended, and YARN did not make the whole log` +
            ` available (log aggregation late or failed). Its last lines may be missing here${link}.`,
    );
    this.stopDriverLog('incomplete');
  }

  private stopDriverLog(how: 'complete' | 'incomplete'): void {
    if (this.driver) this.driver.done = true;
    this.update({ driverLog: how });
  }

  /** Whether the job still reads the driver's log (also after it ended). */
  private get readingDriverLog(): boolean {
    return this.driver !== undefined && !this.driver.done;
  }

  private driverNotice(driver: DriverFollow, text: string): void {
    if (driver.notice === text) return;
    driver.notice = text;
    this.notice(text);
  }

  /** One line for the user in the log, from the extension itself. */
  private notice(text: string): void {
    this.append([{ stream: 'notice', text }]);
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener(this);
  }

  private async loop(tick: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const { signal } = this.stop;
    while (!signal.aborted) {
      const ended = this.ended;
      if (ended && !this.readingDriverLog) return;
      let wait = Date.now() - this.lastLineAt > QUIET_AFTER_MS ? this.timing.quietMs : this.timing.activeMs;
      try {
        // Once the job ended only the driver's log is read: the final state stays as Livy gave it.
        await (ended ? this.finishDriverLog(signal) : tick(signal));
        if (this.failures > 0) this.update({ note: undefined });
        this.failures = 0;
      } catch (err) {
        if (isCancellation(err) || signal.aborted) return;
        if (err instanceof HDInsightError && err.code === 'NotFound') {
          // Livy forgot the job (finished long ago, or Livy restarted): keep what we know. Its YARN
          // application may run on: the driver's log is read on. A final state stays.
          if (!this.ended) this.update({ state: 'unknown', note: `${redact(err.message)} The last known state and the log are kept.` });
        } else {
          wait = this.timing.retryMs[Math.min(this.failures, this.timing.retryMs.length - 1)];
          this.failures++;
          this.update({ note: `${userMessage(err)} Retrying…` });
        }
      }
      if (this.ended && !this.readingDriverLog) return;
      await pause(wait, signal);
    }
  }

  /** Livy confirmed the cancel: the job ends cancelled. */
  private markCancelled(note?: string): void {
    this.update({ state: 'cancelled', note });
  }

  /** Stops following, and a submission under way (a job Livy runs already runs on). */
  dispose(): void {
    this.submission?.abort();
    this.stop.abort();
    this.driver = undefined;
    this.listeners.clear();
  }
}

function batchState(state: LivyState): JobState {
  switch (state) {
    case 'success':
      return 'succeeded';
    case 'dead':
    case 'error':
      return 'failed';
    case 'killed':
      return 'cancelled';
    case 'running':
    case 'busy':
    case 'idle':
      return 'running';
    default:
      return 'starting';
  }
}

/** The statement that stops every streaming query running in a session. */
export function stopStreamingQueriesCode(language: JobLanguage): string {
  return language === 'python' ? 'for _q in spark.streams.active: _q.stop()' : 'spark.streams.active.foreach(_.stop())';
}

export function sessionKindOf(language: JobLanguage): SessionKind {
  return language === 'python' ? 'pyspark' : 'spark';
}
