import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ClusterGateway } from '../emulator/gateway';
import { ensureSpark, type SparkInstall } from '../harness/spark';
import { sparkSubmitYarn, startYarn, type Yarn } from '../harness/yarn';
import { parseLogPage } from '../../src/livy/yarnLogPage';
import type { ResolvedClusterSpec } from '../emulator/arm';
import { emulatedSparkCluster, pollUntil } from '../harness/sparkCluster';

const login = { username: 'admin', password: 'Gateway-Yarn-1!' };
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const auth = { authorization: basic(login.username, login.password) };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const terminal = new Set(['FINISHED', 'FAILED', 'KILLED']);

interface App {
  id: string;
  state: string;
  finalStatus: string;
  diagnostics: string;
  logAggregationStatus: string;
  amContainerLogs: string;
}
interface Attempt {
  id: number;
  containerId: string;
  nodeId: string;
  logsLink: string;
}

const sparkCluster = (): ResolvedClusterSpec => emulatedSparkCluster('yarn-spark', login.password);

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> => pollUntil(what, probe, timeoutMs);

const printed = ['driver says hello', 'Grüße <&> "quoted"', ...[0, 1, 2, 3].map((i) => `tick ${i}`), 'rows: 5', 'bye after stop'];

function driverScript(): string {
  return [
    'import time',
    'from pyspark.sql import SparkSession',
    'spark = SparkSession.builder.getOrCreate()',
    `print(${JSON.stringify(printed[0])}, flush=True)`,
    `print(${JSON.stringify(printed[1])}, flush=True)`,
    'for i in range(4):',
    '    time.sleep(1.5)',
    '    print(f"tick {i}", flush=True)',
    'print(f"rows: {spark.range(5).count()}", flush=True)',
    'spark.stop()',
    `print(${JSON.stringify(printed.at(-1))}, flush=True)`,
    '',
  ].join('\n');
}

