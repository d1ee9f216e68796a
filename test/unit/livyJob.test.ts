// A Livy job decides its own cancel: whether it can be cancelled, what cancelling does, and the
// request it sends. First against a scripted Livy (every case, in milliseconds), then against the
// Livy emulator on real Spark (the requests Livy receives and what becomes of the job).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HDInsightError } from '../../src/core/errors';
import type { LivyBatch, LivyClient, LivySession, LivyStatement } from '../../src/livy/LivyClient';
import { LivyClient as RealLivyClient } from '../../src/livy/LivyClient';
import { type JobCancellation, type JobState, LivyJob } from '../../src/livy/LivyJob';
import { LogFollower } from '../../src/livy/logFollower';
import { LivyEmulator } from '../emulator/livy';
import { Emulator } from '../emulator/server';
import { ensureSpark } from '../harness/spark';

const FAST = { activeMs: 20, quietMs: 20, retryMs: [20] };

/** A Livy whose batch, statement and session states the test sets; it records the cancel requests. */
class ScriptedLivy {
  batch: LivyBatch = { id: 7, state: 'running' };
  statement: LivyStatement = { id: 2, state: 'running' };
  session: LivySession = { id: 4, state: 'idle', kind: 'pyspark' };
  readonly sent: string[] = [];
  refuse?: Error;

  private record(request: string): Promise<void> {
    this.sent.push(request);
    return this.refuse ? Promise.reject(this.refuse) : Promise.resolve();
  }

  readonly client = {
    getBatch: () => Promise.resolve(this.batch),
    getStatement: () => Promise.resolve(this.statement),
    getSession: () => Promise.resolve(this.session),
    getLog: (_resource: string, id: number, from: number) => Promise.resolve({ id, from, total: 0, log: [] }),
    deleteBatch: (id: number) => {
      this.batch = { ...this.batch, state: 'killed' };
      return this.record(`DELETE batches/${id}`);
    },
    cancelStatement: (sessionId: number, statementId: number) => this.record(`POST sessions/${sessionId}/statements/${statementId}/cancel`),
    runStatement: async (sessionId: number, code: string, kind: string) => {
      await this.record(`POST sessions/${sessionId}/statements ${kind}: ${code}`);
      return { id: 3, state: 'waiting' } as LivyStatement;
    },
  } as unknown as LivyClient;
}

function jobOn(livy: LivyClient, mode: 'batch' | 'session', language: 'python' | 'scala' = 'python'): LivyJob {
  return new LivyJob({ jobId: `test-${mode}`, cluster: 'test', mode, language, name: 'test', livy }, FAST);
}

