// The SSH tunnel on ssh2: the handshake that checks the server's host key before the login is sent,
// and connections forwarded to any host:port the server reaches (every broker of a cluster). ssh2
// loads with it, on first use (the chunk src/chunks/ssh.ts, its own bundle dist/chunks/ssh.js);
// everything else sees SshTunnel.
import { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import { HDInsightError, throwIfAborted } from '../core/errors';
import { hostKeyChangedError, hostKeyOf, parseHostKeyFingerprint, type SshHostKey } from './hostKeys';
import type { HostKeyPolicy, SocketFactory, SshTarget, SshTunnel } from './tunnel';

/** Connects and logs in; the login is sent only once the server's host key is trusted as `target.hostKey` says. */
export async function openSshTunnel(target: SshTarget, signal?: AbortSignal): Promise<SshTunnel> {
  throwIfAborted(signal);
  if (!target.password && !target.privateKey) {
    throw new HDInsightError(
      'InvalidInput',
      `No SSH password or key for ${target.username}@${target.host}.`,
      'Enter the SSH login of the cluster.',
    );
  }
  const policy = target.hostKey;
  if (typeof policy !== 'function') parseHostKeyFingerprint(policy, 'The trusted SSH host key');
  const client = new Client();
  const timeoutMs = target.readyTimeoutMs ?? 15_000;
  const hostKey = await new Promise<SshHostKey>((resolve, reject) => {
    let settled = false;
    let trusted: SshHostKey | undefined;
    /** Why the host key was refused: the connection fails with this, not ssh2's "Host denied". */
    let refusal: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined && trusted) resolve(trusted);
      else reject(err ?? new Error('The SSH server was not verified.'));
    };
    // The handshake timeout stops while someone is asked whether to trust the host key.
    const startTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        client.destroy();
        settle(toSshError(Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }), target));
      }, timeoutMs);
    };
    const onAbort = (): void => {
      client.destroy();
      settle(new DOMException('Aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    client
      // After the key exchange: the server's signature with the trusted key has been checked.
      .once('handshake', () => {
        if (trusted && !settled) target.onHostKeyVerified?.(trusted);
      })
      .once('ready', () => settle())
      .once('error', (err: Error & { level?: string }) => settle(refusal ?? toSshError(err, target)))
      .once('close', () => settle(refusal ?? toSshError(new Error('Connection closed during the handshake'), target)));
    // Runs after the key exchange and before authentication: the login is sent only if it resolves true.
    const hostVerifier = (blob: Buffer, verify: (trust: boolean) => void): void => {
      const offered = hostKeyOf(blob);
      clearTimeout(timer);
      decide(policy, offered, target).then(
        (trust) => {
          if (settled) return;
          if (trust) {
            trusted = offered;
            startTimer();
          } else {
            refusal = new HDInsightError(
              'HostKeyUnknown',
              `The SSH host key of ${serverName(target)} (${offered.algorithm} ${offered.sha256}) was not trusted; nothing was sent to the server.`,
            );
          }
          verify(trust);
        },
        (err: unknown) => {
          refusal = err instanceof Error ? err : new Error(String(err));
          if (!settled) verify(false);
        },
      );
    };
    startTimer();
    try {
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        password: target.password,
        privateKey: target.privateKey,
        passphrase: target.passphrase,
        hostVerifier,
        readyTimeout: 0, // the timer above, which can pause
        keepaliveInterval: 15_000,
      });
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err))); // e.g. a private key ssh2 cannot read
    }
  });
  return new Ssh2Tunnel(client, hostKey);
}

/** A logged-in SSH connection, forwarding connections to any host:port as seen from its server. */
export class Ssh2Tunnel implements SshTunnel {
  private ended = false;

  constructor(
    private readonly client: Client,
    readonly hostKey: SshHostKey,
  ) {
    client.on('close', () => (this.ended = true));
    client.on('error', () => (this.ended = true));
  }

  get closed(): boolean {
    return this.ended;
  }

  /** A property, not a method: kafkajs is handed the function on its own. */
  readonly socketFactory: SocketFactory = ({ host, port, onConnect }) => {
    let channel: Duplex | undefined;
    const pending: { chunk: Buffer; callback: (err?: Error | null) => void }[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        if (channel) channel.write(chunk, callback);
        else pending.push({ chunk, callback });
      },
      final(callback) {
        channel?.end();
        callback();
      },
      destroy(err, callback) {
        channel?.destroy();
        callback(err);
      },
    });
    // kafkajs calls unref() on its sockets; a tunnelled one has nothing of its own to unref.
    Object.assign(socket, { unref: () => socket, setKeepAlive: () => socket });
    this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      if (err) {
        socket.destroy(
          new HDInsightError('Unreachable', `The SSH server could not reach ${host}:${port} (${err.message}).`, undefined, { cause: err }),
        );
        return;
      }
      channel = stream;
      stream.on('data', (data: Buffer) => socket.push(data));
      stream.on('close', () => socket.push(null));
      stream.on('error', (e: Error) => socket.destroy(e));
      for (const { chunk, callback } of pending.splice(0)) stream.write(chunk, callback);
      onConnect();
    });
    return socket;
  };

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.ended) return resolve();
      this.client.once('close', () => resolve());
      this.client.end();
    });
  }
}

/** Whether to trust the offered key: the expected fingerprint, or the policy's answer. */
async function decide(policy: HostKeyPolicy, offered: SshHostKey, target: SshTarget): Promise<boolean> {
  if (typeof policy === 'function') return policy(offered);
  const expected = parseHostKeyFingerprint(policy, 'The trusted SSH host key');
  if (offered.sha256 === expected) return true;
  throw hostKeyChangedError(target, offered, expected);
}

function serverName(target: SshTarget): string {
  return target.name ? `${target.name} (${target.host}:${target.port})` : `${target.host}:${target.port}`;
}

function toSshError(err: Error & { level?: string }, target: SshTarget): HDInsightError {
  const where = `${target.username}@${target.host}:${target.port}`;
  if (err.level === 'client-authentication') {
    return new HDInsightError('Unauthorized', `The SSH server refused the login of ${where}.`, 'Enter the SSH login again.', {
      cause: err,
    });
  }
  if (/Timed out while waiting for handshake/i.test(err.message)) {
    return new HDInsightError(
      'Timeout',
      `The SSH server ${where} did not answer in time.`,
      'Check the cluster is running and its SSH endpoint.',
      { cause: err },
    );
  }
  return new HDInsightError(
    'Unreachable',
    `The SSH server ${where} could not be reached (${err.message}).`,
    'Check the SSH host and port.',
    { cause: err },
  );
}
