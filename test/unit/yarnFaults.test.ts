// A batch's driver log when YARN or Livy misbehave, on a real YARN (Hadoop 3.3.4) behind the
// emulated HDInsight gateway, with the emulated Livy in YARN mode and the extension's own LivyJob
// and YarnDriverLog: a NodeManager restart, log aggregation late, lost or failed, the application
// killed through YARN, Livy forgetting the batch while its application runs on. Each checks what
// the user sees: every printed line once and in order, one notice per fault, the right final state.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { yarnEndpoint } from '../../src/clusters/LivyConnections';
import { type JobLogEntry, jobLine } from '../../src/livy/jobLog';
import { LivyClient } from '../../src/livy/LivyClient';
import { type JobState, type JobTiming, LivyJob } from '../../src/livy/LivyJob';
import { YarnDriverLog } from '../../src/livy/yarnDriverLog';
import { ClusterGateway } from '../emulator/gateway';
import { LivyEmulator } from '../emulator/livy';
import { ensureSpark } from '../harness/spark';
import { startYarn, type Yarn } from '../harness/yarn';
import type { ResolvedClusterSpec } from '../emulator/arm';
import { emulatedSparkCluster } from '../harness/sparkCluster';

const login = { username: 'admin', password: 'Yarn-Faults-1!' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const sparkCluster = (): ResolvedClusterSpec => emulatedSparkCluster('yarn-faults', login.password);

/** A driver printing `tick N` every `everyMs` (forever when `ticks` is undefined), then a last line after spark.stop(). */
function ticker(ticks: number | undefined, everyMs: number): string {
  return [
    'import time',
    'from pyspark.sql import SparkSession',
    'spark = SparkSession.builder.getOrCreate()',
    'i = 0',
    `while ${ticks === undefined ? 'True' : `i < ${ticks}`}:`,
    '    print(f"tick {i}", flush=True)',
    '    i += 1',
    `    time.sleep(${everyMs / 1000})`,
    'spark.stop()',
    'print("the end, after spark.stop()", flush=True)',
    '',
  ].join('\n');
}

const text = (e: JobLogEntry): string => ('text' in e ? e.text : '');
const ticksOf = (log: readonly JobLogEntry[]): string[] =>
  log.filter((e) => e.stream === 'driverStdout' && /^tick \d+$/.test(text(e))).map(text);
const notices = (log: readonly JobLogEntry[]): string[] => log.filter((e) => e.stream === 'notice').map(text);
const inOrder = (ticks: string[]): string[] => ticks.map((_, i) => `tick ${i}`);
/** The job's log without its ticks, for messages. */
const story = (log: readonly JobLogEntry[]): string =>
  log
    .filter((e) => !/^tick \d+$/.test(text(e)))
    .map((e) => `${e.stream}: ${text(e)}`)
    .join('\n');

describe('A batch’s driver log through YARN’s and Livy’s faults, on a real YARN behind the gateway', function () {
  this.timeout(600_000);
  let yarn: Yarn;
  let livy: LivyEmulator;
  let gateway: ClusterGateway;
  let client: LivyClient;
  let jobDir: string;
  const jobs: LivyJob[] = [];

  before(async function () {
    this.timeout(900_000);
    const spark = ensureSpark();
    yarn = await startYarn();
    jobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-yarn-faults-'));
    livy = new LivyEmulator({ spark, localDirWhitelist: [jobDir], yarn });
    gateway = new ClusterGateway(undefined, sparkCluster(), { livy, yarn });
    const { host, port } = await gateway.start();
    client = new LivyClient({ service: 'Livy', baseUrl: new URL(`http://${host}:${port}/livy`), login, timeoutMs: 30_000 });
  });

  afterEach(() => jobs.splice(0).forEach((j) => j.dispose()));

  after(async () => {
    await gateway?.stop();
    await livy?.stop();
    yarn?.hideAggregatedLogs(false);
    await yarn?.stop();
    if (jobDir) fs.rmSync(jobDir, { recursive: true, force: true });
  });

  /** Submits the script as a batch and follows it as the extension does; `states` records every state the job went through. */
  async function run(name: string, script: string, timing: Partial<JobTiming> = {}) {
    const file = path.join(jobDir, `${name}.py`);
    fs.writeFileSync(file, script);
    const batch = await client.createBatch({ file, name });
    const yarnUi = yarnEndpoint(client.endpoint)!;
    const sources: YarnDriverLog[] = [];
    const job = new LivyJob(
      {
        jobId: name,
        cluster: 'yarn-faults',
        mode: 'batch',
        language: 'python',
        name,
        livy: client,
        driverLog: (appId, driverLogUrl) => {
          const source = new YarnDriverLog(yarnUi, appId, { driverLogUrl });
          sources.push(source);
          return source;
        },
      },
      { driverLogGraceMs: 120_000, ...timing },
    );
    jobs.push(job);
    const states: JobState[] = [];
    job.onDidChange(() => {
      if (states.at(-1) !== job.snapshot.state) states.push(job.snapshot.state);
    });
    job.followBatch(batch.id, batch.state, batch.appId);
    return { job, batchId: batch.id, states, sources };
  }

  async function until(job: LivyJob, what: string, check: () => boolean, timeoutMs = 300_000): Promise<void> {
    for (const deadline = Date.now() + timeoutMs; !check(); await sleep(250)) {
      if (Date.now() > deadline) {
        const tail = job.log.slice(-15).map((e) => `${e.stream}: ${text(e)}`);
        throw new Error(`gave up waiting for ${what}: job ${job.snapshot.state}, driver log ${job.snapshot.driverLog}\n${tail.join('\n')}`);
      }
    }
  }
  const sawTick = (job: LivyJob, n: number) => (): boolean => ticksOf(job.log).includes(`tick ${n}`);
  const driverLogDone = (job: LivyJob) => (): boolean => job.ended && job.snapshot.driverLog !== 'reading';

  it('goes on through a NodeManager restart (containers recovered), saying so once, no line lost or repeated', async () => {
    const { job, states } = await run('nm-restart', ticker(40, 500));
    await until(job, 'tick 3', sawTick(job, 3));
    const before = notices(job.log).length;
    await yarn.restartNodeManager();
    await until(job, 'the end and the whole driver log', driverLogDone(job));

    assert.equal(job.snapshot.state, 'succeeded', `${job.snapshot.note}`);
    assert.equal(job.snapshot.driverLog, 'complete');
    const ticks = ticksOf(job.log);
    assert.deepEqual(ticks, inOrder(ticks), `every tick once, in order:\n${story(job.log)}`);
    assert.equal(ticks.length, 40);
    assert.equal(job.log.filter((e) => text(e) === 'the end, after spark.stop()').length, 1);
    const said = notices(job.log).slice(before);
    assert.ok(said.length <= 2, `one line for the restart, not one per poll:\n${said.join('\n')}`);
    assert.equal(new Set(said).size, said.length, said.join('\n'));
    assert.deepEqual(states, ['starting', 'running', 'succeeded'].slice(states[0] === 'running' ? 1 : 0));
  });

  it('ends a batch YARN killed as failed, with YARN’s diagnostics, keeping the driver’s lines up to then', async () => {
    const { job } = await run('killed', ticker(undefined, 500));
    await until(job, 'tick 3', sawTick(job, 3));
    const appId = job.snapshot.appId!;
    const res = await fetch(`${yarn.rmWebUrl}/ws/v1/cluster/apps/${appId}/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ state: 'KILLED' }),
    });
    assert.ok(res.ok, `${res.status} ${await res.text()}`);
    await until(job, 'the end and the driver log read as far as YARN has it', driverLogDone(job));

    assert.equal(job.snapshot.state, 'failed', 'killed, but not by the user: not “cancelled”');
    assert.match(job.snapshot.note ?? '', /killed/i, 'the note says YARN killed it');
    const yarnLines = job.log.filter((e) => jobLine(e).source === 'yarn').map(text);
    assert.ok(
      yarnLines.some((l) => /killed/i.test(l)),
      `YARN's diagnostics in the log:\n${job.log.map((e) => `${e.stream}: ${text(e)}`).join('\n')}`,
    );
    const ticks = ticksOf(job.log);
    assert.ok(ticks.length >= 4, ticks.join(', '));
    assert.deepEqual(ticks, inOrder(ticks), 'the ticks up to the kill, each once');
  });

  it('follows the application through YARN when Livy forgets the batch, says so once, and takes the final state from YARN', async () => {
    const { job, batchId, states } = await run('forgotten', ticker(24, 500));
    await until(job, 'tick 3', sawTick(job, 3));
    assert.ok(livy.forgetBatch(batchId));
    await until(job, 'the end and the whole driver log', driverLogDone(job));

    assert.equal(job.snapshot.state, 'succeeded', `${job.snapshot.note}`);
    assert.ok(!states.includes('unknown'), states.join(' → '));
    assert.equal(job.snapshot.driverLog, 'complete');
    const said = notices(job.log).filter((n) => /Livy no longer knows batch/.test(n));
    assert.equal(said.length, 1, notices(job.log).join('\n'));
    const ticks = ticksOf(job.log);
    assert.equal(ticks.length, 24);
    assert.deepEqual(ticks, inOrder(ticks));
    assert.equal(job.log.filter((e) => text(e) === 'the end, after spark.stop()').length, 1);
    // Nothing asked of Livy after its 404 but nothing overwrote the state either.
    const stateAfter = job.snapshot.state;
    await sleep(1_500);
    assert.equal(job.snapshot.state, stateAfter);
  });

  it('waits for a late aggregated log and then reads it to its end', async () => {
    yarn.hideAggregatedLogs(true);
    try {
      const { job } = await run('late', ticker(6, 200));
      await until(job, 'the batch to end', () => job.ended);
      // The history server does not have the log yet: the job keeps asking.
      await until(job, 'the notice that the log is on its way', () => notices(job.log).some((n) => /history server/.test(n)), 60_000);
      await sleep(5_000);
      assert.equal(job.snapshot.driverLog, 'reading');
      yarn.hideAggregatedLogs(false);
      await until(job, 'the whole driver log', driverLogDone(job));
      assert.equal(job.snapshot.driverLog, 'complete');
      assert.equal(job.snapshot.state, 'succeeded');
      const ticks = ticksOf(job.log);
      assert.deepEqual(ticks, ['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
      assert.equal(job.log.filter((e) => text(e) === 'the end, after spark.stop()').length, 1);
      const moving = notices(job.log).filter((n) => /history server/.test(n));
      assert.equal(new Set(moving).size, moving.length, `said once while it stays the same:\n${moving.join('\n')}`);
    } finally {
      yarn.hideAggregatedLogs(false);
    }
  });

  it('stops with one notice when the aggregated log never comes, and the final state stays', async () => {
    yarn.hideAggregatedLogs(true);
    try {
      const { job } = await run('lost', ticker(4, 200), { driverLogGraceMs: 15_000 });
      await until(job, 'the job to give up on the driver log', driverLogDone(job), 300_000);
      assert.equal(job.snapshot.state, 'succeeded');
      assert.equal(job.snapshot.driverLog, 'incomplete');
      const last = notices(job.log).at(-1) ?? '';
      assert.match(last, /^Stopped reading the driver's log: nothing new came for 15 s after the job ended/);
      assert.equal(notices(job.log).filter((n) => /^Stopped reading/.test(n)).length, 1);
      // No endless loop: nothing more is asked of YARN.
      const asked = gateway.emulator.requests.length;
      await sleep(3_000);
      const later = gateway.emulator.requests.slice(asked).filter((r) => r.path.startsWith('/yarnui/'));
      assert.deepEqual(
        later.map((r) => r.path),
        [],
      );
    } finally {
      yarn.hideAggregatedLogs(false);
    }
  });

  it('ends with one notice when YARN’s log aggregation fails, keeping the lines read live', async () => {
    const { job } = await run('aggregation-fails', ticker(16, 500));
    await until(job, 'tick 2', sawTick(job, 2));
    // The application's folder in the aggregated-log store becomes a file: the NodeManager cannot
    // write into it when the application ends ("Cannot create writer"), never reports the
    // aggregation, and the ResourceManager says TIME_OUT after yarn.log-aggregation-status.time-out.ms.
    const appDir = findDir(yarn.remoteAppLogDir, job.snapshot.appId!);
    assert.ok(appDir, `the application's folder under ${yarn.remoteAppLogDir}`);
    fs.rmSync(appDir, { recursive: true, force: true });
    fs.writeFileSync(appDir, 'not a folder');
    await until(job, 'the end of the job and of its driver log', driverLogDone(job));
    assert.equal(job.snapshot.state, 'succeeded');
    const said = notices(job.log);
    assert.equal(new Set(said).size, said.length, `no notice repeated:\n${story(job.log)}`);
    const ended = said.filter((n) => /the rest of the driver's log cannot be read|Stopped reading/.test(n));
    assert.equal(ended.length, 1, `one notice that the rest cannot be had:\n${story(job.log)}`);
    assert.equal(said.at(-1), ended[0], 'and it is the last word');
    const ticks = ticksOf(job.log);
    assert.ok(ticks.length >= 3, ticks.join(', '));
    assert.deepEqual(ticks, inOrder(ticks));
  });
});

function findDir(root: string, name: string): string | undefined {
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(root, entry.name);
    if (entry.name === name) return full;
    const found = findDir(full, name);
    if (found) return found;
  }
  return undefined;
}
