import net from 'node:net';

/** Whether a TCP connection to host:port opens within the timeout (names resolved here). */
export function canConnect(hostPort: string, timeoutMs: number): Promise<boolean> {
  const index = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, index).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(index + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
