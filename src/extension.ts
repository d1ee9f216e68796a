import * as vscode from 'vscode';
import { AzureAccount } from './auth/AzureAccount';
import { KafkaConnections } from './clusters/KafkaConnections';
import { KnownBrokers } from './clusters/knownBrokers';
import { registerCommands } from './commands';
import { LivyConnections } from './clusters/LivyConnections';
import { JobRegistry } from './jobs/JobRegistry';
import { NotebookKernelHost } from './notebook/register';
import { Logger } from './logger';
import { ClusterLogins } from './secrets/ClusterLogins';
import { SshHostKeys } from './secrets/SshHostKeys';
import { SshLogins } from './secrets/SshLogins';
import { SerialMemento } from './core/serialMemento';
import { Settings } from './settings';
import { ClustersTreeDataProvider } from './tree/ClustersTreeDataProvider';

/** What `activate` returns: for other extensions and for the integration tests. */
export interface HDInsightExtensionApi {
  readonly clusters: vscode.TreeDataProvider<unknown>;
  /** The notebook kernels offered now (their code loads on the first call, as when a notebook opens). */
  notebookKernels(): Promise<{ id: string; label: string; cluster: string; language: string }[]>;
}

// Wiring only: build the services, hand them to the views and commands.
export function activate(context: vscode.ExtensionContext): HDInsightExtensionApi {
  const logger = new Logger();
  const settings = new Settings();
  const account = new AzureAccount(settings, logger);
  const logins = new ClusterLogins(context.secrets, account, logger);
  const sshLogins = new SshLogins(context.secrets);
  // One writer for the global state: the tree's snapshot and the host keys must not undo each other.
  const state = new SerialMemento(context.globalState);
  const sshHostKeys = new SshHostKeys(state);
  const knownBrokers = new KnownBrokers();
  const kafka = new KafkaConnections({ account, settings, logins, sshLogins, sshHostKeys, knownBrokers }, logger);
  const livy = new LivyConnections({ account, settings, logins });
  const jobs = new JobRegistry(livy, logger, kafka);
  const tree = new ClustersTreeDataProvider(
    settings,
    account,
    logins,
    kafka,
    livy,
    jobs,
    context.extensionUri,
    logger,
    knownBrokers,
    state,
  );
  const notebooks = new NotebookKernelHost({ lookup: { account, settings, logins, knownBrokers }, livy, logger });
  const view = vscode.window.createTreeView('hdinsight.clusters', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    logger,
    settings,
    account,
    kafka,
    jobs,
    tree,
    view,
    notebooks,
    ...registerCommands({
      logger,
      tree,
      account,
      settings,
      logins,
      sshLogins,
      sshHostKeys,
      kafka,
      jobs,
      knownBrokers,
      extensionUri: context.extensionUri,
      notebooks,
    }),
  );
  const { version } = context.extension.packageJSON as { version: string };
  logger.info(`HDInsight ${version} activated in VS Code ${vscode.version}`);
  return { clusters: tree, notebookKernels: () => notebooks.kernels().then((k) => k.offered()) };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
