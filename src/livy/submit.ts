// Submitting code to Livy: as a statement in an interactive session shared per cluster, language
// and configuration, or as a batch (the right mode for long-running streaming queries, which
// interactive sessions time out on). A batch needs its file in the cluster's storage: code from
// the editor goes there through a short-lived statement that writes it with Hadoop's FileSystem
// (as the IntelliJ toolkit does), so no storage key is needed. No vscode import.
import { HDInsightError, isCancellation, throwIfAborted } from '../core/errors';
import { sleep } from '../core/sleep';
import { FINAL_STATES, type LivyClient, type LivySession, type SessionKind } from './LivyClient';
import { type LivyJob, sessionKindOf } from './LivyJob';
import { LogFollower } from './logFollower';
import { checkSubmit, type SubmitRequest } from './request';

export type { SubmitRequest } from './request';

const SESSION_READY_MS = 10 * 60_000;
const LIVE: ReadonlySet<string> = new Set(['not_started', 'starting', 'recovering', 'idle', 'busy', 'running']);

/** Interactive sessions of one cluster, one per kind and configuration, reused across submissions. */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<number>>();

  constructor(private readonly livy: LivyClient) {}

  /** A live session of `kind` with `conf` (any pyspark one for uploads), waiting until it is ready. */
  async acquire(
    kind: SessionKind,
    conf: Record<string, string> | undefined,
    options: { signal?: AbortSignal; onStarting?: (session: LivySession) => void; anyConf?: boolean },
  ): Promise<number> {
    const key = `${kind} ${JSON.stringify(sortKeys(conf ?? {}))}`;
    const candidates = options.anyConf ? [...this.sessions].filter(([k]) => k.startsWith(`${kind} `)).map(([, v]) => v) : [];
    for (const id of [this.sessions.get(key), ...candidates]) {
      const existing = await id?.catch(() => undefined);
      if (existing === undefined) continue;
      const session = await this.livy.getSession(existing, options.signal).catch(() => undefined);
      if (session && LIVE.has(session.state)) return this.whenReady(session, options);
    }
    const created = (async () => {
      const session = await this.livy.createSession(
        { kind, conf, name: `hdinsight-streaming-${kind}-${Date.now().toString(36)}`, heartbeatTimeoutInSecond: 0 },
        options.signal,
      );
      return await this.whenReady(session, options);
    })();
    this.sessions.set(key, created);
    created.catch(() => this.sessions.delete(key));
    return created;
  }

  private async whenReady(session: LivySession, options: { signal?: AbortSignal; onStarting?: (s: LivySession) => void }): Promise<number> {
    const deadline = Date.now() + SESSION_READY_MS;
    let current = session;
    while (current.state !== 'idle' && current.state !== 'busy') {
      if (FINAL_STATES.has(current.state) || current.state === 'shutting_down') {
        const tail = (current.log ?? []).slice(-5).join('\n');
        throw new HDInsightError(
          'Remote',
          `Livy session ${current.id} could not start (${current.state}).${tail ? `\n${tail}` : ''}`,
          'Check the session configuration and the cluster, then submit again.',
        );
      }
      if (Date.now() > deadline) throw new HDInsightError('Timeout', `Livy session ${current.id} did not start within 10 minutes.`);
      options.onStarting?.(current);
      await sleep(1_000, options.signal);
      current = await this.livy.getSession(current.id, options.signal);
    }
    return current.id;
  }

  /** Sessions this pool made, to close when asked. */
  async close(): Promise<void> {
    const ids = await Promise.all([...this.sessions.values()].map((p) => p.catch(() => undefined)));
    this.sessions.clear();
    await Promise.all(ids.filter((id): id is number => id !== undefined).map((id) => this.livy.deleteSession(id).catch(() => undefined)));
  }
}

/** Starts the job on Livy and hands it to `job` to follow; resolves once Livy accepted it. */
export async function submit(
  livy: LivyClient,
  pool: SessionPool,
  job: LivyJob,
  request: SubmitRequest,
  signal?: AbortSignal,
): Promise<void> {
  checkSubmit(request);
  const onStarting = (s: LivySession): void =>
    job.setNote(`Waiting for Livy session ${s.id} to start (${s.state})…`, { state: 'starting', sessionId: s.id });
  if (request.mode === 'session') {
    const kind = sessionKindOf(request.language);
    const sessionId = await pool.acquire(kind, request.conf, { signal, onStarting });
    // The statement's log starts now: what Livy's log and the driver's log hold already is let go.
    await job.openSessionDriverLog(await livy.getSession(sessionId, signal), signal);
    const follower = new LogFollower(livy, 'sessions', sessionId);
    await follower.skipExisting(signal);
    const statement = await livy.runStatement(sessionId, request.code!, kind, signal);
    job.setNote(undefined);
    job.followStatement(sessionId, statement.id, follower);
    return;
  }
  let file = request.file;
  if (!file) {
    job.setNote('Uploading the code to the cluster storage through a Livy session…', { state: 'starting' });
    const uploading = (s: LivySession): void => job.setNote(`Uploading through Livy session ${s.id}, which is starting (${s.state})…`);
    file = await upload(livy, pool, request.code!, `${request.name}.py`, { signal, onStarting: uploading });
  }
  throwIfAborted(signal);
  const batch = await livy.createBatch(
    { file, name: `${request.name}-${Date.now().toString(36)}`, className: request.className, args: request.args, conf: request.conf },
    signal,
  );
  job.setNote(undefined);
  job.followBatch(batch.id, batch.state, batch.appId);
}

