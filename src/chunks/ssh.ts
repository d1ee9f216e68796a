// ssh2, loaded on first use (its own bundle, dist/chunks/ssh.js).
import { Duplex } from 'node:stream';
import { Client } from 'ssh2';
import { HDInsightError, throwIfAborted } from '../core/errors';
import type { SocketFactory, SshTarget, SshTunnel } from '../ssh/tunnel';

export async function openSshTunnel(target: SshTarget, signal?: AbortSignal): Promise<SshTunnel> {
  throwIfAborted(signal);
  if (!target.password && !target.privateKey) {
    throw new HDInsightError(
      'InvalidInput',
      `No SSH password or key for ${target.username}@${target.host}.`,
      'Enter the SSH login of the cluster.',
    );
  }
  const client = new Client();
  let closed = false;
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      client.end();
      reject(new DOMException('Aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    client
      .once('ready', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      })
      .once('error', (err: Error & { level?: string }) => {
        signal?.removeEventListener('abort', onAbort);
        reject(toSshError(err, target));
      })
      .connect({
        host: target.host,
        port: target.port,
        username: target.username,
        password: target.password,
        privateKey: target.privateKey,
        passphrase: target.passphrase,
        readyTimeout: target.readyTimeoutMs ?? 15_000,
        keepaliveInterval: 15_000,
      });
  });
  client.on('close', () => (closed = true));
  client.on('error', () => (closed = true));

  const socketFactory: SocketFactory = ({ host, port, onConnect }) => {
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
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
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

  return {
    socketFactory,
    get closed() {
      return closed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        client.once('close', () => resolve());
        client.end();
      }),
  };
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
