// YarnDriverLog on a real YARN (Hadoop 3.3.4) behind the emulated HDInsight gateway's /yarnui:
// a PySpark driver in cluster mode, its stdout and stderr read live from the NodeManager and to
// the end from the history server, with the gateway's faults injected on the way.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HDInsightError } from '../../src/core/errors';
import type { DriverLogLine, DriverLogPoll } from '../../src/livy/driverLog';
import { YarnDriverLog } from '../../src/livy/yarnDriverLog';
import { ClusterGateway } from '../emulator/gateway';
import { ensureSpark, type SparkInstall } from '../harness/spark';
import { sparkSubmitYarn, startYarn, type Yarn } from '../harness/yarn';
import type { ResolvedClusterSpec } from '../emulator/arm';
import { emulatedSparkCluster } from '../harness/sparkCluster';

const login = { username: 'admin', password: 'Driver-Log-1!' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the driver prints, in order: non-ASCII, HTML's special characters, a blank line, a line after spark.stop(). */
const printed = [
  'job started',
  'Grüße aus dem Treiber: naïve café, Ελληνικά, 北京 ✓',
  'a <b>bold</b> & "quoted" line: <&>',
  '',
  ...Array.from({ length: 10 }, (_, i) => `batch ${i}: ${i * 3} rows`),
  'rows counted: 10',
  'job done after spark.stop()',
];
const logged = 'the driver logged this line: Grüße <&>';

function driverScript(): string {
  // JSON string literals are Python string literals too.
  return [
    'import time',
    'from pyspark.sql import SparkSession',
    'spark = SparkSession.builder.getOrCreate()',
    'log = spark.sparkContext._jvm.org.apache.log4j.LogManager.getLogger("HDInsightTest")',
    ...printed.slice(0, 2).map((line) => `print(${JSON.stringify(line)}, flush=True)`),
    `log.warn(${JSON.stringify(logged)})`,
    ...printed.slice(2, 4).map((line) => `print(${JSON.stringify(line)}, flush=True)`),
    'for i in range(10):',
    '    time.sleep(1)',
    '    print(f"batch {i}: {i * 3} rows", flush=True)',
    'print(f"rows counted: {spark.range(10).count()}", flush=True)',
    'spark.stop()',
    `print(${JSON.stringify(printed.at(-1))}, flush=True)`,
    '',
  ].join('\n');
}

const sparkCluster = (): ResolvedClusterSpec => emulatedSparkCluster('driver-log', login.password);

describe('YarnDriverLog on a real YARN through the emulated gateway', function () {
  this.timeout(480_000);
  let yarn: Yarn;
  let spark: SparkInstall;
  let gateway: ClusterGateway;
  let gw: string;

  before(async function () {
    this.timeout(900_000);
    spark = ensureSpark();
    yarn = await startYarn();
    gateway = new ClusterGateway(undefined, sparkCluster(), { yarn });
    const { host, port } = await gateway.start();
    gw = `http://${host}:${port}`;
  });

  after(async () => {
    await gateway?.stop();
    await yarn?.stop();
  });

  async function submit(name: string): Promise<string> {
    const tag = `livy-batch-0-${crypto.randomBytes(4).toString('hex')}`;
    const script = path.join(yarn.dir, `${name}.py`);
    fs.writeFileSync(script, driverScript());
    const command = sparkSubmitYarn(spark, yarn, { name, tags: [tag] });
    const launcherLog = path.join(yarn.logDir, `spark-submit-${name}.log`);
    const out = fs.openSync(launcherLog, 'a');
    const child = spawn(command.command, [...command.args, script], {
      cwd: yarn.dir,
      env: { ...process.env, ...command.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, fs.readFileSync(launcherLog, 'utf8').slice(-3000));
    // Livy finds the application by its tag; so does the test, through the gateway.
    const authorization = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
      const res = await fetch(`${gw}/yarnui/ws/v1/cluster/apps?applicationTags=${tag}`, {
        headers: { authorization, accept: 'application/json' },
      });
      const body = (await res.json()) as { apps: { app?: { id: string }[] } | null };
      if (body.apps?.app?.[0]) return body.apps.app[0].id;
    }
    throw new Error(`no application under the tag ${tag}`);
  }

  it('reads the driver’s stdout and stderr live and to the end, through 403, 404, 500 and 429, nothing lost or repeated', async () => {
    const appId = await submit('driver-log');
    // The HTML pages only: their faults are what this test injects (the NodeManager's REST API,
    // where a failed read falls back to the page, is in yarnFaults.test.ts and yarnDriverLogPages.test.ts).
    const log = new YarnDriverLog({ service: 'YARN', baseUrl: new URL(`${gw}/yarnui/`), login, timeoutMs: 20_000 }, appId, {
      nodeRestApi: false,
    });
    const lines: DriverLogLine[] = [];
    const trace: string[] = [];
    const faults = ['403', '404', '500', '429'];
    const seen: Record<string, DriverLogPoll | Error> = {};
    let poll: DriverLogPoll | undefined;
    let readLive = 0;
    for (const deadline = Date.now() + 300_000; !poll?.complete; await sleep(1_000)) {
      assert.ok(Date.now() < deadline, `not complete after 300 s:\n${trace.join('\n')}`);
      // Once the driver prints, one fault per poll on the log pages (the gateway's path, NodeManager or history).
      const fault = lines.some((l) => l.stream === 'driverStdout') ? faults.shift() : undefined;
      if (fault === '403' || fault === '404')
        gateway.emulator.inject({ path: /\/stdout$/, respond: { status: Number(fault), body: 'no' }, times: 1 });
      // stderr is read after stdout: its page is the poll's second.
      if (fault === '500') gateway.emulator.inject({ path: /\/stderr$/, respond: { status: 500, body: 'gateway error' }, times: 1 });
      if (fault === '429') {
        gateway.emulator.inject({
          path: /\/stdout$/,
          respond: { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' },
          times: 1,
        });
      }
      const started = Date.now();
      try {
        poll = await log.poll();
      } catch (err) {
        trace.push(`poll failed: ${String(err)}`);
        if (fault) seen[fault] = err as Error;
        continue;
      }
      if (fault) seen[fault] = poll;
      if (fault === '429') assert.ok(Date.now() - started >= 900, 'the 429 was waited out');
      lines.push(...poll.lines);
      const app = log.application;
      if (app && !['FINISHED', 'FAILED', 'KILLED'].includes(app.state))
        readLive += poll.lines.filter((l) => l.stream === 'driverStdout').length;
      trace.push(
        `${app?.state} ${app?.logAggregationStatus}: ${poll.lines.length} lines${poll.notice ? `; ${poll.notice}` : ''}${poll.complete ? '; complete' : ''}`,
      );
    }

    const stdout = lines.filter((l) => l.stream === 'driverStdout').map((l) => l.text);
    const stderr = lines.filter((l) => l.stream === 'driverStderr').map((l) => l.text);
    assert.deepEqual(stdout, printed, trace.join('\n'));
    const warnings = stderr.filter((line) => line.includes(logged));
    assert.equal(warnings.length, 1, stderr.slice(-40).join('\n'));
    assert.match(warnings[0], /\bWARN HDInsightTest: /);
    assert.ok(readLive > 0, `nothing was read while the driver ran:\n${trace.join('\n')}`);

    // Each fault happened, and did what it should.
    assert.match((seen['403'] as DriverLogPoll).notice ?? '', /403/, trace.join('\n'));
    assert.match((seen['404'] as DriverLogPoll).notice ?? '', /404/, trace.join('\n'));
    assert.ok(seen['500'] instanceof Error && (seen['500'] as HDInsightError).code === 'Remote', trace.join('\n'));
    assert.equal((seen['429'] as DriverLogPoll).notice, undefined, trace.join('\n'));

    // The end came from the history server, through the gateway's public form.
    const requests = gateway.emulator.requests.map((r) => r.path);
    assert.ok(
      requests.some((p) => /^\/yarnui\/jobhistory\/logs\/[^/]+\/port\/\d+\/container_\w+\/container_\w+\/[^/]+\/stdout\?start=\d+/.test(p)),
      requests.filter((p) => p.includes('stdout')).join('\n'),
    );
    // Bounded reads: each poll asks from its offset, so the bytes received stay near the log's own size plus markup.
    const logBytes = Buffer.byteLength(stdout.join('\n') + stderr.join('\n'));
    process.stderr.write(
      `[driver-log] ${log.stats.requests} requests, ${log.stats.bytesReceived} bytes received for ${logBytes} bytes of log\n`,
    );
    assert.ok(log.stats.bytesReceived < logBytes * 2 + log.stats.requests * 8_000, `${log.stats.bytesReceived} bytes`);
  });
});