/** Writes `code` to the cluster's default file system from a pyspark statement; returns its full URL. */
async function upload(
  livy: LivyClient,
  pool: SessionPool,
  code: string,
  fileName: string,
  options: { signal?: AbortSignal; onStarting: (s: LivySession) => void },
): Promise<string> {
  const sessionId = await pool.acquire('pyspark', undefined, { ...options, anyConf: true });
  const relative = `hdinsight-streaming/jobs/${Date.now().toString(36)}-${fileName.replace(/[^\w.-]/g, '_')}`;
  const statement = [
    'import base64 as _b64',
    `_path = spark._jvm.org.apache.hadoop.fs.Path(${JSON.stringify(relative)})`,
    '_fs = _path.getFileSystem(spark._jsc.hadoopConfiguration())',
    '_out = _fs.create(_path, True)',
    `_out.write(bytearray(_b64.b64decode(${JSON.stringify(Buffer.from(code, 'utf8').toString('base64'))})))`,
    '_out.close()',
    'print(_fs.makeQualified(_path).toString())',
  ].join('\n');
  let result = await livy.runStatement(sessionId, statement, 'pyspark', options.signal);
  let polls = 0;
  let failures = 0;
  while (result.state !== 'available' && result.state !== 'cancelled') {
    await sleep(500, options.signal);
    try {
      result = await livy.getStatement(sessionId, result.id, options.signal);
      failures = 0;
    } catch (err) {
      if (isCancellation(err)) throw err;
      // A session that ended takes its statements with it: Livy answers 400 ("Session isn't
      // active"), 404, or 500 while its driver's connection is gone and YARN has not yet said so.
      const ended = await sessionEnded(livy, sessionId, options.signal);
      if (ended) throw ended;
      if (!(err instanceof HDInsightError && err.code === 'Remote') || ++failures > UPLOAD_RETRIES) throw err;
      continue;
    }
    // A session that went to error can leave the statement waiting for good.
    if (++polls % 4 === 0) {
      const ended = await sessionEnded(livy, sessionId, options.signal);
      if (ended) throw ended;
    }
  }
  const output = result.output;
  if (output?.status !== 'ok') {
    const reason = output?.status === 'error' ? `${output.ename}: ${output.evalue}` : result.state;
    throw new HDInsightError('Remote', `Uploading the code to the cluster storage failed (${reason}).`);
  }
  const plain = output.data['text/plain'];
  const printed = (typeof plain === 'string' ? plain : '').trim().split('\n').at(-1) ?? '';
  if (!printed) throw new HDInsightError('Remote', 'Uploading the code to the cluster storage gave no file address.');
  return printed;
}

/** Livy's 5xx answers in a row the upload rides out (about 15 s) while its session still looks alive. */
const UPLOAD_RETRIES = 30;

/** The error to end the upload with when its session ended (or Livy forgot it); undefined while it lives. */
async function sessionEnded(livy: LivyClient, sessionId: number, signal?: AbortSignal): Promise<HDInsightError | undefined> {
  let session: LivySession | undefined;
  try {
    session = await livy.getSession(sessionId, signal);
  } catch (err) {
    if (!(err instanceof HDInsightError && err.code === 'NotFound')) throw err;
  }
  if (session && LIVE.has(session.state)) return undefined;
  // YARN's diagnostics are the last part of the session's log: say the last of them.
  const log = session?.log ?? [];
  const diagnostics = log.slice(log.lastIndexOf('\nYARN Diagnostics: ') + 1).filter((l) => l.trim() && !l.startsWith('\n'));
  const why = diagnostics.length > 0 && log.includes('\nYARN Diagnostics: ') ? ` YARN says: ${diagnostics.at(-1)!.trim()}` : '';
  return new HDInsightError(
    'Remote',
    `Livy session ${sessionId}, which was uploading the code to the cluster storage, ${session ? `is ${session.state}` : 'is gone'}.${why}`,
    'Submit again: a new session is started for the upload.',
  );
}

function sortKeys(conf: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(conf).sort(([a], [b]) => a.localeCompare(b)));
}
