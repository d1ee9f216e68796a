import type * as vscode from 'vscode';
import type { KafkaService } from '../kafka/client';
import type { Logger } from '../logger';
import { findBrokers, type BrokerLookup } from './brokers';
import type { ClusterTarget } from './resolveCluster';

export interface KafkaConnection {
  service: KafkaService;
  bootstrap: string;
}

/** One kafkajs client per cluster, made on first use (kafkajs loads then) and closed on dispose. */
export class KafkaConnections implements vscode.Disposable {
  private readonly connections = new Map<string, Promise<KafkaConnection>>();

  constructor(
    private readonly lookup: BrokerLookup,
    private readonly logger: Logger,
  ) {}

  get(target: ClusterTarget, options: { interactive: boolean; signal?: AbortSignal }): Promise<KafkaConnection> {
    const key = target.kind === 'azure' ? target.cluster.id.toLowerCase() : `linked:${target.cluster.name.toLowerCase()}`;
    let connection = this.connections.get(key);
    if (!connection) {
      connection = (async () => {
        const { brokers, bootstrap } = await findBrokers(target, this.lookup, options);
        const { createKafkaService } = await import('../chunks/kafka');
        this.logger.info(`Kafka client for ${target.cluster.name}: ${bootstrap}`);
        return { service: createKafkaService({ brokers }), bootstrap };
      })();
      connection.catch(() => this.connections.delete(key));
      this.connections.set(key, connection);
    }
    return connection;
  }

  dispose(): void {
    for (const connection of this.connections.values()) void connection.then((c) => c.service.close()).catch(() => undefined);
    this.connections.clear();
  }
}
