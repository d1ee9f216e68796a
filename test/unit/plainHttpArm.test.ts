import assert from 'node:assert/strict';
import { createAzureClient } from '../../src/azure/SdkClient';
import { HDInsightError } from '../../src/core/errors';
import { ArmEmulator, clusterId, DEV_TOKEN } from '../emulator/arm';
import { Emulator } from '../emulator/server';

const SUB = '00000000-1111-2222-3333-444444444444';

describe('A Resource Manager endpoint on plain http', function () {
  this.timeout(20_000);
  let emulator: Emulator;
  let arm: ArmEmulator;
  const devToken = { getToken: () => Promise.resolve({ token: DEV_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }) };

  beforeEach(async () => {
    emulator = new Emulator(); // no TLS: http://127.0.0.1:PORT
    await emulator.start();
    arm = new ArmEmulator(emulator);
    arm.operationMs = 300;
    arm.addSubscription({ subscriptionId: SUB, displayName: 'Streaming Dev', tenantId: 'tenant' });
    arm.addCluster({ subscriptionId: SUB, resourceGroup: 'streaming', name: 'contoso-kafka', location: 'westeurope', kind: 'kafka' });
  });
  afterEach(() => emulator.stop());

  it('works on localhost with the development token, long-running operations included', async () => {
    assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createAzureClient({ endpoint: emulator.url, scope: `${emulator.url}/.default`, credential: devToken });
    const subscriptions = await client.listSubscriptions();
    assert.deepEqual(
      subscriptions.map((s) => s.displayName),
      ['Streaming Dev'],
    );
    const { clusters } = await client.listClusters(SUB);
    assert.deepEqual(
      clusters.map((c) => c.name),
      ['contoso-kafka'],
    );
    // Resource Graph too (its SDK client is adapted the same way).
    const query = await client.queryClusters([SUB]);
    assert.deepEqual('clusters' in query ? query.clusters.map((c) => c.name) : query, ['contoso-kafka']);
    assert.ok(
      emulator.requests.some(
        (r) => /^\/providers\/Microsoft\.ResourceGraph\//i.test(r.path) && r.headers.authorization === `Bearer ${DEV_TOKEN}`,
      ),
    );
    const id = clusterId({ subscriptionId: SUB, resourceGroup: 'streaming', name: 'contoso-kafka' });
    const resized = await client.resizeCluster(id, 5);
    assert.equal(resized.name, 'contoso-kafka');
    const sent = emulator.requests.filter((r) => r.path.startsWith('/subscriptions'));
    assert.ok(sent.length >= 4, `${sent.length} requests`);
    for (const r of sent) assert.equal(r.headers.authorization, `Bearer ${DEV_TOKEN}`, `${r.method} ${r.path}`);
  });

  it('is refused before any request anywhere but loopback', () => {
    assert.throws(
      () =>
        createAzureClient({
          endpoint: 'http://management.contoso.com',
          scope: 'http://management.contoso.com/.default',
          credential: devToken,
        }),
      (err: unknown) => err instanceof HDInsightError && err.code === 'InvalidInput' && /plain http/.test(err.message),
    );
  });
});
