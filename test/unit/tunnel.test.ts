import assert from 'node:assert/strict';
import { createKafkaService } from '../../src/kafka/KafkajsService';
import { KafkaConnections, type KafkaConnectionDeps } from '../../src/clusters/KafkaConnections';
import type { ClusterTarget } from '../../src/clusters/ClusterTarget';
import type { Logger } from '../../src/logger';
import { openSshTunnel } from '../../src/ssh/Ssh2Tunnel';
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
    sshd = await startSshServer({ listen: vnet.address, exec: vnet.exec, passwordLogin: true });
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
    const tunnel = await openSshTunnel({
      host: sshd.host,
      port: sshd.port,
      hostKey: sshd.hostKey.sha256,
      username: sshd.username,
      privateKey: sshd.privateKey,
    });
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
      openSshTunnel({
        host: sshd.host,
        port: sshd.port,
        hostKey: sshd.hostKey.sha256,
        username: 'nobody-here',
        privateKey: sshd.privateKey,
      }),
      /The SSH server refused the login of nobody-here@/,
    );
  });

  it('logs in with a password as well as a key, and refuses a wrong one', async () => {
    const login = sshd.passwordLogin!;
    const tunnel = await openSshTunnel({
      host: sshd.host,
      port: sshd.port,
      hostKey: sshd.hostKey.sha256,
      username: login.username,
      password: login.password,
    });
    const service = createKafkaService({ brokers: [`${BROKER_NAME}:${kafka.port}`], socketFactory: tunnel.socketFactory });
    try {
      const info = await service.describeCluster();
      assert.equal(info.brokers[0].host, BROKER_NAME);
    } finally {
      await service.close();
      await tunnel.close();
    }
    await assert.rejects(
      openSshTunnel({
        host: sshd.host,
        port: sshd.port,
        hostKey: sshd.hostKey.sha256,
        username: login.username,
        password: `${login.password}x`,
      }),
      (err: HDInsightError) => err.code === 'Unauthorized' && /Enter the SSH login again/.test(err.action ?? ''),
    );
  });

  it('shares one tunnel per cluster, closes it when idle, and opens a new one on the next use', async () => {
    const logged: string[] = [];
    const logger = { info: (m: string) => logged.push(m), warn: () => undefined, error: () => undefined } as unknown as Logger;
    const deps = {
      settings: {
        kafkaConnection: 'auto',
        resourceManager: { cloud: { gatewaySuffix: 'azurehdinsight.net' } },
        onDidChange: () => ({ dispose: () => undefined }),
      },
      sshLogins: { get: () => Promise.resolve({ username: sshd.passwordLogin!.username, password: sshd.passwordLogin!.password }) },
      sshHostKeys: {
        policy: () => sshd.hostKey.sha256,
        pinned: () => ({ sha256: sshd.hostKey.sha256 }),
        offerForget: (err: unknown) => err,
      },
    } as unknown as KafkaConnectionDeps;
    const target: ClusterTarget = {
      kind: 'linked',
      cluster: { name: 'vnet-kafka', kafkaBootstrap: [`${BROKER_NAME}:${kafka.port}`], ssh: { host: sshd.host, port: sshd.port } },
    };
    const connections = new KafkaConnections(deps, logger, { idleMs: 1_500 });
    try {
      const first = await connections.get(target, { interactive: false });
      assert.equal(first.via, 'sshTunnel', 'auto falls back to the tunnel: the advertised name does not resolve here');
      const again = await connections.get(target, { interactive: false });
      assert.equal(again, first, 'the second use shares the client and tunnel');
      assert.ok((await first.service.describeCluster()).brokers.length > 0);
      assert.equal(connections.openCount, 1);
      const deadline = Date.now() + 10_000;
      while (connections.openCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(connections.openCount, 0, 'closed after being idle');
      assert.ok(logged.some((m) => /Closing the Kafka client and SSH tunnel of vnet-kafka: unused/.test(m)));
      const next = await connections.get(target, { interactive: false });
      assert.notEqual(next, first);
      assert.ok((await next.service.describeCluster()).brokers.length > 0, 'the next use connects afresh');
    } finally {
      connections.dispose();
    }
  });
  /** What sshd logged about authentication since `from` (LogLevel DEBUG1 logs every attempt, "none" included). */
  const authAttempts = (from: number): string[] =>
    sshd
      .log()
      .slice(from)
      .split('\n')
      .filter((line) => /userauth-request|Accepted |Failed (password|publickey|none)|Postponed/.test(line));

  it('asks about the host key before logging in, with the fingerprint OpenSSH computes for the server', async () => {
    const login = sshd.passwordLogin!;
    const from = sshd.log().length;
    const asked: { algorithm: string; sha256: string }[] = [];
    const attemptsWhenAsked: string[][] = [];
    const tunnel = await openSshTunnel({
      host: sshd.host,
      port: sshd.port,
      username: login.username,
      password: login.password,
      hostKey: (key) => {
        asked.push(key);
        attemptsWhenAsked.push(authAttempts(from));
        return Promise.resolve(true);
      },
    });
    await tunnel.close();
    // ssh-keygen -lf on the host key file the server uses, computed independently of the extension.
    assert.deepEqual(asked, [{ algorithm: 'ssh-ed25519', sha256: sshd.hostKey.sha256 }], 'asked once, with the real fingerprint');
    assert.match(sshd.hostKey.sha256, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(tunnel.hostKey, { algorithm: 'ssh-ed25519', sha256: sshd.hostKey.sha256 }, 'the tunnel says which key it trusted');
    assert.deepEqual(attemptsWhenAsked, [[]], 'no login was attempted while the host key was being decided');
    assert.ok(
      authAttempts(from).some((line) => line.includes(`Accepted password for ${login.username}`)),
      'the login went only after the key was trusted',
    );
  });

  it('reports the host key as proven by the server before the login, even when the login is then refused', async () => {
    const login = sshd.passwordLogin!;
    const verified: { key: { algorithm: string; sha256: string }; attempts: string[] }[] = [];
    const from = sshd.log().length;
    await assert.rejects(
      openSshTunnel({
        host: sshd.host,
        port: sshd.port,
        username: login.username,
        password: `${login.password}-wrong`,
        hostKey: () => Promise.resolve(true),
        onHostKeyVerified: (key) => verified.push({ key, attempts: authAttempts(from) }),
      }),
      /The SSH server refused the login/,
    );
    assert.deepEqual(verified, [{ key: { algorithm: 'ssh-ed25519', sha256: sshd.hostKey.sha256 }, attempts: [] }]);
  });

  it('connects with a pinned host key without asking, and sends nothing to a host key no one trusts', async () => {
    const login = sshd.passwordLogin!;
    const pinned = await openSshTunnel({
      host: sshd.host,
      port: sshd.port,
      hostKey: sshd.hostKey.sha256,
      username: login.username,
      password: login.password,
    });
    assert.deepEqual(pinned.hostKey.sha256, sshd.hostKey.sha256);
    await pinned.close();

    const from = sshd.log().length;
    await assert.rejects(
      openSshTunnel({
        host: sshd.host,
        port: sshd.port,
        hostKey: () => Promise.resolve(false),
        username: login.username,
        password: login.password,
      }),
      (err: HDInsightError) => {
        assert.equal(err.code, 'HostKeyUnknown');
        assert.match(err.message, new RegExp(`ssh-ed25519 ${escape(sshd.hostKey.sha256)}\\) was not trusted; nothing was sent`));
        return true;
      },
    );
    assert.deepEqual(authAttempts(from), [], 'sshd saw no login attempt');
  });

  it('refuses a changed host key before sending the password, and says how to forget the old one', async () => {
    const login = sshd.passwordLogin!;
    const trusted = sshd.hostKey.sha256;
    await sshd.replaceHostKey(); // a re-created cluster, or someone else answering at its address
    assert.notEqual(sshd.hostKey.sha256, trusted);
    const from = sshd.log().length;
    await assert.rejects(
      openSshTunnel({
        host: sshd.host,
        port: sshd.port,
        name: 'vnet-kafka',
        hostKey: trusted,
        username: login.username,
        password: login.password,
      }),
      (err: HDInsightError) => {
        assert.equal(err.code, 'HostKeyMismatch');
        assert.match(
          err.message,
          new RegExp(
            `^The SSH host key of vnet-kafka \\(${escape(sshd.host)}:${sshd.port}\\) changed: the server offers ssh-ed25519 ` +
              `${escape(sshd.hostKey.sha256)}, but ${escape(trusted)} is the key trusted for it\\. This could mean someone is intercepting`,
          ),
        );
        assert.match(err.action ?? '', /If the cluster was re-created, forget the old key with "HDInsight: Forget SSH Host Key"/);
        return true;
      },
    );
    const log = sshd.log().slice(from);
    assert.match(log, /Connection from /, 'the client reached sshd');
    assert.deepEqual(authAttempts(from), [], 'sshd saw no login attempt: neither "none" nor the password');
    assert.doesNotMatch(log, new RegExp(escape(login.username)), 'sshd never learnt the user name');

    // Trusting the new key (after forgetting the old one) connects again.
    const tunnel = await openSshTunnel({
      host: sshd.host,
      port: sshd.port,
      hostKey: sshd.hostKey.sha256,
      username: login.username,
      password: login.password,
    });
    await tunnel.close();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
