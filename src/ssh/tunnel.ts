// The SSH tunnel to brokers inside a virtual network. The implementation (src/chunks/ssh.ts)
// loads ssh2 on first use; everything else sees only these types.
import type { Duplex } from 'node:stream';

export interface SshLogin {
  username: string;
  password?: string;
  /** OpenSSH or PEM private key. */
  privateKey?: string;
  passphrase?: string;
}

export interface SshTarget extends SshLogin {
  host: string;
  port: number;
  /** Milliseconds for the SSH handshake (default 15 s). */
  readyTimeoutMs?: number;
}

/** What kafkajs' `socketFactory` option takes. */
export type SocketFactory = (args: { host: string; port: number; ssl: unknown; onConnect: () => void }) => Duplex;

export interface SshTunnel {
  /** Connects to any host:port as seen from the SSH server (every broker the cluster advertises). */
  readonly socketFactory: SocketFactory;
  readonly closed: boolean;
  close(): Promise<void>;
}
