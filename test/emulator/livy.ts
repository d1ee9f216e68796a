// Apache Livy's REST API (the one behind https://CLUSTER.azurehdinsight.net/livy), served by the
// emulator and backed by real Spark: batches are real spark-submit processes, pyspark sessions a
// real SparkSession driven by livy_repl.py (Scala statements by Livy's own SparkInterpreter,
// ported to LivySparkInterpreter.scala, in the same driver). Behaviour copied from Livy 0.9: CSRF header, JSON
// shapes, states, log serialisation with bounded per-stream ring buffers, the local-path
// whitelist, finished jobs forgotten after a while.
//
// Two modes. Local mode (the default, and what the sandbox uses for speed): spark-submit runs the
// driver here, so the batch's log holds the driver's own output, which a real cluster never gives.
// YARN mode (`yarn`), as Livy runs on HDInsight: batches are submitted with `--master yarn
// --deploy-mode cluster` to a real YARN, spark-submit returns once YARN accepted the application,
// the log holds only the launcher's lines and YARN's diagnostics, and the driver's output is in
// the AM container's logs at appInfo.driverLogUrl (the gateway's /yarnui form). Sessions, as
// Livy's InteractiveSession and ContextLauncher run them: the session's driver (livy_repl.py) is
// submitted the same way, tagged livy-session-{id}-{8}, and connects back over TCP on loopback
// with the address, client id and per-session secret Livy passes in its conf file; statements,
// their results and their cancel go over that connection; the session is `starting` until the
// driver connected and made its SparkSession, and dead once YARN says the application ended
// (YARN's diagnostics in its log). A statement's prints are its output; anything else the driver
// prints is in the container's logs only.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { SparkInstall } from '../harness/spark';
import { sparkSubmitYarn, type Yarn } from '../harness/yarn';
import type { Emulator, EmulatorRequest, EmulatorResponse } from './server';
import { publicYarnUrl } from './yarnui';

/** The YARN batches run on: started when the first batch needs it, once. */
export type YarnProvider = () => Promise<Yarn>;

export interface LivyOptions {
  spark: SparkInstall;
  /** livy.file.local-dir-whitelist: local files (paths, file:// URLs) must be inside one of these. */
  localDirWhitelist: string[];
  /** livy.cache-log.size: lines kept per stream (stdout, stderr). */
  logCacheSize?: number;
  /** livy.server.session.state-retain.sec, in ms: finished sessions and batches are forgotten after it. */
  stateRetainMs?: number;
  /** Spark master (local mode). */
  master?: string;
  /**
   * The cluster's default storage: wasb(s):// and abfs(s):// URLs name files under this directory
   * (by the URL's path), so jobs can be submitted the HDInsight way.
   */
  storageDir?: string;
  /** YARN mode for batches: the YARN (or what starts it) they are submitted to. */
  yarn?: Yarn | YarnProvider;
  /** livy.server.yarn.poll-interval, in ms (Livy's default is 5 s; 1 s here, for the tests' sake). */
  yarnPollIntervalMs?: number;
  /** livy.server.yarn.app-lookup-timeout, in ms (120 s, as Livy's default). */
  yarnLookupTimeoutMs?: number;
  /**
   * livy.rsc.server.connect.timeout, in ms (90 s, as Livy's default): a session whose driver has
   * not connected back by then goes to error and its application is killed.
   */
  rscConnectTimeoutMs?: number;
}

export type LivyState =
  'not_started' | 'starting' | 'idle' | 'busy' | 'running' | 'shutting_down' | 'error' | 'dead' | 'killed' | 'success';

type StatementState = 'waiting' | 'running' | 'available' | 'cancelling' | 'cancelled';

const finalStates = new Set<LivyState>(['error', 'dead', 'killed', 'success']);
/** Livy's Kind: the names a session or statement kind may be given by, and what they mean. */
const kindNames: Record<string, string> = {
  spark: 'spark',
  scala: 'spark',
  pyspark: 'pyspark',
  python: 'pyspark',
  sparkr: 'sparkr',
  r: 'sparkr',
  sql: 'sql',
  shared: 'shared',
};

/**
 * Spawns `command` with its stderr on the same pipe as its stdout, as Java's
 * ProcessBuilder.redirectErrorStream(true) does for Livy's batches: the two streams interleave
 * write by write, in the order the process wrote them. Two pipes joined here instead would
 * reorder them and glue a line the process had not finished on one stream to a line of the
 * other (a line of the job lost from its log), which Livy never does.
 */
function spawnMerged(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', command, ...args], { ...options, stdio: ['ignore', 'pipe', 'ignore'] });
}

/** A bounded buffer of complete lines, fed by chunks of a stream (Livy's CircularQueue). */
class LineRing {
  readonly lines: string[] = [];
  private partial = '';
  constructor(private readonly cap: number) {}

  write(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.push(line);
  }

  end(): void {
    if (this.partial) this.push(this.partial);
    this.partial = '';
  }

  private push(line: string): void {
    this.lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (this.lines.length > this.cap) this.lines.splice(0, this.lines.length - this.cap);
  }
}

interface Statement {
  id: number;
  code: string;
  kind: string;
  state: StatementState;
  output: unknown;
  progress: number;
  started: number;
  completed: number;
}

interface Job {
  id: number;
  name: string | null;
  owner: string | null;
  proxyUser: string | null;
  state: LivyState;
  appId: string | null;
  stdout: LineRing;
  stderr: LineRing;
  process?: ChildProcess;
  exited?: Promise<void>;
  /** DELETE or restart: the process is being killed on purpose. */
  stopping?: boolean;
  retainTimer?: NodeJS.Timeout;
  appInfo: { driverLogUrl: string | null; sparkUiUrl: string | null };
  /** Set for a batch or session in YARN mode. */
  yarn?: YarnApp;
}

interface YarnApp {
  /** spark.yarn.tags: how Livy finds its application (livy-batch-{id}-{8 random characters}, livy-session-…). */
  tag: string;
  /** YARN's diagnostics of the application, lines of the log's "YARN Diagnostics:" part. */
  diagnostics: string[];
  /** spark-submit's exit code once it exited. */
  submitExit?: number | null;
  /** DELETE came: the application is killed as soon as it is known. */
  deleted?: boolean;
  /** Livy gave up on it (a session driver that never connected): killed as soon as it is known, still followed. */
  kill?: boolean;
  /** The application was killed through the ResourceManager. */
  killSent?: boolean;
  /** The ResourceManager it was submitted to. */
  rmWebUrl?: string;
}

