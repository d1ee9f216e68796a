import type * as vscode from 'vscode';
import { InvalidInputError, isCancellation } from '../core/errors';
import type { BrowsedMessage, BrowseFrom } from '../kafka/client';
import { validateTopicName } from '../kafka/validate';
import type { Logger } from '../logger';
import { MAX_HELD, MessageBrowserPanel } from '../panels/MessageBrowserPanel';
import { TopicNode } from '../tree/nodes/KafkaNodes';
import { isScripted } from './command';
import { clusterOf, type KafkaCommandDeps } from './kafkaTopics';

/**
 * `hdinsight.kafka.browseMessages`
 * `{ cluster, topic, partitions?, from: "earliest" | "latest" | "newest" | { offset } | { timestamp }, limit }`
 * → `{ messages }`; from the tree or the palette it opens the message browser (and returns what it
 * holds so far), which reads for itself and shows in the panel whatever fails.
 */
export function browseMessagesCommand(deps: KafkaCommandDeps & { extensionUri: vscode.Uri; logger: Logger }) {
  return async (arg?: unknown): Promise<{ messages: BrowsedMessage[] }> => {
    const scripted = isScripted([arg]);
    const request = scripted ? checkBrowseArgs(arg) : undefined;
    const topic = arg instanceof TopicNode ? arg.topic.name : request!.topic;
    const target = await clusterOf(arg, deps);
    if (request) {
      const { service } = await deps.connections.get(target, { interactive: false });
      return { messages: await service.browse(request) };
    }
    // Asks for a login the cluster still needs, here where a prompt belongs; any other failure
    // (Ambari, the brokers) the panel shows with what to do.
    await deps.connections.get(target, { interactive: true }).catch((err: unknown) => {
      if (isCancellation(err)) throw err;
    });
    const panel = MessageBrowserPanel.show(deps.extensionUri, target, topic, { connections: deps.connections, logger: deps.logger });
    return { messages: [...panel.messages] };
  };
}

function checkBrowseArgs(arg: unknown): { topic: string; partitions?: number[]; from: BrowseFrom; limit: number } {
  const { topic, partitions, from, limit } = arg as Record<string, unknown>;
  const name = validateTopicName(topic);
  if (partitions !== undefined && (!Array.isArray(partitions) || !partitions.every((p) => Number.isInteger(p) && (p as number) >= 0))) {
    throw new InvalidInputError('"partitions" must be a list of partition numbers.');
  }
  const count = limit === undefined ? 100 : Number(limit);
  if (!Number.isInteger(count) || count < 1 || count > MAX_HELD) throw new InvalidInputError(`"limit" must be between 1 and ${MAX_HELD}.`);
  return { topic: name, partitions: partitions as number[] | undefined, from: checkFrom(from), limit: count };
}

function checkFrom(from: unknown): BrowseFrom {
  if (from === undefined) return 'newest';
  if (from === 'earliest' || from === 'latest' || from === 'newest') return from;
  if (typeof from === 'object' && from !== null) {
    const { offset, timestamp } = from as { offset?: unknown; timestamp?: unknown };
    if (offset !== undefined && Number.isInteger(offset) && (offset as number) >= 0) return { offset: offset as number };
    if (timestamp !== undefined && Number.isFinite(timestamp)) return { timestamp: timestamp as number };
  }
  throw new InvalidInputError('"from" must be "earliest", "latest", "newest", { offset } or { timestamp }.');
}
