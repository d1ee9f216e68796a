import assert from 'node:assert/strict';
import type { Cluster } from '@azure/arm-hdinsight';
import { resourceManagerTarget } from '../../src/azure/clouds';
import { toAzureError } from '../../src/azure/errors';
import { gatewayUrl, isRunning, kindLabel, portalUrl, sshCommand, toCluster } from '../../src/azure/model';
import { HDInsightError } from '../../src/core/errors';

const kafka: Cluster = {
  id: '/subscriptions/sub-1/resourceGroups/streaming/providers/Microsoft.HDInsight/clusters/kafka-west',
  name: 'kafka-west',
  location: 'westeurope',
  properties: {
    clusterVersion: '5.1.3000.0',
    clusterDefinition: { kind: 'KAFKA', componentVersion: { Kafka: '3.2' } },
    clusterState: 'Running',
    provisioningState: 'Succeeded',
    computeProfile: {
      roles: [
        { name: 'headnode', targetInstanceCount: 2, hardwareProfile: { vmSize: 'Standard_E8_V3' } },
        {
          name: 'workernode',
          targetInstanceCount: 3,
          hardwareProfile: { vmSize: 'Standard_D4_V2' },
          dataDisksGroups: [{ disksPerNode: 2 }],
          virtualNetworkProfile: {
            id: '/subscriptions/sub-1/resourceGroups/streaming/providers/Microsoft.Network/virtualNetworks/vnet',
            subnet: 'vnet/subnets/default',
          },
        },
      ],
    },
    connectivityEndpoints: [
      { name: 'SSH', protocol: 'TCP', location: 'kafka-west-ssh.azurehdinsight.net', port: 22 },
      { name: 'HTTPS', protocol: 'TCP', location: 'kafka-west.azurehdinsight.net', port: 443 },
    ],
    storageProfile: { storageaccounts: [{ name: 'sa.blob.core.windows.net', container: 'kafka-west', isDefault: true }] },
  },
};

describe('Clusters as Resource Manager describes them', () => {
  it('maps kind, version, roles, endpoints, storage and network to plain data', () => {
    const c = toCluster(kafka);
    assert.equal(c.kind, 'kafka', 'kinds arrive upper-case and are compared lower-case');
    assert.equal(kindLabel(c.kind), 'Kafka');
    assert.equal(c.componentVersion, '3.2');
    assert.equal(c.subscriptionId, 'sub-1');
    assert.equal(c.resourceGroup, 'streaming');
    assert.deepEqual(c.roles[1], {
      name: 'workernode',
      count: 3,
      vmSize: 'Standard_D4_V2',
      dataDisksPerNode: 2,
      subnet: 'vnet/subnets/default',
    });
    assert.equal(c.network.virtualNetwork?.endsWith('/virtualNetworks/vnet'), true);
    assert.deepEqual(c.storage, [{ name: 'sa.blob.core.windows.net', container: 'kafka-west', fileSystem: undefined, isDefault: true }]);
    assert.equal(isRunning(c), true);
  });

  it('derives the gateway, SSH command and portal link from the endpoints', () => {
    const c = toCluster(kafka);
    assert.equal(gatewayUrl(c, 'azurehdinsight.net').href, 'https://kafka-west.azurehdinsight.net/');
    assert.equal(sshCommand(c, 'azurehdinsight.net'), 'ssh sshuser@kafka-west-ssh.azurehdinsight.net');
    const local = toCluster({
      ...kafka,
      properties: { ...kafka.properties!, connectivityEndpoints: [{ name: 'HTTPS', location: 'localhost', port: 8443 }] },
    });
    assert.equal(gatewayUrl(local, 'azurehdinsight.net').href, 'https://localhost:8443/');
    assert.equal(sshCommand(local, 'azurehdinsight.cn', 'me'), 'ssh me@kafka-west-ssh.azurehdinsight.cn');
    assert.equal(portalUrl('https://portal.azure.com', c.id), `https://portal.azure.com/#resource${c.id}/overview`);
  });

  it('knows a cluster that is not running, or still provisioning, is not usable', () => {
    const accepted = toCluster({
      ...kafka,
      properties: { ...kafka.properties!, clusterState: 'Accepted', provisioningState: 'InProgress' },
    });
    assert.equal(isRunning(accepted), false);
  });
});

describe('Resource Manager endpoints', () => {
  it('uses the cloud endpoint unless overridden, and knows loopback is local', () => {
    assert.deepEqual(resourceManagerTarget('AzureCloud', ''), {
      cloud: resourceManagerTarget('AzureCloud', undefined).cloud,
      endpoint: 'https://management.azure.com',
      scope: 'https://management.azure.com/.default',
      isLocal: false,
    });
    assert.equal(resourceManagerTarget('AzureChinaCloud', undefined).cloud.authProvider, 'microsoft-sovereign-cloud');
    const local = resourceManagerTarget('AzureCloud', 'https://localhost:8443/');
    assert.equal(local.endpoint, 'https://localhost:8443');
    assert.equal(local.isLocal, true);
    assert.equal(resourceManagerTarget('AzureCloud', 'https://azurestack.contoso.com').isLocal, false);
  });

  it('refuses a plain-http endpoint that is not loopback', () => {
    assert.throws(() => resourceManagerTarget('AzureCloud', 'http://arm.contoso.com'), /plain http/);
  });
});

describe('Azure errors the user can act on', () => {
  const rest = (statusCode: number | undefined, code?: string, message = 'x'): Error =>
    Object.assign(new Error(message), { name: 'RestError', statusCode, code });

  const cases: [Error, string, RegExp][] = [
    [rest(401, 'InvalidAuthenticationToken'), 'Unauthorized', /Sign in to Azure again/],
    [rest(403, 'AuthorizationFailed'), 'Forbidden', /AuthorizationFailed.*link the cluster/],
    [rest(404, 'ResourceNotFound', 'The Resource was not found.'), 'NotFound', /was not found.*Refresh/],
    [rest(429, 'TooManyRequests'), 'Throttled', /throttled.*Wait a minute/],
    [rest(503, 'ServiceUnavailable'), 'Remote', /answered 503/],
    [rest(undefined, 'ECONNREFUSED', 'connect ECONNREFUSED'), 'Unreachable', /could not be reached \(ECONNREFUSED\)/],
  ];
  for (const [err, code, message] of cases) {
    it(`turns ${String((err as { statusCode?: number }).statusCode ?? (err as { code?: string }).code)} into ${code}`, () => {
      const mapped = toAzureError(err, 'Listing clusters');
      assert.ok(mapped instanceof HDInsightError);
      assert.equal(mapped.code, code);
      assert.match(`${mapped.message} ${mapped.action ?? ''}`, message);
      assert.equal(mapped.cause, err, 'the original error stays available for the log');
    });
  }

  it('leaves cancellation alone', () => {
    const abort = new DOMException('aborted', 'AbortError');
    assert.equal(toAzureError(abort, 'x'), abort);
  });
});