describe('The cluster gateway’s /yarnui paths on a real YARN (Hadoop 3.3.4)', function () {
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

  const get = (url: string, headers: Record<string, string> = auth): Promise<Response> => fetch(url, { headers, redirect: 'manual' });
  const getJson = async <T>(url: string): Promise<T> => {
    const res = await get(url, { ...auth, accept: 'application/json' });
    assert.equal(res.status, 200, `GET ${url}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };

  it('reads a cluster-mode driver’s stdout through /yarnui with the cluster login, passes the 307 on with a public Location, and refuses without the login', async () => {
    const tag = `livy-batch-0-${crypto.randomBytes(4).toString('hex')}`;
    const script = path.join(yarn.dir, 'gateway-driver.py');
    fs.writeFileSync(script, driverScript());
    const submit = sparkSubmitYarn(spark, yarn, { name: 'gateway-test', tags: [tag] });
    const launcherLog = path.join(yarn.logDir, 'spark-submit-gateway.log');
    const out = fs.openSync(launcherLog, 'a');
    const child = spawn(submit.command, [...submit.args, script], {
      cwd: yarn.dir,
      env: { ...process.env, ...submit.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, fs.readFileSync(launcherLog, 'utf8').slice(-3000));

    // The ResourceManager's REST through the gateway, found by tag.
    const app0 = await until('the application under its tag', async () => {
      const body = await getJson<{ apps: { app?: App[] } | null }>(`${gw}/yarnui/ws/v1/cluster/apps?applicationTags=${tag}`);
      return body.apps?.app?.[0];
    });
    const appPath = `/ws/v1/cluster/apps/${app0.id}`;
    let app = await until('the application to run', async () => {
      const a = (await getJson<{ app: App }>(`${gw}/yarnui${appPath}`)).app;
      assert.ok(!terminal.has(a.state), `ended before running: ${a.state} ${a.diagnostics}`);
      return a.state === 'RUNNING' ? a : undefined;
    });
    // Internal URLs stay as YARN gives them: the client maps them.
    assert.match(app.amContainerLogs, new RegExp(`^http://${yarn.nmWebUrl}/node/containerlogs/`));
    const attempts = (await getJson<{ appAttempts: { appAttempt: Attempt[] } }>(`${gw}/yarnui${appPath}/appattempts`)).appAttempts
      .appAttempt;
    const attempt = attempts.reduce((a, b) => (b.id > a.id ? b : a));
    const cid = attempt.containerId;
    const [nmHost, nmPort] = yarn.nmWebUrl.split(':');
    const withPort = `${gw}/yarnui/${nmHost}/port/${nmPort}/node/containerlogs/${cid}/${yarn.user}`;
    assert.equal(attempt.logsLink, `http://${yarn.nmWebUrl}/node/containerlogs/${cid}/${yarn.user}`);

    // Refused without the login, or with a wrong one; never reaching YARN.
    assert.equal((await get(`${withPort}/stdout?start=0`, {})).status, 401);
    assert.equal((await get(`${withPort}/stdout?start=0`, { authorization: basic('admin', 'wrong') })).status, 403);
    // The port-less form: a bare host name at the default port; a name with a domain or another port: 404.
    const portless = await get(`${gw}/yarnui/${nmHost}/node/containerlogs/${cid}/${yarn.user}/stdout?start=0`);
    assert.equal(portless.status, 200);
    assert.equal(parseLogPage(await portless.text(), 'stdout').kind, 'log');
    assert.equal(
      (await get(`${gw}/yarnui/${nmHost}.cluster.internal.cloudapp.net/node/containerlogs/${cid}/${yarn.user}/stdout`)).status,
      404,
    );
    assert.equal((await get(`${gw}/yarnui/${nmHost}/port/1/node/containerlogs/${cid}/${yarn.user}/stdout`)).status, 404);
    // The application's page on the ResourceManager.
    const page = await get(`${gw}/yarnui/hn/cluster/app/${app.id}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(app.id));

    // While it runs: stdout by byte offset through the gateway, with one injected fault of each kind on the way.
    let text = '';
    let offset = 0;
    const trace: string[] = [];
    const read = async (url: string): Promise<Response> => {
      const res = await get(url);
      if (res.status === 200) {
        const parsed = parseLogPage(await res.text(), 'stdout');
        if (parsed.kind === 'log') {
          text += parsed.text;
          offset += Buffer.byteLength(parsed.text, 'utf8');
        }
        trace.push(`200 ${url} ${parsed.kind}`);
      } else trace.push(`${res.status} ${url} ${res.headers.get('location') ?? ''}`);
      return res;
    };
    const faults: { status: number; headers?: Record<string, string> }[] = [
      { status: 403 },
      { status: 404 },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 503 },
    ];
    while (!terminal.has(app.state)) {
      const fault = faults.shift();
      if (fault) {
        gateway.emulator.inject({
          path: /^\/yarnui\/.*\/containerlogs\//,
          times: 1,
          respond: { status: fault.status, headers: fault.headers, body: 'injected' },
        });
        const res = await read(`${withPort}/stdout?start=${offset}`);
        assert.equal(res.status, fault.status);
        if (fault.headers) assert.equal(res.headers.get('retry-after'), '1');
      }
      await read(`${withPort}/stdout?start=${offset}`);
      await sleep(1_000);
      app = (await getJson<{ app: App }>(`${gw}/yarnui${appPath}`)).app;
    }
    assert.equal(app.finalStatus, 'SUCCEEDED', app.diagnostics);
    assert.ok(text.length > 0, trace.join('\n'));

    // After the end: the NodeManager's 307 reaches the client with the gateway's public Location.
    await until('the logs to be aggregated', async () => {
      const a = (await getJson<{ app: App }>(`${gw}/yarnui${appPath}`)).app;
      return a.logAggregationStatus === 'SUCCEEDED' ? a : undefined;
    });
    const moved = await read(`${withPort}/stdout?start=${offset}`);
    assert.equal(moved.status, 307, trace.join('\n'));
    const [nodeHost, nodeRpc] = yarn.nodeId.split(':');
    const location = `${gw}/yarnui/jobhistory/logs/${nodeHost}/port/${nodeRpc}/${cid}/${cid}/${yarn.user}/stdout?start=${offset}`;
    assert.equal(moved.headers.get('location'), location);
    assert.equal((await get(location, {})).status, 401, 'the history server’s pages need the login too');
    const rest = await read(location);
    assert.equal(rest.status, 200, trace.join('\n'));
    assert.equal(text, `${printed.join('\n')}\n`, trace.join('\n'));

    // Byte for byte: the gateway's answer is the ResourceManager's.
    const direct = await (await fetch(`${yarn.rmWebUrl}${appPath}/appattempts`, { headers: { accept: 'application/json' } })).arrayBuffer();
    const through = await (await get(`${gw}/yarnui${appPath}/appattempts`, { ...auth, accept: 'application/json' })).arrayBuffer();
    assert.deepEqual(Buffer.from(through), Buffer.from(direct));
  });

  it('answers 404 for paths it cannot map', async () => {
    assert.equal((await get(`${gw}/yarnui/wn9-other/port/30060/node/containerlogs/c/u/stdout`)).status, 404);
    assert.equal((await get(`${gw}/yarnui`)).status, 404);
  });
});
