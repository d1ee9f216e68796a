import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_PASSWORDS } from '../fixtures/secrets';
import {
  activateExtension,
  children,
  control,
  createClusterArgs,
  eventually,
  find,
  requests,
  settled,
  text,
  useEmulatedAzure,
} from './helpers';

const DEV = 'Contoso Streaming Dev';

describe('Resizing and deleting clusters (long-running operations against the emulated Resource Manager)', function () {
  this.timeout(120_000);
  useEmulatedAzure();
  before(async () => {
    await activateExtension();
    await control('operations', 'PUT', { durationMs: 2_500 });
  });
  afterEach(() => control('operations', 'PUT', { durationMs: 2_500 }));

  it('resizes the worker role and waits for Azure to finish; the properties show the new count', async () => {
    await control('requests', 'DELETE');
    const result = await vscode.commands.executeCommand<{ id: string; workerCount: number }>('hdinsight.resizeCluster', {
      cluster: 'contoso-kafka',
      workerCount: 5,
    });
    assert.equal(result.workerCount, 5);
    assert.match(result.id, /\/resourceGroups\/[^/]+\/providers\/Microsoft\.HDInsight\/clusters\/contoso-kafka$/i);
    const [resize] = await requests('/roles/workernode/resize');
    assert.equal(resize.method, 'POST');
    assert.match(resize.path, /api-version=2021-06-01/);
    assert.deepEqual(JSON.parse(resize.body), { targetInstanceCount: 5 });
    assert.ok((await requests('/azureasyncoperations/')).length >= 1, 'the operation was polled as Azure-AsyncOperation says');
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    await settled(api); // Azure's answer, not the last-known rows shown meanwhile
    const roles = text(await children(api, (await find(api, DEV, 'contoso-kafka', 'Properties', 'Roles')).node));
    assert.ok(
      roles.some((r) => /^workernode — 5 × \S+, 2 data disks each$/.test(r)),
      roles.join('\n'),
    );
  });

  it('rides out throttling (429 with Retry-After) on the request', async () => {
    await control('requests', 'DELETE');
    await control('faults', 'POST', {
      method: 'POST',
      path: '/roles/workernode/resize',
      status: 429,
      code: 'SubscriptionRequestsThrottled',
      headers: { 'retry-after': '1' },
      times: 1,
    });
    const result = await vscode.commands.executeCommand<{ workerCount: number }>('hdinsight.resizeCluster', {
      cluster: 'contoso-kafka',
      workerCount: 3,
    });
    assert.equal(result.workerCount, 3);
    assert.equal((await requests('/roles/workernode/resize')).length, 2, 'one throttled, one accepted');
  });

  it('says what Azure said when the operation ends Failed', async () => {
    await control('operations', 'PUT', {
      failNext: { code: 'InsufficientCores', message: 'The subscription has no cores left in West Europe.' },
    });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.resizeCluster', { cluster: 'contoso-kafka', workerCount: 8 })),
      /InsufficientCores|no cores left/,
    );
  });

  it('refuses a worker count out of range, and a cluster that is not running, before any request', async () => {
    await control('requests', 'DELETE');
    for (const workerCount of [0, 501, 2.5, 'many']) {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('hdinsight.resizeCluster', { cluster: 'contoso-kafka', workerCount })),
        /The worker count must be a whole number from 1 to 500/,
      );
    }
    assert.deepEqual(await requests('/resize'), []);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.resizeCluster', { cluster: 'contoso-spark-etl', workerCount: 2 })),
      /contoso-spark-etl is Accepted; only a running cluster can be resized/,
    );
  });

  it('a script deletes nothing unless it names the cluster twice', async () => {
    await control('requests', 'DELETE');
    for (const confirm of ['wrong', 'contoso-spark-et', 'CONTOSO-SPARK-ETL', '']) {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('hdinsight.deleteCluster', { cluster: 'contoso-spark-etl', confirm })),
        (err: Error) => {
          assert.equal(
            err.message,
            `Not deleted: "confirm" must repeat the name contoso-spark-etl exactly (it was ${JSON.stringify(confirm)}).`,
          );
          assert.equal((err as { action?: string }).action, 'Pass "confirm": "contoso-spark-etl" to delete cluster contoso-spark-etl.');
          return true;
        },
      );
    }
    assert.deepEqual(
      (await requests('/clusters/contoso-spark-etl')).filter((r) => r.method === 'DELETE'),
      [],
      'no DELETE reached Azure',
    );
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    assert.ok(
      text(await children(api, (await find(api, DEV)).node)).some((c) => c.startsWith('contoso-spark-etl')),
      'the cluster is still there',
    );
  });

  it('deletes a cluster: DELETE, the Location polled until Azure is done, and the cluster leaves the tree', async () => {
    await control('requests', 'DELETE');
    const result = await vscode.commands.executeCommand<{ id: string; deleted: boolean }>('hdinsight.deleteCluster', {
      cluster: 'contoso-spark-etl',
      confirm: 'contoso-spark-etl',
    });
    assert.equal(result.deleted, true);
    const sent = await requests('/clusters/contoso-spark-etl');
    assert.ok(sent.some((r) => r.method === 'DELETE' && /api-version=2021-06-01/.test(r.path)));
    assert.ok((await requests('/operationresults/')).length >= 1, 'the operation was polled at its Location');
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    await settled(api);
    const clusters = text(await children(api, (await find(api, DEV)).node));
    assert.ok(!clusters.some((c) => c.startsWith('contoso-spark-etl')), clusters.join('\n'));
  });

  it('says so when the Reader role may not delete, and leaves the cluster as it was', async () => {
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('hdinsight.deleteCluster', { cluster: 'contoso-prod-spark', confirm: 'contoso-prod-spark' }),
      ),
      /authoriz|permission|not allowed/i,
    );
  });

  describe('creating a cluster', () => {
    const plan = createClusterArgs;
    const create = (arg: Record<string, unknown>): Promise<{ id: string; state: string }> =>
      Promise.resolve(vscode.commands.executeCommand<{ id: string; state: string }>('hdinsight.createCluster', arg));

    it('checks the name, validates, reads the quota, then creates; the tree shows it creating, then running', async () => {
      await control('requests', 'DELETE');
      await control('operations', 'PUT', { durationMs: 6_000 });
      const api = await activateExtension();
      const creating = create(plan('contoso-kafka-new'));
      await eventually(
        async () => {
          await vscode.commands.executeCommand('hdinsight.refresh');
          const clusters = text(await children(api, (await find(api, DEV)).node));
          assert.ok(
            clusters.some((c) => /^contoso-kafka-new — Kafka 3\.2 · Accepted/.test(c)),
            clusters.join('\n'),
          );
        },
        20_000,
        500,
      );
      const created = await creating;
      assert.equal(created.state, 'Running');
      assert.match(created.id, /\/resourceGroups\/streaming-rg\/providers\/Microsoft\.HDInsight\/clusters\/contoso-kafka-new$/i);
      const order = (await requests('/locations/|/clusters/contoso-kafka-new')).map(
        (r) => `${r.method} ${r.path.split('?')[0].split('/').slice(-1)[0]}`,
      );
      assert.deepEqual(order.slice(0, 2).sort(), ['GET billingSpecs', 'GET capabilities'], 'what the region offers, read together');
      assert.equal(order[2], 'POST checkNameAvailability');
      assert.deepEqual(order.slice(3, 5).sort(), ['GET billingSpecs', 'GET usages'], 'usages and billing specs, read together');
      assert.deepEqual(order.slice(5, 7), ['POST validateCreateRequest', 'PUT contoso-kafka-new']);
      const [put] = (await requests('/clusters/contoso-kafka-new')).filter((r) => r.method === 'PUT');
      const body = JSON.parse(put.body) as {
        properties: {
          clusterVersion: string;
          computeProfile: { roles: { name: string; targetInstanceCount: number; dataDisksGroups?: unknown[] }[] };
        };
      };
      assert.equal(body.properties.clusterVersion, '5.1');
      assert.deepEqual(
        body.properties.computeProfile.roles.map((r) => [r.name, r.targetInstanceCount, !!r.dataDisksGroups]),
        [
          ['headnode', 2, false],
          ['workernode', 3, true],
          ['zookeepernode', 3, false],
        ],
      );
    });

    it('refuses bad input before any request, without repeating a password', async () => {
      await control('requests', 'DELETE');
      const cases: [Record<string, unknown>, RegExp][] = [
        [plan('9-lives'), /not a valid cluster name/],
        [plan('weak-login', { clusterLogin: { username: 'admin', password: 'short' } }), /at least 10 characters/],
        [plan('few-brokers', { workerCount: 2 }), /Kafka cluster needs 3 to 500 worker nodes/],
        [plan('same-users', { ssh: { username: 'admin', password: TEST_PASSWORDS.createdSsh } }), /SSH user must differ/],
      ];
      for (const [arg, message] of cases) {
        await assert.rejects(create(arg), (err: Error) => message.test(err.message) && !err.message.includes(TEST_PASSWORDS.created));
      }
      assert.deepEqual(await requests('/locations/|/clusters/'), []);
    });

    it('stops before creating when the quota is exceeded, and says by how much', async () => {
      await control('quota', 'PUT', { coreLimit: 60 });
      try {
        await assert.rejects(create(plan('over-quota')), /QuotaExceeded|cores/);
        assert.deepEqual(
          (await requests('/clusters/over-quota')).filter((r) => r.method === 'PUT'),
          [],
        );
      } finally {
        await control('quota', 'PUT', {});
      }
    });

    it('says so when the name is taken between the check and the creation', async () => {
      await control('taken-names', 'POST', { name: 'contoso-raced' });
      await assert.rejects(create(plan('contoso-raced')), /not available/);
    });

    it('says what Azure said when the creation ends Failed, and the cluster shows its error', async () => {
      await control('operations', 'PUT', { failNext: { code: 'VmProvisioningFailed', message: 'Worker VMs could not be allocated.' } });
      await assert.rejects(create(plan('contoso-unlucky')), /VmProvisioningFailed|could not be allocated|ended Error/);
    });
  });
});
