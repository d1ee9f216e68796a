import * as vscode from 'vscode';
import type { AzureAccount } from '../auth/AzureAccount';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { KnownBrokers } from '../clusters/knownBrokers';
import type { JobRegistry } from '../jobs/JobRegistry';
import type { NotebookKernelHost } from '../notebook/register';
import type { Logger } from '../logger';
import type { ClusterLogins } from '../secrets/ClusterLogins';
import type { SshHostKeys } from '../secrets/SshHostKeys';
import type { SshLogins } from '../secrets/SshLogins';
import type { Settings } from '../settings';
import type { ClustersTreeDataProvider } from '../tree/ClustersTreeDataProvider';
import type * as commandsChunk from '../chunks/commands';
import { LoadMoreNode } from '../tree/nodes/AzureNodes';
import { MoreTopicsNode } from '../tree/nodes/KafkaNodes';
import { registerCommand, type CommandHandler } from './command';
import { refreshCommand } from './refresh';

export interface CommandDependencies {
  logger: Logger;
  tree: ClustersTreeDataProvider;
  account: AzureAccount;
  settings: Settings;
  logins: ClusterLogins;
  sshLogins: SshLogins;
  sshHostKeys: SshHostKeys;
  kafka: KafkaConnections;
  jobs: JobRegistry;
  knownBrokers: KnownBrokers;
  extensionUri: vscode.Uri;
  notebooks: NotebookKernelHost;
}

type Implementations = typeof commandsChunk;

/**
 * A command's handler that loads the command implementations (dist/chunks/commands.js) on its
 * first call and makes this command's handler from them, once: activation pays only for
 * registering. A failed load is not kept, so the next call tries again.
 */
function lazy(make: (implementations: Implementations) => CommandHandler): CommandHandler {
  let handler: Promise<CommandHandler> | undefined;
  return async (...args: unknown[]) => {
    if (!handler) {
      handler = import('../chunks/commands').then(make);
      handler.catch(() => (handler = undefined));
    }
    return (await handler)(...args);
  };
}

/** Registers every command, each through the one error wrapper; most load on first use. */
export function registerCommands({
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
  extensionUri,
  notebooks,
}: CommandDependencies): vscode.Disposable[] {
  // Broker discovery through any command remembers what it found, for the streaming pre-flight.
  const lookup = { account, settings, knownBrokers };
  const kafkaDeps = { lookup, connections: kafka, changed: () => tree.refresh(), logger };
  const commands: [string, CommandHandler][] = [
    ['hdinsight.refresh', refreshCommand(tree)],
    ['hdinsight.showLog', () => logger.show()],
    [
      'hdinsight.openSettings',
      () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:hdinsight-streaming.hdinsight-streaming'),
    ],
    ['hdinsight.signIn', lazy((c) => c.signInCommand(account))],
    ['hdinsight.selectTenant', lazy((c) => c.selectTenantCommand(account, settings))],
    ['hdinsight.selectSubscriptions', lazy((c) => c.selectSubscriptionsCommand(account, settings))],
    [
      'hdinsight.loadMore',
      (node: unknown) => (node instanceof LoadMoreNode || node instanceof MoreTopicsNode ? node.parent.loadMore() : undefined),
    ],
    ['hdinsight.openInPortal', lazy((c) => c.openClusterPageCommand('portal', lookup))],
    ['hdinsight.openAmbari', lazy((c) => c.openClusterPageCommand('ambari', lookup))],
    ['hdinsight.openSparkUi', lazy((c) => c.openClusterPageCommand('sparkUi', lookup))],
    ['hdinsight.openYarnUi', lazy((c) => c.openClusterPageCommand('yarnUi', lookup))],
    ['hdinsight.openJupyter', lazy((c) => c.openClusterPageCommand('jupyter', lookup))],
    ['hdinsight.copySshCommand', lazy((c) => c.copySshCommandCommand(lookup))],
    ['hdinsight.linkCluster', lazy((c) => c.linkClusterCommand(settings, logins))],
    ['hdinsight.unlinkCluster', lazy((c) => c.unlinkClusterCommand(settings, logins))],
    ['hdinsight.setClusterLogin', lazy((c) => c.setClusterLoginCommand(lookup, logins, () => tree.refresh()))],
    ['hdinsight.setSshLogin', lazy((c) => c.setSshLoginCommand(lookup, sshLogins, sshHostKeys, kafka))],
    ['hdinsight.forgetSshHostKey', lazy((c) => c.forgetSshHostKeyCommand(lookup, sshHostKeys, kafka))],
    ['hdinsight.discoverBrokers', lazy((c) => c.discoverBrokersCommand({ ...lookup, logins }))],
    ['hdinsight.kafka.createTopic', lazy((c) => c.createTopicCommand(kafkaDeps))],
    ['hdinsight.kafka.deleteTopic', lazy((c) => c.deleteTopicCommand(kafkaDeps))],
    ['hdinsight.kafka.produce', lazy((c) => c.produceCommand(kafkaDeps))],
    ['hdinsight.kafka.browseMessages', lazy((c) => c.browseMessagesCommand({ ...kafkaDeps, extensionUri }))],
    ['hdinsight.kafka.exportMessages', lazy((c) => c.exportMessagesCommand(kafkaDeps))],
    ['hdinsight.createCluster', lazy((c) => c.createClusterCommand({ lookup, logins, changed: () => tree.refresh() }))],
    ['hdinsight.createSparkKafkaPair', lazy((c) => c.createPairCommand({ lookup, logins, changed: () => tree.refresh() }))],
    ['hdinsight.resizeCluster', lazy((c) => c.resizeClusterCommand({ lookup, changed: () => tree.refresh() }))],
    ['hdinsight.deleteCluster', lazy((c) => c.deleteClusterCommand({ lookup, changed: () => tree.refresh() }))],
    ['hdinsight.submitStreamingJob', lazy((c) => c.submitStreamingJobCommand({ lookup, jobs, extensionUri, knownBrokers, settings }))],
    ['hdinsight.getJob', lazy((c) => c.getJobCommand(jobs))],
    ['hdinsight.cancelJob', lazy((c) => c.cancelJobCommand(jobs))],
    ['hdinsight.showJobOutput', lazy((c) => c.showJobOutputCommand(jobs, extensionUri))],
    ['hdinsight.notebook.restartSession', lazy((c) => async (arg: unknown) => c.restartSessionCommand(await notebooks.kernels(), arg))],
    [
      'hdinsight.notebook.stopStreamingQueries',
      lazy((c) => async (arg: unknown) => c.stopStreamingQueriesCommand(await notebooks.kernels(), arg)),
    ],
    ['hdinsight.insertStreamingSnippet', lazy((c) => c.insertSnippetCommand({ ...lookup, logins, extensionUri }))],
  ];
  return commands.map(([id, handler]) => registerCommand(id, handler, logger));
}
