import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { VnetKafka } from '../harness/testEnvironment';
import { activateExtension, children, CONTOSO_TENANT, find, text, updateSetting, useEmulatedAzure } from './helpers';

const FABRIKAM_TENANT = 'c4a1e0c2-8d55-4c7b-9f0e-3b2d6a7e1f90';

function vnetKafka(): VnetKafka {
  const json = process.env.HDINSIGHT_VNET_KAFKA;
  assert.ok(json, 'HDINSIGHT_VNET_KAFKA is not set: the harness could not build the virtual network');
  return JSON.parse(json) as VnetKafka;
}

describe('Kafka inside a virtual network, through an SSH tunnel the user never sets up', function () {
  this.timeout(90_000);
  useEmulatedAzure();
  afterEach(async () => {
    await updateSetting('kafka.connection', undefined);
    await updateSetting('azure.tenant', CONTOSO_TENANT);
  });

  it('discovers brokers that advertise internal names', async () => {
    const { cluster, brokerName } = vnetKafka();
    const found = await vscode.commands.executeCommand<{ brokers: string[] }>('hdinsight.discoverBrokers', { cluster });
    assert.equal(found.brokers.length, 1);
    assert.match(found.brokers[0], new RegExp(`^${brokerName.replace(/\./g, '\\.')}:\\d+$`));
  });

  it('asks for the SSH login it needs, then creates, produces and reads through the tunnel', async () => {
    const { cluster, ssh } = vnetKafka();
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster, topic: 'in-vnet', partitions: 1, replicationFactor: 1 }),
      ),
      /reachable only through an SSH tunnel, and its SSH login is not known/,
    );
    await vscode.commands.executeCommand('hdinsight.setSshLogin', {
      cluster,
      username: ssh.username,
      privateKey: fs.readFileSync(ssh.keyFile, 'utf8'),
    });
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster, topic: 'in-vnet', partitions: 1, replicationFactor: 1 });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', {
      cluster,
      topic: 'in-vnet',
      messages: [{ value: 'hello from outside' }],
    });
    const { messages } = await vscode.commands.executeCommand<{ messages: { value: string }[] }>('hdinsight.kafka.browseMessages', {
      cluster,
      topic: 'in-vnet',
      from: 'earliest',
      limit: 5,
    });
    assert.deepEqual(
      messages.map((m) => m.value),
      ['hello from outside'],
    );
    const api = await activateExtension();
    await vscode.commands.executeCommand('hdinsight.selectTenant', { tenantId: FABRIKAM_TENANT });
    const topics = text(await children(api, (await find(api, 'Fabrikam Analytics', cluster, 'Topics')).node));
    assert.ok(topics.includes('in-vnet — 1 partition · ×1 · 1 message'), topics.join('\n'));
  });

  it('with the connection set to direct, says the brokers cannot be reached and why', async () => {
    const { cluster } = vnetKafka();
    await updateSetting('kafka.connection', 'direct');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hdinsight.kafka.produce', { cluster, topic: 'in-vnet', messages: [{ value: 'x' }] })),
      /could not be reached/,
    );
  });
});
