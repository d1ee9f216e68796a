import type * as vscode from 'vscode';
import { HDInsightError } from '../core/errors';
import type { KafkaService } from '../kafka/client';
import { canConnect } from '../kafka/probe';
import type { Logger } from '../logger';
import type { SshHostKey, SshLogin, SshTunnel } from '../ssh/tunnel';
import { findBrokers, type BrokerLookup } from './brokers';
import type { ClusterTarget } from './ClusterTarget';
import type { SshHostKeyStore, SshLoginStore } from './logins';
import { endpointText, sshEndpointOf, type SshEndpoint } from './sshEndpoint';

export interface KafkaConnection {
  service: KafkaService;
  bootstrap: string;
  /** How the brokers are reached. */
  via: 'direct' | 'sshTunnel';
}

export interface KafkaConnectionDeps extends BrokerLookup {
  sshLogins: SshLoginStore;
  sshHostKeys: SshHostKeyStore;
}

const DIRECT_PROBE_MS = 3_000;
/** A cluster's client and SSH tunnel are closed after this long unused. */
export const IDLE_CLOSE_MS = 10 * 60_000;

/**
 * One kafkajs client per cluster, made on first use (kafkajs loads then), shared by the tree,
 * the commands and the message browser, and closed when idle, on a settings change or on dispose.
 */
export class KafkaConnections implements vscode.Disposable {
  private readonly connections = new Map<string, Promise<KafkaConnection>>();
  private readonly tunnels = new Map<string, SshTunnel>();
  private readonly lastUse = new Map<string, { at: number; name: string }>();
  private readonly subscription: vscode.Disposable;
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;

  constructor(
    private readonly lookup: KafkaConnectionDeps,
    private readonly logger: Logger,
    options: { idleMs?: number } = {},
  ) {
    // A changed connection mode, cluster or login applies to the next use.
    this.subscription = lookup.settings.onDidChange(() => this.closeAll());
    this.idleMs = options.idleMs ?? IDLE_CLOSE_MS;
    this.sweeper = setInterval(() => this.closeIdle(), Math.min(30_000, Math.max(50, this.idleMs / 4)));
    this.sweeper.unref();
  }

  private preloading = false;

  /**
   * Loads kafkajs (about 100 ms of the host's time, cold) just after a Kafka cluster's row shows,
   * so the first click on its topics does not wait for it; nothing is asked of the cluster.
   */
  preload(): void {
    if (this.preloading) return;
    this.preloading = true;
    setTimeout(() => void import('../chunks/kafka').catch(() => undefined), 0);
  }

  /** How many clusters have a client open now. */
  get openCount(): number {
    return this.connections.size;
  }

