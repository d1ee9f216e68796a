import assert from 'node:assert/strict';
import {
  type ClusterPlan,
  CREATABLE_KINDS,
  createRequest,
  estimatedCores,
  pairPlans,
  validateClusterName,
  validateClusterPassword,
  validateSshLogin,
  validateWorkers,
} from '../../src/azure/createRequest';
import { InvalidInputError } from '../../src/core/errors';

const PASSWORD = 'Str0ng!Passw0rd';
const base: Omit<ClusterPlan, 'name' | 'kind' | 'workerCount' | 'network'> = {
  location: 'westeurope',
  clusterLogin: { username: 'admin', password: PASSWORD },
  ssh: { username: 'sshuser', publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG2m0n0k3y user@host' },
  storage: { accountName: 'contosostreams', key: 'c3RvcmFnZS1rZXk=' },
};
type Role = {
  name: string;
  targetInstanceCount: number;
  dataDisksGroups?: { disksPerNode: number }[];
  virtualNetworkProfile?: { id: string; subnet: string };
};
const rolesOf = (request: Record<string, unknown>): Role[] =>
  (request.properties as { computeProfile: { roles: Role[] } }).computeProfile.roles;

describe('Creating clusters: the request and the checks before it', () => {
  it('refuses names HDInsight refuses, with the rule', () => {
    for (const bad of ['ab', 'a'.repeat(60), '1cluster', 'cluster-', 'my_cluster', 'clüster']) {
      assert.throws(() => validateClusterName(bad), InvalidInputError, bad);
    }
    assert.equal(validateClusterName('contoso-kafka-01'), 'contoso-kafka-01');
  });

  it('checks the cluster login password by HDInsight rules, never echoing it', () => {
    const cases: [string, RegExp][] = [
      ['Short1!', /at least 10 characters/],
      ['nouppercase1!', /an upper-case letter/],
      ['NoDigitsHere!', /a digit/],
      ['NoSymbols123A', /a character that is not a letter or digit/],
      ['Quote"Inside1a', /cannot contain/],
    ];
    for (const [password, message] of cases) {
      assert.throws(
        () => validateClusterPassword(password),
        (err: Error) => message.test(err.message) && !err.message.includes(password),
      );
    }
    assert.equal(validateClusterPassword(PASSWORD), PASSWORD);
  });

  it('checks the SSH login: a user other than the cluster login, and a strong password or an OpenSSH key', () => {
    assert.throws(() => validateSshLogin({ username: 'admin', password: 'Abc123!x' }, 'admin'), /must differ/);
    assert.throws(() => validateSshLogin({ username: 'sshuser', password: 'abcdef' }, 'admin'), /3 of/);
    assert.throws(() => validateSshLogin({ username: 'sshuser', publicKey: 'not a key' }, 'admin'), /OpenSSH format/);
    assert.doesNotThrow(() => validateSshLogin({ username: 'sshuser', password: 'Abc123!x' }, 'admin'));
  });

  it('checks worker counts per kind', () => {
    assert.throws(() => validateWorkers('kafka', 2), /Kafka cluster needs 3 to 500 worker nodes/);
    assert.throws(() => validateWorkers('spark', 0), /Spark cluster needs 1 to 500/);
    assert.throws(() => validateWorkers('spark', 501), /1 to 500/);
    assert.equal(validateWorkers('spark', 1), 1);
  });

  it('builds a Kafka cluster: version 5.1, head, worker (with data disks) and ZooKeeper roles, the gateway login, default storage', () => {
    const request = createRequest({ ...base, name: 'contoso-kafka-01', kind: 'kafka', workerCount: 4 });
    const properties = request.properties as {
      clusterVersion: string;
      osType: string;
      clusterDefinition: { componentVersion: Record<string, string>; configurations: { gateway: Record<string, unknown> } };
      storageProfile: { storageaccounts: Record<string, unknown>[] };
    };
    assert.equal(properties.clusterVersion, '5.1');
    assert.equal(properties.osType, 'Linux');
    assert.deepEqual(properties.clusterDefinition.componentVersion, { Kafka: '3.2' });
    assert.equal(properties.clusterDefinition.configurations.gateway['restAuthCredential.username'], 'admin');
    assert.deepEqual(
      rolesOf(request).map((r) => [r.name, r.targetInstanceCount, r.dataDisksGroups?.[0]?.disksPerNode]),
      [
        ['headnode', 2, undefined],
        ['workernode', 4, 2],
        ['zookeepernode', 3, undefined],
      ],
    );
    assert.deepEqual(properties.storageProfile.storageaccounts[0], {
      name: 'contosostreams.blob.core.windows.net',
      isDefault: true,
      container: 'contoso-kafka-01',
      key: 'c3RvcmFnZS1rZXk=',
    });
    assert.equal(
      rolesOf(request).every((r) => !r.virtualNetworkProfile),
      true,
    );
  });

  it("builds the tutorial's pair: every role of both clusters in the one subnet", () => {
    const vnet = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/streaming-vnet';
    const [spark, kafka] = pairPlans(base, { spark: 'contoso-spark-01', kafka: 'contoso-kafka-01' }, { id: vnet }).map(createRequest);
    for (const request of [spark, kafka]) {
      assert.ok(
        rolesOf(request).every((r) => r.virtualNetworkProfile?.id === vnet && r.virtualNetworkProfile.subnet === `${vnet}/subnets/default`),
      );
    }
    assert.equal(rolesOf(spark).find((r) => r.name === 'workernode')?.targetInstanceCount, 4);
    assert.equal(rolesOf(kafka).find((r) => r.name === 'workernode')?.targetInstanceCount, 3);
    const cores = { Standard_E8_V3: 8, Standard_E4_V3: 4, Standard_D4_V2: 8, Standard_A4_V2: 4, Standard_A2_V2: 2 } as Record<
      string,
      number
    >;
    assert.equal(
      estimatedCores(spark, (s) => cores[s]),
      2 * 8 + 4 * 8 + 3 * 2,
    );
    assert.equal(
      estimatedCores(kafka, (s) => cores[s]),
      2 * 4 + 3 * 8 + 3 * 4,
    );
  });

  it('builds Hadoop, Interactive Query and HBase clusters: their component, head, worker and ZooKeeper roles, no data disks', () => {
    const expected = { hadoop: { Hadoop: '3.3' }, interactivehive: { InteractiveHive: '3.1' }, hbase: { HBase: '2.4' } } as const;
    for (const kind of ['hadoop', 'interactivehive', 'hbase'] as const) {
      const request = createRequest({ ...base, name: `contoso-${kind}`, kind, workerCount: 2 });
      const definition = (request.properties as { clusterDefinition: { kind: string; componentVersion: Record<string, string> } })
        .clusterDefinition;
      assert.equal(definition.kind, kind);
      assert.deepEqual(definition.componentVersion, expected[kind]);
      assert.deepEqual(
        rolesOf(request).map((r) => [r.name, r.targetInstanceCount, r.dataDisksGroups]),
        [
          ['headnode', 2, undefined],
          ['workernode', 2, undefined],
          ['zookeepernode', 3, undefined],
        ],
      );
    }
    assert.deepEqual(CREATABLE_KINDS, ['kafka', 'spark', 'hadoop', 'interactivehive', 'hbase']);
  });

  it("takes the region's component version and the chosen sizes", () => {
    const request = createRequest({
      ...base,
      name: 'contoso-spark-02',
      kind: 'spark',
      workerCount: 2,
      componentVersion: '3.4',
      headNodeSize: 'Standard_E16_V3',
      workerNodeSize: 'Standard_E4_V3',
    });
    const properties = request.properties as {
      clusterDefinition: { componentVersion: Record<string, string> };
      computeProfile: { roles: { name: string; hardwareProfile: { vmSize: string } }[] };
    };
    assert.deepEqual(properties.clusterDefinition.componentVersion, { Spark: '3.4' });
    assert.deepEqual(
      properties.computeProfile.roles.map((r) => [r.name, r.hardwareProfile.vmSize]),
      [
        ['headnode', 'Standard_E16_V3'],
        ['workernode', 'Standard_E4_V3'],
        ['zookeepernode', 'Standard_A2_V2'],
      ],
    );
  });

  it('refuses a kind it cannot build and a size that is not a VM size name', () => {
    assert.throws(
      () => createRequest({ ...base, name: 'contoso-storm', kind: 'storm' as never, workerCount: 2 }),
      /"kind" must be one of "kafka", "spark", "hadoop", "interactivehive", "hbase" \(got "storm"\)/,
    );
    assert.throws(
      () => createRequest({ ...base, name: 'contoso-big', kind: 'spark', workerCount: 2, workerNodeSize: 'huge' }),
      /"workerNodeSize" "huge" is not a VM size name/,
    );
    assert.throws(() => validateWorkers('interactivehive', 0), /An Interactive Query cluster needs 1 to 500 worker nodes/);
  });
});
