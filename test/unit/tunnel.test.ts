import assert from 'node:assert/strict';
import { createKafkaService } from '../../src/chunks/kafka';
import { openSshTunnel } from '../../src/chunks/ssh';
import type { HDInsightError } from '../../src/core/errors';
import { type KafkaBroker, startKafka } from '../harness/kafka';
import { type SshServer, startSshServer } from '../harness/sshd';
import { createVirtualNetwork, type VirtualNetwork } from '../harness/vnet';

const BROKER_NAME = 'wn0-kafka.hdinsight.internal';

describe('Reaching brokers inside a virtual network through an SSH tunnel (real sshd, real broker)', function () {
  this.timeout(120_000);
  let vnet: VirtualNetwork;
  let kafka: KafkaBroker;
  let sshd: SshServer;

  before(async () => {
    // The broker advertises a name that resolves only inside the namespace, as on HDInsight.
    vnet = createVirtualNetwork({ [BROKER_NAME]: 'self' });
    kafka = await startKafka({ exec: vnet.exec, bindHost: vnet.address, advertisedHost: BROKER_NAME });
    sshd = await startSshServer({ listen: vnet.address, exec: vnet.exec });
  });

  after(async () => {
    await sshd?.stop();
    await kafka?.stop();
    vnet?.remove();
  });

  it('cannot reach the brokers directly: their advertised name does not resolve here', async () => {
    const direct = createKafkaService({ brokers: [`${vnet.address}:${kafka.port}`], connectionTimeoutMs: 1_000 });
    await assert.rejects(direct.createTopic({ topic: 'nope', partitions: 1, replicationFactor: 1 }), (err: HDInsightError) => {
      assert.equal(err.code, 'Unreachable');
      assert.match(err.message, /could not be reached/);
      assert.match(err.action ?? '', /virtual network/);
      return true;
    });
    await direct.close();
  });

  it('reaches every advertised broker through the tunnel: creates, produces and reads', async () => {
    const tunnel = await openSshTunnel({ host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
    const kafkaThroughTunnel = createKafkaService({ brokers: [`${BROKER_NAME}:${kafka.port}`], socketFactory: tunnel.socketFactory });
    try {
      await kafkaThroughTunnel.createTopic({ topic: 'tunnelled', partitions: 2, replicationFactor: 1 });
      await kafkaThroughTunnel.produce('tunnelled', [{ value: 'through ssh', partition: 1 }]);
      const messages = await kafkaThroughTunnel.browse({ topic: 'tunnelled', from: 'earliest', limit: 10 });
      assert.deepEqual(
        messages.map((m) => [m.partition, m.value]),
        [[1, 'through ssh']],
      );
      const info = await kafkaThroughTunnel.describeCluster();
      assert.deepEqual(info.brokers, [{ nodeId: 1, host: BROKER_NAME, port: kafka.port }]);
    } finally {
      await kafkaThroughTunnel.close();
      await tunnel.close();
    }
    assert.equal(tunnel.closed, true);
  });

  it('says when the SSH server refuses the login', async () => {
    await assert.rejects(
      openSshTunnel({ host: sshd.host, port: sshd.port, username: 'nobody-here', privateKey: sshd.privateKey }),
      /The SSH server refused the login of nobody-here@/,
    );
  });
});
