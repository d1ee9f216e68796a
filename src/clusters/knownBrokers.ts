// The Kafka brokers the extension has discovered in this window, per cluster: what the tree, the
// commands and the Kafka connections found through Ambari (or a linked cluster's list). The
// pre-flight of a streaming job reads it to tell which cluster a job's bootstrap servers belong
// to, without asking any service again. No vscode import.
import type { ClusterTarget } from './ClusterTarget';

export interface KnownKafkaCluster {
  target: ClusterTarget;
  /** host:port of each broker, as discovered. */
  brokers: string[];
  discoveredAt: number;
}

export class KnownBrokers {
  private readonly byCluster = new Map<string, KnownKafkaCluster>();
  private last = 0;

  record(target: ClusterTarget, brokers: string[]): void {
    if (brokers.length === 0) return;
    // Strictly increasing, so the latest of two discoveries in one millisecond is still the latest.
    this.last = Math.max(Date.now(), this.last + 1);
    this.byCluster.set(keyOf(target), { target, brokers: [...brokers], discoveredAt: this.last });
  }

  list(): KnownKafkaCluster[] {
    return [...this.byCluster.values()];
  }
}

function keyOf(target: ClusterTarget): string {
  return target.kind === 'azure' ? target.cluster.id.toLowerCase() : `linked:${target.cluster.name.toLowerCase()}`;
}
