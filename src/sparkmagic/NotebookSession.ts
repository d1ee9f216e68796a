// One notebook's Livy session, as sparkmagic's kernel keeps it: started on first use with the
// notebook's %%configure properties, reused by every cell, restarted on request, and said to have
// ended (with its last log lines) when it died between cells. Each cell's code runs as a statement
// followed by a LivyJob exactly as the job output panel follows session jobs (Livy's log from the
// statement on; on YARN the driver container's stdout and stderr through the gateway). Also the
// cluster-wide magics: %%info's list, %%cleanup and %%delete -s. No vscode import.
//
// Heartbeat: sessions are created with heartbeatTimeoutInSecond 0 (none), as sparkmagic creates
// them. Livy deletes a session with a heartbeat timeout when no GET /sessions/{id} came within it,
// so a laptop asleep for that long (or a notebook left open without polling) would lose its session
// and the streaming queries running in it. A session left behind by a closed VS Code is reclaimed
// by Livy's idle timeout (livy.server.session.timeout, 1 h by default; a heartbeat GET does not
// count as activity, so it would not shorten that either), and the VS Code layer offers to delete
// the session when the notebook closes. A %%configure may still set heartbeatTimeoutInSecond.
import { HDInsightError, InvalidInputError, isCancellation, throwIfAborted } from '../core/errors';
import { redact } from '../core/redact';
import { sleep } from '../core/sleep';
import type { DriverLogLine } from '../livy/driverLog';
import { FINAL_STATES, type LivyClient, type LivySession, type NewSession, type SessionKind } from '../livy/LivyClient';
import { LivyJob, type JobTarget, sessionKindOf } from '../livy/LivyJob';
import { LogFollower } from '../livy/logFollower';
import type { NotebookLanguage, SessionProperties } from './types';

/**
 * LivyConnections.job()'s JobAccess (Livy's client, the driver log reader or why there is none),
 * named from the jobs' side: services do not import clusters/, not even its types.
 */
export type NotebookSessionAccess = Pick<JobTarget, 'livy' | 'driverLog' | 'noDriverLog'>;

export interface NotebookSessionOptions {
  /** From LivyConnections.job(): Livy's client and the driver log reader. */
  access: NotebookSessionAccess;
  /** The cluster's name, for messages and job ids. */
  cluster: string;
  /** 'scala' → Livy kind 'spark', 'python' → 'pyspark'. */
  language: NotebookLanguage;
  /** The session's name in Livy, e.g. "hdinsight-notebook-<file>-<random>". */
  name: string;
  /** From %%configure. */
  properties?: SessionProperties;
}

/** How long a session may take to start (a Scala session on a busy cluster takes minutes). */
const SESSION_READY_MS = 10 * 60_000;
const POLL_MS = 1_000;
/** Log lines a SessionEndedError carries. */
const LAST_LINES = 15;
/** Lines per stream %%logs shows of the driver's stdout and stderr. */
const DRIVER_TAIL = 200;
/** Polls of the driver's log %%logs reads at most (each reads up to 8 MiB). */
const DRIVER_POLLS = 4;
/** Livy's markers between the parts of a session's log. */
const MARKERS = new Set(['stdout: ', '\nstderr: ', '\nYARN Diagnostics: ']);
/** POST /sessions fields the kernel decides, never %%configure. */
const KERNEL_FIELDS = ['kind'];

/** The notebook's session ended (dead, error, killed, or Livy forgot it); the next use starts a new one. */
export class SessionEndedError extends HDInsightError {
  constructor(
    message: string,
    /** The session's last log lines: Livy's, then YARN's diagnostics when present. */
    readonly lastLines: string[],
    readonly sessionId: number,
  ) {
    super(
      'Remote',
      lastLines.length > 0 ? `${message} Its last log lines:\n${lastLines.join('\n')}` : message,
      'Run the cell again to start a new session (the old session’s variables are lost).',
    );
    this.name = 'SessionEndedError';
  }
}

