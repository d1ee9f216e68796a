// The sockets of a Kafka client, watched: which brokers took a connection and never answered.
import net from 'node:net';
import type { SocketFactory } from '../ssh/tunnel';

/**
 * Connects as kafkajs would (or through the given factory, an SSH tunnel), and notes which brokers
 * accepted a connection but have not sent a byte back: what a timeout names.
 */
export function watchSockets(base: SocketFactory | undefined): {
  factory: SocketFactory;
  silent: () => string[];
  lastError: () => string | undefined;
} {
  const state = new Map<string, 'connected' | 'answered'>();
  let lastError: string | undefined;
  const factory: SocketFactory = ({ host, port, ssl, onConnect }) => {
    const address = `${host}:${port}`;
    const connected = (): void => {
      if (state.get(address) !== 'answered') state.set(address, 'connected');
      onConnect();
    };
    let socket;
    if (base) {
      socket = base({ host, port, ssl, onConnect: connected });
    } else {
      socket = net.connect({ host, port }, connected);
      socket.setKeepAlive(true, 60_000);
    }
    socket.once('data', () => state.set(address, 'answered'));
    socket.once('error', (err: Error) => (lastError = err.message));
    return socket;
  };
  return {
    factory,
    silent: () => [...state].filter(([, s]) => s === 'connected').map(([address]) => address),
    lastError: () => lastError,
  };
}
