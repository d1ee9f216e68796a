// The `ssh` command line users copy to reach a cluster. Its host comes from Azure or a setting and
// its user from the caller: each is checked to be a host name or a user name before it goes into a
// line someone pastes into a shell, so a tampered value cannot add commands or ssh options.
import { isIP } from 'node:net';
import { HDInsightError, InvalidInputError } from '../core/errors';

const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;
const USER_NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/;

/** A DNS name (labels of letters, digits, `-`, `_`) or an IPv4/IPv6 address; never starts with `-`. */
export function isValidSshHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label));
}

/** A POSIX-ish user name: letters, digits, `.`, `_`, `-`, not starting with `-`, at most 64 characters. */
export function isValidSshUser(user: string): boolean {
  return USER_NAME.test(user);
}

/** A word for a POSIX shell: as is when it holds only safe characters, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9._@:/=+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/**
 * `ssh [-p PORT] USER@HOST`, after checking each part; throws (nothing to copy) when one is not
 * what it must be. `where` says where the host came from, for the message's advice.
 */
export function sshCommandLine(
  endpoint: { host: string; port: number },
  user: string,
  where: { cluster: string; hostFrom: 'azure' | 'setting' },
): string {
  const { host, port } = endpoint;
  if (!isValidSshUser(user)) {
    throw new InvalidInputError(
      `The SSH user ${shown(user)} is not a user name; nothing was copied.`,
      'Use letters, digits, ".", "_" and "-", not starting with "-".',
    );
  }
  if (!isValidSshHost(host)) {
    throw new HDInsightError(
      'InvalidSettings',
      `The SSH host of ${where.cluster}, ${shown(host)}, is not a host name or IP address; nothing was copied.`,
      where.hostFrom === 'setting'
        ? 'Correct its sshHost in the setting hdinsight.linkedClusters.'
        : 'Check the SSH endpoint of the cluster in the Azure portal.',
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HDInsightError(
      'InvalidSettings',
      `The SSH port of ${where.cluster}, ${shown(String(port))}, is not a port number; nothing was copied.`,
    );
  }
  return ['ssh', ...(port !== 22 ? ['-p', String(port)] : []), shellQuote(`${user}@${host}`)].join(' ');
}
