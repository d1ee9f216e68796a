// A job's log on a YARN cluster: Livy's log (the launcher's lines) until Livy names the YARN
// application, then also the driver's stdout and stderr from a DriverLogSource, in the same poll
// cycle, each line with its source; after the job ended the driver's log is read on until the
// source says it is complete (or the grace time passes), so the last lines are kept. Against a
// scripted Livy and a scripted driver-log source, in milliseconds.
import assert from 'node:assert/strict';
import { yarnEndpoint } from '../../src/clusters/LivyConnections';
import { HDInsightError } from '../../src/core/errors';
import type { DriverApplication, DriverLogLine, DriverLogPoll, DriverLogSource } from '../../src/livy/driverLog';
import { type JobLogEntry, jobLine, LineGrouper } from '../../src/livy/jobLog';
import type { LivyBatch, LivyClient, LivySession, LivyStatement } from '../../src/livy/LivyClient';
import { type JobTiming, LivyJob } from '../../src/livy/LivyJob';
import { LogFollower } from '../../src/livy/logFollower';

const FAST: Partial<JobTiming> = { activeMs: 10, quietMs: 10, retryMs: [10], driverLogGraceMs: 60_000 };
const APP = 'application_1732470000000_0007';

/** A Livy with one batch and one session whose state and log (stdout, stderr) the test sets, served as Livy serves /log. */
class ScriptedLivy {
  batch: LivyBatch = { id: 7, state: 'starting' };
  session: LivySession = { id: 4, state: 'idle', kind: 'pyspark', appId: APP };
  statement: LivyStatement = { id: 2, state: 'running' };
  /** What Livy answers for the statement instead of it (a session that is over). */
  statementError?: Error;
  stdout: string[] = [];
  stderr: string[] = [];
  forgotten = false;

  readonly client = {
    getBatch: () =>
      this.forgotten ? Promise.reject(new HDInsightError('NotFound', 'Livy has no batch 7.')) : Promise.resolve({ ...this.batch }),
    getSession: () => Promise.resolve({ ...this.session }),
    getStatement: () => (this.statementError ? Promise.reject(this.statementError) : Promise.resolve({ ...this.statement })),
    getLog: (_resource: string, id: number, from: number | undefined, size: number | undefined) => {
      const log = ['stdout: ', ...this.stdout, '\nstderr: ', ...this.stderr];
      const start = from ?? Math.max(0, log.length - (size ?? 100));
      const end = size === undefined || size < 0 ? log.length : start + size;
      return Promise.resolve({ id, from: start, total: log.length, log: log.slice(start, end) });
    },
  } as unknown as LivyClient;
}

/** A driver-log source that hands out what the test scripted, one answer per poll; it records when it was polled. */
class ScriptedDriverLog implements DriverLogSource {
  readonly stats = { requests: 0, bytesReceived: 0 };
  readonly answers: (DriverLogPoll | Error)[] = [];
  polls = 0;
  application?: DriverApplication;
  /** Called on each poll before an answer is taken (to see the job's state then). */
  onPoll?: () => void;

  constructor(
    readonly appId: string,
    readonly driverLogUrl?: string,
  ) {}

