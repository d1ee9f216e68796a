import * as vscode from 'vscode';
import { gatewayUrl, portalUrl, sshEndpoint } from '../azure/model';
import type { ClusterLookup, ClusterTarget } from '../clusters/ClusterTarget';
import { resolveCluster } from './resolveCluster';
import { HDInsightError, InvalidInputError } from '../core/errors';
import { sshCommandLine } from '../ssh/command';
import { isScripted } from './command';

export type ClusterPage = 'portal' | 'ambari' | 'sparkUi' | 'yarnUi' | 'jupyter';

const gatewayPaths: Record<Exclude<ClusterPage, 'portal'>, string> = {
  ambari: '/',
  sparkUi: '/sparkhistory/',
  yarnUi: '/yarnui/hn/cluster',
  jupyter: '/jupyter/',
};
const pageNames: Record<ClusterPage, string> = {
  portal: 'Azure portal',
  ambari: 'Ambari',
  sparkUi: 'Spark UI',
  yarnUi: 'YARN UI',
  jupyter: 'Jupyter',
};

export function clusterPageUrl(target: ClusterTarget, page: ClusterPage, lookup: ClusterLookup): string {
  const { cloud } = lookup.settings.resourceManager;
  if (target.kind === 'azure') {
    if (page === 'portal') return portalUrl(cloud.portalUrl, target.cluster.id);
    return new URL(gatewayPaths[page], gatewayUrl(target.cluster, cloud.gatewaySuffix)).href;
  }
  const { ambariUrl } = target.cluster;
  if (page === 'ambari' && ambariUrl) return ambariUrl.href;
  // A linked HDInsight cluster: the same gateway serves every page.
  if (page !== 'portal' && ambariUrl && /\.azurehdinsight\.(net|cn|us)$/i.test(ambariUrl.hostname)) {
    return new URL(gatewayPaths[page], ambariUrl.origin).href;
  }
  throw new HDInsightError(
    'NotFound',
    `The ${pageNames[page]} of linked cluster ${target.cluster.name} is not known.`,
    page === 'ambari' ? 'Add its ambariUrl to the setting hdinsight.linkedClusters.' : undefined,
  );
}

/** `hdinsight.openInPortal`, `.openAmbari`, `.openSparkUi`, `.openYarnUi`, `.openJupyter` `{ cluster, open? }`. */
export function openClusterPageCommand(page: ClusterPage, lookup: ClusterLookup) {
  return async (arg?: unknown): Promise<{ url: string }> => {
    const target = await resolveCluster(arg, lookup);
    const url = clusterPageUrl(target, page, lookup);
    const open = !isScripted([arg]) || (arg as { open?: boolean }).open !== false;
    if (open) await vscode.env.openExternal(vscode.Uri.parse(url));
    return { url };
  };
}

/**
 * `hdinsight.copySshCommand` `{ cluster, user? }`: copies `ssh sshuser@CLUSTER-ssh.azurehdinsight.net`.
 * A host or user that is not a host name or user name is refused before anything is copied.
 */
export function copySshCommandCommand(lookup: ClusterLookup) {
  return async (arg?: unknown): Promise<{ command: string }> => {
    const target = await resolveCluster(arg, lookup);
    const user = isScripted([arg]) ? (arg as { user?: unknown }).user : undefined;
    if (user !== undefined && typeof user !== 'string') throw new InvalidInputError('"user" must be a user name.');
    const sshUser = user?.trim() || 'sshuser';
    const cluster = target.cluster.name;
    let command: string;
    if (target.kind === 'azure') {
      const endpoint = sshEndpoint(target.cluster, lookup.settings.resourceManager.cloud.gatewaySuffix);
      command = sshCommandLine(endpoint, sshUser, { cluster, hostFrom: 'azure' });
    } else if (target.cluster.ssh) {
      command = sshCommandLine(target.cluster.ssh, sshUser, { cluster, hostFrom: 'setting' });
    } else {
      throw new HDInsightError(
        'NotFound',
        `Linked cluster ${target.cluster.name} has no SSH host.`,
        'Add sshHost to the setting hdinsight.linkedClusters.',
      );
    }
    await vscode.env.clipboard.writeText(command);
    if (!isScripted([arg])) void vscode.window.showInformationMessage(`Copied: ${command}`);
    return { command };
  };
}
