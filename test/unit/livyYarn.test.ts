import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClusterGateway } from '../emulator/gateway';
import { LivyEmulator } from '../emulator/livy';
import { ensureSpark } from '../harness/spark';
import { startYarn, type Yarn } from '../harness/yarn';
import { parseLogPage } from '../../src/livy/yarnLogPage';
import type { ResolvedClusterSpec } from '../emulator/arm';
import { emulatedSparkCluster, pollUntil } from '../harness/sparkCluster';

const login = { username: 'admin', password: 'Livy-Yarn-1!' };
const headers = {
  authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`,
  'content-type': 'application/json',
  'x-requested-by': 'test',
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface BatchView {
  id: number;
  state: string;
  appId: string | null;
  appInfo: { driverLogUrl: string | null; sparkUiUrl: string | null };
}

const sparkCluster = (): ResolvedClusterSpec => emulatedSparkCluster('livy-yarn', login.password);

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 240_000): Promise<T> => pollUntil(what, probe, timeoutMs);

describe('Livy in YARN mode (as on HDInsight), on a real YARN behind the gateway', function () {
  this.timeout(480_000);
  let yarn: Yarn;
  let livy: LivyEmulator;
  let gateway: ClusterGateway;
  let gw: string;
  let jobDir: string;

  before(async function () {
    this.timeout(900_000);
    const spark = ensureSpark();
    yarn = await startYarn();
    jobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-livy-yarn-'));
    livy = new LivyEmulator({ spark, localDirWhitelist: [jobDir], yarn });
    gateway = new ClusterGateway(undefined, sparkCluster(), { livy, yarn });
    const { host, port } = await gateway.start();
    gw = `http://${host}:${port}`;
  });

  after(async () => {
    await gateway?.stop();
    await livy?.stop();
    await yarn?.stop();
    if (jobDir) fs.rmSync(jobDir, { recursive: true, force: true });
  });

  const submit = async (script: string, name: string): Promise<BatchView> => {
    const file = path.join(jobDir, `${name}.py`);
    fs.writeFileSync(file, script);
    const res = await fetch(`${gw}/livy/batches`, { method: 'POST', headers, body: JSON.stringify({ file, name }) });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as BatchView;
  };
  const batch = async (id: number): Promise<BatchView> => {
    const res = await fetch(`${gw}/livy/batches/${id}`, { headers });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as BatchView;
  };
  const rmState = async (appId: string): Promise<string> =>
    (
      (await (await fetch(`${yarn.rmWebUrl}/ws/v1/cluster/apps/${appId}`, { headers: { accept: 'application/json' } })).json()) as {
        app: { state: string };
      }
    ).app.state;

  it('runs a batch in cluster mode: launcher lines in its log, the driver’s prints at appInfo.driverLogUrl, starting → running → success', async () => {
    const prints = ['DRIVER-PRINT one', 'DRIVER-PRINT two', 'DRIVER-PRINT three'];
    const created = await submit(
      [
        'import time',
        'from pyspark.sql import SparkSession',
        'spark = SparkSession.builder.getOrCreate()',
        ...prints.map((p) => `print(${JSON.stringify(p)}, flush=True)\ntime.sleep(2)`),
        'spark.stop()',
        '',
      ].join('\n'),
      'yarn-batch',
    );
    assert.equal(created.state, 'starting');
    assert.equal(created.appId, null);

    const states = [created.state];
    let view = created;
    let driverStdout = '';
    while (!['success', 'dead', 'killed', 'error'].includes(view.state)) {
      await sleep(500);
      view = await batch(created.id);
      if (states.at(-1) !== view.state) states.push(view.state);
      if (view.state === 'running' && view.appInfo.driverLogUrl && !driverStdout.includes(prints[0])) {
        // Through the gateway with the cluster login, as the driver-log reader will read it.
        const res = await fetch(`${view.appInfo.driverLogUrl}/stdout?start=0`, {
          headers: { authorization: headers.authorization },
          redirect: 'manual',
        });
        if (res.status === 200) {
          const page = parseLogPage(await res.text(), 'stdout');
          if (page.kind === 'log') driverStdout = page.text;
        }
      }
    }
    assert.deepEqual(states, ['starting', 'running', 'success']);
    assert.ok(driverStdout.includes(prints[0]), `read at ${view.appInfo.driverLogUrl}: ${driverStdout}`);

    assert.match(view.appId ?? '', /^application_\d+_\d+$/);
    const [nmHost, nmPort] = yarn.nmWebUrl.split(':');
    assert.match(
      view.appInfo.driverLogUrl ?? '',
      new RegExp(`^${gw}/yarnui/${nmHost}/port/${nmPort}/node/containerlogs/container_[0-9_e]+_000001/${yarn.user}$`),
    );
    assert.equal(view.appInfo.sparkUiUrl, `${gw}/yarnui/hn/proxy/${view.appId}/`);
    assert.equal(await rmState(view.appId!), 'FINISHED');

    // Livy's log: the launcher's output only, in Livy's three parts.
    const log = ((await (await fetch(`${gw}/livy/batches/${created.id}/log?from=0&size=-1`, { headers })).json()) as { log: string[] }).log;
    assert.equal(log[0], 'stdout: ');
    assert.ok(log.includes('\nstderr: '), log.join('\n'));
    assert.ok(log.includes('\nYARN Diagnostics: '), log.join('\n'));
    assert.ok(
      log.some((line) => line.includes(view.appId!)),
      `the launcher names the application:\n${log.join('\n')}`,
    );
    assert.ok(!log.some((line) => line.includes('DRIVER-PRINT')), `the driver's prints are not in Livy's log:\n${log.join('\n')}`);
  });

  it('a driver that fails makes the batch dead, with YARN’s diagnostics in the log after "YARN Diagnostics: "', async () => {
    const created = await submit(
      [
        'from pyspark.sql import SparkSession',
        'spark = SparkSession.builder.getOrCreate()',
        'raise RuntimeError("the job broke")',
        '',
      ].join('\n'),
      'yarn-fails',
    );
    const view = await until('the batch to end', async () => {
      const v = await batch(created.id);
      return ['success', 'dead', 'killed'].includes(v.state) ? v : undefined;
    });
    assert.equal(view.state, 'dead');
    assert.equal(await rmState(view.appId!), 'FINISHED');
    const log = ((await (await fetch(`${gw}/livy/batches/${created.id}/log?from=0&size=-1`, { headers })).json()) as { log: string[] }).log;
    const diagnostics = log.slice(log.indexOf('\nYARN Diagnostics: ') + 1);
    assert.ok(diagnostics.join('\n').trim().length > 0, `YARN's diagnostics:\n${log.join('\n')}`);
  });

  it('DELETE of a running batch kills the YARN application and forgets the batch', async () => {
    const created = await submit(
      ['import time', 'from pyspark.sql import SparkSession', 'spark = SparkSession.builder.getOrCreate()', 'time.sleep(300)', ''].join(
        '\n',
      ),
      'yarn-long',
    );
    const running = await until('the batch to run', async () => {
      const v = await batch(created.id);
      assert.ok(!['dead', 'success', 'killed'].includes(v.state), v.state);
      return v.state === 'running' ? v : undefined;
    });
    const res = await fetch(`${gw}/livy/batches/${created.id}`, { method: 'DELETE', headers });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { msg: 'deleted' });
    assert.equal((await fetch(`${gw}/livy/batches/${created.id}`, { headers })).status, 404);
    await until('YARN to kill the application', async () => ((await rmState(running.appId!)) === 'KILLED' ? true : undefined), 60_000);
  });
});
