import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureSpark, type SparkInstall } from '../harness/spark';
import { sparkSubmitYarn, startYarn, type Yarn } from '../harness/yarn';
import { type LogPage, parseLogPage } from '../../src/livy/yarnLogPage';
import { pollUntil } from '../harness/sparkCluster';

interface App {
  id: string;
  state: string;
  finalStatus: string;
  diagnostics: string;
  applicationTags: string;
  logAggregationStatus: string;
}

interface Attempt {
  id: number;
  containerId: string;
  nodeId: string;
  logsLink: string;
}

const terminal = new Set(['FINISHED', 'FAILED', 'KILLED']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  assert.equal(res.status, 200, `GET ${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

/** Polls until `probe` gives a value (bounded, so a stuck cluster fails instead of hanging). */
const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> => pollUntil(what, probe, timeoutMs);

/** One file of a container, read the way the job output panel will: from the byte offset read so far. */
class Follower {
  text = '';
  offset = 0;
  /** Each response, for the failure messages. */
  trace: string[] = [];
  constructor(readonly file: 'stdout' | 'stderr') {}

  url(base: string): string {
    return `${base}/${this.file}?start=${this.offset}`;
  }

  async read(url: string): Promise<{ status: number; location?: string; page?: LogPage }> {
    const res = await fetch(url, { redirect: 'manual' });
    const body = await res.text();
    if (res.status !== 200) {
      const location = res.headers.get('location') ?? undefined;
      this.trace.push(`${res.status} ${url}${location ? ` -> ${location}` : ''}`);
      return { status: res.status, location };
    }
    const page = parseLogPage(body, this.file);
    if (page.kind === 'log') {
      this.text += page.text;
      this.offset += Buffer.byteLength(page.text, 'utf8');
      this.trace.push(`200 ${url}: ${Buffer.byteLength(page.text, 'utf8')} bytes`);
    } else {
      this.trace.push(`200 ${url}: not the log (${page.title}: ${page.message.slice(0, 200)})`);
    }
    return { status: 200, page };
  }
}

/** What the driver prints, in order: non-ASCII, HTML's special characters, an empty line. */
const printed = [
  'job started',
  'Grüße aus dem Treiber: naïve café, Ελληνικά, 北京 ✓',
  'a <b>bold</b> & "quoted" line: <&>',
  '',
  ...[0, 1, 2, 3, 4, 5].map((i) => `batch ${i}: ${i * 3} rows`),
  'rows counted: 10',
  'job done',
];
const logged = 'the driver logged this line: Grüße <&>';

function driverScript(): string {
  // JSON string literals are Python string literals too. The log line goes through the driver
  // JVM's log4j (the container's stderr); Python's own stderr is merged into stdout by Spark.
  return [
    'import time',
    'from pyspark.sql import SparkSession',
    'spark = SparkSession.builder.getOrCreate()',
    'log = spark.sparkContext._jvm.org.apache.log4j.LogManager.getLogger("HDInsightTest")',
    `print(${JSON.stringify(printed[0])}, flush=True)`,
    `print(${JSON.stringify(printed[1])}, flush=True)`,
    `log.warn(${JSON.stringify(logged)})`,
    `print(${JSON.stringify(printed[2])}, flush=True)`,
    `print(${JSON.stringify(printed[3])}, flush=True)`,
    'for i in range(6):',
    '    time.sleep(1)',
    '    print(f"batch {i}: {i * 3} rows", flush=True)',
    'print(f"rows counted: {spark.range(10).count()}", flush=True)',
    // After the SparkContext stopped: the application is ending, this line comes last.
    'spark.stop()',
    `print(${JSON.stringify(printed.at(-1))}, flush=True)`,
    '',
  ].join('\n');
}

function run(command: string, args: string[], env: Record<string, string>, cwd: string, logFile: string): Promise<number | null> {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

describe('YARN (Hadoop 3.3.4, single node): a PySpark driver in cluster mode and its logs', function () {
  this.timeout(480_000);
  let yarn: Yarn;
  let spark: SparkInstall;

  before(async function () {
    // The first run fetches Hadoop's jars and installs pyspark.
    this.timeout(900_000);
    spark = ensureSpark();
    yarn = await startYarn();
  });

  after(async () => {
    await yarn?.stop();
  });

  it('serves the driver’s stdout and stderr by byte offset while it runs, then from the history server, nothing lost or repeated', async () => {
    const rm = yarn.rmWebUrl;
    const tag = `livy-batch-0-${crypto.randomBytes(4).toString('hex')}`;
    const script = path.join(yarn.dir, 'driver.py');
    fs.writeFileSync(script, driverScript());
    const submit = sparkSubmitYarn(spark, yarn, { name: 'yarn-log-test', tags: [tag] });
    const launcherLog = path.join(yarn.logDir, 'spark-submit.log');
    // spark-submit returns once YARN accepted the application (waitAppCompletion=false, as Livy sets it).
    const code = await run(submit.command, [...submit.args, script], submit.env, yarn.dir, launcherLog);
    assert.equal(code, 0, `spark-submit failed; see ${launcherLog}:\n${fs.readFileSync(launcherLog, 'utf8').slice(-3000)}`);

    // Found by its tag, as Livy finds the application it submitted.
    const apps = await until('the application under its tag', async () => {
      const body = await getJson<{ apps: { app?: App[] } | null }>(`${rm}/ws/v1/cluster/apps?applicationTags=${tag}`);
      return body.apps?.app?.length ? body.apps.app : undefined;
    });
    assert.equal(apps.length, 1);
    assert.equal(apps[0].applicationTags, tag);
    const appUrl = `${rm}/ws/v1/cluster/apps/${apps[0].id}`;
    const getApp = async (): Promise<App> => (await getJson<{ app: App }>(appUrl)).app;

    let app = await until('the application to run', async () => {
      const a = await getApp();
      assert.ok(!terminal.has(a.state), `the application ended before it ran: ${a.state} ${a.finalStatus} ${a.diagnostics}`);
      return a.state === 'RUNNING' ? a : undefined;
    });

    const attempts = (await getJson<{ appAttempts: { appAttempt: Attempt[] } }>(`${appUrl}/appattempts`)).appAttempts.appAttempt;
    const attempt = attempts.reduce((a, b) => (b.id > a.id ? b : a));
    assert.equal(attempt.logsLink, `http://${yarn.nmWebUrl}/node/containerlogs/${attempt.containerId}/${yarn.user}`);
    assert.equal(attempt.nodeId, yarn.nodeId);

    // While it runs: the NodeManager's page of each file, from the offset read so far.
    const followers = [new Follower('stdout'), new Follower('stderr')] as const;
    const [stdout, stderr] = followers;
    while (!terminal.has(app.state)) {
      for (const f of followers) await f.read(f.url(attempt.logsLink));
      await sleep(1_000);
      app = await getApp();
    }
    const readWhileRunning = stdout.text;
    const traces = (): string => followers.flatMap((f) => f.trace).join('\n');
    assert.equal(app.finalStatus, 'SUCCEEDED', `${app.state} ${app.finalStatus}: ${app.diagnostics}`);

    // After the end: once the logs are aggregated, the same URL redirects to the history server,
    // which has the rest (the last lines may exist only there).
    app = await until('the logs to be aggregated', async () => {
      const a = await getApp();
      assert.ok(!['FAILED', 'TIME_OUT'].includes(a.logAggregationStatus), `log aggregation: ${a.logAggregationStatus}`);
      return a.logAggregationStatus === 'SUCCEEDED' ? a : undefined;
    });
    for (const f of followers) {
      const cid = attempt.containerId;
      const moved = await f.read(f.url(attempt.logsLink));
      assert.equal(moved.status, 307, traces());
      assert.equal(
        moved.location,
        `${yarn.historyWebUrl}/jobhistory/logs/${yarn.nodeId}/${cid}/${cid}/${yarn.user}/${f.file}?start=${f.offset}`,
      );
      const rest = await f.read(moved.location);
      assert.equal(rest.page?.kind, 'log', traces());
    }

    assert.ok(readWhileRunning.length > 0, `nothing was read while the driver ran:\n${traces()}`);
    const expected = `${printed.join('\n')}\n`;
    assert.ok(expected.startsWith(readWhileRunning), `read while running:\n${readWhileRunning}`);
    assert.equal(stdout.text, expected, traces());
    const warnings = stderr.text.split('\n').filter((line) => line.includes(logged));
    assert.equal(warnings.length, 1, stderr.text.slice(-3000));
    assert.match(warnings[0], /\bWARN HDInsightTest: /);
  });

  it('restarts the NodeManager: the ResourceManager sees the same node RUNNING again and its pages answer', async () => {
    await yarn.restartNodeManager();
    const nodes = (await getJson<{ nodes: { node: { id: string; state: string }[] } }>(`${yarn.rmWebUrl}/ws/v1/cluster/nodes`)).nodes.node;
    assert.deepEqual(
      nodes.filter((n) => n.state === 'RUNNING').map((n) => n.id),
      [yarn.nodeId],
    );
    const info = await getJson<{ nodeInfo: { nodeHostName: string } }>(`http://${yarn.nmWebUrl}/ws/v1/node/info`);
    assert.equal(`${info.nodeInfo.nodeHostName}:${yarn.nodeId.split(':')[1]}`, yarn.nodeId);
  });

  it('stops every server and container, leaving no process and no directory behind', async () => {
    await yarn.stop();
    const left = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(yarn.dir));
    assert.deepEqual(left, []);
    assert.equal(fs.existsSync(yarn.dir), false);
  });
});
