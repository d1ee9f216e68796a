import { sshEndpoint } from '../azure/model';
import type { ClusterTarget } from './ClusterTarget';

export interface SshEndpoint {
  host: string;
  port: number;
}

/** The SSH endpoint a tunnel to the cluster's brokers goes through, if it has one. */
export function sshEndpointOf(target: ClusterTarget, gatewaySuffix: string): SshEndpoint | undefined {
  return target.kind === 'linked' ? target.cluster.ssh : sshEndpoint(target.cluster, gatewaySuffix);
}

/** `host:port`, the host in lower case: what a stored SSH login and a pinned host key are bound to. */
export function endpointText({ host, port }: SshEndpoint): string {
  const name = host.toLowerCase();
  return name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`;
}

/** Which cluster: its resource id, or a linked cluster's name (the only identity it has). */
export function clusterIdentity(target: ClusterTarget): string {
  return target.kind === 'azure' ? `azure:${target.cluster.id.toLowerCase()}` : `linked:${target.cluster.name.toLowerCase()}`;
}

/** The `cluster` argument that names this cluster to a command. */
export function clusterArgument(target: ClusterTarget): string {
  return target.kind === 'azure' ? target.cluster.id : target.cluster.name;
}
