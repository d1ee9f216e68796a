import assert from 'node:assert/strict';
import net from 'node:net';
import { discoverBrokers } from '../../src/ambari/discovery';
import { type HDInsightError } from '../../src/core/errors';
import { ArmEmulator } from '../emulator/arm';
import { ClusterGateway, type GatewayOptions } from '../emulator/gateway';
import { Emulator } from '../emulator/server';

const login = { username: 'admin', password: 'Gateway-Pass-1!' };

function clusterSpec(kind: 'kafka' | 'spark') {
  const arm = new ArmEmulator(new Emulator());
  arm.addSubscription({ subscriptionId: 's', displayName: 'S', tenantId: 't' });
  arm.addCluster({
    subscriptionId: 's',
    resourceGroup: 'rg',
    name: `my-${kind}`,
    location: 'westeurope',
    kind,
    gatewayPassword: login.password,
  });
  return arm.clusterByName(`my-${kind}`)!;
}

const kafka = {
  brokers: [
    { host: 'wn1-kafka.abc.ax.internal.cloudapp.net', port: 9093 },
    { host: 'wn0-kafka.abc.ax.internal.cloudapp.net', port: 9093 },
  ],
  zookeeper: ['zk0-kafka.abc.ax.internal.cloudapp.net', 'zk2-kafka.abc.ax.internal.cloudapp.net'],
};

describe('Broker discovery through Ambari', () => {
  let gateway: ClusterGateway | undefined;
  afterEach(() => gateway?.stop());

  async function start(kind: 'kafka' | 'spark', options: GatewayOptions): Promise<URL> {
    gateway = new ClusterGateway(undefined, clusterSpec(kind), options);
    const { host, port } = await gateway.start();
    return new URL(`http://${host}:${port}`);
  }

  it('reads brokers with the listener port and ZooKeeper, using Ambari’s exact-case cluster name', async () => {
    const baseUrl = await start('kafka', { ambariName: 'My-Kafka', kafka });
    const found = await discoverBrokers({ baseUrl, login });
    assert.deepEqual(found, {
      clusterName: 'My-Kafka',
      brokers: ['wn0-kafka.abc.ax.internal.cloudapp.net:9093', 'wn1-kafka.abc.ax.internal.cloudapp.net:9093'],
      bootstrap: 'wn0-kafka.abc.ax.internal.cloudapp.net:9093,wn1-kafka.abc.ax.internal.cloudapp.net:9093',
      zookeeper: ['zk0-kafka.abc.ax.internal.cloudapp.net:2181', 'zk2-kafka.abc.ax.internal.cloudapp.net:2181'],
    });
    const paths = gateway!.emulator.requests.map((r) => r.path);
    assert.ok(paths.includes('/api/v1/clusters/My-Kafka/services/KAFKA/components/KAFKA_BROKER'), paths.join('\n'));
    assert.ok(gateway!.emulator.requests.every((r) => /^Basic /.test(String(r.headers.authorization))));
  });

  it('assumes port 9092 when the broker configuration names no listener', async () => {
    const baseUrl = await start('kafka', { kafka, noListenersConfig: true });
    assert.deepEqual((await discoverBrokers({ baseUrl, login })).brokers, [
      'wn0-kafka.abc.ax.internal.cloudapp.net:9092',
      'wn1-kafka.abc.ax.internal.cloudapp.net:9092',
    ]);
  });

  it('says when the cluster runs no Kafka', async () => {
    const baseUrl = await start('spark', {});
    await assert.rejects(discoverBrokers({ baseUrl, login }), /my-spark runs no Kafka brokers\./);
  });

  it('says the login was refused', async () => {
    const baseUrl = await start('kafka', { kafka });
    await assert.rejects(discoverBrokers({ baseUrl, login: { ...login, password: 'wrong' } }), (err: HDInsightError) => {
      assert.equal(err.code, 'Unauthorized');
      assert.match(err.message, /refused the cluster login of admin/);
      assert.doesNotMatch(`${err.message} ${err.action}`, /wrong/);
      return true;
    });
  });

  it('gives up on a silent gateway within the timeout, and on a closed port at once', async () => {
    const baseUrl = await start('kafka', { kafka });
    gateway!.emulator.inject({ latencyMs: 2_000 });
    await assert.rejects(discoverBrokers({ baseUrl, login, timeoutMs: 300 }), /did not answer within 0\.3 s/);
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    await assert.rejects(
      discoverBrokers({ baseUrl: new URL(`http://127.0.0.1:${closed}`), login }),
      /could not be reached \(ECONNREFUSED\)/,
    );
  });

  it('never sends the login over plain http to another host', async () => {
    await assert.rejects(discoverBrokers({ baseUrl: new URL('http://cluster.example.com'), login }), /is not https/);
  });
});
