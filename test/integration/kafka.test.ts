import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, children, find, text, useEmulatedAzure } from './helpers';

const DEV = 'Contoso Streaming Dev';

function realBroker(): string {
  const bootstrap = process.env.HDINSIGHT_KAFKA_BOOTSTRAP;
  assert.ok(bootstrap, 'HDINSIGHT_KAFKA_BOOTSTRAP is not set: run the suite through the test harness');
  return bootstrap;
}

describe('Kafka broker discovery through Ambari, against a real broker', function () {
  this.timeout(60_000);
  useEmulatedAzure();

  it('discovers the brokers and ZooKeeper of a Kafka cluster', async () => {
    const found = await vscode.commands.executeCommand<{ brokers: string[]; bootstrap: string; zookeeper: string[] }>(
      'hdinsight.discoverBrokers',
      {
        cluster: 'contoso-kafka',
      },
    );
    assert.deepEqual(found.brokers, [realBroker()]);
    assert.equal(found.bootstrap, realBroker());
    assert.equal(found.zookeeper.length, 3);
    assert.ok(found.zookeeper.every((z) => z.endsWith(':2181')));
  });

  it('shows the brokers under the Kafka cluster in the tree', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.refresh');
    const kafka = await find(api, DEV, 'contoso-kafka');
    assert.deepEqual(
      (await children(api, kafka.node)).map((n) => n.label),
      ['Brokers', 'Properties'],
    );
    assert.deepEqual(text(await children(api, (await find(api, DEV, 'contoso-kafka', 'Brokers')).node)), [realBroker()]);
  });

  it('says when a cluster is not a running Kafka cluster', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.discoverBrokers', { cluster: 'contoso-spark' })),
      /contoso-spark runs no Kafka brokers/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.discoverBrokers', { cluster: 'contoso-spark-etl' })),
      /contoso-spark-etl is not running \(state Accepted\)/,
    );
  });

  it('uses the login a Reader entered, and says when Ambari refuses it', async () => {
    await vscode.commands.executeCommand('hdinsight.setClusterLogin', {
      cluster: 'contoso-prod-kafka',
      username: 'admin',
      password: 'Not-The-Password-1',
    });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.discoverBrokers', { cluster: 'contoso-prod-kafka' })),
      /refused the cluster login of admin\./,
    );
    await vscode.commands.executeCommand('hdinsight.setClusterLogin', {
      cluster: 'contoso-prod-kafka',
      username: 'admin',
      password: 'Sandbox-Prod-1!',
    });
    const found = await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', {
      cluster: 'contoso-prod-kafka',
    });
    assert.equal(found.bootstrap, realBroker());
  });
});