  poll(): Promise<DriverLogPoll> {
    this.polls++;
    this.stats.requests++;
    this.onPoll?.();
    const answer = this.answers.shift() ?? { lines: [], complete: false };
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

const out = (text: string): DriverLogLine => ({ stream: 'driverStdout', text });
const err = (text: string): DriverLogLine => ({ stream: 'driverStderr', text });

/** The log as `source: text` lines, continuation lines marked with `+`. */
function lines(log: readonly JobLogEntry[]): string[] {
  return log.map((e) => ('gap' in e ? `${e.stream}: <gap>` : `${e.stream}${'continued' in e && e.continued ? '+' : ''}: ${e.text}`));
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('A job reads the driver’s log from YARN once Livy names the application', () => {
  const jobs: LivyJob[] = [];
  afterEach(() => jobs.splice(0).forEach((j) => j.dispose()));

  function batchJob(livy: ScriptedLivy, options: { driver?: ScriptedDriverLog; noDriverLog?: string; timing?: Partial<JobTiming> } = {}) {
    const made: { appId: string; driverLogUrl?: string }[] = [];
    const job = new LivyJob(
      {
        jobId: 'j',
        cluster: 'c',
        mode: 'batch',
        language: 'python',
        name: 'n',
        livy: livy.client,
        driverLog: options.driver
          ? (appId, driverLogUrl) => {
              made.push({ appId, driverLogUrl });
              return options.driver!;
            }
          : undefined,
        noDriverLog: options.noDriverLog,
      },
      { ...FAST, ...options.timing },
    );
    jobs.push(job);
    return { job, made };
  }

  it('shows the launcher’s lines, then the driver’s with their sources, and the last driver lines read after the batch succeeded', async () => {
    const livy = new ScriptedLivy();
    const driver = new ScriptedDriverLog(APP);
    const { job, made } = batchJob(livy, { driver });
    livy.stdout = ['24/11/24 19:40:01 INFO Client: Submitting application'];
    job.followBatch(7, 'starting');
    await until('the launcher line is shown', () => job.log.length === 1);
    assert.equal(driver.polls, 0, 'no driver log before Livy names the application');
    assert.equal(job.snapshot.driverLog, undefined);

    driver.answers.push({ lines: [out('started'), err('24/11/24 19:40:05 WARN SparkContext: careful')], complete: false });
    livy.batch = {
      id: 7,
      state: 'running',
      appId: APP,
      appInfo: { driverLogUrl: 'https://gw/yarnui/10.0.0.8/node/containerlogs/c1/livy' },
    };
    livy.stdout.push(`24/11/24 19:40:04 INFO Client: Application report for ${APP} (state: RUNNING)`);
    await until('the driver’s first lines are shown', () => job.log.length === 4);
    assert.deepEqual(made, [{ appId: APP, driverLogUrl: 'https://gw/yarnui/10.0.0.8/node/containerlogs/c1/livy' }]);
    assert.equal(job.snapshot.driverLog, 'reading');

    // The batch succeeds; the driver's last lines come only later (the log aggregated), then the source is complete.
    let stateWhenLastRead: string | undefined;
    driver.onPoll = () => {
      if (job.snapshot.state === 'succeeded' && driver.answers.length === 0 && stateWhenLastRead === undefined) {
        stateWhenLastRead = job.snapshot.state;
        driver.answers.push({ lines: [out('last words')], complete: false }, { lines: [], complete: true });
      }
    };
    livy.batch = { ...livy.batch, state: 'success' };
    await until('the driver’s log is complete', () => job.snapshot.driverLog === 'complete');
    assert.equal(stateWhenLastRead, 'succeeded');
    assert.deepEqual(lines(job.log), [
      'stdout: 24/11/24 19:40:01 INFO Client: Submitting application',
      `stdout: 24/11/24 19:40:04 INFO Client: Application report for ${APP} (state: RUNNING)`,
      'driverStdout: started',
      'driverStderr: 24/11/24 19:40:05 WARN SparkContext: careful',
      'driverStdout: last words',
    ]);
    assert.equal(job.snapshot.state, 'succeeded');
    const polls = driver.polls;
    await sleep(60);
    assert.equal(driver.polls, polls, 'no more reads once the source said it is complete');
    assert.deepEqual(jobLine(job.log[3]), {
      source: 'driverStderr',
      text: '24/11/24 19:40:05 WARN SparkContext: careful',
      level: 'warn',
    });
    assert.deepEqual(jobLine(job.log[0]), {
      source: 'stdout',
      text: '24/11/24 19:40:01 INFO Client: Submitting application',
      level: 'info',
    });
  });

  it('shows a notice of the source once while it stays the same, and again when it comes back', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    const moved = 'YARN answered 403 to the driver’s stdout: the log is moving to the history server.';
    driver.answers.push(
      { lines: [out('a')], complete: false },
      { lines: [], notice: moved, complete: false },
      { lines: [], notice: moved, complete: false },
      { lines: [out('b')], notice: moved, complete: false },
      { lines: [out('c')], complete: false },
      { lines: [], notice: moved, complete: false },
      { lines: [out('d')], complete: true },
    );
    const { job } = batchJob(livy, { driver });
    job.followBatch(7, 'running', APP);
    await until('the driver’s log is complete', () => job.snapshot.driverLog === 'complete');
    assert.deepEqual(lines(job.log), [
      'driverStdout: a',
      `notice: ${moved}`,
      'driverStdout: b',
      'driverStdout: c',
      `notice: ${moved}`,
      'driverStdout: d',
    ]);
  });

  it('loses and repeats nothing when a read of the driver’s log throws, and goes on with Livy meanwhile', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    const refused = new HDInsightError('NotFound', 'The gateway answered 404.', 'It is read again at the next poll.');
    driver.answers.push({ lines: [out('one'), err('two')], complete: false }, refused, refused, { lines: [out('three')], complete: false });
    const { job } = batchJob(livy, { driver });
    job.followBatch(7, 'running', APP);
    await until('the line after the failures is shown', () => job.log.some((e) => 'text' in e && e.text === 'three'));
    livy.stdout.push('launcher line while the driver’s log failed');
    await until('Livy’s line is shown', () => job.log.some((e) => 'text' in e && e.text.startsWith('launcher line')));
    const texts = lines(job.log);
    assert.deepEqual(
      texts.filter((t) => !t.startsWith('stdout')),
      [
        'driverStdout: one',
        'driverStderr: two',
        "notice: The driver's log could not be read: The gateway answered 404. It is read again at the next poll.",
        'driverStdout: three',
      ],
    );
    assert.equal(job.snapshot.state, 'running', 'a 404 from YARN is not Livy forgetting the job');
    assert.equal(job.snapshot.note, undefined);
  });

  it('gives up on the driver’s log when nothing came for the grace time after the end, and says so', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    driver.answers.push({ lines: [out('only line')], complete: false });
    const { job } = batchJob(livy, { driver, timing: { driverLogGraceMs: 150 } });
    job.followBatch(7, 'running', APP);
    await until('the line is shown', () => job.log.length === 1);
    livy.batch = { ...livy.batch, state: 'dead' };
    await until('the job gave up on the driver’s log', () => job.snapshot.driverLog === 'incomplete', 3_000);
    assert.equal(job.snapshot.state, 'failed');
    const last = job.log.at(-1)!;
    assert.equal(last.stream, 'notice');
    assert.match('text' in last ? last.text : '', /^Stopped reading the driver's log: nothing new came for 0 s after the job ended/);
    const polls = driver.polls;
    await sleep(60);
    assert.equal(driver.polls, polls, 'no more reads after giving up');
  });

  it('follows the YARN application when Livy forgets the running batch: says so once, reads on, takes the final state from YARN', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    driver.application = { state: 'RUNNING', finalStatus: 'UNDEFINED' };
    driver.answers.push({ lines: [out('before')], complete: false });
    const { job } = batchJob(livy, { driver });
    const states: string[] = [];
    job.onDidChange(() => states.at(-1) !== job.snapshot.state && states.push(job.snapshot.state));
    job.followBatch(7, 'running', APP);
    await until('the first line is shown', () => job.log.length === 1);
    livy.forgotten = true;
    await until('the job says Livy forgot it', () => job.log.length === 2);
    driver.answers.push({ lines: [out('after')], complete: false });
    await until('the next line is shown', () => job.log.length === 3);
    assert.equal(job.snapshot.state, 'running', 'the application runs on');
    driver.application = { state: 'FINISHED', finalStatus: 'SUCCEEDED' };
    driver.answers.push({ lines: [out('last')], complete: false }, { lines: [], complete: true });
    await until('the driver’s log is complete', () => job.snapshot.driverLog === 'complete');
    assert.deepEqual(lines(job.log), [
      'driverStdout: before',
      `notice: Livy no longer knows batch 7: the job follows its YARN application ${APP} for its state and the driver's log.`,
      'driverStdout: after',
      'driverStdout: last',
    ]);
    assert.equal(job.snapshot.state, 'succeeded');
    assert.ok(!states.includes('unknown'), states.join(' → '));
  });

  it('keeps a final state when Livy forgets the batch later, and without a YARN application says the state is unknown', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'starting' };
    const { job } = batchJob(livy);
    job.followBatch(7, 'starting');
    await sleep(30);
    livy.forgotten = true;
    await until('the job is unknown', () => job.snapshot.state === 'unknown');
    assert.match(job.snapshot.note ?? '', /no batch 7/);

    const ended = new ScriptedLivy();
    ended.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    const { job: done } = batchJob(ended, { driver });
    done.followBatch(7, 'running', APP);
    await until('the driver log is read', () => driver.polls > 0);
    ended.batch = { ...ended.batch, state: 'success' };
    await until('the job succeeded', () => done.snapshot.state === 'succeeded');
    ended.forgotten = true;
    driver.answers.push({ lines: [], complete: true });
    await until('the driver’s log is complete', () => done.snapshot.driverLog === 'complete');
    await sleep(50);
    assert.equal(done.snapshot.state, 'succeeded', 'a 404 after the end does not overwrite the final state');
  });

  it('ends a batch YARN killed (not the user) as failed, with YARN’s diagnostics in the note', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const driver = new ScriptedDriverLog(APP);
    driver.answers.push({ lines: [out('tick 0')], complete: false });
    const { job } = batchJob(livy, { driver });
    job.followBatch(7, 'running', APP);
    await until('the first line is shown', () => job.log.length === 1);
    driver.application = { state: 'KILLED', finalStatus: 'KILLED', diagnostics: `Application ${APP} was killed by user yarn at 10.0.0.4` };
    livy.batch = { ...livy.batch, state: 'killed' };
    await until('the job ended', () => job.ended);
    assert.equal(job.snapshot.state, 'failed');
    assert.equal(job.snapshot.note, `YARN killed the application: Application ${APP} was killed by user yarn at 10.0.0.4`);
    assert.deepEqual(lines(job.log), ['driverStdout: tick 0']);
  });

  it('says once why only Livy’s log is shown when the cluster’s gateway is not known; nothing for a local application', async () => {
    const livy = new ScriptedLivy();
    livy.batch = { id: 7, state: 'running', appId: APP };
    const why = "Only Livy's log is shown: the Livy URL is not an HDInsight gateway's.";
    const { job } = batchJob(livy, { noDriverLog: why });
    job.followBatch(7, 'running', APP);
    await until('the notice is shown', () => job.log.length === 1);
    await sleep(50);
    assert.deepEqual(lines(job.log), [`notice: ${why}`]);

    const local = new ScriptedLivy();
    local.batch = { id: 7, state: 'success', appId: 'local-1732470000000' };
    local.stdout = ['printed'];
    const { job: localJob } = batchJob(local, { noDriverLog: why, driver: new ScriptedDriverLog('local') });
    localJob.followBatch(7, 'running');
    await until('the local job ended', () => localJob.ended);
    assert.deepEqual(lines(localJob.log), ['stdout: printed']);
    assert.equal(localJob.snapshot.driverLog, undefined);
  });

  it('follows a statement’s driver lines from the statement on: what the session’s driver wrote before is let go', async () => {
    const livy = new ScriptedLivy();
    const driver = new ScriptedDriverLog(APP);
    driver.answers.push(
      { lines: [err('24/11/24 19:00:00 INFO SparkContext: session started'), out('an earlier statement’s query')], complete: false },
      { lines: [out('-------------------------------------------'), out('Batch: 0')], complete: false },
    );
    const job = new LivyJob(
      { jobId: 's', cluster: 'c', mode: 'session', language: 'python', name: 'n', livy: livy.client, driverLog: () => driver },
      FAST,
    );
    jobs.push(job);
    await job.openSessionDriverLog(livy.session);
    assert.equal(job.snapshot.appId, APP);
    job.followStatement(4, 2, new LogFollower(livy.client, 'sessions', 4));
    await until('the statement’s driver lines are shown', () => job.log.length === 2);
    livy.statement = { id: 2, state: 'available', output: { status: 'ok', data: { 'text/plain': '' } } };
    await until('the statement ended', () => job.ended);
    // The query runs on in the session: its output keeps coming into the statement's job.
    driver.answers.push({ lines: [out('Batch: 1')], complete: false });
    await until('the query’s later output is shown', () => job.log.length === 3);
    assert.deepEqual(lines(job.log), [
      'driverStdout: -------------------------------------------',
      'driverStdout: Batch: 0',
      'driverStdout: Batch: 1',
    ]);
    assert.equal(job.snapshot.driverLog, 'reading');
  });

  it('ends a statement whose session died on YARN, whatever Livy answers for the statement, keeping the driver’s lines', async () => {
    for (const answer of [
      new HDInsightError('InvalidInput', "Livy at gw answered 400 Bad Request: requirement failed: Session isn't active."),
      new HDInsightError(
        'Remote',
        'Livy at gw answered 500 Internal Server Error: java.lang.IllegalStateException: RPC channel is closed.',
      ),
    ]) {
      const livy = new ScriptedLivy();
      const driver = new ScriptedDriverLog(APP);
      const job = new LivyJob(
        { jobId: 's', cluster: 'c', mode: 'session', language: 'python', name: 'n', livy: livy.client, driverLog: () => driver },
        FAST,
      );
      jobs.push(job);
      await job.openSessionDriverLog(livy.session);
      job.followStatement(4, 2, new LogFollower(livy.client, 'sessions', 4));
      await until('the statement runs', () => job.snapshot.state === 'running');
      driver.answers.push({ lines: [out('the last line before the kill')], complete: false });
      livy.session = { ...livy.session, state: 'dead' };
      livy.statementError = answer;
      await until('the job ended', () => job.ended);
      assert.equal(job.snapshot.state, 'failed');
      assert.equal(job.snapshot.note, 'Session 4 is dead: it ended while the statement ran. The log so far is kept.');
      assert.deepEqual(lines(job.log), ['driverStdout: the last line before the kill']);
    }
  });

  it('lets go of a session driver’s long past, read over several polls, before a statement', async () => {
    const livy = new ScriptedLivy();
    const driver = new ScriptedDriverLog(APP);
    const past = (from: number, count: number): DriverLogLine[] => Array.from({ length: count }, (_, i) => out(`old row ${from + i}`));
    driver.answers.push(
      { lines: past(0, 5_000), complete: false },
      { lines: past(5_000, 5_000), complete: false },
      { lines: past(10_000, 7), complete: false },
      { lines: [out('Batch: 0')], complete: false },
    );
    const job = new LivyJob(
      { jobId: 's', cluster: 'c', mode: 'session', language: 'python', name: 'n', livy: livy.client, driverLog: () => driver },
      FAST,
    );
    jobs.push(job);
    await job.openSessionDriverLog(livy.session);
    assert.equal(driver.polls, 3, 'read until a poll brought only a few lines');
    job.followStatement(4, 2, new LogFollower(livy.client, 'sessions', 4));
    await until('the statement’s driver line is shown', () => job.log.length === 1);
    assert.deepEqual(lines(job.log), ['driverStdout: Batch: 0']);
  });
});

