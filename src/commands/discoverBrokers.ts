import * as vscode from 'vscode';
import { findBrokers, type BrokerLookup } from '../clusters/brokers';
import type { BrokerDiscovery } from '../ambari/discovery';
import type { ClusterTarget } from '../clusters/ClusterTarget';
import { resolveCluster } from './resolveCluster';
import { isScripted, withCancellableProgress } from './command';

/** Broker discovery under a cancellable notification. */
export function discoverWithProgress(target: ClusterTarget, lookup: BrokerLookup, interactive: boolean): Promise<BrokerDiscovery> {
  return withCancellableProgress(`Discovering the Kafka brokers of ${target.cluster.name}…`, (signal) =>
    findBrokers(target, lookup, { interactive, signal }),
  );
}

/**
 * `hdinsight.discoverBrokers` `{ cluster }` → `{ brokers, bootstrap, zookeeper }`. From the palette it
 * also offers to copy the bootstrap string or insert it at the cursor.
 */
export function discoverBrokersCommand(lookup: BrokerLookup) {
  return async (arg?: unknown): Promise<{ brokers: string[]; bootstrap: string; zookeeper: string[] }> => {
    const scripted = isScripted([arg]);
    const target = await resolveCluster(arg, lookup);
    const found = await discoverWithProgress(target, lookup, !scripted);
    const result = { brokers: found.brokers, bootstrap: found.bootstrap, zookeeper: found.zookeeper };
    if (!scripted) void offerBootstrap(target.cluster.name, result.bootstrap, result.brokers);
    return result;
  };
}

async function offerBootstrap(cluster: string, bootstrap: string, brokers: string[]): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const copy = { label: '$(copy) Copy the bootstrap servers', detail: bootstrap };
  const insert = {
    label: '$(insert) Insert them at the cursor',
    detail: editor ? vscode.workspace.asRelativePath(editor.document.uri) : '',
  };
  const picked = await vscode.window.showQuickPick(editor ? [copy, insert] : [copy], {
    title: `${brokers.length} Kafka broker${brokers.length === 1 ? '' : 's'} of ${cluster}`,
    placeHolder: brokers.join('  '),
  });
  if (picked === copy) {
    await vscode.env.clipboard.writeText(bootstrap);
  } else if (picked === insert && editor) {
    await editor.edit((edit) => editor.selections.forEach((s) => edit.replace(s, bootstrap)));
  }
}