interface RmApp {
  id: string;
  state: string;
  finalStatus: string;
  diagnostics?: string;
  trackingUrl?: string;
  amContainerLogs?: string;
}

interface Session extends Job {
  kind: string;
  ttl: string | null;
  heartbeatTimeoutInSecond: number;
  statements: Statement[];
  queue: Statement[];
  current?: Statement;
  /** YARN mode: the driver's connection back to Livy (its RSC channel). */
  rsc?: RscLink;
}

/** A session driver's connection back to Livy, as Livy's ContextLauncher registers it. */
interface RscLink {
  clientId: string;
  /** Per session: only its own driver can connect (RSCConf client.auth.secret). */
  secret: string;
  socket?: net.Socket;
  /** The driver was connected and its connection went away without Livy ending the session. */
  lost?: boolean;
  /** Livy asked the driver to end (DELETE). */
  ending?: boolean;
  connectTimer?: NodeJS.Timeout;
  /** Resolves when the connection closed. */
  closed: Promise<void>;
  onClosed: () => void;
}

type Batch = Job;

interface CreateRequest {
  kind?: string;
  name?: string;
  proxyUser?: string;
  file?: string;
  className?: string;
  args?: unknown[];
  jars?: string[];
  pyFiles?: string[];
  files?: string[];
  archives?: string[];
  conf?: Record<string, unknown>;
  driverMemory?: string;
  driverCores?: number;
  executorMemory?: string;
  executorCores?: number;
  numExecutors?: number;
  queue?: string;
  ttl?: string;
  heartbeatTimeoutInSecond?: number;
}

class BadRequest extends Error {}

const CSRF_BODY = (pathname: string): string =>
  '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n' +
  '<title>Error 400 Missing Required Header for CSRF protection.</title>\n</head>\n<body><h2>HTTP ERROR 400</h2>\n' +
  `<p>Problem accessing ${pathname}. Reason:\n<pre>    Missing Required Header for CSRF protection.</pre></p>\n</body>\n</html>\n`;

/** The file that runs pyspark sessions; next to this module in the sources, not copied by tsc. */
function replScript(): string {
  const candidates = [path.join(__dirname, 'livy_repl.py'), path.resolve(__dirname, '../../../test/emulator/livy_repl.py')];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`livy_repl.py not found (looked in ${candidates.join(', ')})`);
  return found;
}

export class LivyEmulator {
  private readonly sessions = new Map<number, Session>();
  private readonly batches = new Map<number, Batch>();
  private nextSessionId = 0;
  private nextBatchId = 0;
  private readonly logCacheSize: number;
  private readonly stateRetainMs: number;
  private readonly master: string;
  private readonly workDir: string;
  private readonly whitelist: string[];
  private yarnProvider?: YarnProvider;
  /** The gateway it is mounted on: appInfo's URLs are in its public form. */
  private gateway?: Emulator;
  /** Where YARN-mode session drivers connect back (Livy's RpcServer), started with the first one. */
  private rscServer?: Promise<net.Server>;
  /** Session drivers expected to connect, by client id (unregistered once connected, as in Livy). */
  private readonly rscClients = new Map<string, Session>();

  constructor(private readonly options: LivyOptions) {
    this.logCacheSize = options.logCacheSize ?? 200;
    this.stateRetainMs = options.stateRetainMs ?? 600_000;
    this.master = options.master ?? 'local[2]';
    this.whitelist = options.localDirWhitelist.map((d) => path.resolve(d));
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-livy-work-'));
    this.setYarn(options.yarn);
  }

  /** Switches batches created from now on to YARN mode (given a YARN) or back to local mode. */
  setYarn(yarn: Yarn | YarnProvider | undefined): void {
    this.yarnProvider = yarn === undefined ? undefined : typeof yarn === 'function' ? yarn : () => Promise.resolve(yarn);
  }

  get yarnMode(): boolean {
    return this.yarnProvider !== undefined;
  }