export class NotebookSession {
  private readonly livy: LivyClient;
  private readonly kind: SessionKind;
  private props: SessionProperties;
  /** The session's id once POST /sessions answered, or the POST under way. */
  private current?: Promise<number>;
  private id?: number;
  /** Whether the current session was seen ready (idle or busy) once. */
  private wasReady = false;
  /** Sessions this notebook made: a dead one keeps its name in Livy until Livy forgets it. */
  private generation = 0;
  private jobs = 0;

  constructor(private readonly options: NotebookSessionOptions) {
    this.livy = options.access.livy;
    this.kind = sessionKindOf(options.language);
    this.props = checkProperties(options.properties ?? {});
  }

  /** Undefined until started (POST /sessions answered). */
  get sessionId(): number | undefined {
    return this.id;
  }

  get properties(): SessionProperties {
    return this.props;
  }

  get started(): boolean {
    return this.current !== undefined;
  }

  /**
   * %%configure: before the session starts, or with `force` (the session is deleted at once and a
   * new one with the new properties starts on next use). Without force on a started session:
   * InvalidInputError saying to use %%configure -f.
   */
  async configure(properties: SessionProperties, force: boolean, signal?: AbortSignal): Promise<void> {
    const checked = checkProperties(properties);
    if (this.started && !force) {
      throw new InvalidInputError(
        `The notebook's Livy session${this.id === undefined ? '' : ` ${this.id}`} has started: %%configure applies only before it starts.`,
        'Use %%configure -f to delete the session and start a new one with these properties (its variables are lost).',
      );
    }
    if (this.started) await this.delete(signal);
    this.props = checked;
  }

  /**
   * The live session, started when needed (`onState` reports 'starting' etc. while it starts).
   * When the session this notebook had ended, throws SessionEndedError with its last log lines and
   * forgets it, so the next call starts a new one.
   */
  async ensure(signal: AbortSignal, onState?: (session: LivySession) => void): Promise<LivySession> {
    this.current ??= this.create(signal);
    const creating = this.current;
    let id: number;
    try {
      id = await creating;
    } catch (err) {
      if (this.current === creating) this.current = undefined;
      throw err;
    }
    const deadline = Date.now() + SESSION_READY_MS;
    for (;;) {
      throwIfAborted(signal);
      let session: LivySession;
      try {
        session = await this.livy.getSession(id, signal);
      } catch (err) {
        if (err instanceof HDInsightError && err.code === 'NotFound') throw this.ended(id, undefined, []);
        throw err;
      }
      if (session.state === 'idle' || session.state === 'busy') {
        if (this.id === id) this.wasReady = true;
        return session;
      }
      if (FINAL_STATES.has(session.state) || session.state === 'shutting_down') {
        throw this.ended(id, session, await this.lastLines(id, session, signal));
      }
      if (Date.now() > deadline) {
        throw new HDInsightError(
          'Timeout',
          `Livy session ${id} did not start within ${SESSION_READY_MS / 60_000} minutes (it is ${session.state}).`,
          'Run the cell again to wait on, or restart the session; %%logs shows its log.',
        );
      }
      onState?.(session);
      await sleep(POLL_MS, signal);
    }
  }

