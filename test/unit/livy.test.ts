// The Livy emulator against real Spark (pyspark from PyPI, local mode): the REST shapes and
// behaviour copied from Livy 0.9, with real sessions, statements and spark-submit batches.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArmEmulator } from '../emulator/arm';
import { addControlRoutes } from '../emulator/control';
import { ClusterGateway } from '../emulator/gateway';
import { LivyEmulator } from '../emulator/livy';
import { Emulator } from '../emulator/server';
import { ensureSpark } from '../harness/spark';
import { lastProgressStatement, parseLastProgress } from '../../src/livy/sessionProgress';

/** The fields of Livy's answers the tests read (sessions, batches, statements, logs, lists, errors). */
interface LivyJson {
  id: number;
  name: string | null;
  state: string;
  kind: string;
  appId: string | null;
  appInfo: unknown;
  msg: string;
  log: string[];
  from: number;
  total: number;
  sessions: LivyJson[];
  total_statements: number;
  statements: LivyJson[];
  code: string;
  output: StatementOutput | null;
  progress: number;
  completed: number;
}

interface StatementOutput {
  status: 'ok' | 'error';
  execution_count: number;
  data: Record<string, string>;
  ename: string;
  evalue: string;
  traceback: string[];
}

interface Reply {
  status: number;
  text: string;
  json: LivyJson;
}

