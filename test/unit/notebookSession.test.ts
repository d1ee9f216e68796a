// A notebook's Livy session on real Spark behind the emulated Livy: started with the notebook's
// %%configure properties, statements in order with state kept between them, %%configure -f and
// restart (new sessions, the old one deleted), a session that died between cells said so with its
// last log lines and replaced on the next run, the cluster-wide %%info, %%cleanup and %%delete; and
// in YARN cluster mode (as on HDInsight) a cell's streaming query whose console batches come from
// the driver's stdout while the statement runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { yarnEndpoint } from '../../src/clusters/LivyConnections';
import { HDInsightError } from '../../src/core/errors';
import { LivyClient } from '../../src/livy/LivyClient';
import type { LivyJob } from '../../src/livy/LivyJob';
import { YarnDriverLog } from '../../src/livy/yarnDriverLog';
import { deleteAllSessions, deleteSession, listSessions, NotebookSession, SessionEndedError } from '../../src/sparkmagic/NotebookSession';
import type { ResolvedClusterSpec } from '../emulator/arm';
import { ClusterGateway } from '../emulator/gateway';
import { LivyEmulator } from '../emulator/livy';
import { Emulator } from '../emulator/server';
import { ensureSpark } from '../harness/spark';
import { emulatedSparkCluster, pollUntil } from '../harness/sparkCluster';
import { startYarn, type Yarn } from '../harness/yarn';

const signal = (): AbortSignal => new AbortController().signal;

/** The statement's result once its job ended: the text it printed or returned, or its error. */
async function finished(job: LivyJob, timeoutMs = 240_000): Promise<string> {
  await pollUntil(`statement ${job.snapshot.statementId} to end`, () => Promise.resolve(job.ended ? true : undefined), timeoutMs);
  const output = job.snapshot.output;
  if (output?.status === 'ok') {
    const text = output.data['text/plain'];
    return typeof text === 'string' ? text.trim() : JSON.stringify(output.data);
  }
  if (output?.status === 'error') return `${output.ename}: ${output.evalue}`;
  return `(${job.snapshot.state}: ${job.snapshot.note ?? 'no output'})`;
}

async function evaluate(session: NotebookSession, code: string): Promise<string> {
  const job = await session.run(code, signal());
  try {
    return await finished(job);
  } finally {
    job.dispose();
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected an error'),
    (err: unknown) => err,
  );
}

