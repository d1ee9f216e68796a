// SSH host keys as OpenSSH shows them, and the errors for a key that is not trusted. No ssh2 here:
// the VS Code layer uses this too, and ssh2 loads only with the tunnel (Ssh2Tunnel.ts, through the
// chunk src/chunks/ssh.ts).
import { createHash } from 'node:crypto';
import { HDInsightError, InvalidInputError } from '../core/errors';

/** A server's host key as OpenSSH's `ssh-keygen -lf` names it. */
export interface SshHostKey {
  /** The key's type as the server sends it, e.g. `ssh-ed25519`. */
  algorithm: string;
  /** `SHA256:` and the unpadded base64 of the SHA-256 of the key blob. */
  sha256: string;
}

/** Where an SSH server is, and what to call it in messages (e.g. the cluster's name). */
export interface SshServerName {
  host: string;
  port: number;
  name?: string;
}

/** The fingerprint and type of a raw host key blob (the SSH wire format of the public key). */
export function hostKeyOf(blob: Buffer): SshHostKey {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const algorithm = length > 0 && 4 + length <= blob.length ? blob.subarray(4, 4 + length).toString('latin1') : 'unknown';
  return { algorithm, sha256: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}` };
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/**
 * A fingerprint as a script or the user gives it, in OpenSSH's form (`SHA256:` + 43 base64
 * characters; trailing `=` tolerated), or an error that says what is expected.
 */
export function parseHostKeyFingerprint(text: unknown, what = '"hostKey"'): string {
  const value = typeof text === 'string' ? text.trim().replace(/=+$/, '') : '';
  if (!FINGERPRINT.test(value)) {
    throw new InvalidInputError(
      `${what} must be an SSH host key fingerprint as OpenSSH shows it: "SHA256:" and 43 base64 characters.`,
      'Read it on the cluster with "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub", or from "ssh-keyscan HOST | ssh-keygen -lf -".',
    );
  }
  return value;
}

function where(server: SshServerName): string {
  const address = `${server.host}:${server.port}`;
  return server.name ? `${server.name} (${address})` : address;
}

/** A host key other than the one trusted before: the login was not sent. */
export function hostKeyChangedError(server: SshServerName, offered: SshHostKey, trusted: string): HDInsightError {
  return new HDInsightError(
    'HostKeyMismatch',
    `The SSH host key of ${where(server)} changed: the server offers ${offered.algorithm} ${offered.sha256}, ` +
      `but ${trusted} is the key trusted for it. This could mean someone is intercepting the connection; ` +
      'nothing was sent to the server and the connection was closed.',
    `If the cluster was re-created, forget the old key with "HDInsight: Forget SSH Host Key" and connect again.`,
  );
}

/** A host key no one has trusted yet, on a connection that cannot ask (a scripted call). */
export function hostKeyUnknownError(server: SshServerName, offered: SshHostKey, cluster?: string): HDInsightError {
  const clusterArg = cluster ? `cluster: ${JSON.stringify(cluster)}, ` : '';
  return new HDInsightError(
    'HostKeyUnknown',
    `The SSH host key of ${where(server)} is not trusted yet: the server offers ${offered.algorithm} ${offered.sha256}. ` +
      'Nothing was sent to the server.',
    'Check that fingerprint on the cluster (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on its head node), then trust it when ' +
      `"HDInsight: Enter SSH Login…" asks, or pin it with hdinsight.setSshLogin { ${clusterArg}hostKey: "SHA256:…" }.`,
  );
}