describe('Livy emulator on real Spark', function () {
  this.timeout(300_000);
  let emulator: Emulator;
  let livy: LivyEmulator;
  let small: LivyEmulator;
  let dir: string;

  before(async function () {
    this.timeout(600_000);
    const spark = ensureSpark();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-livy-test-'));
    emulator = new Emulator();
    livy = new LivyEmulator({ spark, localDirWhitelist: [dir] });
    livy.mount(emulator, '/livy');
    // Tiny ring buffers and retention, for the log and retention tests.
    small = new LivyEmulator({ spark, localDirWhitelist: [dir], logCacheSize: 20, stateRetainMs: 2_000 });
    small.mount(emulator, '/small');
    await emulator.start();
  });

  after(async () => {
    await Promise.all([livy?.stop(), small?.stop()]);
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    p: string,
    body?: unknown,
    headers: Record<string, string> = { 'X-Requested-By': 'ambari' },
  ): Promise<Reply> {
    const res = await fetch(`${emulator.url}${p}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = {};
    }
    return { status: res.status, text, json: json as LivyJson };
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const waitState = (p: string, states: string[]): Promise<string> =>
    waitFor(`${p} in ${states.join('|')}`, async () => {
      const r = await call('GET', `${p}/state`);
      if (r.status === 200 && states.includes(r.json.state)) return r.json.state;
      if (r.status === 200 && ['dead', 'killed', 'success', 'error'].includes(r.json.state)) {
        const log = await call('GET', `${p}/log?size=-1`);
        throw new Error(`${p} ended ${r.json.state}:\n${(log.json.log ?? []).join('\n')}`);
      }
      return undefined;
    });

  function script(name: string, code: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, code);
    return file;
  }

  it('wants X-Requested-By on POST and DELETE (not GET), JSON bodies, and answers unknown ids with 404', async () => {
    const csrf = await call('POST', '/livy/sessions', { kind: 'pyspark' }, {});
    assert.equal(csrf.status, 400);
    assert.match(csrf.text, /Missing Required Header for CSRF protection\./);
    assert.equal((await call('DELETE', '/livy/batches/0', undefined, {})).status, 400);
    assert.deepEqual((await call('GET', '/livy/sessions', undefined, {})).json, { from: 0, total: 0, sessions: [] });
    assert.deepEqual((await call('GET', '/livy/batches', undefined, {})).json, { from: 0, total: 0, batches: [] });
    const missing = await call('GET', '/livy/sessions/7');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { msg: "Session '7' not found." });
    assert.deepEqual((await call('GET', '/livy/batches/7/log')).json, { msg: "Session '7' not found." });
    const notJson = await fetch(`${emulator.url}/livy/batches`, {
      method: 'POST',
      headers: { 'X-Requested-By': 'x', 'content-type': 'text/plain' },
      body: 'file=x',
    });
    assert.equal(notJson.status, 400);
    assert.deepEqual((await call('POST', '/livy/sessions', { kind: 'sparkr' })).json, {
      msg: 'This emulator runs no SparkR sessions (R is not installed)',
    });
    assert.deepEqual((await call('POST', '/livy/sessions', { kind: 'cobol' })).json, { msg: 'Unknown kind: cobol' });
  });

  it('refuses local files outside livy.file.local-dir-whitelist', async () => {
    for (const file of ['/etc/passwd', 'file:///etc/passwd', `${dir}/../x.py`]) {
      const r = await call('POST', '/livy/batches', { file });
      assert.equal(r.status, 400, file);
      assert.match(r.json.msg, /^Local path \/.* cannot be added to user sessions\.$/, file);
    }
    const jar = await call('POST', '/livy/batches', { file: path.join(dir, 'ok.py'), jars: ['/opt/evil.jar'] });
    assert.deepEqual(jar.json, { msg: 'Local path /opt/evil.jar cannot be added to user sessions.' });
    assert.deepEqual((await call('GET', '/livy/batches')).json.total, 0);
  });

  describe('a pyspark session', () => {
    let id: number;
    let base: string;

    async function run(code: string): Promise<LivyJson & { output: StatementOutput }> {
      const posted = await call('POST', `${base}/statements`, { code, kind: 'pyspark' });
      assert.equal(posted.status, 201, posted.text);
      assert.equal(posted.json.state, 'waiting');
      assert.equal(posted.json.output, null);
      return waitFor(`statement ${posted.json.id}`, async () => {
        const r = await call('GET', `${base}/statements/${posted.json.id}`);
        return ['available', 'cancelled'].includes(r.json.state) ? (r.json as LivyJson & { output: StatementOutput }) : undefined;
      });
    }

    before(async function () {
      this.timeout(300_000);
      const started = Date.now();
      const r = await call('POST', '/livy/sessions', { kind: 'pyspark', name: 'shared', conf: { 'spark.sql.shuffle.partitions': '2' } });
      assert.equal(r.status, 201, r.text);
      id = r.json.id;
      base = `/livy/sessions/${id}`;
      assert.equal(r.json.state, 'starting');
      assert.equal(r.json.kind, 'pyspark');
      await waitState(base, ['idle']);
      process.stderr.write(`      [livy] session idle after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });

    it('is idle with an application id, and a second session of that name is refused', async () => {
      const s = (await call('GET', base)).json;
      assert.equal(s.state, 'idle');
      assert.equal(s.name, 'shared');
      assert.match(s.appId ?? '', /^local-\d+$/);
      assert.deepEqual(Object.keys(s).sort(), ['appId', 'appInfo', 'id', 'kind', 'log', 'name', 'owner', 'proxyUser', 'state', 'ttl']);
      assert.deepEqual(s.appInfo, { driverLogUrl: null, sparkUiUrl: null });
      assert.ok(Array.isArray(s.log));
      const dup = await call('POST', '/livy/sessions', { kind: 'pyspark', name: 'shared' });
      assert.equal(dup.status, 400);
      assert.deepEqual(dup.json, { msg: 'Duplicate session name: shared' });
      const listed = (await call('GET', '/livy/sessions')).json;
      assert.equal(listed.total, 1);
      assert.equal(listed.sessions[0].id, id);
    });

    it('echoes the last expression, captures print and stderr, and runs Spark', async () => {
      const two = await run('1+1');
      assert.equal(two.state, 'available');
      assert.deepEqual(two.output, { status: 'ok', execution_count: two.output.execution_count, data: { 'text/plain': '2' } });
      const printed = await run(
        'import sys\nprint("hello")\nprint("oops", file=sys.stderr)\nspark.range(1000).selectExpr("sum(id)").first()[0]',
      );
      assert.equal(printed.output.data['text/plain'], 'hello\noops\n499500');
      const none = await run('x = sc.parallelize(range(10)).sum()');
      assert.equal(none.output.data['text/plain'], '');
      assert.equal((await run('x')).output.data['text/plain'], '45');
      const statements = (await call('GET', `${base}/statements`)).json;
      assert.equal(statements.total_statements, 4);
      assert.deepEqual(
        statements.statements.map((s: { id: number }) => s.id),
        [0, 1, 2, 3],
      );
      assert.ok(statements.statements.every((s: { progress: number; completed: number }) => s.progress === 1 && s.completed > 0));
    });

    it('reports an error as ename, evalue and traceback, still available', async () => {
      const failed = await run('def f():\n    return 1/0\nf()');
      assert.equal(failed.state, 'available');
      assert.equal(failed.output.status, 'error');
      assert.equal(failed.output.ename, 'ZeroDivisionError');
      assert.equal(failed.output.evalue, 'division by zero');
      assert.equal(failed.output.traceback[0], 'Traceback (most recent call last):\n');
      assert.match(failed.output.traceback.join(''), /line 2, in f/);
      assert.equal((await call('GET', `${base}/state`)).json.state, 'idle');
    });

    it('cancels a running statement, and the session goes on', async () => {
      const posted = await call('POST', `${base}/statements`, { code: 'import time\ntime.sleep(60)\n"not reached"' });
      await waitFor('running', async () =>
        (await call('GET', `${base}/statements/${posted.json.id}`)).json.state === 'running' ? true : undefined,
      );
      assert.equal((await call('GET', `${base}/state`)).json.state, 'busy');
      const started = Date.now();
      assert.deepEqual((await call('POST', `${base}/statements/${posted.json.id}/cancel`)).json, { msg: 'canceled' });
      const st = await waitFor('cancelled', async () => {
        const r = (await call('GET', `${base}/statements/${posted.json.id}`)).json;
        return r.state === 'cancelled' ? r : undefined;
      });
      assert.ok(Date.now() - started < 20_000);
      assert.equal(st.output, null);
      await waitState(base, ['idle']);
      assert.equal((await run('"alive"')).output.data['text/plain'], "'alive'");
    });

    it('serialises the log as Livy does: tail by default, from/size, each stream a ring of 200 lines', async () => {
      await run('import os\nfor i in range(300):\n    os.write(1, b"out %d\\n" % i)\n    os.write(2, b"err %d\\n" % i)');
      const tail = (await call('GET', `${base}/log`)).json;
      assert.equal(tail.id, id);
      assert.equal(tail.total, 2 * 200 + 2);
      assert.equal(tail.from, tail.total - 100);
      assert.equal(tail.log.length, 100);
      const all = (await call('GET', `${base}/log?size=-1`)).json;
      assert.equal(all.from, 0);
      assert.equal(all.log.length, 402);
      assert.equal(all.log[0], 'stdout: ');
      assert.equal(all.log[201], '\nstderr: ');
      assert.equal(all.log[200], 'out 299');
      assert.equal(all.log[1], 'out 100');
      assert.ok(all.log.slice(202).includes('err 299'));
      const page = (await call('GET', `${base}/log?from=1&size=3`)).json;
      assert.deepEqual(page, { id, from: 1, total: 402, log: ['out 100', 'out 101', 'out 102'] });
    });

    it('returns from a statement that starts a streaming query, whose console output goes to the log', async () => {
      const started = await run(
        'q = spark.readStream.format("rate").option("rowsPerSecond", 5).load()' +
          '.writeStream.format("console").queryName("ticks").start()\nq.isActive',
      );
      assert.equal(started.output.data['text/plain'], 'True');
      await waitFor(
        'console batches in stdout',
        async () => {
          const log = (await call('GET', `${base}/log?size=-1`)).json.log;
          const stdout = log.slice(0, log.indexOf('\nstderr: '));
          return stdout.includes('Batch: 1') ? true : undefined;
        },
        60_000,
      );
      // What the query monitor asks a session for when the log holds no progress: lastProgress, as JSON.
      const progress = await waitFor('a progress with batch 1', async () => {
        const printed = await run(lastProgressStatement('pyspark')!);
        const parsed = parseLastProgress(printed.output.data['text/plain']);
        return parsed?.reports.find((r) => r.name === 'ticks' && r.batchId >= 1);
      });
      assert.equal(progress.sources.length, 1);
      assert.match(progress.sources[0].description, /RateStreamV2/);
      assert.ok(progress.sink?.description.includes('Console'), JSON.stringify(progress.sink));
      assert.equal((await run('[q.stop() for q in spark.streams.active]\nlen(spark.streams.active)')).output.data['text/plain'], '0');
      assert.deepEqual(parseLastProgress((await run(lastProgressStatement('pyspark')!)).output.data['text/plain']), {
        active: 0,
        reports: [],
        other: [],
      });
    });

    it('becomes dead when the interpreter exits, keeping its log; DELETE then forgets it', async () => {
      const posted = await call('POST', `${base}/statements`, { code: 'import os\nos.write(1, b"last words\\n")\nos._exit(3)' });
      await waitState(base, ['dead']);
      const s = (await call('GET', base)).json;
      assert.equal(s.state, 'dead');
      const log = (await call('GET', `${base}/log?size=-1`)).json.log;
      assert.ok(log.includes('last words'), log.join('\n'));
      assert.equal((await call('GET', `${base}/statements/${posted.json.id}`)).json.state, 'available');
      assert.deepEqual((await call('DELETE', base)).json, { msg: 'deleted' });
      assert.equal((await call('GET', base)).status, 404);
    });
  });

  it('runs a PySpark batch to success with its output in the log', async () => {
    const file = script(
      'count.py',
      'from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\n' +
        'n = spark.range(100).count()\nfor i in range(3):\n    print("batch line %d of %d" % (i, n), flush=True)\nspark.stop()\n',
    );
    const started = Date.now();
    const r = await call('POST', '/livy/batches', {
      file: `file://${file}`,
      name: 'counter',
      args: ['a', 'b'],
      conf: { 'spark.sql.shuffle.partitions': '2' },
    });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['appId', 'appInfo', 'id', 'log', 'name', 'owner', 'proxyUser', 'state']);
    const p = `/livy/batches/${r.json.id}`;
    assert.equal(await waitState(p, ['success']), 'success');
    process.stderr.write(`      [livy] batch success after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const batch = (await call('GET', p)).json;
    assert.match(batch.appId ?? '', /^local-\d+$/);
    const log = (await call('GET', `${p}/log?size=-1`)).json;
    assert.equal(log.log[0], 'stdout: ');
    assert.equal(log.log[log.log.length - 1], '\nstderr: ', 'spark-submit’s stderr is merged into stdout for batches');
    for (let i = 0; i < 3; i++) assert.ok(log.log.includes(`batch line ${i} of 100`), log.log.join('\n'));
    assert.ok(
      log.log.some((l: string) => / INFO SparkContext: /.test(l)),
      'the driver’s log4j lines are there',
    );
  });

  it('caps a chatty batch’s log, marks a failing batch dead, forgets finished ones after the retention', async () => {
    const chatty = script('chatty.py', 'for i in range(100):\n    print("line %d" % i)\n');
    const failing = script('failing.py', 'import sys\nprint("about to fail")\nsys.exit(4)\n');
    const [a, b] = await Promise.all([call('POST', '/small/batches', { file: chatty }), call('POST', '/small/batches', { file: failing })]);
    assert.equal(await waitState(`/small/batches/${a.json.id}`, ['success']), 'success');
    const log = (await call('GET', `/small/batches/${a.json.id}/log?size=-1`)).json;
    assert.equal(log.total, 20 + 2);
    assert.ok(log.log.includes('line 99'));
    assert.ok(!log.log.includes('line 0'));
    assert.equal(await waitState(`/small/batches/${b.json.id}`, ['dead']), 'dead');
    assert.ok((await call('GET', `/small/batches/${b.json.id}/log?size=-1`)).json.log.includes('about to fail'));
    await waitFor('forgotten', async () => ((await call('GET', `/small/batches/${a.json.id}`)).status === 404 ? true : undefined), 10_000);
    await waitFor('forgotten', async () => ((await call('GET', `/small/batches/${b.json.id}`)).status === 404 ? true : undefined), 10_000);
    assert.deepEqual((await call('GET', `/small/batches/${a.json.id}/state`)).json, { msg: `Session '${a.json.id}' not found.` });
  });

  it('kills a running batch’s whole process tree on DELETE', async () => {
    const sleeper = script('sleeper.py', 'import time\nprint("sleeping", flush=True)\ntime.sleep(300)\n');
    const r = await call('POST', '/small/batches', { file: sleeper });
    const p = `/small/batches/${r.json.id}`;
    await waitFor('sleeping', async () => ((await call('GET', `${p}/log`)).json.log.includes('sleeping') ? true : undefined));
    assert.equal((await call('GET', `${p}/state`)).json.state, 'running');
    assert.ok(processesOf(sleeper) > 0);
    assert.deepEqual((await call('DELETE', p)).json, { msg: 'deleted' });
    const after = await call('GET', `${p}/state`);
    assert.ok(after.status === 404 || after.json.state === 'killed', after.text);
    await waitFor('gone', async () => ((await call('GET', p)).status === 404 && processesOf(sleeper) === 0 ? true : undefined), 15_000);
  });

  it('is served by a Spark cluster’s gateway behind Basic auth, and restarted through the control API', async () => {
    const arm = new ArmEmulator(new Emulator());
    arm.addSubscription({ subscriptionId: 's', displayName: 'S', tenantId: 't' });
    arm.addCluster({
      subscriptionId: 's',
      resourceGroup: 'rg',
      name: 'my-spark',
      location: 'westeurope',
      kind: 'spark',
      gatewayPassword: 'Gateway-Pass-1!',
    });
    const gateway = new ClusterGateway(undefined, arm.clusterByName('my-spark')!, { livy: small });
    const control = new Emulator();
    addControlRoutes(control, arm, undefined, new Map([['my-spark', small]]));
    try {
      const { host, port } = await gateway.start();
      const url = `http://${host}:${port}/livy/sessions`;
      assert.equal((await fetch(url)).status, 401);
      const auth = { authorization: `Basic ${Buffer.from('admin:Gateway-Pass-1!').toString('base64')}` };
      const listed = await fetch(url, { headers: auth });
      assert.equal(listed.status, 200);
      assert.deepEqual(await listed.json(), { from: 0, total: 0, sessions: [] });
      const csrf = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(csrf.status, 400);
      const controlUrl = await control.start();
      const restart = (body: unknown): Promise<Response> =>
        fetch(`${controlUrl}/_emulator/livy/restart`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal((await restart({ cluster: 'my-spark' })).status, 204);
      assert.equal((await restart({})).status, 204);
      assert.equal((await restart({ cluster: 'nope' })).status, 404);
    } finally {
      await Promise.all([gateway.stop(), control.stop()]);
    }
  });

  it('forgets every job on restart, as Livy without recovery does', async () => {
    const sleeper = script('sleeper2.py', 'import time\ntime.sleep(300)\n');
    const r = await call('POST', '/small/batches', { file: sleeper });
    assert.equal(r.status, 201);
    await small.restart();
    assert.equal((await call('GET', `/small/batches/${r.json.id}`)).status, 404);
    assert.equal(processesOf(sleeper), 0);
  });
});

function processesOf(file: string): number {
  const r = spawnSync('pgrep', ['-f', file], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).length;
}
