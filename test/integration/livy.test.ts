import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, control, eventually, useEmulatedAzure } from './helpers';

const SPARK = 'contoso-spark';
/** The Spark Kafka connector for the emulator's Spark (pyspark 3.5.3 from PyPI). */
const KAFKA_CONNECTOR = { 'spark.jars.packages': 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3' };

interface JobView {
  jobId: string;
  state: string;
  appId?: string;
  log: string[];
  output?: { status: string; data?: Record<string, unknown>; ename?: string; evalue?: string; traceback?: string[] };
  note?: string;
}

const submit = (arg: Record<string, unknown>): Thenable<{ jobId: string }> =>
  vscode.commands.executeCommand<{ jobId: string }>('hdinsight.submitStreamingJob', { cluster: SPARK, ...arg });
const getJob = (jobId: string): Thenable<JobView> => vscode.commands.executeCommand<JobView>('hdinsight.getJob', { jobId });

/** Waits for a job to reach one of `states`; returns its view. */
async function until(jobId: string, states: string[], timeoutMs = 240_000): Promise<JobView> {
  let last: JobView | undefined;
  await eventually(
    async () => {
      last = await getJob(jobId);
      assert.ok(states.includes(last.state), `job ${jobId} is ${last.state} (${last.note ?? ''}); waiting for ${states.join(' or ')}`);
    },
    timeoutMs,
    500,
  );
  return last!;
}

async function livyRequests(pathPattern: string): Promise<{ method: string; path: string; headers: Record<string, string> }[]> {
  return (await control(`gateways/${SPARK}/requests?path=${encodeURIComponent(pathPattern)}`, 'GET')) as {
    method: string;
    path: string;
    headers: Record<string, string>;
  }[];
}

describe('Submit Streaming Job through Livy, on real Spark', function () {
  this.timeout(600_000);
  useEmulatedAzure();
  before(activateExtension);
  afterEach(() => control(`gateways/${SPARK}/faults`, 'DELETE'));

  it('runs PySpark as a statement in an interactive session, shows its result, and reuses the session', async () => {
    const first = await submit({ code: 'spark.range(100).selectExpr("sum(id) AS s").collect()[0].s', language: 'python', mode: 'session' });
    assert.match(first.jobId, /^contoso-spark-\d+$/);
    const done = await until(first.jobId, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.output));
    assert.equal(String(done.output?.data?.['text/plain']).trim(), '4950');

    // Livy's %table magic: the statement's result is a table.
    const table = await submit({
      code: 'rows = [r.asDict() for r in spark.sql("SELECT id, id * id AS square FROM range(3)").collect()]\n%table rows',
      language: 'python',
      mode: 'session',
    });
    const tabled = await until(table.jobId, ['succeeded', 'failed']);
    assert.deepEqual(tabled.output?.data?.['application/vnd.livy.table.v1+json'], {
      headers: [
        { name: 'id', type: 'INT_TYPE' },
        { name: 'square', type: 'INT_TYPE' },
      ],
      data: [
        [0, 0],
        [1, 1],
        [2, 4],
      ],
    });

    const failing = await submit({ code: 'print("before")\n1/0', language: 'python', mode: 'session' });
    const failed = await until(failing.jobId, ['succeeded', 'failed']);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.output?.ename, 'ZeroDivisionError');
    assert.ok(failed.output?.traceback?.join('').includes('ZeroDivisionError'));

    const created = (await livyRequests('/livy/sessions$')).filter((r) => r.method === 'POST');
    assert.equal(created.length, 1, 'one session for both statements');
    const posts = (await livyRequests('/livy/')).filter((r) => r.method !== 'GET');
    assert.ok(posts.length > 0 && posts.every((r) => r.headers['x-requested-by']), 'every POST and DELETE sends X-Requested-By');
  });

  it('runs a batch on real Spark: the code is uploaded through the session, the log streams in order', async () => {
    const code = [
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.appName("numbers").getOrCreate()',
      'total = spark.range(10).count()',
      'for i in range(120):',
      '    print(f"line {i:03d} of {total}", flush=True)',
      'spark.stop()',
    ].join('\n');
    const { jobId } = await submit({ code, language: 'python', mode: 'batch' });
    const done = await until(jobId, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', done.log.slice(-20).join('\n'));
    const lines = done.log.filter((l) => /^line \d{3} of 10$/.test(l));
    assert.deepEqual(
      lines,
      Array.from({ length: 120 }, (_, i) => `line ${String(i).padStart(3, '0')} of 10`),
    );
    assert.match(done.appId ?? '', /^local-\d+$/);
  });

  it('streams the log without losing or repeating a line while the gateway fails requests', async () => {
    const code = ['import time', 'for i in range(150):', '    print(f"tick {i:03d}", flush=True)', '    time.sleep(0.04)'].join('\n');
    const { jobId } = await submit({ code, language: 'python', mode: 'batch' });
    await until(jobId, ['running', 'succeeded'], 240_000);
    // 502s, dropped connections and slow answers on the log and state requests.
    await control(`gateways/${SPARK}/faults`, 'POST', { method: 'GET', path: '^/livy/batches/\\d+/log', status: 502, times: 3 });
    await control(`gateways/${SPARK}/faults`, 'POST', { method: 'GET', path: '^/livy/batches/\\d+$', drop: true, times: 2 });
    await control(`gateways/${SPARK}/faults`, 'POST', { method: 'GET', path: '^/livy/batches/\\d+/log', latencyMs: 1500, times: 2 });
    const done = await until(jobId, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(
      done.log.filter((l) => l.startsWith('tick ')),
      Array.from({ length: 150 }, (_, i) => `tick ${String(i).padStart(3, '0')}`),
    );
  });

  it("Azure's Spark + Kafka tutorial in miniature: messages produced to a topic appear in the streaming job's log; cancel stops it", async () => {
    const bootstrap = (
      await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', { cluster: 'contoso-kafka' })
    ).bootstrap;
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', {
      cluster: 'contoso-kafka',
      topic: 'tripdata',
      partitions: 1,
      replicationFactor: 1,
    });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', {
      cluster: 'contoso-kafka',
      topic: 'tripdata',
      messages: [1, 2, 3].map((i) => ({ value: JSON.stringify({ vendorid: `vendor-${i}`, fare: 10 + i }) })),
    });
    const code = [
      'from pyspark.sql import SparkSession',
      'from pyspark.sql.functions import col, from_json',
      'from pyspark.sql.types import StructType, StructField, StringType, DoubleType',
      'spark = SparkSession.builder.appName("tripdata").getOrCreate()',
      'schema = StructType([StructField("vendorid", StringType()), StructField("fare", DoubleType())])',
      `df = spark.readStream.format("kafka").option("kafka.bootstrap.servers", "${bootstrap}").option("subscribe", "tripdata").option("startingOffsets", "earliest").load()`,
      'trips = df.select(from_json(col("value").cast("string"), schema).alias("trip")).select("trip.*")',
      'trips.writeStream.format("console").option("truncate", "false").start().awaitTermination()',
    ].join('\n');
    const { jobId } = await submit({ code, language: 'python', mode: 'batch', conf: KAFKA_CONNECTOR });
    await eventually(
      async () => {
        const job = await getJob(jobId);
        assert.ok(!['failed', 'unknown'].includes(job.state), job.log.slice(-30).join('\n'));
        for (const vendor of ['vendor-1', 'vendor-2', 'vendor-3'])
          assert.ok(
            job.log.some((l) => l.includes(vendor)),
            `${vendor} not in the log yet`,
          );
      },
      420_000,
      1_000,
    );
    // A message produced while the query runs shows up too.
    await vscode.commands.executeCommand('hdinsight.kafka.produce', {
      cluster: 'contoso-kafka',
      topic: 'tripdata',
      messages: [{ value: JSON.stringify({ vendorid: 'vendor-late', fare: 42 }) }],
    });
    await eventually(async () => assert.ok((await getJob(jobId)).log.some((l) => l.includes('vendor-late'))), 120_000, 1_000);
    const cancelled = await vscode.commands.executeCommand<JobView>('hdinsight.cancelJob', { jobId });
    assert.equal(cancelled.state, 'cancelled');
    const after = await getJob(jobId);
    assert.equal(after.state, 'cancelled');
    assert.ok(
      after.log.some((l) => l.includes('vendor-late')),
      'the log is kept',
    );
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', {
      cluster: 'contoso-kafka',
      topic: 'tripdata',
      confirm: 'tripdata',
    });
  });

  it('keeps the final state and the log when Livy restarts and forgets the job', async () => {
    const { jobId } = await submit({
      code: 'import time\nprint("still here", flush=True)\ntime.sleep(300)',
      language: 'python',
      mode: 'batch',
    });
    await eventually(async () => assert.ok((await getJob(jobId)).log.includes('still here')), 240_000, 500);
    await control('livy/restart', 'POST', { cluster: SPARK });
    const gone = await until(jobId, ['unknown', 'failed'], 60_000);
    assert.equal(gone.state, 'unknown');
    assert.match(gone.note ?? '', /Livy no longer knows batch \d+/);
    assert.ok(gone.log.includes('still here'));
  });

  it('refuses bad input with a clear message before anything reaches Livy', async () => {
    await control(`gateways/${SPARK}/requests`, 'DELETE');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ code: 'print(1)', language: 'python', conf: '{"spark.executor.memory": ' }, /"conf" is not valid JSON/],
      [{ code: 'print(1)', language: 'r' }, /"language" must be "python" or "scala"/],
      [{ code: '   ', language: 'python', mode: 'session' }, /empty/],
      [{ file: '/tmp/job.R' }, /is not a Python or Scala file/],
      [{ code: 'println(1)', language: 'scala', mode: 'batch' }, /A Scala batch runs a built jar/],
      [{ code: 'print(1)', language: 'python', mode: 'stream' }, /"mode" must be "session" or "batch"/],
    ];
    for (const [arg, message] of cases) {
      await assert.rejects(Promise.resolve(submit(arg)), message);
    }
    assert.deepEqual(await livyRequests('/livy/'), [], 'nothing was sent to Livy');
  });

  it('hands a script its error with the secrets hidden, as the notification and the log show it', async () => {
    const file = 'https://contosostore.blob.core.windows.net/jobs/job.R?sv=2022-11-02&sp=r&sig=SasSig-Secret-1';
    await assert.rejects(Promise.resolve(submit({ file })), (err: Error) => {
      assert.match(err.message, /^job\.R\?sv=2022-11-02&sp=r&sig=\*\*\* is not a Python or Scala file\.$/);
      return true;
    });
  });

  it('refuses a malformed conf without showing the storage key it holds', async () => {
    await control(`gateways/${SPARK}/requests`, 'DELETE');
    const key = 'U3RvcmFnZS1LZXktVGVzdC0x+/AbCdEfGh0123456789==';
    // Single quotes, as in Python: JSON.parse's own message would quote the start of the key.
    const conf = `{"spark.hadoop.fs.azure.account.key.contosostore.blob.core.windows.net": '${key}'}`;
    await assert.rejects(Promise.resolve(submit({ code: 'print(1)', language: 'python', conf })), (err: Error) => {
      assert.match(err.message, /"conf" is not valid JSON/);
      assert.ok(!err.message.includes(key.slice(0, 8)), err.message);
      return true;
    });
    assert.deepEqual(await livyRequests('/livy/'), [], 'nothing was sent to Livy');
  });

  it('says so when Livy refuses the login or cannot be reached, and no job is left half-started', async () => {
    await control(`gateways/${SPARK}/faults`, 'POST', { path: '^/livy/', status: 401, times: 5 });
    const { jobId } = await submit({ code: 'print(1)', language: 'python', mode: 'session' });
    const refused = await until(jobId, ['failed'], 60_000);
    assert.match(refused.note ?? '', /refused the cluster login/);
    await control(`gateways/${SPARK}/faults`, 'DELETE');
    await control(`gateways/${SPARK}/faults`, 'POST', { path: '^/livy/', drop: true, times: 5 });
    const second = await submit({
      code: 'print(1)',
      language: 'python',
      mode: 'batch',
      file: 'wasbs://jobs@contosostore.blob.core.windows.net/x.py',
    });
    const unreachable = await until(second.jobId, ['failed'], 60_000);
    assert.match(unreachable.note ?? '', /could not be reached|Livy/);
  });

  it('cancels a running statement', async () => {
    const { jobId } = await submit({ code: 'import time\ntime.sleep(120)', language: 'python', mode: 'session' });
    await until(jobId, ['running'], 240_000);
    await vscode.commands.executeCommand('hdinsight.cancelJob', { jobId });
    const done = await until(jobId, ['cancelled', 'failed', 'succeeded'], 60_000);
    assert.equal(done.state, 'cancelled');
  });

  it('says so when the session dies in the middle of a statement, and keeps what it had', async () => {
    const { jobId } = await submit({ code: 'import os, time\ntime.sleep(2)\nos._exit(3)', language: 'python', mode: 'session' });
    const done = await until(jobId, ['failed', 'unknown', 'succeeded'], 120_000);
    assert.equal(done.state, 'failed');
    assert.match(done.note ?? '', /Session \d+ is (dead|gone): it ended while the statement ran/);
  });
});
