import * as vscode from 'vscode';
import { CancelledError, HDInsightError, InvalidInputError, userMessage } from '../core/errors';
import { linkedLoginTarget, parseLinkedClusters, type LinkedClusterSettings } from '../core/linkedClusters';
import { parseBootstrap, parseServiceUrl } from '../core/urls';
import type { ClusterLogins } from '../secrets/ClusterLogins';
import type { Settings } from '../settings';
import { LinkedClusterNode } from '../tree/nodes/LinkedClusterNodes';

export interface LinkClusterArgs extends LinkedClusterSettings {
  password?: string;
}

const optionalFields = ['ambariUrl', 'livyUrl', 'kafkaBootstrap', 'sshHost', 'username'] as const;

/**
 * `hdinsight.linkCluster` `{ name, ambariUrl?, livyUrl?, kafkaBootstrap?, sshHost?, sshPort?, username?, password? }`.
 * Everything is checked before anything is saved; the password goes to secret storage only.
 */
export function linkClusterCommand(settings: Settings, logins: ClusterLogins) {
  return async (arg?: unknown): Promise<{ name: string }> => {
    const args =
      typeof arg === 'object' && arg !== null && !(arg instanceof LinkedClusterNode)
        ? (arg as LinkClusterArgs)
        : await askLinkArgs(settings);
    const { password, ...entry } = args;
    const clean: LinkedClusterSettings = { name: typeof entry.name === 'string' ? entry.name.trim() : entry.name };
    for (const key of optionalFields) {
      const value = entry[key];
      if (value !== undefined && value !== '') clean[key] = typeof value === 'string' ? value.trim() : value;
    }
    if (entry.sshPort !== undefined) clean.sshPort = entry.sshPort;
    const { clusters, problems } = parseLinkedClusters([clean]);
    if (problems.length > 0) throw new InvalidInputError(`Cannot link ${problems[0].entry}: ${problems[0].message}`);
    if (password !== undefined && typeof password !== 'string') throw new InvalidInputError('"password" must be a string.');
    if (password && !clean.username) throw new InvalidInputError('A password was given without a username.', 'Add "username".');
    await settings.saveLinkedCluster(clean);
    if (password) await logins.store(linkedLoginTarget(clusters[0]), { username: clean.username!, password });
    return { name: clean.name };
  };
}

async function askLinkArgs(settings: Settings): Promise<LinkClusterArgs> {
  const taken = new Set(settings.linkedClusters.clusters.map((c) => c.name.toLowerCase()));
  const title = 'Link a cluster';
  const ask = async (options: vscode.InputBoxOptions): Promise<string> => {
    const value = await vscode.window.showInputBox({ title, ignoreFocusOut: true, ...options });
    if (value === undefined) throw new CancelledError();
    return value.trim();
  };
  const check = (parse: (v: string) => unknown) => (value: string) => {
    if (!value.trim()) return undefined;
    try {
      parse(value);
      return undefined;
    } catch (err) {
      return userMessage(err);
    }
  };
  const name = await ask({
    prompt: 'A name for the cluster in this view',
    validateInput: (v) => (!v.trim() ? 'Enter a name.' : taken.has(v.trim().toLowerCase()) ? `${v.trim()} is already linked.` : undefined),
  });
  const ambariUrl = await ask({
    prompt: 'Ambari URL (optional)',
    placeHolder: 'https://mycluster.azurehdinsight.net',
    validateInput: check((v) => parseServiceUrl(v, 'The Ambari URL')),
  });
  const livyUrl = await ask({
    prompt: 'Livy URL (optional)',
    placeHolder: 'https://mycluster.azurehdinsight.net/livy',
    validateInput: check((v) => parseServiceUrl(v, 'The Livy URL')),
  });
  const kafkaBootstrap = await ask({
    prompt: 'Kafka bootstrap servers (optional)',
    placeHolder: 'wn0-kafka:9092,wn1-kafka:9092',
    validateInput: check(parseBootstrap),
  });
  if (!ambariUrl && !livyUrl && !kafkaBootstrap)
    throw new InvalidInputError('A linked cluster needs at least one address: Ambari, Livy or Kafka.');
  const sshHost = await ask({ prompt: 'SSH host for tunnels to the brokers (optional)', placeHolder: 'mycluster-ssh.azurehdinsight.net' });
  const sshPortText = sshHost
    ? await ask({
        prompt: 'SSH port',
        value: '22',
        validateInput: (v) => (/^\d+$/.test(v) && +v >= 1 && +v <= 65535 ? undefined : 'Enter a port between 1 and 65535.'),
      })
    : '';
  const username = await ask({ prompt: 'Cluster login user name (optional)', value: 'admin' });
  const password = username ? await ask({ prompt: `Password of ${username} (kept in VS Code's secret storage)`, password: true }) : '';
  return {
    name,
    ambariUrl: ambariUrl || undefined,
    livyUrl: livyUrl || undefined,
    kafkaBootstrap: kafkaBootstrap || undefined,
    sshHost: sshHost || undefined,
    sshPort: sshPortText ? Number(sshPortText) : undefined,
    username: username || undefined,
    password: password || undefined,
  };
}

/** `hdinsight.unlinkCluster` `{ name }`: removes the entry and its stored password. */
export function unlinkClusterCommand(settings: Settings, logins: ClusterLogins) {
  return async (arg?: unknown): Promise<{ name: string; removed: boolean }> => {
    let name: string | undefined;
    if (arg instanceof LinkedClusterNode) name = arg.cluster.name;
    else if (typeof arg === 'object' && arg !== null) {
      const given = (arg as { name?: unknown }).name;
      if (typeof given !== 'string' || !given.trim()) throw new InvalidInputError('"name" must name a linked cluster.');
      name = given.trim();
    } else {
      const picked = await vscode.window.showQuickPick(
        settings.linkedClusters.clusters.map((c) => c.name),
        { title: 'Unlink which cluster?' },
      );
      if (!picked) throw new CancelledError();
      name = picked;
    }
    const removed = await settings.removeLinkedCluster(name);
    if (!removed) throw new HDInsightError('NotFound', `No linked cluster is named ${name}.`);
    await logins.forget({ kind: 'linked', name });
    return { name, removed };
  };
}
