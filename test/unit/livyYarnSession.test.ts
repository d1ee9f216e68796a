// Livy's interactive sessions in YARN cluster mode, as on HDInsight, on a real single-node YARN
// behind the emulated gateway: the session's driver runs in the ApplicationMaster's container and
// connects back to Livy; statements, their output and their cancel go over that connection; the
// session follows the application (DELETE ends it, YARN killing it makes the session dead); and
// an upload through a session that dies ends the submission with a clear error.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HDInsightError } from '../../src/core/errors';
import { LivyClient } from '../../src/livy/LivyClient';
import { LivyJob } from '../../src/livy/LivyJob';
import { SessionPool, submit } from '../../src/livy/submit';
import { parseLogPage } from '../../src/livy/yarnLogPage';
import { ClusterGateway } from '../emulator/gateway';
import { LivyEmulator } from '../emulator/livy';
import { Emulator } from '../emulator/server';
import { ensureSpark } from '../harness/spark';
import { startYarn, type Yarn } from '../harness/yarn';
import type { ResolvedClusterSpec } from '../emulator/arm';
import { emulatedSparkCluster, pollUntil } from '../harness/sparkCluster';

const login = { username: 'admin', password: 'Livy-Yarn-Session-1!' };
const headers = {
  authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`,
  'content-type': 'application/json',
  'x-requested-by': 'test',
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface SessionView {
  id: number;
  state: string;
  appId: string | null;
  appInfo: { driverLogUrl: string | null; sparkUiUrl: string | null };
  log: string[];
}

interface StatementView {
  id: number;
  state: string;
  output: { status: string; data?: Record<string, unknown>; ename?: string; evalue?: string } | null;
}

interface RmApp {
  state: string;
  finalStatus: string;
  diagnostics: string;
  applicationTags: string;
}

const sparkCluster = (): ResolvedClusterSpec => emulatedSparkCluster('livy-yarn-sessions', login.password);

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 300_000): Promise<T> => pollUntil(what, probe, timeoutMs);

describe('Livy sessions in YARN cluster mode (as on HDInsight), on a real YARN behind the gateway', function () {
  this.timeout(600_000);
  let yarn: Yarn;
  let livy: LivyEmulator;
  let gateway: ClusterGateway;
  let gw: string;
  let jobDir: string;

  before(async function () {
    this.timeout(900_000);
    const spark = ensureSpark();
    yarn = await startYarn();
    jobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-livy-yarn-session-'));
    livy = new LivyEmulator({ spark, localDirWhitelist: [jobDir], storageDir: jobDir, yarn });
    gateway = new ClusterGateway(undefined, sparkCluster(), { livy, yarn });
    const { host, port } = await gateway.start();
    gw = `http://${host}:${port}`;
  });

  after(async () => {
    await gateway?.stop();
    await livy?.stop();
    await yarn?.stop();
    if (jobDir) fs.rmSync(jobDir, { recursive: true, force: true });
  });

  const call = async <T>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${gw}/livy${pathname}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const session = async (id: number): Promise<SessionView> => {
    const res = await call<SessionView>('GET', `/sessions/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const run = async (id: number, code: string): Promise<StatementView> => {
    const res = await call<StatementView>('POST', `/sessions/${id}/statements`, { code, kind: 'pyspark' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const statementUntil = (id: number, sid: number, states: string[]): Promise<StatementView> =>
    until(`statement ${sid} to be ${states.join(' or ')}`, async () => {
      const res = await call<StatementView>('GET', `/sessions/${id}/statements/${sid}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return states.includes(res.body.state) ? res.body : undefined;
    });
  const rmApp = async (appId: string): Promise<RmApp> =>
    (
      (await (await fetch(`${yarn.rmWebUrl}/ws/v1/cluster/apps/${appId}`, { headers: { accept: 'application/json' } })).json()) as {
        app: RmApp;
      }
    ).app;
  const fullLog = async (id: number): Promise<string[]> =>
    (await call<{ log: string[] }>('GET', `/sessions/${id}/log?from=0&size=-1`)).body.log;
  /** The driver container's file, through the gateway with the cluster login, as the extension reads it. */
  const driverFile = async (view: SessionView, file: 'stdout' | 'stderr'): Promise<string> => {
    const res = await fetch(`${view.appInfo.driverLogUrl}/${file}?start=0`, {
      headers: { authorization: headers.authorization },
      redirect: 'manual',
    });
    if (res.status !== 200) return '';
    const page = parseLogPage(await res.text(), file);
    return page.kind === 'log' ? page.text : '';
  };
  const idle = (id: number, states: string[] = []): Promise<SessionView> =>
    until(`session ${id} to be idle`, async () => {
      const v = await session(id);
      if (states.at(-1) !== v.state) states.push(v.state);
      assert.ok(!['dead', 'error', 'killed'].includes(v.state), `session ${id} is ${v.state}:\n${v.log.join('\n')}`);
      return v.state === 'idle' ? v : undefined;
    });

  it('starts a session’s driver in YARN, runs statements over its connection (their prints in the output, the JVM’s in the container’s stdout), cancels, and DELETE ends the application', async () => {
    const created = await call<SessionView>('POST', '/sessions', { kind: 'pyspark', name: 'yarn-session' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.state, 'starting');
    assert.equal(created.body.appId, null);
    const states = [created.body.state];
    const ready = await idle(created.body.id, states);
    assert.deepEqual(states, ['starting', 'idle'], 'starting until the driver connected back, then idle');
    assert.match(ready.appId ?? '', /^application_\d+_\d+$/);
    const app = await rmApp(ready.appId!);
    assert.equal(app.state, 'RUNNING');
    assert.match(app.applicationTags, new RegExp(`(^|,)livy-session-${created.body.id}-[a-z0-9]{8}($|,)`), 'tagged as Livy tags it');
    const [nmHost, nmPort] = yarn.nmWebUrl.split(':');
    assert.match(
      ready.appInfo.driverLogUrl ?? '',
      new RegExp(`^${gw}/yarnui/${nmHost}/port/${nmPort}/node/containerlogs/container_[0-9_e]+_000001/${yarn.user}$`),
    );
    assert.equal(ready.appInfo.sparkUiUrl, `${gw}/yarnui/hn/proxy/${ready.appId}/`);

    // A statement: its own prints are its output; what the JVM prints is the container's stdout.
    const printed = await run(
      created.body.id,
      [
        'print("STATEMENT-PRINT", sc.applicationId)',
        'sc._jvm.java.lang.System.out.println("JVM-PRINT outside the statement")',
        'sc.parallelize(range(100), 2).sum()',
      ].join('\n'),
    );
    const done = await statementUntil(created.body.id, printed.id, ['available']);
    assert.equal(done.output?.status, 'ok', JSON.stringify(done.output));
    const text = String(done.output?.data?.['text/plain']);
    assert.match(text, new RegExp(`^STATEMENT-PRINT ${ready.appId}\\n4950$`));
    assert.ok(!text.includes('JVM-PRINT'), text);
    const stdout = await until('the JVM’s print in the driver’s stdout', async () => {
      const out = await driverFile(ready, 'stdout');
      return out.includes('JVM-PRINT outside the statement') ? out : undefined;
    });
    assert.ok(!stdout.includes('STATEMENT-PRINT'), `a statement’s print is its output only:\n${stdout}`);
    const log = await fullLog(created.body.id);
    assert.deepEqual([log[0], log.includes('\nstderr: '), log.includes('\nYARN Diagnostics: ')], ['stdout: ', true, true]);
    assert.ok(!log.some((l) => /STATEMENT-PRINT|JVM-PRINT/.test(l)), `Livy’s log holds the launcher’s lines only:\n${log.join('\n')}`);
    const stderr = await driverFile(ready, 'stderr');
    for (const where of [log.join('\n'), stdout, stderr])
      assert.ok(!where.includes('client.auth.secret'), 'the session’s secret is in no log');

    // Relative paths of the default file system are in the cluster's storage, as /user/livy is on a cluster.
    const where = await run(
      created.body.id,
      '_p = sc._jvm.org.apache.hadoop.fs.Path("jobs/a.py")\nprint(_p.getFileSystem(sc._jsc.hadoopConfiguration()).makeQualified(_p).toString())',
    );
    assert.equal((await statementUntil(created.body.id, where.id, ['available'])).output?.data?.['text/plain'], `file:${jobDir}/jobs/a.py`);

    // Cancelled while a Spark job runs (the driver waits in the JVM) and while Python code runs.
    for (const code of [
      'sc.parallelize(range(2), 2).map(lambda x: __import__("time").sleep(600)).count()',
      'import time\nfor _ in range(1200):\n    time.sleep(0.5)',
    ]) {
      const long = await run(created.body.id, code);
      await statementUntil(created.body.id, long.id, ['running']);
      await sleep(2_000);
      const started = Date.now();
      const cancel = await call<{ msg: string }>('POST', `/sessions/${created.body.id}/statements/${long.id}/cancel`, {});
      assert.deepEqual([cancel.status, cancel.body], [200, { msg: 'canceled' }]);
      const cancelled = await statementUntil(created.body.id, long.id, ['cancelled', 'available']);
      assert.equal(cancelled.state, 'cancelled', JSON.stringify(cancelled.output));
      assert.ok(Date.now() - started < 30_000, `cancelled in ${Date.now() - started} ms`);
    }
    const after = await run(created.body.id, '21 * 2');
    assert.equal((await statementUntil(created.body.id, after.id, ['available'])).output?.data?.['text/plain'], '42');
    assert.equal((await session(created.body.id)).state, 'idle');

    // DELETE: Livy ends the session's driver, and with it the application.
    const deleted = await call<{ msg: string }>('DELETE', `/sessions/${created.body.id}`);
    assert.deepEqual([deleted.status, deleted.body], [200, { msg: 'deleted' }]);
    assert.equal((await call('GET', `/sessions/${created.body.id}`)).status, 404);
    const ended = await until(
      'the application to end',
      async () => {
        const a = await rmApp(ready.appId!);
        return ['FINISHED', 'FAILED', 'KILLED'].includes(a.state) ? a : undefined;
      },
      60_000,
    );
    assert.notEqual(ended.state, 'RUNNING');
  });

  it('runs a Scala session’s driver in YARN too: Livy’s interpreter in the container, its prints in the output, the JVM’s in the container’s stdout', async () => {
    const created = await call<SessionView>('POST', '/sessions', { kind: 'spark', name: 'yarn-scala-session' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ready = await idle(created.body.id);
    assert.match(ready.appId ?? '', /^application_\d+_\d+$/);
    const posted = await call<StatementView>('POST', `/sessions/${created.body.id}/statements`, {
      code: ['println("SCALA-PRINT " + sc.applicationId)', 'System.out.println("JVM-PRINT from Scala")', 'spark.range(5).count()'].join(
        '\n',
      ),
      kind: 'spark',
    });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const done = await statementUntil(created.body.id, posted.body.id, ['available']);
    assert.equal(done.output?.status, 'ok', JSON.stringify(done.output));
    assert.match(String(done.output?.data?.['text/plain']), new RegExp(`^SCALA-PRINT ${ready.appId}\\nres\\d+: Long = 5\\n$`));
    const stdout = await until('the JVM’s print in the driver’s stdout', async () => {
      const out = await driverFile(ready, 'stdout');
      return out.includes('JVM-PRINT from Scala') ? out : undefined;
    });
    assert.ok(!stdout.includes('SCALA-PRINT'), `a statement’s print is its output only:\n${stdout}`);
    const deleted = await call<{ msg: string }>('DELETE', `/sessions/${created.body.id}`);
    assert.deepEqual([deleted.status, deleted.body], [200, { msg: 'deleted' }]);
  });

  it('a session whose application YARN kills is dead, with YARN’s diagnostics in its log; an upload waiting on it ends with a clear error', async () => {
    const client = new LivyClient({ service: 'Livy', baseUrl: new URL(`${gw}/livy`), login });
    const pool = new SessionPool(client);
    // The pool's session, kept busy so that the upload's statement waits behind it.
    const sessionId = await pool.acquire('pyspark', undefined, { anyConf: true });
    const ready = await session(sessionId);
    const busy = await run(sessionId, 'import time\ntime.sleep(600)');
    await statementUntil(sessionId, busy.id, ['running']);

    const job = new LivyJob({
      jobId: 'upload',
      cluster: 'livy-yarn-sessions',
      mode: 'batch',
      language: 'python',
      name: 'upload',
      livy: client,
    });
    const submission = submit(client, pool, job, { language: 'python', mode: 'batch', name: 'upload', code: 'print("never runs")' });
    const outcome = submission.then(
      () => undefined,
      (err: unknown) => err,
    );
    await until('the upload statement to wait in the session', async () => {
      const list = await call<{ statements: StatementView[] }>('GET', `/sessions/${sessionId}/statements`);
      return list.body.statements.length > busy.id + 1 ? true : undefined;
    });

    const killed = await fetch(`${yarn.rmWebUrl}/ws/v1/cluster/apps/${ready.appId}/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ state: 'KILLED' }),
    });
    assert.ok(killed.ok, `${killed.status} ${await killed.text()}`);
    const killedAt = Date.now();

    const err = await Promise.race([outcome, sleep(60_000).then(() => 'still waiting')]);
    assert.ok(err instanceof HDInsightError, `the submission ends with a typed error, not ${String(err)}`);
    assert.equal(err.code, 'Remote');
    assert.match(err.message, new RegExp(`^Livy session ${sessionId}, which was uploading the code to the cluster storage, is dead\\.`));
    assert.match(err.message, /YARN says: .*kill/i, err.message);
    assert.match(err.action ?? '', /Submit again/);
    assert.ok(Date.now() - killedAt < 30_000, `ended ${Date.now() - killedAt} ms after the kill`);
    job.dispose();

    const dead = await session(sessionId);
    assert.equal(dead.state, 'dead', 'Livy 0.5 (HDInsight 5.1) makes a session whose application was killed dead');
    const log = await fullLog(sessionId);
    const diagnostics = log.slice(log.indexOf('\nYARN Diagnostics: ') + 1);
    assert.ok(
      diagnostics.some((l) => /kill/i.test(l)),
      `YARN's diagnostics after "YARN Diagnostics: ":\n${log.join('\n')}`,
    );
    const statement = await call<{ msg: string }>('GET', `/sessions/${sessionId}/statements/${busy.id}`);
    assert.deepEqual([statement.status, statement.body], [400, { msg: "requirement failed: Session isn't active." }]);
    assert.equal((await rmApp(ready.appId!)).state, 'KILLED');
  });

  it('a session whose driver does not connect back in time goes to error, and Livy kills its application', async () => {
    // Livy's livy.rsc.server.connect.timeout, short enough that no driver makes it.
    const impatient = new LivyEmulator({ spark: ensureSpark(), localDirWhitelist: [jobDir], yarn, rscConnectTimeoutMs: 1_000 });
    const emulator = new Emulator();
    impatient.mount(emulator, '/livy');
    await emulator.start();
    try {
      const post = await fetch(`${emulator.url}/livy/sessions`, { method: 'POST', headers, body: JSON.stringify({ kind: 'pyspark' }) });
      const created = (await post.json()) as SessionView;
      const states = [created.state];
      const view = await until('the session to be dead', async () => {
        const v = (await (await fetch(`${emulator.url}/livy/sessions/${created.id}`, { headers })).json()) as SessionView;
        if (states.at(-1) !== v.state) states.push(v.state);
        return v.state === 'dead' ? v : undefined;
      });
      assert.deepEqual(states, ['starting', 'error', 'dead']);
      const app = await rmApp(view.appId!);
      assert.equal(app.state, 'KILLED');
      assert.ok(
        view.log.slice(view.log.indexOf('\nYARN Diagnostics: ') + 1).some((l) => /kill/i.test(l)),
        view.log.join('\n'),
      );
    } finally {
      await impatient.stop();
      await emulator.stop();
    }
  });
});
