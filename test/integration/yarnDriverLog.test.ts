import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, control, useEmulatedAzure, untilJob } from './helpers';

// Spark in YARN cluster mode, as on HDInsight: Livy's log holds only the launcher's lines; the
// driver's output is read from YARN's container logs through the gateway's /yarnui/.
const SPARK = 'contoso-spark';

interface JobLine {
  source: string;
  text: string;
  gap?: boolean;
  level?: string;
  continued?: boolean;
}

interface JobView {
  jobId: string;
  state: string;
  appId?: string;
  log: string[];
  lines: JobLine[];
  driverLog?: string;
  note?: string;
}

const submit = (arg: Record<string, unknown>): Thenable<{ jobId: string }> =>
  vscode.commands.executeCommand<{ jobId: string }>('hdinsight.submitStreamingJob', { cluster: SPARK, ...arg });
const until = (jobId: string, check: (job: JobView) => boolean, what: string, timeoutMs?: number): Promise<JobView> =>
  untilJob<JobView>(jobId, check, what, timeoutMs);

describe('The driver’s output from YARN, as a real HDInsight cluster gives it', function () {
  this.timeout(900_000);
  useEmulatedAzure();
  before(activateExtension);
  // Starts the real single-node YARN once (it can take a minute on a busy machine).
  before(() => control('livy/mode', 'PUT', { mode: 'yarn', cluster: SPARK }));
  after(() => control('livy/mode', 'PUT', { mode: 'local', cluster: SPARK }));

  it('shows a batch’s driver stdout and stderr with their sources, launcher lines apart, and the last lines after the end', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `row ${String(i).padStart(2, '0')} · café <&> 北京`);
    const code = [
      'import time',
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.appName("yarn-driver-log").getOrCreate()',
      'log = spark.sparkContext._jvm.org.apache.log4j.LogManager.getLogger("hdinsight.test")',
      'log.warn("driver warning for the panel")',
      `for line in ${JSON.stringify(rows)}:`,
      '    print(line, flush=True)',
      '    time.sleep(0.1)',
      'spark.stop()',
      'print("the last line, after spark.stop()", flush=True)',
    ].join('\n');
    const { jobId } = await submit({ code, language: 'python', mode: 'batch' });
    // The end: Livy says the batch ended, and the driver's log was read to its end (YARN aggregated it).
    const done = await until(
      jobId,
      (j) => ['failed', 'cancelled'].includes(j.state) || (j.state === 'succeeded' && j.driverLog === 'complete'),
      'the end of the batch and of its driver log',
    );
    assert.equal(done.state, 'succeeded', done.log.slice(-30).join('\n'));
    assert.match(done.appId ?? '', /^application_\d+_\d+$/, 'a YARN application id, as on HDInsight');

    const stdout = done.lines.filter((l) => l.source === 'driverStdout').map((l) => l.text);
    // Every printed row exactly once, in order, and the line printed after the SparkContext stopped.
    assert.deepEqual(
      stdout.filter((t) => t.startsWith('row ')),
      rows,
    );
    assert.equal(stdout.filter((t) => t === 'the last line, after spark.stop()').length, 1);
    const stderr = done.lines.filter((l) => l.source === 'driverStderr');
    const warning = stderr.filter((l) => l.text.includes('driver warning for the panel'));
    assert.equal(warning.length, 1, 'the log4j line once');
    assert.equal(warning[0].level, 'warn');
    // Livy's own log holds the launcher's lines only: none of the job's prints.
    assert.ok(!done.lines.some((l) => l.gap), 'no line lost');
    const launcher = done.lines.filter((l) => l.source === 'stdout' || l.source === 'stderr');
    assert.ok(launcher.length > 0, 'the launcher’s lines are shown');
    assert.ok(!launcher.some((l) => l.text.startsWith('row ')), 'no driver print in Livy’s log on YARN');
    // The YARN reads went through the gateway with the cluster login.
    const yarnReads = (await control(`gateways/${SPARK}/requests?path=${encodeURIComponent('^/yarnui/')}`, 'GET')) as { path: string }[];
    assert.ok(
      yarnReads.some((r) => /\/node\/containerlogs\/|\/jobhistory\/logs\//.test(r.path)),
      'container logs read through /yarnui/',
    );
  });

  it('cancels a running batch: YARN kills the application and the job ends cancelled with the lines read so far', async () => {
    const code = ['import time', 'i = 0', 'while True:', '    print(f"tick {i}", flush=True)', '    i += 1', '    time.sleep(0.5)'].join(
      '\n',
    );
    const { jobId } = await submit({ code, language: 'python', mode: 'batch' });
    await until(jobId, (j) => j.lines.some((l) => l.source === 'driverStdout' && l.text === 'tick 3'), 'tick 3 from the driver');
    await vscode.commands.executeCommand('hdinsight.cancelJob', { jobId });
    const ended = await until(jobId, (j) => ['cancelled', 'failed', 'succeeded'].includes(j.state), 'the end');
    assert.equal(ended.state, 'cancelled');
    const ticks = ended.lines.filter((l) => l.source === 'driverStdout' && l.text.startsWith('tick ')).map((l) => l.text);
    assert.deepEqual(
      ticks,
      ticks.map((_, i) => `tick ${i}`),
      'no tick lost or repeated',
    );
  });
  it('follows the application through YARN when Livy forgets the batch, through a 503 on a log read: Livy’s loss said once, no line lost or repeated', async () => {
    const code = [
      'import time',
      'from pyspark.sql import SparkSession',
      'spark = SparkSession.builder.getOrCreate()',
      'for i in range(20):',
      '    print(f"tick {i}", flush=True)',
      '    time.sleep(0.5)',
      'print("done", flush=True)',
      'spark.stop()',
    ].join('\n');
    await control(`gateways/${SPARK}/requests`, 'DELETE');
    const { jobId } = await submit({ code, language: 'python', mode: 'batch' });
    await until(jobId, (j) => j.lines.some((l) => l.source === 'driverStdout' && l.text === 'tick 3'), 'tick 3 from the driver');
    // One read of the driver's log fails at the gateway, then Livy loses the batch (as a Livy restart does).
    await control(`gateways/${SPARK}/faults`, 'POST', { path: '^/yarnui/.+/stdout$', status: 503, times: 1 });
    const created = (await control(`gateways/${SPARK}/requests?path=${encodeURIComponent('^/livy/batches$')}`, 'GET')) as {
      method: string;
    }[];
    assert.ok(created.some((r) => r.method === 'POST'));
    const polled = (await control(`gateways/${SPARK}/requests?path=${encodeURIComponent('^/livy/batches/\\d+$')}`, 'GET')) as {
      path: string;
    }[];
    const batchId = Number(/\/batches\/(\d+)$/.exec(polled.at(-1)!.path)![1]);
    await control('livy/forget', 'POST', { cluster: SPARK, batchId });
    const done = await until(jobId, (j) => j.state !== 'running' && j.state !== 'starting' && j.driverLog !== 'reading', 'the end');
    assert.equal(done.state, 'succeeded', `${done.note}\n${done.log.slice(-20).join('\n')}`);
    assert.equal(done.driverLog, 'complete');
    const ticks = done.lines.filter((l) => l.source === 'driverStdout' && l.text.startsWith('tick ')).map((l) => l.text);
    assert.deepEqual(
      ticks,
      Array.from({ length: 20 }, (_, i) => `tick ${i}`),
    );
    assert.equal(done.lines.filter((l) => l.source === 'driverStdout' && l.text === 'done').length, 1);
    const notices = done.lines.filter((l) => l.source === 'notice').map((l) => l.text);
    assert.equal(notices.filter((n) => /Livy no longer knows batch/.test(n)).length, 1, notices.join('\n'));
    // The failed read is read again (or read another way) at once: said at most once.
    assert.ok(notices.filter((n) => /503/.test(n)).length <= 1, notices.join('\n'));
  });
});
