import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, control, useEmulatedAzure, untilJob } from './helpers';

// A session statement on Spark in YARN cluster mode, as on HDInsight: Livy runs the session's
// driver in a YARN container; the statement's own prints are its output, while what the driver
// prints afterwards (a streaming query's console sink, its progress reports) is only in the
// container's logs, which the job reads through the gateway's /yarnui/.
const SPARK = 'contoso-spark';

interface JobLine {
  source: string;
  text: string;
  gap?: boolean;
}

interface JobView {
  jobId: string;
  state: string;
  appId?: string;
  lines: JobLine[];
  driverLog?: string;
  output?: { status: string; data?: Record<string, unknown>; evalue?: string };
  note?: string;
  queries: { name?: string; batchId: number; numInputRows: number }[];
}

const submit = (arg: Record<string, unknown>): Thenable<{ jobId: string }> =>
  vscode.commands.executeCommand<{ jobId: string }>('hdinsight.submitStreamingJob', { cluster: SPARK, ...arg });
const until = (jobId: string, check: (job: JobView) => boolean, what: string, timeoutMs?: number): Promise<JobView> =>
  untilJob<JobView>(jobId, check, what, timeoutMs);

/** The rate source's `value` column of the console sink's rows: `|2026-11-24 21:00:00.1|17   |`. */
const RATE_ROW = /^\|\d{4}-\d\d-\d\d [\d:.]+\s*\|(\d+)\s*\|$/;

describe('A session statement’s driver output from YARN, as a real HDInsight cluster gives it', function () {
  this.timeout(1_200_000);
  useEmulatedAzure();
  before(activateExtension);
  // Starts the real single-node YARN once (it can take a minute on a busy machine).
  before(() => control('livy/mode', 'PUT', { mode: 'yarn', cluster: SPARK }));
  after(async () => {
    await control('livy/mode', 'PUT', { mode: 'local', cluster: SPARK });
    // The session's driver goes with Livy's sessions (its connection closes and it ends).
    await control('livy/restart', 'POST', { cluster: SPARK });
  });

  it('shows the console sink’s batches of a streaming query a session statement started, from the driver’s stdout, once each, and its progress', async () => {
    // Its own conf, so the statement gets a session of its own, started in YARN mode.
    const conf = { 'spark.hdinsight.test': 'yarn-session' };
    const code = [
      'q = (spark.readStream.format("rate").option("rowsPerSecond", 3).option("numPartitions", 1).load()',
      // Every row of every batch (the console sink shows 20 by default; the first batch after the start has more).
      '     .writeStream.format("console").option("truncate", False).option("numRows", 1000)',
      '     .queryName("rate_to_console").trigger(processingTime="2 seconds").start())',
      'print("started", q.name)',
    ].join('\n');
    const { jobId } = await submit({ code, language: 'python', mode: 'session', conf });
    const returned = await until(jobId, (j) => ['succeeded', 'failed', 'cancelled'].includes(j.state), 'the statement to return');
    assert.equal(returned.state, 'succeeded', JSON.stringify(returned.output));
    assert.equal(
      String(returned.output?.data?.['text/plain']).trim(),
      'started rate_to_console',
      'the statement’s own print is its output',
    );
    assert.match(returned.appId ?? '', /^application_\d+_\d+$/, 'the session’s YARN application');

    // The query runs on in the session's driver: its batches arrive from the driver's stdout.
    const running = await until(
      jobId,
      (j) => j.lines.some((l) => l.source === 'driverStdout' && l.text === 'Batch: 5') && j.queries.some((q) => q.batchId >= 3),
      'six batches from the driver’s stdout and the query’s progress',
    );
    assert.equal(running.driverLog, 'reading');
    const [query] = running.queries;
    assert.equal(query.name, 'rate_to_console', 'the query, from the progress reports in the driver’s stderr');

    await vscode.commands.executeCommand('hdinsight.cancelJob', { jobId });
    const stopped = await until(jobId, (j) => j.state === 'cancelled', 'the streaming query to stop');
    assert.match(stopped.note ?? '', /streaming queries of the session were stopped/);

    const stdout = stopped.lines.filter((l) => l.source === 'driverStdout').map((l) => l.text);
    const batches = stdout.filter((t) => /^Batch: \d+$/.test(t)).map((t) => Number(t.slice('Batch: '.length)));
    assert.deepEqual(
      batches,
      batches.map((_, i) => i),
      'every batch once, from the first, none missing',
    );
    const values = stdout.flatMap((t) => RATE_ROW.exec(t)?.[1] ?? []).map(Number);
    assert.ok(values.length >= 6, `rows of the console sink: ${stdout.slice(0, 40).join('\n')}`);
    assert.deepEqual(
      values,
      values.map((_, i) => i),
      'every row once, in order: no line lost or repeated',
    );
    assert.ok(!stopped.lines.some((l) => l.gap), 'no gap');
    // Livy's own log holds the launcher's lines only.
    const livyLines = stopped.lines.filter((l) => l.source === 'stdout' || l.source === 'stderr');
    assert.ok(!livyLines.some((l) => /^Batch: |^\|/.test(l.text)), 'the console sink is not in Livy’s log on YARN');
    assert.ok(!stopped.lines.some((l) => l.text.includes('started rate_to_console')), 'the statement’s print is in no log');

    // The session runs no query any more.
    const check = await submit({ code: 'print(len(spark.streams.active))', language: 'python', mode: 'session', conf });
    const checked = await until(check.jobId, (j) => ['succeeded', 'failed'].includes(j.state), 'the check to return');
    assert.equal(String(checked.output?.data?.['text/plain']).trim(), '0');
    assert.equal(checked.appId, returned.appId, 'the same session');
  });
});
