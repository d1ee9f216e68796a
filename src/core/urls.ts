import { InvalidInputError } from './errors';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Parses a service URL the user entered. Only https is accepted, except plain http on loopback
 * (the local emulator, a tunnel): credentials never travel unencrypted across a network.
 */
export function parseServiceUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidInputError(`${what} "${value}" is not a URL.`, 'Enter it as https://host[:port][/path].');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new InvalidInputError(
      `${what} ${url.origin} uses plain http, which would send the cluster login unencrypted.`,
      'Use https (plain http is accepted only for localhost).',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidInputError(`${what} "${value}" must start with https://.`);
  }
  if (url.username || url.password) {
    throw new InvalidInputError(`${what} must not contain a user name or password.`, 'Enter the login separately.');
  }
  return url;
}

/** Parses "host:port,host:port" into a list, checking each entry. */
export function parseBootstrap(value: string): string[] {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (servers.length === 0) throw new InvalidInputError('The Kafka bootstrap list is empty.', 'Enter host:port, separated by commas.');
  for (const server of servers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(server);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new InvalidInputError(`"${server}" is not a Kafka broker address.`, 'Enter host:port, for example wn0-kafka:9092.');
    }
  }
  return servers;
}