  /** Registers Livy's routes under `prefix` (such as '/livy'); `authorize` answers for requests it refuses. */
  mount(emulator: Emulator, prefix: string, authorize: (req: EmulatorRequest) => EmulatorResponse | undefined = () => undefined): void {
    this.gateway = emulator;
    const base = prefix.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const on = (method: string, pattern: string, handler: (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>): void =>
      emulator.route(method, new RegExp(`^${base}${pattern}/?$`), async (req) => {
        const refused = authorize(req);
        if (refused) return refused;
        if (method !== 'GET' && method !== 'HEAD' && req.headers['x-requested-by'] === undefined) {
          return { status: 400, headers: { 'content-type': 'text/html;charset=utf-8' }, body: CSRF_BODY(req.url.pathname) };
        }
        try {
          return await handler(req);
        } catch (err) {
          if (err instanceof BadRequest) return msg(400, err.message);
          throw err;
        }
      });
    const id = '(?<id>\\d+)';
    const sid = '(?<sid>\\d+)';
    const owner = (req: EmulatorRequest): string | null => basicUser(req);

    // Sessions.
    on('GET', '/sessions', (req) =>
      list(
        req,
        [...this.sessions.values()].map((s) => this.sessionView(s)),
        'sessions',
      ),
    );
    on('POST', '/sessions', (req) => {
      const session = this.createSession(jsonBody<CreateRequest>(req), owner(req));
      return { status: 201, headers: { location: `/sessions/${session.id}` }, body: this.sessionView(session) };
    });
    on('GET', `/sessions/${id}`, (req) => this.withSession(req, (s) => ok(this.sessionView(s))));
    on('GET', `/sessions/${id}/state`, (req) => this.withSession(req, (s) => ok({ id: s.id, state: s.state })));
    on('DELETE', `/sessions/${id}`, async (req) => {
      const yarnSession = this.sessions.get(Number(req.params.id));
      if (yarnSession?.rsc) {
        await this.stopYarnSession(yarnSession);
        return ok({ msg: 'deleted' });
      }
      return this.withSession(req, (s) => {
        this.sessions.delete(s.id);
        this.kill(s);
        return ok({ msg: 'deleted' });
      });
    });
    on('GET', `/sessions/${id}/log`, (req) => this.withSession(req, (s) => ok(this.logView(s, req))));
    on('GET', `/sessions/${id}/statements`, (req) =>
      this.withSession(
        req,
        (s) =>
          this.driverUnavailable(s, 'read') ?? ok({ total_statements: s.statements.length, statements: s.statements.map(statementView) }),
      ),
    );
    on('POST', `/sessions/${id}/statements`, (req) =>
      this.withSession(req, (s) => {
        const unavailable = this.driverUnavailable(s, 'run');
        if (unavailable) return unavailable;
        const body = jsonBody<{ code?: string; kind?: string }>(req);
        return { status: 201, body: statementView(this.submitStatement(s, body)) };
      }),
    );
    on('GET', `/sessions/${id}/statements/${sid}`, (req) =>
      this.withSession(req, (s) => {
        const unavailable = this.driverUnavailable(s, 'read');
        if (unavailable) return unavailable;
        const st = s.statements[Number(req.params.sid)];
        return st ? ok(statementView(st)) : msg(404, 'Statement not found');
      }),
    );
    on('POST', `/sessions/${id}/statements/${sid}/cancel`, (req) =>
      this.withSession(req, (s) => {
        const unavailable = this.driverUnavailable(s, 'run');
        if (unavailable) return unavailable;
        const st = s.statements[Number(req.params.sid)];
        if (!st) return msg(404, 'Statement not found');
        this.cancelStatement(s, st);
        return ok({ msg: 'canceled' });
      }),
    );

    // Batches.
    on('GET', '/batches', (req) =>
      list(
        req,
        [...this.batches.values()].map((b) => this.batchView(b)),
        'batches',
      ),
    );
    on('POST', '/batches', (req) => {
      const batch = this.createBatch(jsonBody<CreateRequest>(req), owner(req));
      return { status: 201, headers: { location: `/batches/${batch.id}` }, body: this.batchView(batch) };
    });
    on('GET', `/batches/${id}`, (req) => this.withBatch(req, (b) => ok(this.batchView(b))));
    on('GET', `/batches/${id}/state`, (req) => this.withBatch(req, (b) => ok({ id: b.id, state: b.state })));
    on('DELETE', `/batches/${id}`, async (req) => {
      const b = this.batches.get(Number(req.params.id));
      if (b?.yarn) {
        // Livy kills the YARN application (once its id is known; until then the lookup goes on
        // and kills it when found) and spark-submit, then forgets the batch.
        if (!finalStates.has(b.state)) b.state = 'killed';
        b.yarn.deleted = true;
        this.kill(b);
        if (b.appId) await this.killYarnApp(b);
        this.forget(this.batches, b);
        return ok({ msg: 'deleted' });
      }
      return this.withBatch(req, (b) => {
        // Livy stops the application (state killed), then forgets the batch.
        if (!finalStates.has(b.state)) b.state = 'killed';
        this.kill(b);
        void (b.exited ?? Promise.resolve()).then(() => {
          if (this.batches.get(b.id) === b) this.forget(this.batches, b);
        });
        return ok({ msg: 'deleted' });
      });
    });
    on('GET', `/batches/${id}/log`, (req) => this.withBatch(req, (b) => ok(this.logView(b, req))));
  }

  /** Every session and batch, for tests. */
  get live(): { sessions: number[]; batches: number[] } {
    return { sessions: [...this.sessions.keys()], batches: [...this.batches.keys()] };
  }

  /** A Livy restart without recovery: every job's processes are killed and every id forgotten. */
  async restart(): Promise<void> {
    await this.killAll();
    this.nextSessionId = 0;
    this.nextBatchId = 0;
  }

  /**
   * Livy loses one batch as a restart loses them all (a batch in YARN mode leaves its application
   * running on YARN): later requests for it answer 404. False when there was no such batch.
   */
  forgetBatch(id: number): boolean {
    const batch = this.batches.get(id);
    if (!batch) return false;
    if (!batch.yarn) this.kill(batch);
    this.forget(this.batches, batch);
    return true;
  }

  /** Kills every Spark process this emulator started. */
  async stop(): Promise<void> {
    await this.killAll();
    const server = await this.rscServer?.catch(() => undefined);
    this.rscServer = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  private async killAll(): Promise<void> {
    const jobs: Job[] = [...this.sessions.values(), ...this.batches.values()];
    this.sessions.clear();
    this.batches.clear();
    // YARN-mode session drivers lose their connection and end themselves; one still starting is
    // refused when it connects.
    this.rscClients.clear();
    for (const job of jobs) {
      clearTimeout(job.retainTimer);
      const link = (job as Session).rsc;
      if (link) {
        clearTimeout(link.connectTimer);
        link.socket?.destroy();
      }
      this.kill(job);
    }
    await Promise.all(jobs.map((j) => j.exited ?? Promise.resolve()));
  }

  // ---- sessions ----

  private createSession(body: CreateRequest, owner: string | null): Session {
    // Since Livy 0.5 a session without a kind is "shared": each statement says its kind.
    const kind = kindNames[body.kind ?? 'shared'];
    if (!kind) throw new BadRequest(`Unknown kind: ${body.kind}`);
    if (kind === 'sparkr') throw new BadRequest('This emulator runs no SparkR sessions (R is not installed)');
    const name = body.name ?? null;
    if (name !== null && [...this.sessions.values()].some((s) => s.name === name)) throw new BadRequest(`Duplicate session name: ${name}`);
    // The session's own settings (its kind, the Scala interpreter's class path) go with it in either mode.
    const sessionBody = { ...body, conf: this.sessionConf(body.conf, kind, this.nextSessionId) };
    const submitArgs = this.submitArgs(sessionBody, name ?? `livy-session-${this.nextSessionId}`);
    const session: Session = {
      id: this.nextSessionId++,
      name,
      owner,
      proxyUser: body.proxyUser ?? owner,
      state: 'starting',
      appId: null,
      appInfo: { driverLogUrl: null, sparkUiUrl: null },
      stdout: new LineRing(this.logCacheSize),
      stderr: new LineRing(this.logCacheSize),
      kind,
      ttl: body.ttl ?? null,
      heartbeatTimeoutInSecond: body.heartbeatTimeoutInSecond ?? 0,
      statements: [],
      queue: [],
    };
    if (this.yarnProvider) {
      this.sessions.set(session.id, session);
      this.startYarnSession(session, this.yarnProvider, sessionBody, name ?? `livy-session-${session.id}`);
      return session;
    }
    const child = spawn(this.options.spark.python, [replScript()], {
      detached: true,
      // Relative paths of the default file system land in the cluster's storage, as /user/livy does on a cluster.
      cwd: this.options.storageDir ?? this.workDir,
      env: {
        ...process.env,
        ...this.options.spark.env,
        PYTHONUNBUFFERED: '1',
        PYSPARK_SUBMIT_ARGS: [...submitArgs, 'pyspark-shell'].map(shellQuote).join(' '),
      },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.attach(session, child, session.stderr);
    lines(child.stdio[3] as Readable, (line) => this.onReplMessage(session, line));
    child.stdin.on('error', () => undefined);
    this.sessions.set(session.id, session);
    return session;
  }

  private onReplMessage(session: Session, line: string): void {
    let message: { ready?: boolean; appId?: string; failed?: string; id?: number; output?: unknown; cancelled?: boolean };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.ready) {
      // In YARN mode Livy knows the application from YARN (by its tag), not from the driver.
      if (!session.rsc) session.appId = message.appId ?? null;
      if (session.state === 'starting') session.state = 'idle';
      this.dispatch(session);
      return;
    }
    const st = session.current;
    if (!st || message.id !== st.id) return;
    session.current = undefined;
    st.completed = Date.now();
    st.progress = 1;
    if (message.cancelled) {
      st.state = 'cancelled';
      st.output = null;
    } else {
      // A cancel that came too late leaves the statement's result standing, as in Livy.
      st.state = 'available';
      st.output = message.output;
    }
    if (session.state === 'busy') session.state = 'idle';
    this.dispatch(session);
  }

  private submitStatement(session: Session, body: { code?: string; kind?: string }): Statement {
    if (finalStates.has(session.state) || session.state === 'shutting_down') throw new BadRequest(`Session is in state ${session.state}`);
    if (typeof body.code !== 'string') throw new BadRequest('Missing code');
    const kind = body.kind === undefined ? session.kind : kindNames[body.kind];
    if (kind === 'shared') {
      throw new BadRequest(
        body.kind === undefined ? 'Code type should be specified if session kind is shared' : `Unknown kind: ${body.kind}`,
      );
    }
    if (!kind) throw new BadRequest(`Unknown kind: ${body.kind}`);
    if (kind === 'sparkr') throw new BadRequest('This emulator runs no SparkR statements (R is not installed)');
    const st: Statement = {
      id: session.statements.length,
      code: body.code,
      kind,
      state: 'waiting',
      output: null,
      progress: 0,
      started: 0,
      completed: 0,
    };
    session.statements.push(st);
    session.queue.push(st);
    // Answer with 'waiting' first, as Livy does; the statement starts right after.
    setImmediate(() => this.dispatch(session));
    return st;
  }

  private dispatch(session: Session): void {
    if (session.current || (session.state !== 'idle' && session.state !== 'busy')) return;
    const st = session.queue.shift();
    if (!st) {
      if (session.state === 'busy') session.state = 'idle';
      return;
    }
    session.current = st;
    session.state = 'busy';
    st.state = 'running';
    st.started = Date.now();
    this.toDriver(session, { id: st.id, code: st.code, kind: st.kind });
  }

  private cancelStatement(session: Session, st: Statement): void {
    if (st.state === 'waiting') {
      session.queue = session.queue.filter((q) => q !== st);
      st.state = 'cancelled';
      st.completed = Date.now();
    } else if (st.state === 'running') {
      st.state = 'cancelling';
      // Only the interpreter: the driver JVM (same process group) must live on. The statement may
      // still be on its way into the interpreter (which ignores an interrupt between statements),
      // so the interrupt repeats until the interpreter answers for this statement; the next
      // statement is sent only after that answer, so a repeat never reaches it.
      // In YARN mode the driver is asked over its connection, as Livy's CancelReplJobRequest does.
      const interrupt = (): void => {
        if (st.state !== 'cancelling' || session.current !== st) return;
        if (session.rsc) {
          if (!session.rsc.socket) return;
          this.toDriver(session, { cancel: st.id });
        } else {
          if (!session.process?.pid) return;
          try {
            process.kill(session.process.pid, 'SIGINT');
          } catch {
            return; // already gone
          }
        }
        setTimeout(interrupt, 250).unref();
      };
      interrupt();
    }
  }

  /** A message to the session's interpreter: its stdin in local mode, its connection in YARN mode. */
  private toDriver(session: Session, message: Record<string, unknown>): void {
    const line = `${JSON.stringify(message)}\n`;
    if (session.rsc) session.rsc.socket?.write(line);
    else session.process?.stdin?.write(line);
  }

  /**
   * YARN mode: what Livy answers instead when a statement request cannot reach the driver. Reads
   * check that the session is active (400, "requirement failed: Session isn't active."); running
   * and cancelling that it runs (500, IllegalStateException); both go over the RPC channel, which
   * fails while the driver's connection is gone (500) until YARN says how the application ended.
   */
  private driverUnavailable(s: Session, use: 'read' | 'run'): EmulatorResponse | undefined {
    if (!s.rsc) return undefined;
    const over = finalStates.has(s.state) || s.state === 'shutting_down';
    if (use === 'read' && over) return msg(400, "requirement failed: Session isn't active.");
    if (use === 'run' && s.state !== 'idle' && s.state !== 'busy')
      return msg(500, `java.lang.IllegalStateException: Session is in state ${s.state}`);
    if (s.rsc.lost) return msg(500, 'java.lang.IllegalStateException: RPC channel is closed.');
    return undefined;
  }

  /**
   * YARN mode, as Livy's InteractiveSession with ContextLauncher: the session's driver (this
   * emulator's REPL) is submitted in cluster mode with the RSC address, a client id and a secret in
   * a properties file; the session is `starting` until the driver connected back and made its
   * SparkSession, then follows the REPL (idle, busy) and, once YARN says the application ended,
   * is dead with YARN's diagnostics in its log.
   */
  private startYarnSession(session: Session, provider: YarnProvider, body: CreateRequest, name: string): void {
    session.yarn = { tag: `livy-session-${session.id}-${randomTag()}`, diagnostics: [] };
    let onClosed!: () => void;
    const closed = new Promise<void>((resolve) => (onClosed = resolve));
    const link: RscLink = { clientId: crypto.randomUUID(), secret: crypto.randomBytes(32).toString('base64url'), closed, onClosed };
    session.rsc = link;
    this.rscClients.set(link.clientId, session);
    const options = this.optionArgs(body);
    // Livy's handshake timeout runs from the launch: a driver that never connects fails the session,
    // and Livy kills its application (InteractiveSession's errorOut).
    link.connectTimer = setTimeout(() => {
      if (link.socket || link.lost || session.yarn?.deleted || finalStates.has(session.state)) return;
      this.rscClients.delete(link.clientId);
      session.state = 'error';
      session.yarn!.kill = true;
      void this.killYarnApp(session);
    }, this.options.rscConnectTimeoutMs ?? 90_000);
    link.connectTimer.unref();
    void (async () => {
      const server = await this.rscListen();
      const { port } = server.address() as net.AddressInfo;
      const confFile = this.writeRscConf(link, port);
      await this.runOnYarn(session, provider, body, name, [...options, '--properties-file', confFile, replScript(), 'rsc'], confFile);
    })().catch((err: unknown) => {
      session.yarn?.diagnostics.push(err instanceof Error ? err.message : String(err));
      this.sessionOver(session);
      this.retain(session);
    });
  }

  /** The session is over (its application ended, or could not start): dead, as Livy 0.5 makes it. */
  private sessionOver(session: Session): void {
    // Livy 0.5 (HDInsight 5.1's) makes a session dead whether its application finished, failed or
    // was killed (Livy 0.6 and later say killed for a killed one), also after error.
    session.state = 'dead';
    const link = session.rsc;
    if (!link) return;
    clearTimeout(link.connectTimer);
    this.rscClients.delete(link.clientId);
    link.socket?.destroy();
  }

  /**
   * DELETE of a YARN-mode session, as Livy's stopSession: the driver is asked to end (EndSession)
   * and given 10 s (livy.rsc.client.shutdown-timeout) to close its connection, after which (or
   * when it never connected) its application is killed. Then the session is forgotten.
   */
  private async stopYarnSession(session: Session): Promise<void> {
    const link = session.rsc!;
    const y = session.yarn!;
    if (!finalStates.has(session.state)) session.state = 'shutting_down';
    this.rscClients.delete(link.clientId);
    clearTimeout(link.connectTimer);
    let ended = false;
    if (link.socket) {
      link.ending = true;
      this.toDriver(session, { end: true });
      ended = await Promise.race([link.closed.then(() => true), sleep(10_000).then(() => false)]);
    }
    // An application not known yet is killed as soon as the lookup finds it.
    y.deleted = true;
    if (!ended) {
      link.socket?.destroy();
      if (session.appId) await this.killYarnApp(session);
    }
    session.state = 'dead';
    this.kill(session);
    this.forget(this.sessions, session);
  }

  /** Where YARN-mode session drivers connect back (Livy's RpcServer): loopback, any free port. */
  private rscListen(): Promise<net.Server> {
    this.rscServer ??= new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer((socket) => this.rscAccept(socket));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    return this.rscServer;
  }

  /**
   * A connection from a session driver: a challenge, then the driver's client id with the
   * challenge's HMAC-SHA256 under the session's secret (the secret itself never crosses the wire);
   * anything else is dropped. From then on the connection carries the session's messages.
   */
  private rscAccept(socket: net.Socket): void {
    const challenge = crypto.randomBytes(32).toString('hex');
    let session: Session | undefined;
    socket.on('error', () => undefined);
    const refuse = (): void => void socket.destroy();
    const timer = setTimeout(refuse, 30_000);
    timer.unref();
    socket.write(`${JSON.stringify({ challenge })}\n`);
    lines(socket, (line) => {
      if (session) return this.onReplMessage(session, line);
      clearTimeout(timer);
      let hello: { client?: unknown; auth?: unknown };
      try {
        hello = JSON.parse(line) as typeof hello;
      } catch {
        return refuse();
      }
      const candidate = typeof hello.client === 'string' ? this.rscClients.get(hello.client) : undefined;
      const link = candidate?.rsc;
      const given = typeof hello.auth === 'string' && /^[0-9a-f]{64}$/.test(hello.auth) ? Buffer.from(hello.auth, 'hex') : undefined;
      const expected = link ? crypto.createHmac('sha256', link.secret).update(challenge).digest() : undefined;
      if (!candidate || !link || !given || !expected || !crypto.timingSafeEqual(given, expected)) return refuse();
      // One driver per session: Livy unregisters the client once it connected.
      this.rscClients.delete(link.clientId);
      clearTimeout(link.connectTimer);
      session = candidate;
      link.socket = socket;
      socket.once('close', () => {
        if (link.socket === socket) link.socket = undefined;
        if (!link.ending) link.lost = true;
        link.onClosed();
      });
    });
  }

  /**
   * Livy's conf file for the driver (ContextLauncher.writeConfToFile): readable by its owner only,
   * the RSC settings under spark.__livy__., Spark's spark-defaults.conf merged in (a properties
   * file replaces it for spark-submit).
   */
  private writeRscConf(link: RscLink, port: number): string {
    const props: Record<string, string> = {};
    const defaults = path.join(this.options.spark.confDir, 'spark-defaults.conf');
    if (fs.existsSync(defaults)) {
      for (const raw of fs.readFileSync(defaults, 'utf8').split('\n')) {
        const m = /^\s*([^#!\s=:][^\s=:]*)\s*[\s=:]\s*(.*?)\s*$/.exec(raw);
        if (m) props[m[1]] = m[2];
      }
    }
    Object.assign(props, {
      'spark.__livy__.livy.rsc.launcher.address': '127.0.0.1',
      'spark.__livy__.livy.rsc.launcher.port': String(port),
      'spark.__livy__.livy.rsc.client.auth.id': link.clientId,
      'spark.__livy__.livy.rsc.client.auth.secret': link.secret,
      // As Livy sets it: the RPC server takes one connection per session.
      'spark.yarn.maxAppAttempts': '1',
      // Not Livy's: where the driver's relative paths of the default file system go (the cluster's
      // storage), as the local-mode driver runs in that directory.
      'spark.hdinsight.emulator.storageDir': this.options.storageDir ?? this.workDir,
    });
    const escape = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/^\s/, '\\$&');
    const body = Object.entries(props)
      .map(([k, v]) => `${escape(k).replace(/[=:\s]/g, '\\$&')}=${escape(v)}`)
      .join('\n');
    const file = path.join(this.workDir, `livyConf${crypto.randomBytes(8).toString('hex')}.properties`);
    fs.writeFileSync(file, `${body}\n`, { mode: 0o600 });
    return file;
  }

  private sessionView(s: Session): Record<string, unknown> {
    const log = this.logLines(s);
    return {
      id: s.id,
      name: s.name,
      appId: s.appId,
      owner: s.owner,
      proxyUser: s.proxyUser,
      state: s.state,
      kind: s.kind,
      appInfo: s.appInfo,
      log: log.slice(Math.max(0, log.length - 10)),
      ttl: s.ttl,
    };
  }

  // ---- batches ----

  private createBatch(body: CreateRequest, owner: string | null): Batch {
    if (typeof body.file !== 'string' || !body.file) throw new BadRequest('Missing file');
    const name = body.name ?? null;
    if (name !== null && [...this.batches.values()].some((b) => b.name === name)) throw new BadRequest(`Duplicate session name: ${name}`);
    const file = this.resolveFile(body.file);
    const id = this.nextBatchId;
    const yarn = this.yarnProvider;
    // Files are checked (400) before the batch exists.
    const args = yarn ? this.optionArgs(body) : this.submitArgs(body, name ?? `livy-batch-${id}`);
    if (body.className) args.push('--class', body.className);
    args.push(file, ...(body.args ?? []).map(String));
    this.nextBatchId++;
    const batch: Batch = {
      id,
      name,
      owner,
      proxyUser: body.proxyUser ?? owner,
      state: 'starting',
      appId: null,
      appInfo: { driverLogUrl: null, sparkUiUrl: null },
      stdout: new LineRing(this.logCacheSize),
      stderr: new LineRing(this.logCacheSize),
    };
    this.batches.set(batch.id, batch);
    if (yarn) {
      batch.yarn = { tag: `livy-batch-${id}-${randomTag()}`, diagnostics: [] };
      void this.runOnYarn(batch, yarn, body, name ?? `livy-batch-${id}`, args).catch((err: unknown) => {
        batch.yarn?.diagnostics.push(err instanceof Error ? err.message : String(err));
        if (!finalStates.has(batch.state)) batch.state = 'dead';
        this.retain(batch);
      });
      return batch;
    }
    const child = spawnMerged(this.options.spark.sparkSubmit, args, {
      detached: true,
      cwd: this.workDir,
      env: { ...process.env, ...this.options.spark.env, PYTHONUNBUFFERED: '1' },
    });
    this.attach(batch, child, batch.stdout);
    if (child.pid) batch.state = 'running';
    return batch;
  }

  /**
   * YARN mode: spark-submit in cluster mode (returning once YARN accepted the application, as
   * waitAppCompletion=false makes it), then Livy's monitor: the application found by its tag,
   * then followed until it ends (SparkYarnApp.scala). A batch's state is the application's; a
   * session's follows its driver until the application ended. `confFile` (a session's) goes once
   * spark-submit exited.
   */
  private async runOnYarn(
    job: Job,
    provider: YarnProvider,
    body: CreateRequest,
    name: string,
    args: string[],
    confFile?: string,
  ): Promise<void> {
    const y = job.yarn!;
    const session = 'statements' in job ? (job as Session) : undefined;
    const map: Map<number, Job> = session ? this.sessions : this.batches;
    const fail = (message: string): void => {
      y.diagnostics.push(message);
      if (session) this.sessionOver(session);
      else if (!finalStates.has(job.state)) job.state = 'dead';
      this.retain(job);
    };
    let yarn: Yarn;
    try {
      yarn = await provider();
    } catch (err) {
      if (confFile) fs.rmSync(confFile, { force: true });
      return fail(`YARN is not available: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (y.deleted || map.get(job.id) !== job) {
      if (confFile) fs.rmSync(confFile, { force: true });
      return;
    }
    y.rmWebUrl = yarn.rmWebUrl;
    const conf = Object.fromEntries(Object.entries(body.conf ?? {}).map(([k, v]) => [k, String(v)]));
    const submit = sparkSubmitYarn(this.options.spark, yarn, { name, tags: [y.tag], conf });
    const spawnOptions = { detached: true, cwd: this.workDir, env: { ...process.env, ...submit.env, PYTHONUNBUFFERED: '1' } };
    // A batch's spark-submit has its stderr merged into stdout (Livy's process builder); a
    // session's (SparkLauncher) keeps them apart.
    const child = session
      ? spawn(submit.command, [...submit.args, ...args], { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawnMerged(submit.command, [...submit.args, ...args], spawnOptions);
    if (confFile) child.once('exit', () => fs.rmSync(confFile, { force: true }));
    this.attach(job, child, session ? job.stderr : job.stdout);

    const poll = this.options.yarnPollIntervalMs ?? 1_000;
    const lookupMs = this.options.yarnLookupTimeoutMs ?? 120_000;
    const deadline = Date.now() + lookupMs;
    const rm = yarn.rmWebUrl;
    // Forgotten by a restart (not by DELETE): Livy no longer follows it; the application runs on.
    const abandoned = (): boolean => !y.deleted && map.get(job.id) !== job;
    while (!job.appId) {
      if (abandoned()) return;
      const found = await rmGet<{ apps: { app?: RmApp[] } | null }>(`${rm}/ws/v1/cluster/apps?applicationTags=${y.tag}`);
      const app = found?.apps?.app?.[0];
      if (app) {
        job.appId = app.id;
        break;
      }
      if (y.deleted && y.submitExit !== undefined && Date.now() > deadline) return;
      if (!y.deleted && y.submitExit !== undefined && y.submitExit !== 0) {
        return fail(
          `spark-submit exited with code ${y.submitExit}: the application was not submitted to YARN. Please check Livy log for details.`,
        );
      }
      if (Date.now() > deadline) {
        this.kill(job);
        return fail(
          `No YARN application is found with tag ${y.tag} in ${lookupMs / 1000} seconds. ` +
            'Please check your cluster status, it is may be very busy.',
        );
      }
      await sleep(poll);
    }
    // Deleted (or given up on) before its id was known: killed now that it is (Livy's leaked applications).
    if (y.deleted || y.kill) await this.killYarnApp(job);
    if (y.deleted) return;
    for (;;) {
      if (abandoned() || y.deleted) return;
      const app = (await rmGet<{ app: RmApp }>(`${rm}/ws/v1/cluster/apps/${job.appId}`))?.app;
      if (app) {
        y.diagnostics = app.diagnostics ? app.diagnostics.split('\n') : [];
        const gateway = this.gateway?.url ?? '';
        if (app.amContainerLogs) job.appInfo.driverLogUrl = publicYarnUrl(app.amContainerLogs, yarn, gateway);
        if (app.trackingUrl) job.appInfo.sparkUiUrl = `${gateway}/yarnui/hn/proxy/${app.id}/`;
        const state = livyStateOf(app.state, app.finalStatus);
        if (session) {
          if (finalStates.has(state)) this.sessionOver(session);
        } else if (!finalStates.has(job.state)) job.state = state;
        if (finalStates.has(state)) {
          this.retain(job);
          return;
        }
      }
      await sleep(poll);
    }
  }

  /** Livy's kill of a YARN application (yarnClient.killApplication), here through the RM's REST. */
  private async killYarnApp(job: Job): Promise<void> {
    const y = job.yarn;
    if (!y?.rmWebUrl || !job.appId || y.killSent) return;
    y.killSent = true;
    try {
      const res = await fetch(`${y.rmWebUrl}/ws/v1/cluster/apps/${job.appId}/state`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ state: 'KILLED' }),
      });
      if (!res.ok) y.diagnostics.push(`Killing ${job.appId} failed: ${res.status} ${await res.text()}`);
    } catch (err) {
      y.diagnostics.push(`Killing ${job.appId} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A finished job is forgotten after livy.server.session.state-retain.sec. */
  private retain(job: Job): void {
    const map: Map<number, Job> = this.sessions.get(job.id) === job ? this.sessions : this.batches;
    if (map.get(job.id) !== job) return;
    clearTimeout(job.retainTimer);
    job.retainTimer = setTimeout(() => this.forget(map, job), this.stateRetainMs);
    job.retainTimer.unref();
  }

  private batchView(b: Batch): Record<string, unknown> {
    const log = this.logLines(b);
    return {
      id: b.id,
      name: b.name,
      owner: b.owner,
      proxyUser: b.proxyUser,
      state: b.state,
      appId: b.appId,
      appInfo: b.appInfo,
      log: log.slice(Math.max(0, log.length - 10)),
    };
  }

  // ---- shared ----

  /**
   * What a session's driver is started with besides the user's conf: its kind (Livy hands the
   * driver its RSC conf under spark.__livy__.), and for Scala statements Livy's REPL on the class
   * path and the directory its classes are compiled to, which the SparkContext serves to executors
   * (so it is named before the context exists, as Livy's SparkInterpreter does).
   */
  private sessionConf(conf: Record<string, unknown> | undefined, kind: string, id: number): Record<string, unknown> {
    const classDir = fs.mkdtempSync(path.join(this.workDir, `session-${id}-repl-classes-`));
    const userClassPath = conf?.['spark.driver.extraClassPath'] as string | number | boolean | undefined;
    return {
      ...conf,
      'spark.__livy__.livy.rsc.session.kind': kind,
      'spark.repl.class.outputDir': classDir,
      'spark.driver.extraClassPath': [this.options.spark.livyReplJar, ...(userClassPath ? [String(userClassPath)] : [])].join(
        path.delimiter,
      ),
    };
  }

  /** spark-submit options for a session or batch; files checked against the whitelist. */
  private submitArgs(body: CreateRequest, name: string): string[] {
    const args = ['--master', this.master, '--name', name];
    // The event log names the application id (local-...) in the driver's log, where it is picked up.
    const conf: Record<string, string> = {
      'spark.eventLog.enabled': 'true',
      'spark.eventLog.dir': `file://${this.workDir}`,
    };
    for (const [k, v] of Object.entries(body.conf ?? {})) conf[k] = String(v);
    for (const [k, v] of Object.entries(conf)) args.push('--conf', `${k}=${v}`);
    return [...args, ...this.optionArgs(body)];
  }

  /** spark-submit's options for the job's files and memory; files checked against the whitelist. */
  private optionArgs(body: CreateRequest): string[] {
    const args: string[] = [];
    const list = (option: string, values: string[] | undefined): void => {
      if (values?.length) args.push(option, values.map((f) => this.resolveFile(f)).join(','));
    };
    list('--jars', body.jars);
    list('--py-files', body.pyFiles);
    list('--files', body.files);
    list('--archives', body.archives);
    if (body.driverMemory) args.push('--driver-memory', body.driverMemory);
    if (body.executorMemory) args.push('--executor-memory', body.executorMemory);
    return args;
  }

  /** A local path the whitelist allows, or what a cluster-storage URL names; otherwise 400 as Livy does. */
  private resolveFile(file: string): string {
    let url: URL | undefined;
    try {
      // Also Hadoop's own form of a local URL, file:/path (one slash).
      url = /^[a-z][a-z0-9+.-]*:\/\//i.test(file) || /^file:\//i.test(file) ? new URL(file) : undefined;
    } catch {
      throw new BadRequest(`Invalid URI: ${file}`);
    }
    if (url && /^(wasbs?|abfss?):$/.test(url.protocol)) {
      if (!this.options.storageDir)
        throw new BadRequest(`Unsupported scheme ${url.protocol.slice(0, -1)} (no cluster storage in this emulator)`);
      const local = path.join(this.options.storageDir, decodeURIComponent(url.pathname));
      if (!isInside(local, path.resolve(this.options.storageDir))) throw new BadRequest(`Invalid path: ${file}`);
      return local;
    }
    if (url && url.protocol !== 'file:') return file; // http(s), hdfs, ...: handed to Spark as they are
    const local = url ? decodeURIComponent(url.pathname) : file;
    if (!path.isAbsolute(local) || !this.whitelist.some((dir) => isInside(path.resolve(local), dir))) {
      throw new BadRequest(`Local path ${local} cannot be added to user sessions.`);
    }
    return path.resolve(local);
  }

  private attach(job: Job, child: ChildProcess, errTarget: LineRing): void {
    job.process = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      job.stdout.write(chunk);
      this.scanAppId(job, chunk);
    });
    // Absent when the process writes its stderr into the stdout pipe (spawnMerged).
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      errTarget.write(chunk);
      this.scanAppId(job, chunk);
    });
    // Output still in the pipes is read before the state changes; a leftover grandchild holding
    // them open does not keep the job from finishing.
    const closed = Promise.race([
      Promise.all([once(child.stdout!, 'end'), child.stderr ? once(child.stderr, 'end') : undefined]),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
    job.exited = new Promise<void>((resolve) => {
      const done = (code: number | null): void => {
        void closed.then(() => {
          if (child.pid) signalGroup(child.pid, 'SIGKILL');
          job.stdout.end();
          errTarget.end();
          this.onExit(job, code);
          resolve();
        });
      };
      child.once('exit', (code) => done(code));
      child.once('error', (err) => {
        errTarget.write(`${err.message}\n`);
        done(-1);
      });
    });
  }

  private scanAppId(job: Job, chunk: string): void {
    if (job.appId || job.yarn) return;
    const m = /\b(local-\d{10,})\b/.exec(chunk);
    if (m) job.appId = m[1];
  }

  private onExit(job: Job, code: number | null): void {
    job.process = undefined;
    // In YARN mode the batch follows the application, not spark-submit (which exits once YARN accepted it).
    if (job.yarn) {
      job.yarn.submitExit = code;
      return;
    }
    if (job.stopping) return;
    if (!finalStates.has(job.state)) {
      const session = this.sessions.get(job.id) === job ? (job as Session) : undefined;
      job.state = session ? 'dead' : code === 0 ? 'success' : 'dead';
      if (session) {
        for (const st of [...(session.current ? [session.current] : []), ...session.queue]) {
          st.state = 'available';
          st.output = { status: 'error', execution_count: st.id, ename: 'Error', evalue: 'Interpreter died', traceback: [] };
        }
        session.current = undefined;
        session.queue = [];
      }
    }
    const map: Map<number, Job> = this.sessions.get(job.id) === job ? this.sessions : this.batches;
    job.retainTimer = setTimeout(() => this.forget(map, job), this.stateRetainMs);
    job.retainTimer.unref();
  }

  private forget(map: Map<number, Job>, job: Job): void {
    clearTimeout(job.retainTimer);
    if (map.get(job.id) === job) map.delete(job.id);
  }

  /** Kills the job's whole process group (spark-submit, the JVM, python workers). */
  private kill(job: Job): void {
    job.stopping = true;
    clearTimeout(job.retainTimer);
    const child = job.process;
    if (!child?.pid || child.exitCode !== null) return;
    const signal = (sig: NodeJS.Signals): void => signalGroup(child.pid!, sig);
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    timer.unref();
    child.once('exit', () => {
      clearTimeout(timer);
      // Leftovers of the group (python workers) go too.
      signal('SIGKILL');
    });
  }

  private logLines(job: Job): string[] {
    // Livy's serializeLogs; "\nYARN Diagnostics: " only exists in YARN mode (SparkYarnApp.log()).
    const yarn = job.yarn ? ['\nYARN Diagnostics: ', ...job.yarn.diagnostics] : [];
    return ['stdout: ', ...job.stdout.lines, '\nstderr: ', ...job.stderr.lines, ...yarn];
  }

  private logView(job: Job, req: EmulatorRequest): Record<string, unknown> {
    const lines = this.logLines(job);
    // SessionServlet.serializeLogs: a negative size means all lines from `from` on (not from 0).
    let size = intParam(req, 'size') ?? 100;
    let from = intParam(req, 'from') ?? -1;
    if (size < 0) size = lines.length;
    if (from < 0) from = Math.max(0, lines.length - size);
    return { id: job.id, from, total: lines.length, log: lines.slice(from, from + size) };
  }

  private withSession(req: EmulatorRequest, handler: (s: Session) => EmulatorResponse): EmulatorResponse {
    const s = this.sessions.get(Number(req.params.id));
    return s ? handler(s) : msg(404, `Session '${req.params.id}' not found.`);
  }

  private withBatch(req: EmulatorRequest, handler: (b: Batch) => EmulatorResponse): EmulatorResponse {
    const b = this.batches.get(Number(req.params.id));
    return b ? handler(b) : msg(404, `Session '${req.params.id}' not found.`);
  }
}

/** Livy's SparkYarnApp.mapYarnState, then SparkApp.State to the batch's state. */
function livyStateOf(state: string, finalStatus: string): LivyState {
  switch (state) {
    case 'RUNNING':
      return 'running';
    case 'FINISHED':
      return finalStatus === 'SUCCEEDED' ? 'success' : finalStatus === 'KILLED' ? 'killed' : 'dead';
    case 'FAILED':
      return 'dead';
    case 'KILLED':
      return 'killed';
    default:
      // NEW, NEW_SAVING, SUBMITTED, ACCEPTED
      return 'starting';
  }
}

/** A JSON answer of the ResourceManager, or undefined when it did not give one (Livy retries at the next poll). */
async function rmGet<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The random part of Livy's application tags (SparkApp.scala); YARN keeps tags in lower case. */
function randomTag(): string {
  return [...crypto.randomBytes(8)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
}

function statementView(st: Statement): Record<string, unknown> {
  return {
    id: st.id,
    code: st.code,
    state: st.state,
    output: st.output,
    progress: st.progress,
    started: st.started,
    completed: st.completed,
  };
}

function list(req: EmulatorRequest, items: unknown[], key: 'sessions' | 'batches'): EmulatorResponse {
  const from = Math.max(0, intParam(req, 'from') ?? 0);
  const size = intParam(req, 'size') ?? 100;
  return ok({ from, total: items.length, [key]: items.slice(from, from + Math.max(0, size)) });
}

function jsonBody<T>(req: EmulatorRequest): T {
  const type = String(req.headers['content-type'] ?? '');
  if (!/json/i.test(type)) throw new BadRequest(`Unsupported content type ${type || '(none)'}: send application/json`);
  try {
    const parsed = JSON.parse(req.body || '{}') as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as T;
  } catch (err) {
    throw new BadRequest(`Rejected, Reason: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function intParam(req: EmulatorRequest, name: string): number | undefined {
  const value = req.url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  const n = Number.parseInt(value, 10);
  if (Number.isNaN(n)) throw new BadRequest(`Invalid ${name}: ${value}`);
  return n;
}

function basicUser(req: EmulatorRequest): string | null {
  const m = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  return m ? (Buffer.from(m[1], 'base64').toString('utf8').split(':')[0] ?? null) : null;
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function ok(body: unknown): EmulatorResponse {
  return { status: 200, body };
}

function msg(status: number, text: string): EmulatorResponse {
  return { status, body: { msg: text } };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./[\]-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function lines(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line) onLine(line);
  });
}

function once(stream: Readable, event: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed) resolve();
    else {
      stream.once(event, () => resolve());
      stream.once('close', () => resolve());
    }
  });
}