describe('A log4j entry’s continuation lines stay with it', () => {
  const progress = [
    '24/11/24 19:40:10 INFO MicroBatchExecution: Streaming query made progress: {',
    '  "id" : "5f0c2d6e-1b8a-4a8e-9b1e-2f5a8c0d1e2f",',
    '  "batchId" : 3,',
    '  "sources" : [ {',
    '    "description" : "KafkaV2[Subscribe[tripdata]]"',
    '  } ]',
    '}',
  ];

  function group(feed: [string, string][]): string[] {
    const grouper = new LineGrouper();
    return feed.map(([stream, text]) => {
      const e = grouper.line(stream as 'driverStderr', text);
      return 'text' in e && e.stream !== 'notice' ? `${e.level ?? '-'}${e.continued ? '+' : ' '}${e.text}` : '?';
    });
  }

  it('keeps the pretty-printed progress JSON with its INFO line, across polls and other streams’ lines', () => {
    const grouper = new LineGrouper();
    const first = progress.slice(0, 3).map((t) => grouper.line('driverStderr', t));
    const between = grouper.line('driverStdout', '+-----+');
    const rest = progress.slice(3).map((t) => grouper.line('driverStderr', t));
    const next = grouper.line('driverStderr', '24/11/24 19:40:11 INFO Executor: Finished task');
    assert.deepEqual(
      [...first, ...rest].map((e) => ('continued' in e ? (e.continued ?? false) : false)),
      [false, true, true, true, true, true, true],
    );
    assert.ok([...first, ...rest].every((e) => 'level' in e && e.level === 'info'));
    assert.deepEqual(between, { stream: 'driverStdout', text: '+-----+' });
    assert.deepEqual(next, { stream: 'driverStderr', text: '24/11/24 19:40:11 INFO Executor: Finished task', level: 'info' });
  });

  it('keeps a stack trace with its ERROR line, and a Python traceback together as an error', () => {
    assert.deepEqual(
      group([
        ['driverStderr', '24/11/24 19:40:12 ERROR Executor: Exception in task 0.0 in stage 1.0 (TID 1)'],
        ['driverStderr', 'org.apache.spark.api.python.PythonException: Traceback (most recent call last):'],
        ['driverStderr', '\tat org.apache.spark.api.python.BasePythonRunner.handlePythonException(PythonRunner.scala:559)'],
        ['driverStderr', 'Caused by: java.io.IOException: INFO in a message'],
        ['driverStderr', '\t... 12 more'],
        ['driverStderr', 'a plain line after it'],
        ['driverStdout', 'Traceback (most recent call last):'],
        ['driverStdout', '  File "/tmp/job.py", line 3, in <module>'],
        ['driverStdout', '    raise ValueError("boom")'],
        ['driverStdout', 'ValueError: boom'],
        ['driverStdout', 'count kafka=3'],
        ['driverStdout', '    indented, not part of anything'],
      ]),
      [
        'error 24/11/24 19:40:12 ERROR Executor: Exception in task 0.0 in stage 1.0 (TID 1)',
        'error+org.apache.spark.api.python.PythonException: Traceback (most recent call last):',
        'error+\tat org.apache.spark.api.python.BasePythonRunner.handlePythonException(PythonRunner.scala:559)',
        'error+Caused by: java.io.IOException: INFO in a message',
        'error+\t... 12 more',
        '- a plain line after it',
        'error Traceback (most recent call last):',
        'error+  File "/tmp/job.py", line 3, in <module>',
        'error+    raise ValueError("boom")',
        'error+ValueError: boom',
        '- count kafka=3',
        '-     indented, not part of anything',
      ],
    );
  });

  it('groups Livy’s launcher lines too, and a gap ends the entry on its stream', () => {
    const grouper = new LineGrouper();
    grouper.line('stderr', '24/11/24 19:40:01 WARN Client: Something failed');
    assert.deepEqual(grouper.line('stderr', '\tat x.y(Z.java:1)'), {
      stream: 'stderr',
      text: '\tat x.y(Z.java:1)',
      level: 'warn',
      continued: true,
    });
    assert.deepEqual(grouper.gap('stderr'), { stream: 'stderr', gap: true });
    assert.deepEqual(grouper.line('stderr', '\tat x.y(Z.java:2)'), { stream: 'stderr', text: '\tat x.y(Z.java:2)' });
    assert.deepEqual(jobLine({ stream: 'stderr', gap: true }), {
      source: 'stderr',
      text: "[lines of stderr missing: Livy's log buffer overflowed]",
      gap: true,
    });
  });
});