describe('notebook session on real Spark (Livy emulator, local mode)', function () {
  this.timeout(600_000);
  let emulator: Emulator;
  let livyEmulator: LivyEmulator;
  let livy: LivyClient;
  let dir: string;
  const notebooks: NotebookSession[] = [];

  before(async function () {
    this.timeout(900_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-notebook-session-'));
    emulator = new Emulator();
    livyEmulator = new LivyEmulator({ spark: ensureSpark(), localDirWhitelist: [dir] });
    livyEmulator.mount(emulator, '/livy');
    const base = await emulator.start();
    livy = new LivyClient({ service: 'Livy', baseUrl: new URL(`${base}/livy`) });
  });

  after(async () => {
    for (const notebook of notebooks) await notebook.delete().catch(() => undefined);
    await livyEmulator?.stop();
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The notebook the tests below go on with, cell after cell. */
  let notebook: NotebookSession;

  it('starts a pyspark session with the notebook’s properties and runs cells in order, state kept between them', async () => {
    const session = new NotebookSession({
      access: { livy },
      cluster: 'local',
      language: 'python',
      name: 'hdinsight-notebook-test-a1b2',
      properties: { conf: { 'spark.notebook.test.marker': 'first', 'spark.sql.shuffle.partitions': '3' }, driverMemory: '1g' },
    });
    notebooks.push(session);
    notebook = session;
    assert.equal(session.started, false);
    assert.equal(session.sessionId, undefined);
    const states: string[] = [];
    // Two cells run at once before the session started: one session for both.
    const [live, same] = await Promise.all([
      session.ensure(signal(), (s) => states.at(-1) !== s.state && states.push(s.state)),
      session.ensure(signal()),
    ]);
    assert.equal(same.id, live.id);
    assert.equal((await listSessions(livy, signal())).length, 1);
    assert.equal(live.state, 'idle');
    assert.equal(live.kind, 'pyspark');
    assert.equal(live.name, 'hdinsight-notebook-test-a1b2');
    assert.deepEqual(states, ['starting'], 'the cell’s progress saw the session start');
    assert.equal(session.sessionId, live.id);

    assert.equal(
      await evaluate(
        session,
        'print(spark.conf.get("spark.notebook.test.marker"), spark.conf.get("spark.sql.shuffle.partitions"), spark.conf.get("spark.driver.memory"))',
      ),
      'first 3 1g',
    );
    assert.equal(await evaluate(session, 'x = 21'), '');
    assert.equal(await evaluate(session, 'x * 2'), '42');
    assert.equal(session.sessionId, live.id, 'every cell ran in the same session');

    // %%info: the notebook's session is among the cluster's.
    const listed = await listSessions(livy, signal());
    assert.ok(
      listed.some((s) => s.id === live.id && s.name === 'hdinsight-notebook-test-a1b2' && s.kind === 'pyspark' && s.state === 'idle'),
      JSON.stringify(listed),
    );
    // %%logs: the session's log as Livy keeps it, the driver's own lines in local mode.
    const logs = await session.logs(signal());
    assert.equal(logs[0], 'stdout:');
    assert.ok(logs.includes('stderr:'), logs.join('\n'));
    assert.ok(
      logs.some((l) => /SparkContext|Spark/.test(l)),
      logs.join('\n'),
    );
  });

  it('refuses %%configure without -f once the session started; -f deletes it and the next cell runs in a new one with the new conf', async () => {
    const session = notebook;
    const old = session.sessionId!;
    const refused = await rejection(session.configure({ conf: { 'spark.notebook.test.marker': 'second' } }, false, signal()));
    assert.ok(refused instanceof HDInsightError && refused.code === 'InvalidInput', String(refused));
    assert.match(refused.message, /has started/);
    assert.match(refused.action ?? '', /%%configure -f/);
    assert.equal(await evaluate(session, 'x'), '21', 'the refused %%configure left the session as it was');

    await session.configure({ conf: { 'spark.notebook.test.marker': 'second' } }, true, signal());
    assert.equal(session.started, false);
    const gone = await rejection(livy.getSession(old));
    assert.ok(gone instanceof HDInsightError && gone.code === 'NotFound', 'the old session was deleted in Livy');
    assert.equal(await evaluate(session, 'print(spark.conf.get("spark.notebook.test.marker"))'), 'second');
    assert.notEqual(session.sessionId, old);
    assert.match(await evaluate(session, 'x'), /^NameError: /, 'a new session has none of the old one’s variables');
  });

  it('restart keeps the properties and loses the state', async () => {
    const session = notebook;
    assert.equal(await evaluate(session, 'y = 5'), '');
    const before = session.sessionId!;
    const restarted = await session.restart(signal());
    assert.notEqual(restarted.id, before);
    assert.equal(restarted.state, 'idle');
    assert.equal(((await rejection(livy.getSession(before))) as HDInsightError).code, 'NotFound');
    assert.deepEqual(session.properties, { conf: { 'spark.notebook.test.marker': 'second' } });
    assert.equal(await evaluate(session, 'print(spark.conf.get("spark.notebook.test.marker"))'), 'second');
    assert.match(await evaluate(session, 'y'), /^NameError: /);
  });

  it('says a session killed between cells ended, with its last log lines, and the next run starts a new one', async () => {
    const session = notebook;
    const killedId = session.sessionId!;
    // The session's interpreter process, killed from outside as the OOM killer or an operator would.
    const pid = Number(await evaluate(session, 'import os\nprint(os.getpid())'));
    assert.ok(pid > 1, String(pid));
    process.kill(pid, 'SIGKILL');
    await pollUntil(
      'Livy to see the session dead',
      async () => ((await livy.getSession(killedId)).state === 'dead' ? true : undefined),
      60_000,
    );

    const log = (await livy.getLog('sessions', killedId, 0, -1)).log;
    const tail = log.filter((l) => !['stdout: ', '\nstderr: '].includes(l) && l.trim()).slice(-15);

    const err = await rejection(session.run('1 + 1', signal()));
    assert.ok(err instanceof SessionEndedError, String(err));
    assert.equal(err.code, 'Remote');
    assert.deepEqual(err.lastLines, tail, 'the last lines of the session’s log as Livy keeps it');
    assert.equal(err.sessionId, killedId);
    assert.match(err.message, new RegExp(`^The notebook's Livy session ${killedId} on local is dead\\. Its last log lines:\\n`));
    assert.ok(err.lastLines.length > 0 && err.lastLines.length <= 15, err.lastLines.join('\n'));
    assert.ok(err.message.endsWith(err.lastLines.join('\n')));
    assert.match(err.action ?? '', /Run the cell again/);
    assert.equal(session.started, false, 'the ended session is forgotten');

    assert.equal(await evaluate(session, 'print(spark.conf.get("spark.notebook.test.marker"), 6 * 7)'), 'second 42');
    assert.notEqual(session.sessionId, killedId);
  });

  it('delete ends the session in Livy and is idempotent', async () => {
    const session = notebook;
    const id = session.sessionId!;
    await session.delete(signal());
    assert.equal(session.started, false);
    assert.equal(session.sessionId, undefined);
    assert.equal(((await rejection(livy.getSession(id))) as HDInsightError).code, 'NotFound');
    await session.delete(signal());
    assert.deepEqual(await session.logs(signal()), []);
  });

  it('%%delete -s of the notebook’s session while it starts: the wait ends saying Livy no longer knows it', async () => {
    const session = new NotebookSession({
      access: { livy },
      cluster: 'local',
      language: 'python',
      name: 'hdinsight-notebook-test-deleted',
    });
    notebooks.push(session);
    let deleting: Promise<void> | undefined;
    const err = await rejection(
      session.ensure(signal(), (s) => {
        deleting ??= deleteSession(livy, s.id, signal());
      }),
    );
    await deleting;
    assert.ok(err instanceof SessionEndedError, String(err));
    assert.match(err.message, /could not start: it is gone: Livy no longer knows it/);
    assert.deepEqual(err.lastLines, []);
    assert.equal(session.started, false);
  });

  it('%%cleanup deletes every session of the cluster and says how many', async () => {
    await livy.createSession({ kind: 'pyspark', name: 'someone-elses' });
    await livy.createSession({ kind: 'pyspark', name: 'another' });
    const before = (await listSessions(livy, signal())).length;
    assert.ok(before >= 2, String(before));
    assert.equal(await deleteAllSessions(livy, signal()), before);
    assert.deepEqual(await listSessions(livy, signal()), []);
    const missing = await rejection(deleteSession(livy, 999, signal()));
    assert.ok(missing instanceof HDInsightError && missing.code === 'NotFound', String(missing));
  });

  it('refuses a session kind in %%configure: the kernel decides it', async () => {
    const session = new NotebookSession({ access: { livy }, cluster: 'local', language: 'scala', name: 'hdinsight-notebook-test-kind' });
    const err = await rejection(session.configure({ kind: 'pyspark' } as never, false, signal()));
    assert.ok(err instanceof HDInsightError && err.code === 'InvalidInput', String(err));
    assert.match(err.message, /cannot set kind/);
  });
});

const login = { username: 'admin', password: 'Notebook-Session-1!' };
const yarnCluster = (): ResolvedClusterSpec => emulatedSparkCluster('notebook-yarn', login.password);

describe('notebook session in YARN cluster mode (as on HDInsight), on a real YARN behind the gateway', function () {
  this.timeout(600_000);
  let yarn: Yarn;
  let livyEmulator: LivyEmulator;
  let gateway: ClusterGateway;
  let livy: LivyClient;
  let session: NotebookSession;
  let dir: string;
  const jobs: LivyJob[] = [];

  before(async function () {
    this.timeout(900_000);
    const spark = ensureSpark();
    yarn = await startYarn();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-notebook-yarn-'));
    livyEmulator = new LivyEmulator({ spark, localDirWhitelist: [dir], storageDir: dir, yarn });
    gateway = new ClusterGateway(undefined, yarnCluster(), { livy: livyEmulator, yarn });
    const { host, port } = await gateway.start();
    const endpoint = { service: 'Livy' as const, baseUrl: new URL(`http://${host}:${port}/livy`), login };
    livy = new LivyClient(endpoint);
    const yarnUi = yarnEndpoint(endpoint)!;
    session = new NotebookSession({
      access: { livy, driverLog: (appId, driverLogUrl) => new YarnDriverLog(yarnUi, appId, { driverLogUrl }) },
      cluster: 'notebook-yarn',
      language: 'python',
      name: 'hdinsight-notebook-yarn-test',
      properties: { conf: { 'spark.sql.shuffle.partitions': '2' } },
    });
  });

  after(async () => {
    for (const job of jobs) job.dispose();
    await session?.delete().catch(() => undefined);
    await gateway?.stop();
    await livyEmulator?.stop();
    await yarn?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a streaming query’s console batches from the driver’s stdout while the cell runs; a session YARN killed is said to have ended with YARN’s diagnostics', async () => {
    const started = await session.ensure(signal());
    assert.match(started.appId ?? '', /^application_\d+_\d+$/);
    const job = await session.run(
      [
        'q = spark.readStream.format("rate").option("rowsPerSecond", 2).load().writeStream.format("console").start()',
        'q.awaitTermination(40)',
        'q.stop()',
        'print("STREAM-CELL-DONE")',
      ].join('\n'),
      signal(),
    );
    jobs.push(job);
    assert.equal(job.snapshot.mode, 'session');
    assert.equal(job.snapshot.appId, started.appId);
    const batchLine = (): boolean => job.log.some((e) => e.stream === 'driverStdout' && 'text' in e && /^Batch: \d+$/.test(e.text));
    let batchesWhileRunning = false;
    job.onDidChange(() => {
      if (!job.ended && batchLine()) batchesWhileRunning = true;
    });
    assert.equal(await finished(job), 'STREAM-CELL-DONE');
    assert.ok(batchesWhileRunning, 'the console sink’s batches showed while the statement ran');
    const stdout = job.log.filter((e) => e.stream === 'driverStdout').map((e) => ('text' in e ? e.text : ''));
    assert.ok(
      stdout.some((l) => /^\|\s*timestamp\|\s*value\|$/.test(l)),
      `the console sink's table header in the driver's stdout:\n${stdout.slice(0, 40).join('\n')}`,
    );
    assert.ok(!stdout.includes('STREAM-CELL-DONE'), 'the statement’s own print is its output, not the driver’s stdout');

    // %%logs: Livy's launcher lines, then the driver's stdout with the batches.
    const logs = await session.logs(signal());
    const at = logs.findIndex((l) => l.startsWith(`Driver stdout (${started.appId}`));
    assert.ok(at > 0, logs.slice(0, 20).join('\n'));
    assert.ok(
      logs.slice(at).some((l) => /^Batch: \d+$/.test(l)),
      logs.slice(at, at + 40).join('\n'),
    );

    // YARN kills the application (an operator, or the queue's preemption).
    const killed = await fetch(`${yarn.rmWebUrl}/ws/v1/cluster/apps/${started.appId}/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ state: 'KILLED' }),
    });
    assert.ok(killed.ok, `${killed.status} ${await killed.text()}`);
    await pollUntil(
      'Livy to see the session dead',
      async () => ((await livy.getSession(started.id)).state === 'dead' ? true : undefined),
      120_000,
    );
    const err = await rejection(session.run('1 + 1', signal()));
    assert.ok(err instanceof SessionEndedError, String(err));
    assert.match(err.message, new RegExp(`^The notebook's Livy session ${started.id} on notebook-yarn is dead\\.`));
    const diagnostics = err.lastLines.indexOf('YARN Diagnostics:');
    assert.ok(diagnostics >= 0, err.lastLines.join('\n'));
    assert.ok(
      err.lastLines.slice(diagnostics + 1).some((l) => /kill/i.test(l)),
      err.lastLines.join('\n'),
    );
    assert.equal(session.started, false);
  });
});
