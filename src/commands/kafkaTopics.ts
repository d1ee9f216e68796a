import * as vscode from 'vscode';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { ClusterLookup, ClusterTarget } from '../clusters/ClusterTarget';
import { resolveCluster } from './resolveCluster';
import { CancelledError, InvalidInputError, userMessage } from '../core/errors';
import type { NewTopic, OutgoingMessage } from '../kafka/client';
import type { Logger } from '../logger';
import { validateMessages, validatePartitions, validateReplicationFactor, validateTopicName } from '../kafka/validate';
import { TopicNode, TopicsNode } from '../tree/nodes/KafkaNodes';
import { confirmScriptedDeletion, isScripted, withCancellableProgress } from './command';

export interface KafkaCommandDeps {
  lookup: ClusterLookup;
  connections: KafkaConnections;
  /** Called after a change, so the tree shows it. */
  changed: () => void;
  logger: Pick<Logger, 'info'>;
}

/** Runs a change to the cluster under a notification when a person asked for it; a script waits quietly. */
function changing<T>(scripted: boolean, title: string, task: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  return scripted ? task() : withCancellableProgress(title, (signal) => task(signal));
}

export async function clusterOf(arg: unknown, deps: KafkaCommandDeps): Promise<ClusterTarget> {
  return arg instanceof TopicNode || arg instanceof TopicsNode ? arg.target : resolveCluster(arg, deps.lookup);
}

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) throw new CancelledError();
  return value;
}

const validating = (check: (v: string) => unknown) => (value: string) => {
  try {
    check(value);
    return undefined;
  } catch (err) {
    return userMessage(err);
  }
};

/** `hdinsight.kafka.createTopic` `{ cluster, topic, partitions, replicationFactor, configs? }` → `{ topic }` */
export function createTopicCommand(deps: KafkaCommandDeps) {
  return async (arg?: unknown): Promise<{ topic: string }> => {
    const scripted = isScripted([arg]);
    // Everything that can be checked without the cluster is checked before connecting to it.
    const given = scripted ? checkNewTopicArgs(arg) : undefined;
    const target = await clusterOf(arg, deps);
    const { service } = await deps.connections.get(target, { interactive: !scripted });
    const brokerCount = (await service.describeCluster()).brokers.length;
    const topic: NewTopic = given
      ? { ...given, replicationFactor: validateReplicationFactor(given.replicationFactor, brokerCount) }
      : await askNewTopic(target.cluster.name, brokerCount);
    const where = `${topic.topic} on ${target.cluster.name}`;
    await changing(scripted, `Creating topic ${where}`, (signal) => service.createTopic(topic, signal));
    const done = `Created topic ${where}: ${topic.partitions} partitions, replication factor ${topic.replicationFactor}.`;
    deps.logger.info(done);
    if (!scripted) void vscode.window.showInformationMessage(done);
    deps.changed();
    return { topic: topic.topic };
  };
}

function checkNewTopicArgs(arg: unknown): Omit<NewTopic, 'replicationFactor'> & { replicationFactor: unknown } {
  const { topic, partitions, replicationFactor, configs } = arg as Record<string, unknown>;
  if (
    configs !== undefined &&
    (typeof configs !== 'object' || configs === null || Object.values(configs).some((v) => typeof v !== 'string'))
  ) {
    throw new InvalidInputError('"configs" must map config names to string values.');
  }
  return {
    topic: validateTopicName(topic),
    partitions: validatePartitions(partitions),
    replicationFactor,
    configs: configs as Record<string, string> | undefined,
  };
}

async function askNewTopic(cluster: string, brokerCount: number): Promise<NewTopic> {
  const topic = await ask({ title: `New topic on ${cluster}`, prompt: 'Topic name', validateInput: validating(validateTopicName) });
  const partitions = validatePartitions(
    await ask({ title: `New topic ${topic}`, prompt: 'Partitions', value: '3', validateInput: validating(validatePartitions) }),
  );
  const checkReplication = (v: string): number => validateReplicationFactor(v, brokerCount);
  const replicationFactor = checkReplication(
    await ask({
      title: `New topic ${topic}`,
      prompt: `Replication factor (the cluster has ${brokerCount} brokers)`,
      value: String(Math.min(3, brokerCount)),
      validateInput: validating(checkReplication),
    }),
  );
  return { topic, partitions, replicationFactor };
}

/**
 * `hdinsight.kafka.deleteTopic` `{ cluster, topic, confirm }` → `{ topic, deleted }`. Asks first when interactive; a
 * script passes `confirm` equal to the topic's name, or the user confirms in a modal dialog.
 */
export function deleteTopicCommand(deps: KafkaCommandDeps) {
  return async (arg?: unknown): Promise<{ topic: string; deleted: boolean }> => {
    const scripted = isScripted([arg]);
    const topic =
      arg instanceof TopicNode
        ? arg.topic.name
        : validateTopicName((arg as { topic?: unknown } | undefined)?.topic ?? (await ask({ prompt: 'Topic to delete' })));
    const target = await clusterOf(arg, deps);
    const consequence = 'Its messages are deleted with it; this cannot be undone.';
    if (scripted) {
      const what = `topic ${topic} on ${target.cluster.name}`;
      if (!(await confirmScriptedDeletion(arg, topic, what, consequence))) return { topic, deleted: false };
    } else {
      const choice = await vscode.window.showWarningMessage(
        `Delete topic ${topic} on ${target.cluster.name}?`,
        { modal: true, detail: consequence },
        'Delete',
      );
      if (choice !== 'Delete') return { topic, deleted: false };
    }
    const { service } = await deps.connections.get(target, { interactive: !scripted });
    await changing(scripted, `Deleting topic ${topic} on ${target.cluster.name}`, (signal) => service.deleteTopic(topic, signal));
    const done = `Deleted topic ${topic} on ${target.cluster.name}.`;
    deps.logger.info(done);
    if (!scripted) void vscode.window.showInformationMessage(done);
    deps.changed();
    return { topic, deleted: true };
  };
}

/** `hdinsight.kafka.produce` `{ cluster, topic, messages: [{ key?, value, headers?, partition? }] }` → `{ written }` */
export function produceCommand(deps: KafkaCommandDeps) {
  return async (arg?: unknown): Promise<{ written: { partition: number; offset: string }[] }> => {
    const scripted = isScripted([arg]);
    let topic: string;
    let messages: OutgoingMessage[];
    if (scripted) {
      const given = arg as { topic?: unknown; messages?: unknown };
      topic = validateTopicName(given.topic);
      messages = validateMessages(given.messages);
    } else {
      topic =
        arg instanceof TopicNode
          ? arg.topic.name
          : validateTopicName(await ask({ prompt: 'Topic', validateInput: validating(validateTopicName) }));
      const key = await ask({ title: `Produce to ${topic}`, prompt: 'Key (optional)' });
      const value = await ask({ title: `Produce to ${topic}`, prompt: 'Value' });
      messages = [{ key: key || null, value }];
    }
    const target = await clusterOf(arg, deps);
    const { service } = await deps.connections.get(target, { interactive: !scripted });
    const written = await service.produce(topic, messages);
    const done = `Wrote to ${topic}: ${written.map((w) => `partition ${w.partition} offset ${w.offset}`).join(', ')}`;
    deps.logger.info(`${done} (${target.cluster.name})`);
    if (!scripted) void vscode.window.showInformationMessage(done);
    deps.changed();
    return { written };
  };
}
