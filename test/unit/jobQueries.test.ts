// A job's streaming queries, from the progress reports in its log: the driver's stderr read from
// YARN (a scripted DriverLogSource handing out the real pyspark 3.5.3 stderr of the fixture, in
// chunks that cut blocks between polls), and Livy's own log when Spark runs in local mode (the
// sandbox). Against a scripted Livy, in milliseconds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { DriverLogPoll, DriverLogSource } from '../../src/livy/driverLog';
import type { LivyBatch, LivyClient, LivySession, LivyStatement } from '../../src/livy/LivyClient';
import { LogFollower } from '../../src/livy/logFollower';
import { type JobTiming, LivyJob } from '../../src/livy/LivyJob';
import { type QueryProgress, QueryProgressParser } from '../../src/livy/queryProgress';
import { followKafkaLag } from '../../src/livy/kafkaLag';
import type { KafkaService } from '../../src/kafka/client';

const FAST: Partial<JobTiming> = { activeMs: 10, quietMs: 10, retryMs: [10], driverLogGraceMs: 60_000 };
const APP = 'application_1732470000000_0009';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/streamingProgress');
const stderrLines = zlib
  .gunzipSync(fs.readFileSync(path.join(fixtures, 'spark-3.5.3-stderr.log.gz')))
  .toString('utf8')
  .split('\n');

/** Each progress report of the fixture with the index of the line that completes it. */
const reports: { at: number; progress: QueryProgress }[] = (() => {
  const parser = new QueryProgressParser();
  return stderrLines.flatMap((line, at) => parser.feed(line).map((progress) => ({ at, progress })));
})();
const last = (name: string): QueryProgress => reports.filter((r) => r.progress.name === name).at(-1)!.progress;

/** A Livy with one batch whose state and log the test sets. */
class ScriptedLivy {
  batch: LivyBatch = { id: 7, state: 'running' };
  stdout: string[] = [];
  stderr: string[] = [];

  readonly client = {
    getBatch: () => Promise.resolve({ ...this.batch }),
    getLog: (_resource: string, id: number, from: number | undefined, size: number | undefined) => {
      const log = ['stdout: ', ...this.stdout, '\nstderr: ', ...this.stderr];
      const start = from ?? Math.max(0, log.length - (size ?? 100));
      const end = size === undefined || size < 0 ? log.length : start + size;
      return Promise.resolve({ id, from: start, total: log.length, log: log.slice(start, end) });
    },
  } as unknown as LivyClient;
}

/** A driver-log source that hands out the scripted answers, one per poll. */
class ScriptedDriverLog implements DriverLogSource {
  readonly stats = { requests: 0, bytesReceived: 0 };
  readonly answers: DriverLogPoll[] = [];

  constructor(readonly appId: string) {}

  poll(): Promise<DriverLogPoll> {
    this.stats.requests++;
    return Promise.resolve(this.answers.shift() ?? { lines: [], complete: false });
  }
}

