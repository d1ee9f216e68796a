import assert from 'node:assert/strict';
import https from 'node:https';
import { HDInsightManagementClient, type Role } from '@azure/arm-hdinsight';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { TokenCredential } from '@azure/identity';
import { ArmEmulator, clusterId, DEV_TOKEN, seedSandbox } from '../emulator/arm';
import { createTlsMaterial, Emulator, errorResponse, type TlsMaterial } from '../emulator/server';

const SUB = '00000000-1111-2222-3333-444444444444';
const TENANT = '11111111-2222-3333-4444-555555555555';

function credentialFor(token: string): TokenCredential {
  return { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string }; nextLink?: string; value?: unknown[] } & Record<string, unknown>;
}

describe('Azure Resource Manager in the emulator, through the real Azure SDK', function () {
  this.timeout(10_000);
  let tls: TlsMaterial;
  let emulator: Emulator;
  let arm: ArmEmulator;

  before(async function () {
    this.timeout(30_000);
    tls = await createTlsMaterial();
  });

  beforeEach(async () => {
    emulator = new Emulator(tls);
    await emulator.start();
    arm = new ArmEmulator(emulator);
    arm.addTenant({ tenantId: TENANT, displayName: 'Contoso', defaultDomain: 'contoso.onmicrosoft.com' });
    arm.addSubscription({ subscriptionId: SUB, displayName: 'Streaming Dev', tenantId: TENANT });
  });

  afterEach(() => emulator.stop());

  /** What the extension passes: the emulator as endpoint and scope, its certificate trusted; fast retries. */
  function clientOptions(maxRetries = 3) {
    return {
      endpoint: emulator.url,
      credentialScopes: [`${emulator.url}/.default`],
      tlsOptions: { ca: tls.cert },
      retryOptions: { maxRetries, retryDelayInMs: 20, maxRetryDelayInMs: 100 },
    };
  }
  const hdinsight = (token = DEV_TOKEN, maxRetries = 3) =>
    new HDInsightManagementClient(credentialFor(token), SUB, clientOptions(maxRetries));

  function raw(
    method: string,
    path: string,
    headers: Record<string, string> = { authorization: `Bearer ${DEV_TOKEN}` },
  ): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = https.request(`${emulator.url}${path}`, { method, headers, ca: tls.cert }, (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data ? (JSON.parse(data) as RawResponse['body']) : {} }),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  function addClusters(count: number, resourceGroup = 'streaming-rg'): void {
    const kinds = ['kafka', 'spark', 'hadoop'] as const;
    for (let i = 0; i < count; i++) {
      arm.addCluster({ subscriptionId: SUB, resourceGroup, name: `${resourceGroup}-c${i}`, location: 'westeurope', kind: kinds[i % 3] });
    }
  }

  it('lists my tenants and subscriptions with the real SubscriptionClient, across pages', async () => {
    arm.pageSize = 2;
    arm.addTenant({ tenantId: 'aaaaaaaa-0000-0000-0000-000000000001', displayName: 'Fabrikam', defaultDomain: 'fabrikam.onmicrosoft.com' });
    arm.addTenant({
      tenantId: 'aaaaaaaa-0000-0000-0000-000000000002',
      displayName: 'Northwind',
      defaultDomain: 'northwind.onmicrosoft.com',
    });
    for (let i = 1; i <= 4; i++) {
      arm.addSubscription({
        subscriptionId: `bbbbbbbb-0000-0000-0000-00000000000${i}`,
        displayName: `Team ${i}`,
        tenantId: TENANT,
        state: i === 4 ? 'Disabled' : undefined,
      });
    }
    const client = new SubscriptionClient(credentialFor(DEV_TOKEN), clientOptions());

    const tenants = [];
    for await (const t of client.tenants.list()) tenants.push(t);
    assert.deepEqual(
      tenants.map((t) => t.displayName),
      ['Contoso', 'Fabrikam', 'Northwind'],
    );
    assert.equal(tenants[0].id, `/tenants/${TENANT}`);
    assert.equal(tenants[0].tenantCategory, 'Home');
    assert.deepEqual(tenants[0].domains, ['contoso.onmicrosoft.com']);

    const subscriptions = [];
    for await (const s of client.subscriptions.list()) subscriptions.push(s);
    assert.equal(subscriptions.length, 5, 'five subscriptions over three pages');
    assert.equal(subscriptions[0].id, `/subscriptions/${SUB}`);
    assert.equal(subscriptions[0].state, 'Enabled');
    assert.equal(subscriptions[0].authorizationSource, 'RoleBased');
    assert.equal(subscriptions[0].subscriptionPolicies?.spendingLimit, 'Off');
    assert.equal(subscriptions[4].state, 'Disabled');

    const one = await client.subscriptions.get(SUB);
    assert.equal(one.displayName, 'Streaming Dev');
    await assert.rejects(client.subscriptions.get('99999999-0000-0000-0000-000000000000'), {
      statusCode: 404,
      code: 'SubscriptionNotFound',
    });

    const listCalls = emulator.requests.filter((r) => r.path.startsWith('/subscriptions?'));
    assert.equal(listCalls.length, 3);
    for (const call of listCalls) assert.match(call.path, /api-version=2022-12-01/, 'the installed SubscriptionClient speaks 2022-12-01');
    assert.equal(listCalls[0].headers.authorization, `Bearer ${DEV_TOKEN}`);
  });

  it('lists the clusters of a subscription across several pages, with kinds in upper case and absolute nextLinks', async () => {
    addClusters(14, 'streaming-rg');
    addClusters(9, 'analytics-rg');

    const names: string[] = [];
    const kinds = new Set<string>();
    for await (const cluster of hdinsight().clusters.list()) {
      names.push(cluster.name!);
      kinds.add(cluster.properties!.clusterDefinition.kind!);
    }
    assert.equal(names.length, 23);
    assert.deepEqual([...kinds].sort(), ['HADOOP', 'KAFKA', 'SPARK']);

    const pages = emulator.requests.filter((r) => /\/providers\/Microsoft\.HDInsight\/clusters\?/i.test(r.path));
    assert.equal(pages.length, 3, 'pages of 10, 10 and 3');
    for (const page of pages) assert.match(page.path, /[?&]api-version=2021-06-01(&|$)/);
    assert.match(pages[1].path, /\$skiptoken=/);

    const first = await raw('GET', `/subscriptions/${SUB}/providers/Microsoft.HDInsight/clusters?api-version=2021-06-01`);
    assert.equal(first.body.value?.length, 10);
    assert.ok(first.body.nextLink?.startsWith(`${emulator.url}/subscriptions/${SUB}/`), `absolute nextLink: ${first.body.nextLink}`);
    assert.match(first.body.nextLink ?? '', /api-version=2021-06-01/);
  });

  it('lists by resource group, gets one cluster as Azure shapes it, and a missing one is a 404 ResourceNotFound', async () => {
    addClusters(3, 'streaming-rg');
    addClusters(2, 'analytics-rg');
    const vnetId = `/subscriptions/${SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet`;
    const added = arm.addCluster({
      subscriptionId: SUB,
      resourceGroup: 'streaming-rg',
      name: 'kafka-in-vnet',
      location: 'westeurope',
      kind: 'kafka',
      vnet: { id: vnetId, subnet: `${vnetId}/subnets/default` },
    });
    const client = hdinsight();

    const inGroup = [];
    for await (const c of client.clusters.listByResourceGroup('Streaming-RG')) inGroup.push(c.name);
    assert.deepEqual(inGroup, ['streaming-rg-c0', 'streaming-rg-c1', 'streaming-rg-c2', 'kafka-in-vnet']);

    const cluster = await client.clusters.get('streaming-rg', 'kafka-in-vnet');
    assert.equal(cluster.id, clusterId({ subscriptionId: SUB, resourceGroup: 'streaming-rg', name: 'kafka-in-vnet' }));
    assert.equal(cluster.type, 'Microsoft.HDInsight/clusters');
    assert.equal(cluster.location, 'West Europe', 'HDInsight answers with the region display name');
    const p = cluster.properties!;
    assert.equal(p.clusterVersion, '5.1.3000.0');
    assert.equal(p.clusterDefinition.kind, 'KAFKA');
    assert.deepEqual(p.clusterDefinition.componentVersion, { Kafka: '3.2' });
    assert.equal(p.clusterState, 'Running');
    assert.equal(p.provisioningState, 'Succeeded');
    const roles = Object.fromEntries<Role>(p.computeProfile!.roles!.map((r) => [r.name!, r]));
    assert.equal(roles.headnode.targetInstanceCount, 2);
    assert.equal(roles.workernode.targetInstanceCount, 3);
    assert.equal(roles.workernode.dataDisksGroups?.[0].disksPerNode, 2);
    assert.equal(roles.zookeepernode.targetInstanceCount, 3);
    for (const role of Object.values(roles)) assert.equal(role.virtualNetworkProfile?.subnet, `${vnetId}/subnets/default`);
    assert.equal(p.quotaInfo?.coresUsed, 2 * 8 + 3 * 8 + 3 * 2);
    assert.deepEqual(
      p.connectivityEndpoints?.map((e) => [e.name, e.location, e.port]),
      [
        ['SSH', 'kafka-in-vnet-ssh.azurehdinsight.net', 22],
        ['HTTPS', 'kafka-in-vnet.azurehdinsight.net', 443],
      ],
    );
    assert.equal(p.storageProfile?.storageaccounts?.[0].isDefault, true);
    assert.match(p.storageProfile?.storageaccounts?.[0].name ?? '', /\.blob\.core\.windows\.net$/);
    assert.equal(p.minSupportedTlsVersion, '1.2');
    assert.match(p.createdDate!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/, 'HDInsight dates carry no time zone');

    const wire = await raw(
      'GET',
      `/SUBSCRIPTIONS/${SUB}/resourcegroups/STREAMING-RG/providers/microsoft.hdinsight/clusters/KAFKA-IN-VNET?API-VERSION=2021-06-01`,
    );
    assert.equal(wire.status, 200, 'ARM paths and query names are case-insensitive');
    assert.deepEqual(wire.body, added, 'addCluster returns what GET answers');

    await assert.rejects(client.clusters.get('streaming-rg', 'nope'), (err: Error & { statusCode?: number; code?: string }) => {
      assert.equal(err.name, 'RestError');
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'ResourceNotFound');
      assert.match(err.message, /Microsoft\.HDInsight\/clusters\/nope' under resource group 'streaming-rg' was not found/);
      return true;
    });
    await assert.rejects(client.clusters.get('no-such-rg', 'x'), { statusCode: 404, code: 'ResourceGroupNotFound' });

    arm.updateCluster(SUB, 'streaming-rg', 'kafka-in-vnet', { clusterState: 'Deleting', provisioningState: 'Deleting' });
    const deleting = await client.clusters.get('streaming-rg', 'kafka-in-vnet');
    assert.equal(deleting.properties?.clusterState, 'Deleting');
    assert.notEqual(deleting.etag, cluster.etag, 'a change gives a new etag');
    arm.removeCluster(SUB, 'streaming-rg', 'kafka-in-vnet');
    await assert.rejects(client.clusters.get('streaming-rg', 'kafka-in-vnet'), { statusCode: 404, code: 'ResourceNotFound' });

    const resources = new ResourceManagementClient(credentialFor(DEV_TOKEN), SUB, clientOptions());
    const groups = [];
    for await (const g of resources.resourceGroups.list()) groups.push(g.name);
    assert.deepEqual(groups.sort(), ['analytics-rg', 'streaming-rg'], 'resource groups come from the clusters');
    const created = await resources.resourceGroups.createOrUpdate('new-rg', { location: 'northeurope', tags: { purpose: 'test' } });
    assert.equal(created.id, `/subscriptions/${SUB}/resourceGroups/new-rg`);
    assert.equal((await resources.resourceGroups.get('NEW-RG')).location, 'northeurope');
    assert.equal((await resources.resourceGroups.checkExistence('new-rg')).body, true);
    assert.equal((await resources.resourceGroups.checkExistence('other-rg')).body, false);
  });

  it('reads the gateway login of a cluster, and a Reader gets 403 AuthorizationFailed', async () => {
    arm.addCluster({
      subscriptionId: SUB,
      resourceGroup: 'rg',
      name: 'spark1',
      location: 'westeurope',
      kind: 'spark',
      gatewayUsername: 'admin',
      gatewayPassword: 'Str0ng!Passw0rd',
    });
    const reader = arm.addCluster({ subscriptionId: SUB, resourceGroup: 'rg', name: 'spark2', location: 'westeurope', kind: 'spark' });
    arm.readerOnly.add(String(reader.id).toLowerCase());
    const client = hdinsight();

    const login = await client.clusters.getGatewaySettings('rg', 'spark1');
    assert.deepEqual({ ...login }, { isCredentialEnabled: 'true', userName: 'admin', password: 'Str0ng!Passw0rd' });

    await assert.rejects(client.clusters.getGatewaySettings('rg', 'spark2'), (err: Error & { statusCode?: number; code?: string }) => {
      assert.equal(err.statusCode, 403);
      assert.equal(err.code, 'AuthorizationFailed');
      assert.match(
        err.message,
        /Microsoft\.HDInsight\/clusters\/getGatewaySettings\/action' over scope '\/subscriptions\/.*\/clusters\/spark2'/,
      );
      return true;
    });
    assert.ok(arm.clusterByName('spark2')!.gatewayPassword.length >= 10, 'a generated strong password');
  });

  it('refuses a request without the dev token with 401, and one without api-version with 400', async () => {
    arm.addCluster({ subscriptionId: SUB, resourceGroup: 'rg', name: 'kafka1', location: 'westeurope', kind: 'kafka' });

    await assert.rejects(hdinsight('an-expired-token').clusters.get('rg', 'kafka1'), {
      statusCode: 401,
      code: 'InvalidAuthenticationToken',
    });

    const anonymous = await raw('GET', `/subscriptions/${SUB}?api-version=2022-12-01`, {});
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error?.code, 'AuthenticationFailed');
    assert.match(String(anonymous.headers['www-authenticate']), /^Bearer authorization_uri=".*", error="invalid_token"/);

    const noVersion = await raw('GET', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.HDInsight/clusters/kafka1`);
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.body.error?.code, 'MissingApiVersionParameter');
  });

  it('is retried by the SDK after throttling (429 with Retry-After), and surfaces a 500 that outlasts the retries', async () => {
    arm.addCluster({ subscriptionId: SUB, resourceGroup: 'rg', name: 'kafka1', location: 'westeurope', kind: 'kafka' });
    const client = hdinsight(DEV_TOKEN, 2);
    const clusterPath = /\/clusters\/kafka1$/i;

    arm.throttle({ times: 1, retryAfterSeconds: 1, path: clusterPath });
    const started = Date.now();
    const cluster = await client.clusters.get('rg', 'kafka1');
    assert.equal(cluster.name, 'kafka1');
    assert.ok(Date.now() - started >= 900, 'the SDK waited for Retry-After');
    assert.equal(emulator.requests.filter((r) => clusterPath.test(r.path.split('?')[0])).length, 2);

    emulator.requests.length = 0;
    emulator.inject({ path: clusterPath, times: 3, respond: errorResponse(500, 'InternalServerError', 'Something went wrong.') });
    await assert.rejects(client.clusters.get('rg', 'kafka1'), { name: 'RestError', statusCode: 500, code: 'InternalServerError' });
    assert.equal(emulator.requests.length, 3, 'one try and two retries');
    assert.equal((await client.clusters.get('rg', 'kafka1')).name, 'kafka1', 'the fault is gone after three hits');
  });

  it('seeds a sandbox with several subscriptions and clusters of three kinds in several states', async () => {
    const seed = seedSandbox(arm);
    assert.equal(seed.tenants.length, 2);
    assert.ok(seed.subscriptions.length >= 3);
    const kinds = new Set(seed.clusters.map((c) => c.kind));
    assert.ok(['kafka', 'spark', 'hadoop'].every((k) => kinds.has(k as 'kafka')));
    assert.ok(new Set(seed.clusters.map((c) => c.clusterState)).size >= 2);
    assert.ok(new Set(seed.clusters.map((c) => c.location)).size >= 2);

    const client = new SubscriptionClient(credentialFor(DEV_TOKEN), clientOptions());
    const listed = [];
    for await (const s of client.subscriptions.list()) listed.push(s.subscriptionId);
    for (const s of seed.subscriptions) assert.ok(listed.includes(s.subscriptionId));

    const reader = seed.clusters.find((c) => seed.readerOnly.includes(c.subscriptionId))!;
    const hdi = new HDInsightManagementClient(credentialFor(DEV_TOKEN), reader.subscriptionId, clientOptions());
    await assert.rejects(hdi.clusters.getGatewaySettings(reader.resourceGroup, reader.name), { statusCode: 403 });
  });
});