  get(target: ClusterTarget, options: { interactive: boolean; signal?: AbortSignal }): Promise<KafkaConnection> {
    const key = keyOf(target);
    this.lastUse.set(key, { at: Date.now(), name: target.cluster.name });
    // The SSH server went away (cluster restarted, network dropped): connect afresh.
    if (this.tunnels.get(key)?.closed) this.close(key);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = this.connect(key, target, options);
      connection.catch(() => this.connections.delete(key));
      this.connections.set(key, connection);
    }
    return connection;
  }

  /**
   * The connection to the Kafka cluster, among those whose brokers were discovered in this window,
   * whose brokers `match` (the most recently discovered first), or undefined when none does. Never
   * asks for a login.
   */
  forBrokers(match: (brokers: readonly string[]) => boolean, signal?: AbortSignal): Promise<KafkaConnection> | undefined {
    const known = [...(this.lookup.knownBrokers?.list() ?? [])].sort((x, y) => y.discoveredAt - x.discoveredAt);
    const owner = known.find((k) => match(k.brokers));
    return owner && this.get(owner.target, { interactive: false, signal });
  }

  /**
   * `direct`, `sshTunnel`, or `auto`: direct when every broker answers from here within a few
   * seconds, else through the cluster's SSH endpoint (HDInsight brokers advertise names that
   * resolve only inside the cluster's virtual network).
   */
  private async connect(
    key: string,
    target: ClusterTarget,
    options: { interactive: boolean; signal?: AbortSignal },
  ): Promise<KafkaConnection> {
    // kafkajs loads (about 100 ms cold) while the brokers are looked up and probed, not after.
    const chunk = import('../chunks/kafka');
    chunk.catch(() => undefined);
    const { brokers, bootstrap } = await findBrokers(target, this.lookup, options);
    const mode = this.lookup.settings.kafkaConnection;
    if (mode === 'direct' || (mode === 'auto' && (await Promise.all(brokers.map((b) => canConnect(b, DIRECT_PROBE_MS)))).every(Boolean))) {
      const { createKafkaService } = await chunk;
      this.logger.info(`Kafka client for ${target.cluster.name}: ${bootstrap} (direct)`);
      return { service: createKafkaService({ brokers }), bootstrap, via: 'direct' };
    }
    const ssh = sshEndpointOf(target, this.lookup.settings.resourceManager.cloud.gatewaySuffix);
    if (!ssh) {
      throw new HDInsightError(
        'Unreachable',
        `The Kafka brokers of ${target.cluster.name} (${bootstrap}) cannot be reached from here, and the cluster has no SSH endpoint for a tunnel.`,
        target.kind === 'linked' ? 'Add sshHost to the linked cluster, or connect to its network.' : 'Check that the cluster is running.',
      );
    }
    const login = await this.lookup.sshLogins.get(target, ssh, options);
    const { createKafkaService } = await chunk;
    const tunnel = await this.openTunnel(target, ssh, login, options);
    this.tunnels.set(key, tunnel);
    this.logger.info(
      `Kafka client for ${target.cluster.name}: ${bootstrap} through an SSH tunnel via ${login.username}@${endpointText(ssh)} ` +
        `(host key ${tunnel.hostKey.algorithm} ${tunnel.hostKey.sha256})`,
    );
    return {
      service: createKafkaService({ brokers, socketFactory: tunnel.socketFactory, connectionTimeoutMs: 10_000 }),
      bootstrap,
      via: 'sshTunnel',
    };
  }

  /**
   * Opens an SSH tunnel to the cluster's endpoint with the login, once its host key is trusted:
   * the pinned one, or (asked in a modal dialog when interactive) the one the server offers,
   * pinned as soon as the server has proved it holds that key, before the login's outcome (as
   * OpenSSH adds it to known_hosts): a refused password does not make the user trust it again.
   */
  async openTunnel(
    target: ClusterTarget,
    ssh: SshEndpoint,
    login: SshLogin,
    options: { interactive: boolean; signal?: AbortSignal },
  ): Promise<SshTunnel> {
    const { sshHostKeys } = this.lookup;
    const { openSshTunnel } = await import('../chunks/ssh');
    let pinning: Promise<void> | undefined;
    const onHostKeyVerified = (key: SshHostKey): void => {
      if (sshHostKeys.pinned(target, ssh)) return;
      pinning = sshHostKeys.pin(target, ssh, key).then(() => {
        this.logger.info(`Trusted the SSH host key of ${target.cluster.name} (${endpointText(ssh)}): ${key.algorithm} ${key.sha256}`);
      });
      pinning.catch(() => undefined); // awaited below, once the tunnel is open or has failed
    };
    let tunnel: SshTunnel;
    try {
      tunnel = await openSshTunnel(
        { ...ssh, ...login, name: target.cluster.name, hostKey: sshHostKeys.policy(target, ssh, options), onHostKeyVerified },
        options.signal,
      );
    } catch (err) {
      await pinning?.catch((e: unknown) => this.logger.error(`Trusting the SSH host key of ${target.cluster.name}`, e));
      throw sshHostKeys.offerForget(err, target);
    }
    try {
      await pinning;
    } catch (err) {
      void tunnel.close();
      throw err;
    }
    return tunnel;
  }

  /** Closes a cluster's client and tunnel, so the next use connects afresh. */
  forget(target: ClusterTarget): void {
    this.close(keyOf(target));
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const [key, { at, name }] of this.lastUse) {
      if (now - at < this.idleMs) continue;
      this.lastUse.delete(key);
      if (!this.connections.has(key)) continue;
      this.logger.info(
        `Closing the Kafka client${this.tunnels.has(key) ? ' and SSH tunnel' : ''} of ${name}: unused for ${Math.round((now - at) / 1000)} s`,
      );
      this.close(key);
    }
  }

  private close(key: string): void {
    void this.connections
      .get(key)
      ?.then((c) => c.service.close())
      .catch(() => undefined);
    void this.tunnels.get(key)?.close();
    this.connections.delete(key);
    this.tunnels.delete(key);
  }

  private closeAll(): void {
    for (const connection of this.connections.values()) void connection.then((c) => c.service.close()).catch(() => undefined);
    for (const tunnel of this.tunnels.values()) void tunnel.close();
    this.connections.clear();
    this.tunnels.clear();
  }

  dispose(): void {
    clearInterval(this.sweeper);
    this.subscription.dispose();
    this.closeAll();
  }
}

function keyOf(target: ClusterTarget): string {
  return target.kind === 'azure' ? target.cluster.id.toLowerCase() : `linked:${target.cluster.name.toLowerCase()}`;
}