  /**
   * Runs `code` as a statement and returns the LivyJob following it (mode 'session'): the driver's
   * log (YARN) and Livy's log are followed from now on. The caller listens to job.onDidChange and
   * cancels with job.cancel().
   */
  async run(code: string, signal: AbortSignal, onState?: (session: LivySession) => void): Promise<LivyJob> {
    const session = await this.ensure(signal, onState);
    const { access, cluster, language, name } = this.options;
    const job = new LivyJob({
      jobId: `notebook-${cluster}-${session.id}-${++this.jobs}`,
      cluster,
      mode: 'session',
      language,
      name,
      livy: this.livy,
      driverLog: access.driverLog,
      noDriverLog: access.noDriverLog,
    });
    try {
      // The statement's log starts now: what Livy's log and the driver's log hold already is let go.
      await job.openSessionDriverLog(session, signal);
      const follower = new LogFollower(this.livy, 'sessions', session.id);
      await follower.skipExisting(signal);
      const statement = await this.livy.runStatement(session.id, code, this.kind, signal);
      job.followStatement(session.id, statement.id, follower);
      return job;
    } catch (err) {
      job.dispose();
      if (isCancellation(err)) throw err;
      // The session may have ended between the check and the statement (Livy answers 400, 404 or 500).
      if (err instanceof HDInsightError && (err.code === 'NotFound' || err.code === 'InvalidInput' || err.code === 'Remote')) {
        const ended = await this.endedNow(session.id, signal).catch(() => undefined);
        if (ended) throw ended;
      }
      throw err;
    }
  }

  /** Restart: deletes the session and starts a new one with the same properties. */
  async restart(signal: AbortSignal, onState?: (session: LivySession) => void): Promise<LivySession> {
    await this.delete(signal);
    return this.ensure(signal, onState);
  }

  /** Deletes the session (if started); idempotent. */
  async delete(signal?: AbortSignal): Promise<void> {
    const creating = this.current;
    if (!creating) return;
    const id = await creating.catch(() => undefined);
    if (id !== undefined) {
      try {
        await this.livy.deleteSession(id, signal);
      } catch (err) {
        if (!(err instanceof HDInsightError && err.code === 'NotFound')) throw err;
      }
    }
    this.forget(creating);
  }

