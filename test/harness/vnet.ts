// A small "virtual network" for the SSH tunnel tests: a Linux network namespace joined to this
// machine by a veth pair, with its own /etc/hosts (ip netns exec bind-mounts /etc/netns/NAME/hosts).
// Host names listed there resolve only inside it, as HDInsight's internal broker names resolve only
// inside the cluster's virtual network. Needs root (CAP_NET_ADMIN) and iproute2.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface VirtualNetwork {
  name: string;
  /** This machine's address on the link. */
  hostAddress: string;
  /** The namespace's address on the link: where its servers listen. */
  address: string;
  /** Prefix to run a command inside the namespace. */
  exec: string[];
  remove(): void;
}

export function createVirtualNetwork(hosts: Record<string, string>): VirtualNetwork {
  const id = process.pid % 200;
  const name = `hdivnet${process.pid}`;
  const [hostIf, nsIf] = [`hdih${process.pid}`.slice(0, 15), `hdiv${process.pid}`.slice(0, 15)];
  const subnet = `10.213.${id}`;
  const [hostAddress, address] = [`${subnet}.1`, `${subnet}.2`];
  const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const hostsDir = path.join('/etc/netns', name);
  try {
    ip('netns', 'add', name);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${address}/30`, 'dev', nsIf);
    ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    fs.mkdirSync(hostsDir, { recursive: true });
    fs.writeFileSync(
      path.join(hostsDir, 'hosts'),
      ['127.0.0.1 localhost', ...Object.entries(hosts).map(([host, addr]) => `${addr === 'self' ? address : addr} ${host}`), ''].join('\n'),
    );
  } catch (err) {
    removeNetwork(name, hostIf, hostsDir);
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`Could not create the test network namespace (needs root and iproute2): ${detail ?? String(err)}`);
  }
  return { name, hostAddress, address, exec: ['ip', 'netns', 'exec', name], remove: () => removeNetwork(name, hostIf, hostsDir) };
}

function removeNetwork(name: string, hostIf: string, hostsDir: string): void {
  for (const args of [
    ['link', 'del', hostIf],
    ['netns', 'del', name],
  ]) {
    try {
      execFileSync('ip', args, { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  fs.rmSync(hostsDir, { recursive: true, force: true });
}
