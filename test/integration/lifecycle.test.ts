import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, children, control, find, text, useEmulatedAzure } from './helpers';

const DEV = 'Contoso Streaming Dev';

interface Recorded {
  method: string;
  path: string;
  body: string;
}

const requests = async (pattern: string): Promise<Recorded[]> =>
  (await control(`requests?path=${encodeURIComponent(pattern)}`, 'GET')) as Recorded[];

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

  it('deletes a cluster: DELETE, the Location polled until Azure is done, and the cluster leaves the tree', async () => {
    await control('requests', 'DELETE');
    const result = await vscode.commands.executeCommand<{ id: string; deleted: boolean }>('hdinsight.deleteCluster', {
      cluster: 'contoso-spark-etl',
    });
    assert.equal(result.deleted, true);
    const sent = await requests('/clusters/contoso-spark-etl');
    assert.ok(sent.some((r) => r.method === 'DELETE' && /api-version=2021-06-01/.test(r.path)));
    assert.ok((await requests('/operationresults/')).length >= 1, 'the operation was polled at its Location');
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    const clusters = text(await children(api, (await find(api, DEV)).node));
    assert.ok(!clusters.some((c) => c.startsWith('contoso-spark-etl')), clusters.join('\n'));
  });

  it('says so when the Reader role may not delete, and leaves the cluster as it was', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.deleteCluster', { cluster: 'contoso-prod-spark' })),
      /authoriz|permission|not allowed/i,
    );
  });
});