  /** %%logs: Livy's log of the session, then (on YARN) the tail of its driver's stdout and stderr. Empty before the session starts. */
  async logs(signal: AbortSignal): Promise<string[]> {
    const id = await this.current?.catch(() => undefined);
    if (id === undefined) return [];
    const page = await this.livy.getLog('sessions', id, 0, -1, signal);
    const lines = page.log.map((l) => (MARKERS.has(l) ? l.trim() : l));
    const session = await this.livy.getSession(id, signal).catch(() => undefined);
    const appId = session?.appId ?? undefined;
    const { driverLog } = this.options.access;
    if (!driverLog || !appId || !/^application_\d+_\d+$/.test(appId)) return lines.map(redact);
    const source = driverLog(appId, session?.appInfo?.driverLogUrl ?? undefined);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const notices: string[] = [];
    try {
      for (let round = 0; round < DRIVER_POLLS; round++) {
        const read = await source.poll(signal);
        keepTail(stdout, read.lines, 'driverStdout');
        keepTail(stderr, read.lines, 'driverStderr');
        if (read.notice) notices.push(read.notice);
        if (read.complete || read.lines.length < 1_000) break;
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      notices.push(`The driver's log could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    return [
      ...lines,
      `Driver stdout (${appId}, last ${DRIVER_TAIL} lines):`,
      ...stdout,
      `Driver stderr (${appId}, last ${DRIVER_TAIL} lines):`,
      ...stderr,
      ...notices,
    ].map(redact);
  }

  private async create(signal: AbortSignal): Promise<number> {
    const { name: ownName, ...rest } = this.props;
    // A session that ended keeps its name in Livy until Livy forgets it (10 minutes): the next one
    // this notebook starts is named apart.
    const base = ownName ?? this.options.name;
    const name = this.generation === 0 || ownName ? base : `${base}-${this.generation + 1}`;
    const request: NewSession = { heartbeatTimeoutInSecond: 0, ...rest, kind: this.kind, name };
    const session = await this.livy.createSession(request, signal);
    this.generation++;
    this.id = session.id;
    this.wasReady = false;
    return session.id;
  }

  private forget(creating: Promise<number> | undefined): void {
    if (this.current !== creating) return;
    this.current = undefined;
    this.id = undefined;
    this.wasReady = false;
  }

  /** The SessionEndedError for session `id`, which is forgotten (and deleted in Livy, freeing its name). */
  private ended(id: number, session: LivySession | undefined, lastLines: string[]): SessionEndedError {
    const started = this.id === id && this.wasReady;
    if (this.id === id) this.forget(this.current);
    if (session) void this.livy.deleteSession(id).catch(() => undefined);
    const what = session ? `is ${session.state}` : 'is gone: Livy no longer knows it (it was deleted, or Livy restarted)';
    const message = started
      ? `The notebook's Livy session ${id} on ${this.options.cluster} ${what}.`
      : `The notebook's Livy session ${id} on ${this.options.cluster} could not start: it ${what}.`;
    return new SessionEndedError(message, lastLines, id);
  }

  /** The SessionEndedError when session `id` has ended; undefined while it lives. */
  private async endedNow(id: number, signal: AbortSignal): Promise<SessionEndedError | undefined> {
    let session: LivySession;
    try {
      session = await this.livy.getSession(id, signal);
    } catch (err) {
      if (err instanceof HDInsightError && err.code === 'NotFound') return this.ended(id, undefined, []);
      throw err;
    }
    if (!FINAL_STATES.has(session.state) && session.state !== 'shutting_down') return undefined;
    return this.ended(id, session, await this.lastLines(id, session, signal));
  }

  /** The last lines of the session's log (stdout and stderr), then YARN's diagnostics when there are any. */
  private async lastLines(id: number, session: LivySession, signal: AbortSignal): Promise<string[]> {
    const log = await this.livy
      .getLog('sessions', id, 0, -1, signal)
      .then((page) => page.log)
      .catch(() => session.log ?? []);
    const at = log.indexOf('\nYARN Diagnostics: ');
    const own = (at < 0 ? log : log.slice(0, at)).filter((l) => !MARKERS.has(l) && l.trim());
    const diagnostics = at < 0 ? [] : log.slice(at + 1).filter((l) => l.trim());
    const lines = [...own.slice(-LAST_LINES), ...(diagnostics.length > 0 ? ['YARN Diagnostics:', ...diagnostics.slice(-LAST_LINES)] : [])];
    return lines.map(redact);
  }
}

/** %%info: the cluster's Livy sessions (id, name, kind, state, appId, appInfo's links). */
export function listSessions(livy: LivyClient, signal: AbortSignal): Promise<LivySession[]> {
  return livy.listSessions(signal);
}

/** %%cleanup: deletes every Livy session of the cluster (as sparkmagic deletes all of the endpoint's); returns how many. */
export async function deleteAllSessions(livy: LivyClient, signal: AbortSignal): Promise<number> {
  const sessions = await livy.listSessions(signal);
  let deleted = 0;
  for (const session of sessions) {
    try {
      await livy.deleteSession(session.id, signal);
      deleted++;
    } catch (err) {
      // Gone meanwhile (ended and forgotten, or deleted by someone else): nothing left to delete.
      if (!(err instanceof HDInsightError && err.code === 'NotFound')) throw err;
    }
  }
  return deleted;
}

/** %%delete -s ID. */
export async function deleteSession(livy: LivyClient, id: number, signal: AbortSignal): Promise<void> {
  await livy.deleteSession(id, signal);
}

function checkProperties(properties: SessionProperties): SessionProperties {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new InvalidInputError('%%configure takes a JSON object of Livy session properties.', 'Write them as {"conf": {…}, …}.');
  }
  const given = KERNEL_FIELDS.filter((f) => f in properties);
  if (given.length > 0) {
    throw new InvalidInputError(
      `%%configure cannot set ${given.join(', ')}: the notebook's kernel decides the session's kind.`,
      `Remove ${given.join(', ')} from the properties, or choose the other kernel.`,
    );
  }
  return properties;
}

function keepTail(into: string[], lines: DriverLogLine[], stream: DriverLogLine['stream']): void {
  for (const line of lines) if (line.stream === stream) into.push(line.text);
  if (into.length > DRIVER_TAIL) into.splice(0, into.length - DRIVER_TAIL);
}
