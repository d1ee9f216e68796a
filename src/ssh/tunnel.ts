// The SSH tunnel to brokers inside a virtual network. The implementation (Ssh2Tunnel.ts) loads
// with ssh2 on first use, through the chunk src/chunks/ssh.ts; everything else sees only these types.
import type { Duplex } from 'node:stream';
import type { SshHostKey } from './hostKeys';

export type { SshHostKey } from './hostKeys';

export interface SshLogin {
  username: string;
  password?: string;
  /** OpenSSH or PEM private key. */
  privateKey?: string;
  passphrase?: string;
}

/**
 * Which host key to trust, decided before anything is sent to the server (the login goes only
 * after it); there is no default that trusts any key.
 * - A fingerprint `SHA256:…` (pinned before, or given by a script): only that key; any other is
 *   refused with code `HostKeyMismatch`.
 * - A function, asked with the server's key: resolves `true` to trust it, `false` to refuse (code
 *   `HostKeyUnknown`), or rejects with the error the connection then fails with.
 */
export type HostKeyPolicy = string | ((key: SshHostKey) => Promise<boolean>);

export interface SshTarget extends SshLogin {
  host: string;
  port: number;
  hostKey: HostKeyPolicy;
  /** What to call the server in messages, e.g. the cluster's name. */
  name?: string;
  /**
   * Called once the server has proved it holds the trusted host key (the key exchange is done),
   * before authentication: the moment OpenSSH adds a key to known_hosts.
   */
  onHostKeyVerified?: (key: SshHostKey) => void;
  /** Milliseconds for the SSH handshake (default 15 s). */
  readyTimeoutMs?: number;
}

/** What kafkajs' `socketFactory` option takes. */
export type SocketFactory = (args: { host: string; port: number; ssl: unknown; onConnect: () => void }) => Duplex;

export interface SshTunnel {
  /** The host key the server proved it holds, as trusted by the target's `hostKey`. */
  readonly hostKey: SshHostKey;
  /** Connects to any host:port as seen from the SSH server (every broker the cluster advertises). */
  readonly socketFactory: SocketFactory;
  readonly closed: boolean;
  close(): Promise<void>;
}
