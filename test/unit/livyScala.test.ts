// Scala in the Livy emulator, on real Spark: a session of kind spark runs its statements in Livy's
// own SparkInterpreter (ported, in the session's driver JVM) on the real SparkSession, with the
// outputs Livy gives: what the REPL prints as text/plain, errors as ename/evalue/traceback, a
// cancel that stops the statement's Spark jobs. One SparkContext serves every kind of statement.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LivyEmulator } from '../emulator/livy';
import { Emulator } from '../emulator/server';
import { ensureSpark } from '../harness/spark';
import { lastProgressStatement, parseLastProgress } from '../../src/livy/sessionProgress';

interface StatementOutput {
  status: 'ok' | 'error';
  execution_count: number;
  data: Record<string, unknown>;
  ename: string;
  evalue: string;
  traceback: string[];
}

interface LivyJson {
  id: number;
  state: string;
  kind: string;
  msg: string;
  log: string[];
  output: StatementOutput | null;
}

describe('Livy emulator: Scala sessions on real Spark', function () {
  this.timeout(300_000);
  let emulator: Emulator;
  let livy: LivyEmulator;
  let dir: string;
  let base: string;

  async function call(method: string, p: string, body?: unknown): Promise<{ status: number; text: string; json: LivyJson }> {
    const res = await fetch(`${emulator.url}${p}`, {
      method,
      headers: { 'X-Requested-By': 'ambari', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: (text ? JSON.parse(text) : {}) as LivyJson };
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

  async function run(code: string, kind?: string): Promise<LivyJson & { output: StatementOutput }> {
    const posted = await call('POST', `${base}/statements`, kind === undefined ? { code } : { code, kind });
    assert.equal(posted.status, 201, posted.text);
    return waitFor(`statement ${posted.json.id}`, async () => {
      const r = await call('GET', `${base}/statements/${posted.json.id}`);
      return ['available', 'cancelled'].includes(r.json.state) ? (r.json as LivyJson & { output: StatementOutput }) : undefined;
    });
  }

  const text = (st: { output: StatementOutput }): unknown => st.output.data['text/plain'];

  before(async function () {
    this.timeout(600_000);
    const spark = ensureSpark();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-livy-scala-'));
    emulator = new Emulator();
    livy = new LivyEmulator({ spark, localDirWhitelist: [dir] });
    livy.mount(emulator, '/livy');
    await emulator.start();
  });

  after(async () => {
    await livy?.stop();
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a shared session (no kind) wants each statement’s kind', async () => {
    const created = await call('POST', '/livy/sessions', {});
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.kind, 'shared');
    const p = `/livy/sessions/${created.json.id}`;
    const untyped = await call('POST', `${p}/statements`, { code: '1 + 1' });
    assert.equal(untyped.status, 400);
    assert.deepEqual(untyped.json, { msg: 'Code type should be specified if session kind is shared' });
    assert.deepEqual((await call('POST', `${p}/statements`, { code: '1', kind: 'fortran' })).json, { msg: 'Unknown kind: fortran' });
    assert.deepEqual((await call('DELETE', p)).json, { msg: 'deleted' });
  });

  describe('a spark session', () => {
    before(async function () {
      this.timeout(300_000);
      const started = Date.now();
      const r = await call('POST', '/livy/sessions', { kind: 'spark', conf: { 'spark.sql.shuffle.partitions': '2' } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.kind, 'spark');
      assert.equal(r.json.state, 'starting');
      base = `/livy/sessions/${r.json.id}`;
      await waitFor('idle', async () => {
        const s = (await call('GET', `${base}/state`)).json.state;
        if (s === 'dead' || s === 'error')
          throw new Error(`session ${s}:\n${(await call('GET', `${base}/log?size=-1`)).json.log.join('\n')}`);
        return s === 'idle' ? s : undefined;
      });
      process.stderr.write(`      [livy] spark session idle after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });

    it('prints a value the way the Scala REPL does, after what the code printed; JVM output goes to the log', async () => {
      const two = await run('println("hello from Scala")\nSystem.out.println("to the driver’s stdout")\n1 + 1');
      assert.equal(two.state, 'available');
      assert.deepEqual(two.output, {
        status: 'ok',
        execution_count: two.output.execution_count,
        // Each line is interpreted on its own, the two printlns being res0 and res1 (Unit, not shown).
        data: { 'text/plain': 'hello from Scala\nres2: Int = 2\n' },
      });
      const log = (await call('GET', `${base}/log?size=-1`)).json.log;
      assert.ok(log.slice(0, log.indexOf('\nstderr: ')).includes('to the driver’s stdout'), log.join('\n'));
    });

    it('keeps definitions across statements, with spark.implicits imported', async () => {
      assert.equal(text(await run('case class Trip(vendor: String, fare: Double)\nval base = 20')), 'defined class Trip\nbase: Int = 20\n');
      const fares = await run('val trips = Seq(Trip("a", 12.5), Trip("b", 7.5)).toDS()\ntrips.map(_.fare + base).collect().sum');
      assert.equal(fares.output.status, 'ok', JSON.stringify(fares.output));
      assert.match(
        String(text(fares)),
        /^trips: org\.apache\.spark\.sql\.Dataset\[Trip\] = \[vendor: string, fare: double\]\nres\d+: Double = 60\.0\n$/,
      );
    });

    it('shows a DataFrame from spark.range with .show()', async () => {
      const shown = await run('spark.range(3).withColumn("square", $"id" * $"id").show()');
      assert.equal(
        text(shown),
        ['+---+------+', '| id|square|', '+---+------+', '|  0|     0|', '|  1|     1|', '|  2|     4|', '+---+------+', '', ''].join('\n'),
      );
    });

    it('shows a value as JSON or as a table with Livy’s %json and %table magics', async () => {
      const json = await run('val fares = List(11.5, 12.5)\n%json fares');
      assert.deepEqual(json.output.data, { 'application/json': [11.5, 12.5] });
      const table = await run('val squares = Seq(Map("id" -> 1, "square" -> 1), Map("id" -> 2, "square" -> 4))\n%table squares');
      assert.deepEqual(table.output.data, {
        'application/vnd.livy.table.v1+json': {
          headers: [
            { name: 'id', type: 'BIGINT_TYPE' },
            { name: 'square', type: 'BIGINT_TYPE' },
          ],
          data: [
            [1, 1],
            [2, 4],
          ],
        },
      });
    });

    it('reports a compile error as Livy does: the first line as evalue, the rest as traceback', async () => {
      const failed = await run('val fare: Int = "twelve"');
      assert.equal(failed.state, 'available');
      assert.equal(failed.output.status, 'error');
      assert.equal(failed.output.ename, 'Error');
      assert.match(failed.output.evalue, /^<console>:\d+: error: type mismatch;$/);
      assert.deepEqual(
        failed.output.traceback.slice(0, 2).map((l) => l.trim()),
        ['found   : String("twelve")', 'required: Int'],
      );
      assert.equal((await call('GET', `${base}/state`)).json.state, 'idle');
    });

    it('reports a runtime exception with its stack, and an exception inside a Spark job', async () => {
      const thrown = await run(
        'def check(fare: Double): Double = if (fare < 0) throw new IllegalArgumentException(s"negative fare $fare") else fare\ncheck(-1)',
      );
      assert.equal(thrown.output.ename, 'Error');
      assert.equal(thrown.output.evalue, 'java.lang.IllegalArgumentException: negative fare -1.0');
      assert.match(thrown.output.traceback[0], /^ {2}at check\(<console>:\d+\)\n$/);
      assert.match(thrown.output.traceback.at(-1) ?? '', /^ {2}\.\.\. \d+ elided\n$/);
      const inJob = await run('spark.range(4).map(i => 10 / (i - i)).collect()');
      assert.equal(inJob.output.status, 'error');
      assert.match(
        inJob.output.evalue,
        /^org\.apache\.spark\.SparkException: Job aborted due to stage failure: .*java\.lang\.ArithmeticException: \/ by zero/,
      );
    });

    it('shares the SparkContext with pyspark and SQL statements in the same session', async () => {
      const py = await run('spark.range(7).createOrReplaceTempView("seven")\nsc.applicationId', 'pyspark');
      assert.equal(py.output.status, 'ok', JSON.stringify(py.output));
      const scala = await run('spark.table("seven").count()\nsc.applicationId', 'spark');
      assert.match(String(text(scala)), new RegExp(`^res\\d+: Long = 7\\nres\\d+: String = ${String(text(py)).replace(/'/g, '')}\\n$`));
      const sql = await run('SELECT count(*) AS n FROM seven', 'sql');
      assert.deepEqual((sql.output.data['application/json'] as { data: unknown }).data, [[7]]);
    });

    it('tells its streaming queries’ lastProgress as JSON, the statement the query monitor asks a Scala session', async () => {
      const started = await run(
        'val ticks = (spark.readStream.format("rate").option("rowsPerSecond", 5).load()\n' +
          '  .writeStream.format("memory").queryName("scala_ticks").start())',
      );
      assert.equal(started.output.status, 'ok', JSON.stringify(started.output));
      const progress = await waitFor('a progress with batch 1', async () => {
        const printed = await run(lastProgressStatement('spark')!);
        assert.equal(printed.output.status, 'ok', JSON.stringify(printed.output));
        return parseLastProgress(String(text(printed)))?.reports.find((r) => r.name === 'scala_ticks' && r.batchId >= 1);
      });
      assert.match(progress.sources[0].description, /RateStreamV2/);
      assert.ok((progress.inputRowsPerSecond ?? 0) >= 0);
      await run('spark.streams.active.foreach(_.stop())');
      assert.deepEqual(parseLastProgress(String(text(await run(lastProgressStatement('spark')!)))), { active: 0, reports: [], other: [] });
    });

    it('cancels a long Spark job by its statement’s job group, and the session goes on', async () => {
      const posted = await call('POST', `${base}/statements`, {
        code: 'spark.range(0, 200000, 1, 2).map { i => Thread.sleep(5); i + 1 }.count()',
      });
      await waitFor('a running job', async () => {
        const st = (await call('GET', `${base}/statements/${posted.json.id}`)).json;
        assert.equal(st.state === 'available' ? JSON.stringify(st.output) : 'running', 'running');
        return st.state === 'running' ? true : undefined;
      });
      await new Promise((r) => setTimeout(r, 3_000)); // its job has started
      const started = Date.now();
      assert.deepEqual((await call('POST', `${base}/statements/${posted.json.id}/cancel`)).json, { msg: 'canceled' });
      const st = await waitFor('cancelled', async () => {
        const r = (await call('GET', `${base}/statements/${posted.json.id}`)).json;
        return r.state === 'cancelled' || r.state === 'available' ? r : undefined;
      });
      assert.equal(st.state, 'cancelled', JSON.stringify(st.output));
      const took = Date.now() - started;
      process.stderr.write(`      [livy] Scala statement cancelled in ${(took / 1000).toFixed(1)} s\n`);
      assert.ok(took < 30_000, `cancelled in ${took} ms`);
      await waitFor('idle', async () => ((await call('GET', `${base}/state`)).json.state === 'idle' ? true : undefined));
      assert.match(String(text(await run('sc.statusTracker.getActiveJobIds.length'))), /^res\d+: Int = 0\n$/);
    });
  });
});