async function until(job: LivyJob, state: JobState, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (job.snapshot.state !== state) {
    if (Date.now() > deadline) throw new Error(`job is ${job.snapshot.state} (${job.snapshot.note ?? ''}), not ${state}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Resolves on the job's next change: after a poll, the job waits before the next one, so a cancel
 * sent now is not overtaken by a poll that started before it.
 */
function nextPoll(job: LivyJob): Promise<void> {
  return new Promise((resolve) => {
    const subscription = job.onDidChange(() => {
      subscription.dispose();
      resolve();
    });
  });
}

const cannot: JobCancellation = { cancellable: false };

describe('A Livy job decides its cancel', () => {
  const jobs: LivyJob[] = [];
  const track = (job: LivyJob): LivyJob => (jobs.push(job), job);
  afterEach(() => jobs.splice(0).forEach((j) => j.dispose()));

  it('stops its submission before Livy has it, and ends cancelled', async () => {
    const livy = new ScriptedLivy();
    const job = track(jobOn(livy.client, 'batch'));
    let aborted = false;
    const submission = job.submitWith(
      (signal) =>
        new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new DOMException('Aborted', 'AbortError'));
          }),
        ),
    );
    assert.deepEqual(job.cancellation, { cancellable: true, action: 'abortSubmission' });
    await job.cancel();
    await submission;
    assert.ok(aborted);
    assert.equal(job.snapshot.state, 'cancelled');
    assert.equal(job.snapshot.note, 'Cancelled before Livy started it.');
    assert.deepEqual(job.cancellation, cannot);
    assert.deepEqual(livy.sent, [], 'nothing reached Livy');
  });

  it('kills a running batch, which then cannot be cancelled again', async () => {
    const livy = new ScriptedLivy();
    const job = track(jobOn(livy.client, 'batch'));
    await job.submitWith(() => {
      job.followBatch(7, 'running');
      return Promise.resolve();
    });
    assert.deepEqual(job.cancellation, { cancellable: true, action: 'killBatch' });
    await nextPoll(job);
    await job.cancel();
    assert.deepEqual(livy.sent, ['DELETE batches/7']);
    assert.equal(job.snapshot.state, 'cancelled');
    assert.deepEqual(job.cancellation, cannot);
    await job.cancel();
    assert.deepEqual(livy.sent, ['DELETE batches/7'], 'a second cancel sends nothing');
  });

  it('says a finished batch cannot be cancelled, and sends nothing when asked', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'success' };
    const job = track(jobOn(livy.client, 'batch'));
    job.followBatch(7, 'running');
    await until(job, 'succeeded');
    assert.deepEqual(job.cancellation, cannot);
    await job.cancel();
    assert.deepEqual(livy.sent, []);
    assert.equal(job.snapshot.state, 'succeeded');
  });

  it('cancels a running statement; the job ends cancelled when Livy says so', async () => {
    const livy = new ScriptedLivy();
    const job = track(jobOn(livy.client, 'session'));
    job.followStatement(4, 2, new LogFollower(livy.client, 'sessions', 4));
    await until(job, 'running');
    assert.deepEqual(job.cancellation, { cancellable: true, action: 'cancelStatement' });
    await job.cancel();
    assert.deepEqual(livy.sent, ['POST sessions/4/statements/2/cancel']);
    livy.statement = { id: 2, state: 'cancelled' };
    await until(job, 'cancelled');
    assert.deepEqual(job.cancellation, cannot);
  });

  it('stops the streaming queries a finished statement left running in the session (python and scala)', async () => {
    for (const [language, expected] of [
      ['python', 'POST sessions/4/statements pyspark: for _q in spark.streams.active: _q.stop()'],
      ['scala', 'POST sessions/4/statements spark: spark.streams.active.foreach(_.stop())'],
    ] as const) {
      const livy = new ScriptedLivy();
      livy.statement = { id: 2, state: 'available', output: { status: 'ok', data: { 'text/plain': '' } } };
      const job = track(jobOn(livy.client, 'session', language));
      job.followStatement(4, 2, new LogFollower(livy.client, 'sessions', 4));
      await until(job, 'succeeded');
      assert.ok(job.ended);
      assert.deepEqual(job.cancellation, { cancellable: true, action: 'stopStreamingQueries' });
      await job.cancel();
      assert.deepEqual(livy.sent, [expected]);
      assert.equal(job.snapshot.state, 'cancelled');
      assert.equal(job.snapshot.note, 'The streaming queries of the session were stopped.');
      assert.deepEqual(job.cancellation, cannot);
    }
  });

  it('says a failed statement cannot be cancelled', async () => {
    const livy = new ScriptedLivy();
    livy.statement = { id: 2, state: 'available', output: { status: 'error', ename: 'E', evalue: 'v', traceback: [] } };
    const job = track(jobOn(livy.client, 'session'));
    job.followStatement(4, 2, new LogFollower(livy.client, 'sessions', 4));
    await until(job, 'failed');
    assert.deepEqual(job.cancellation, cannot);
  });

  it('keeps a refused cancel in its note and hands the error on', async () => {
    const livy = new ScriptedLivy();
    livy.refuse = new HDInsightError('Remote', 'Livy answered 500.');
    const job = track(jobOn(livy.client, 'batch'));
    job.followBatch(7, 'running');
    await nextPoll(job);
    await assert.rejects(job.cancel(), /Livy answered 500/);
    assert.match(job.snapshot.note ?? '', /^Cancelling failed: Livy answered 500/);
    assert.equal(job.snapshot.state, 'running');
    assert.deepEqual(job.cancellation, { cancellable: true, action: 'killBatch' });
  });
});

describe('A Livy job cancels itself on the Livy emulator (real Spark)', function () {
  this.timeout(300_000);
  let emulator: Emulator;
  let livyEmulator: LivyEmulator;
  let client: RealLivyClient;
  let dir: string;
  const jobs: LivyJob[] = [];

  before(async function () {
    this.timeout(600_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-livy-job-test-'));
    emulator = new Emulator();
    livyEmulator = new LivyEmulator({ spark: ensureSpark(), localDirWhitelist: [dir] });
    livyEmulator.mount(emulator, '/livy');
    const base = await emulator.start();
    client = new RealLivyClient({ service: 'Livy', baseUrl: new URL(`${base}/livy`) });
  });

  after(async () => {
    for (const job of jobs) job.dispose();
    await livyEmulator?.stop();
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What was sent to Livy besides the job's polling (which only reads). */
  const cancelRequests = (): string[] => emulator.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

  async function evaluate(sessionId: number, code: string): Promise<LivyStatement> {
    let statement = await client.runStatement(sessionId, code, 'pyspark');
    while (statement.state !== 'available' && statement.state !== 'cancelled') {
      await new Promise((r) => setTimeout(r, 200));
      statement = await client.getStatement(sessionId, statement.id);
    }
    return statement;
  }

  const newJob = (mode: 'batch' | 'session'): LivyJob => {
    const job = new LivyJob({
      jobId: `emulated-${jobs.length}`,
      cluster: 'emulated',
      mode,
      language: 'python',
      name: 'test',
      livy: client,
    });
    jobs.push(job);
    return job;
  };

  it('kills a running batch with DELETE /batches/{id}', async () => {
    const script = path.join(dir, 'sleeps.py');
    fs.writeFileSync(script, 'import time\nprint("started", flush=True)\ntime.sleep(300)\n');
    const batch = await client.createBatch({ file: script, name: 'sleeps' });
    const job = newJob('batch');
    job.followBatch(batch.id, batch.state);
    await until(job, 'running', 240_000);
    assert.deepEqual(job.cancellation, { cancellable: true, action: 'killBatch' });
    await nextPoll(job);
    emulator.requests.length = 0;
    await job.cancel();
    assert.deepEqual(cancelRequests(), [`DELETE /livy/batches/${batch.id}`]);
    assert.equal(job.snapshot.state, 'cancelled');
    assert.deepEqual(job.cancellation, cannot);
  });

  describe('in an interactive session', () => {
    let sessionId: number;

    before(async function () {
      this.timeout(300_000);
      const session = await client.createSession({ kind: 'pyspark', name: 'cancels', conf: { 'spark.sql.shuffle.partitions': '2' } });
      sessionId = session.id;
      const deadline = Date.now() + 240_000;
      while ((await client.getSession(sessionId)).state !== 'idle') {
        if (Date.now() > deadline) throw new Error('the session did not start');
        await new Promise((r) => setTimeout(r, 500));
      }
    });

    async function statementJob(code: string): Promise<LivyJob> {
      const follower = new LogFollower(client, 'sessions', sessionId);
      await follower.skipExisting();
      const statement = await client.runStatement(sessionId, code, 'pyspark');
      const job = newJob('session');
      job.followStatement(sessionId, statement.id, follower);
      return job;
    }

    it('cancels a running statement with POST …/statements/{id}/cancel', async () => {
      const job = await statementJob('import time\ntime.sleep(120)');
      await until(job, 'running', 60_000);
      assert.deepEqual(job.cancellation, { cancellable: true, action: 'cancelStatement' });
      emulator.requests.length = 0;
      await job.cancel();
      assert.deepEqual(cancelRequests(), [`POST /livy/sessions/${sessionId}/statements/${job.snapshot.statementId}/cancel`]);
      await until(job, 'cancelled', 60_000);
      assert.deepEqual(job.cancellation, cannot);
    });

    it('stops the streaming query a finished statement left running, with a statement in the session', async () => {
      const job = await statementJob(
        'q = spark.readStream.format("rate").option("rowsPerSecond", 1).load().writeStream.format("memory").queryName("ticks").start()\nq.isActive',
      );
      await until(job, 'succeeded', 120_000);
      assert.deepEqual(job.cancellation, { cancellable: true, action: 'stopStreamingQueries' });
      emulator.requests.length = 0;
      await job.cancel();
      assert.deepEqual(cancelRequests(), [`POST /livy/sessions/${sessionId}/statements`]);
      assert.equal(job.snapshot.state, 'cancelled');
      assert.deepEqual(job.cancellation, cannot);
      // The session stays, without streaming queries (statements run in order: the stop ran first).
      const left = await evaluate(sessionId, 'len(spark.streams.active)');
      assert.deepEqual(left.output?.status === 'ok' ? left.output.data : left.output, { 'text/plain': '0' });
    });
  });
});