describe('YARN through the gateway whose /livy a job uses', () => {
  const login = { username: 'admin', password: 'secret' };

  it('is the same gateway’s /yarnui/ with the same login', () => {
    for (const [livy, yarn] of [
      ['https://contoso-spark.azurehdinsight.net/livy', 'https://contoso-spark.azurehdinsight.net/yarnui/'],
      ['https://contoso-spark.azurehdinsight.net/livy/', 'https://contoso-spark.azurehdinsight.net/yarnui/'],
      ['http://127.0.0.1:8443/clusters/contoso-spark/livy', 'http://127.0.0.1:8443/clusters/contoso-spark/yarnui/'],
    ]) {
      const endpoint = yarnEndpoint({ service: 'Livy', baseUrl: new URL(livy), login, timeoutMs: 30_000 });
      assert.equal(endpoint?.baseUrl.href, yarn);
      assert.equal(endpoint?.login, login);
      assert.equal(endpoint?.service, 'YARN');
    }
  });

  it('is not known for a Livy server reached directly', () => {
    for (const livy of ['http://livy.example.com:8998', 'https://gw.example.com/livy-server', 'https://gw.example.com/livy?x=1']) {
      assert.equal(yarnEndpoint({ service: 'Livy', baseUrl: new URL(livy), login }), undefined, livy);
    }
  });
});