/** The fixture's stderr lines [from, to) as driver stderr, 337 lines a poll (blocks are cut between polls). */
function driverChunks(from: number, to: number): DriverLogPoll[] {
  const polls: DriverLogPoll[] = [];
  for (let i = from; i < to; i += 337) {
    polls.push({ lines: stderrLines.slice(i, Math.min(i + 337, to)).map((text) => ({ stream: 'driverStderr', text })), complete: false });
  }
  return polls;
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('A job’s streaming queries from the progress in its log', () => {
  const jobs: LivyJob[] = [];
  afterEach(() => jobs.splice(0).forEach((j) => j.dispose()));

  function batchJob(livy: ScriptedLivy, driver?: ScriptedDriverLog): LivyJob {
    const job = new LivyJob(
      { jobId: 'j', cluster: 'c', mode: 'batch', language: 'python', name: 'n', livy: livy.client, driverLog: driver && (() => driver) },
      FAST,
    );
    jobs.push(job);
    return job;
  }

  it('takes the driver’s stderr from YARN: batch ids as logged, falling behind while the backlog grows, caught up at the end', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    // Up to the throttled query's batch 4: its Kafka backlog grew over the last three batches.
    const behindAt = reports.find((r) => r.progress.name === 'orders_slow' && r.progress.batchId === 4)!.at + 1;
    driver.answers.push(...driverChunks(0, behindAt));
    const job = batchJob(livy, driver);
    let changes = 0;
    job.onDidChange(() => changes++);
    assert.equal(job.queries.length, 0);
    job.followBatch(7, 'running', APP);
    await until('the fixture’s first part is read', () => driver.answers.length === 0 && job.log.length >= behindAt);
    const early = job.queries.find((q) => q.name === 'orders_slow');
    assert.ok(early, 'the throttled query is shown');
    assert.equal(early.batchId, 4);
    assert.equal(early.fallingBehind, true);
    assert.match(early.fallingBehindReason ?? '', /Kafka offsets behind latest grew/);
    assert.deepEqual(
      early.series.map((p) => p.batchId),
      [0, 1, 2, 3, 4],
    );
    const revision = job.queriesRevision;
    assert.ok(revision > 0 && changes > 0);

    driver.answers.push(...driverChunks(behindAt, stderrLines.length), { lines: [], complete: true });
    livy.batch = { ...livy.batch, state: 'success' };
    await until('the driver’s log is complete', () => job.snapshot.driverLog === 'complete');
    assert.ok(job.queriesRevision > revision);
    const queries = job.queries;
    assert.deepEqual(queries.map((q) => q.name).sort(), ['orders_slow', 'rate_windows']);
    for (const q of queries) {
      const logged = last(q.name!);
      assert.equal(q.id, logged.id);
      assert.equal(q.batchId, logged.batchId, `${q.name}: the last batch logged`);
      assert.equal(q.inputRowsPerSecond, logged.inputRowsPerSecond);
      assert.equal(q.processedRowsPerSecond, logged.processedRowsPerSecond);
      assert.deepEqual(q.durationMs, logged.durationMs);
      assert.equal(q.sources.length, logged.sources.length);
    }
    const orders = queries.find((q) => q.name === 'orders_slow')!;
    assert.equal(orders.fallingBehind, false, 'caught up once the producer stopped');
    assert.equal(orders.sources[0].kafka?.totalLag, 0);
    assert.equal(
      orders.sources[0].kafka?.partitions[0].latestFrom,
      'batch',
      'no Kafka connection: the lag is against the batch’s latest offsets',
    );
    assert.equal(queries.find((q) => q.name === 'rate_windows')!.fallingBehind, false);
    // The log keeps every line: the monitor only reads it.
    assert.equal(job.log.length, stderrLines.length);
  });

  it('measures Kafka lag against the topic’s latest offsets read through the extension’s connection, between progress reports', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    const job = batchJob(livy, driver);
    // Kafka as the extension's connection answers: asked only once the job reports a Kafka source.
    const asked: string[] = [];
    let latest = new Map([
      [0, 1_000_000],
      [1, 1_000_000],
      [2, 1_000_000],
    ]);
    let failNext = false;
    const errors: unknown[] = [];
    const kafka = {
      latestOffsets: (topic: string) => {
        asked.push(topic);
        if (failNext) {
          failNext = false;
          return Promise.reject(Object.assign(new Error('The broker went away'), { name: 'KafkaUnreachable' }));
        }
        return Promise.resolve(latest);
      },
    } as unknown as KafkaService;
    let connections = 0;
    const lag = followKafkaLag(
      job,
      () => {
        connections++;
        return Promise.resolve(kafka);
      },
      { intervalMs: 10, onError: (err) => errors.push(err) },
    );
    try {
      job.followBatch(7, 'running', APP);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(asked.length, 0, 'no Kafka source reported yet: Kafka is not asked');
      assert.equal(connections, 0);
      const batch4 = reports.find((r) => r.progress.name === 'orders_slow' && r.progress.batchId === 4)!;
      const upTo = batch4.at + 1;
      driver.answers.push(...driverChunks(0, upTo));
      await until('the topic’s offsets are read', () => asked.includes('orders'));
      await until('batch 4 is read', () => job.queries.find((q) => q.name === 'orders_slow')?.batchId === 4);
      await until('the lag is against the topic', () =>
        Boolean(job.queries.find((q) => q.name === 'orders_slow')?.sources[0].kafka?.partitions.every((p) => p.latestFrom === 'topic')),
      );
      const kafkaView = job.queries.find((q) => q.name === 'orders_slow')!.sources[0].kafka!;
      const logged = batch4.progress;
      for (const p of kafkaView.partitions) {
        const end = logged.sources[0].kafka?.topicPartitions.find((t) => t.partition === p.partition)?.endOffset;
        assert.equal(p.lag, 1_000_000 - (end ?? NaN), `partition ${p.partition}: latest now − the query’s offset`);
      }
      // A failed read is told once and retried with a new connection; the batch's figures stay meanwhile.
      failNext = true;
      const before = connections;
      await until('the failure is told', () => errors.length === 1);
      latest = new Map([
        [0, 2_000_000],
        [1, 2_000_000],
        [2, 2_000_000],
      ]);
      await until(
        'reads go on after the failure',
        () => job.queries.find((q) => q.name === 'orders_slow')?.sources[0].kafka?.partitions[0].latest === 2_000_000,
      );
      assert.ok(connections > before, 'the connection is asked for again');
      assert.equal(errors.length, 1);
      // Once the job ends Kafka is no longer read.
      livy.batch = { ...livy.batch, state: 'dead' };
      driver.answers.push({ lines: [], complete: true });
      await until('the job ended', () => job.ended);
      const count = asked.length;
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(asked.length, count, 'no read after the end');
    } finally {
      lag.dispose();
    }
  });

  it('asks the session for its queries’ lastProgress when the log gives no progress, while it is idle, until none is active', async () => {
    // The fixture's stdout holds what pyspark 3.5.3 printed for each query's lastProgress (json.dumps).
    const stdout = fs.readFileSync(path.join(fixtures, 'spark-3.5.3-stdout.log'), 'utf8').split('\n');
    const lastProgress = stdout.filter((l) => l.startsWith('LAST_PROGRESS ')).map((l) => l.slice('LAST_PROGRESS '.length));
    // What a query printed between statements comes first, as the next statement's output (Livy's way).
    let printed = `Batch: 45\n|order|amount|\n[${lastProgress.join(', ')}]`;
    let session: LivySession = { id: 4, state: 'idle', kind: 'pyspark' };
    const asked: string[] = [];
    const user: LivyStatement = {
      id: 2,
      state: 'available',
      code: 'q = df.writeStream.format("console").start()',
      output: { status: 'ok', execution_count: 2, data: { 'text/plain': '' } },
    };
    const client = {
      getSession: () => Promise.resolve(session),
      getLog: (_r: string, id: number, from: number) => Promise.resolve({ id, from, total: 0, log: [] }),
      getStatement: (_s: number, id: number) =>
        Promise.resolve(
          id === 2 ? user : { id, state: 'available', output: { status: 'ok', execution_count: id, data: { 'text/plain': printed } } },
        ),
      runStatement: (_s: number, code: string, kind: string) => {
        asked.push(`${kind}: ${code}`);
        return Promise.resolve({ id: 10 + asked.length, state: 'running' } as LivyStatement);
      },
    } as unknown as LivyClient;
    const job = new LivyJob(
      { jobId: 's', cluster: 'c', mode: 'session', language: 'python', name: 'n', livy: client },
      { ...FAST, sessionProgressMs: 20 },
    );
    jobs.push(job);
    session = { ...session, state: 'busy' };
    job.followStatement(4, 2, new LogFollower(client, 'sessions', 4));
    await until('the statement succeeded', () => job.snapshot.state === 'succeeded');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(asked, [], 'not asked while the session is busy (it would queue behind the user’s statement)');
    assert.ok(job.ended && job.queriesMayRun, 'the statement ended; the queries it started may run on');
    session = { ...session, state: 'idle' };
    await until('both queries shown', () => job.queries.length === 2);
    assert.match(asked[0], /^pyspark: .*lastProgress for q in spark\.streams\.active/);
    const slow = job.queries.find((q) => q.name === 'orders_slow')!;
    const fromLog = last('orders_slow');
    assert.equal(slow.id, fromLog.id);
    assert.equal(slow.batchId, 45);
    assert.ok(slow.sources[0].kafka, 'its Kafka source with offsets');
    const shown = job.log.filter((e) => e.stream === 'stdout' && 'text' in e).map((e) => ('text' in e ? e.text : ''));
    assert.deepEqual(shown.slice(0, 2), ['Batch: 45', '|order|amount|'], 'what the queries printed meanwhile is shown, not lost');
    // Queries stopped: one more ask finds none active, and asking ends.
    printed = '[]';
    const count = asked.length;
    await until('asked again', () => asked.length > count);
    await until('no query runs any more', () => !job.queriesMayRun);
    const final = asked.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(asked.length, final, 'no ask after no query is active');
    assert.equal(job.queries.length, 2, 'what was shown stays');
  });

  it('takes Livy’s own log when Spark runs in local mode (the sandbox), and not the launcher’s lines on YARN', async () => {
    const livy = new ScriptedLivy();
    const upTo = reports[5].at + 1;
    livy.batch = { id: 7, state: 'running', appId: 'local-1732470000000' };
    livy.stderr = stderrLines.slice(0, upTo);
    const job = batchJob(livy);
    job.followBatch(7, 'running', 'local-1732470000000');
    await until('the log is read', () => job.log.length >= upTo);
    await until('the queries are shown', () => job.queries.length === 2);
    const byName = new Map(job.queries.map((q) => [q.name, q.batchId]));
    for (const { progress } of reports.slice(0, 6)) assert.ok(byName.get(progress.name)! >= progress.batchId);
    assert.deepEqual(
      job.queries.map((q) => q.id),
      [...new Set(reports.slice(0, 6).map((r) => r.progress.id))],
    );

    // On YARN, once the driver's log is read, Livy's lines are the launcher's: not taken as progress.
    const yarnLivy = new ScriptedLivy();
    yarnLivy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    const yarnJob = batchJob(yarnLivy, driver);
    yarnJob.followBatch(7, 'running', APP);
    await until('the driver’s log is opened', () => yarnJob.snapshot.driverLog === 'reading');
    yarnLivy.stderr = stderrLines.slice(0, upTo);
    await until('Livy’s log is read', () => yarnJob.log.length >= upTo);
    assert.equal(yarnJob.queries.length, 0);
  });
});
