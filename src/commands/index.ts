import * as vscode from 'vscode';
import type { AzureAccount } from '../auth/AzureAccount';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { Jobs } from '../jobs/Jobs';
import type { Logger } from '../logger';
import type { ClusterLogins } from '../secrets/ClusterLogins';
import type { SshLogins } from '../secrets/SshLogins';
import type { Settings } from '../settings';
import type { ClustersTreeDataProvider } from '../tree/ClustersTreeDataProvider';
import { LoadMoreNode } from '../tree/nodes/AzureNodes';
import { selectSubscriptionsCommand, selectTenantCommand, signInCommand } from './azureAccount';
import { deleteClusterCommand, resizeClusterCommand } from './clusterLifecycle';
import { createClusterCommand } from './createCluster';
import { createPairCommand } from './createPair';
import { copySshCommandCommand, openClusterPageCommand } from './clusterPages';
import { browseMessagesCommand } from './browseMessages';
import { discoverBrokersCommand } from './discoverBrokers';
import { createTopicCommand, deleteTopicCommand, produceCommand } from './kafkaTopics';
import { insertSnippetCommand } from './insertSnippet';
import { cancelJobCommand, getJobCommand, showJobOutputCommand } from './jobs';
import { submitStreamingJobCommand } from './submitStreamingJob';
import { registerCommand } from './command';
import { linkClusterCommand, unlinkClusterCommand } from './linkedClusters';
import { refreshCommand } from './refresh';
import { setClusterLoginCommand } from './setClusterLogin';
import { setSshLoginCommand } from './setSshLogin';

export interface CommandDependencies {
  logger: Logger;
  tree: ClustersTreeDataProvider;
  account: AzureAccount;
  settings: Settings;
  logins: ClusterLogins;
  sshLogins: SshLogins;
  kafka: KafkaConnections;
  jobs: Jobs;
  extensionUri: vscode.Uri;
}

/** Registers every command, each through the one error wrapper. */
export function registerCommands({
  logger,
  tree,
  account,
  settings,
  logins,
  sshLogins,
  kafka,
  jobs,
  extensionUri,
}: CommandDependencies): vscode.Disposable[] {
  const lookup = { account, settings };
  const kafkaDeps = { lookup, connections: kafka, changed: () => tree.refresh() };
  const commands: [string, (...args: unknown[]) => unknown][] = [
    ['hdinsight.refresh', refreshCommand(tree)],
    ['hdinsight.showLog', () => logger.show()],
    [
      'hdinsight.openSettings',
      () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:hdinsight-streaming.hdinsight-streaming'),
    ],
    ['hdinsight.signIn', signInCommand(account)],
    ['hdinsight.selectTenant', selectTenantCommand(account, settings)],
    ['hdinsight.selectSubscriptions', selectSubscriptionsCommand(account, settings)],
    ['hdinsight.loadMore', (node: unknown) => (node instanceof LoadMoreNode ? node.parent.loadMore() : undefined)],
    ['hdinsight.openInPortal', openClusterPageCommand('portal', lookup)],
    ['hdinsight.openAmbari', openClusterPageCommand('ambari', lookup)],
    ['hdinsight.openSparkUi', openClusterPageCommand('sparkUi', lookup)],
    ['hdinsight.openYarnUi', openClusterPageCommand('yarnUi', lookup)],
    ['hdinsight.openJupyter', openClusterPageCommand('jupyter', lookup)],
    ['hdinsight.copySshCommand', copySshCommandCommand(lookup)],
    ['hdinsight.linkCluster', linkClusterCommand(settings, logins)],
    ['hdinsight.unlinkCluster', unlinkClusterCommand(settings, logins)],
    ['hdinsight.setClusterLogin', setClusterLoginCommand(lookup, logins, () => tree.refresh())],
    ['hdinsight.setSshLogin', setSshLoginCommand(lookup, sshLogins, kafka)],
    ['hdinsight.discoverBrokers', discoverBrokersCommand({ ...lookup, logins })],
    ['hdinsight.kafka.createTopic', createTopicCommand(kafkaDeps)],
    ['hdinsight.kafka.deleteTopic', deleteTopicCommand(kafkaDeps)],
    ['hdinsight.kafka.produce', produceCommand(kafkaDeps)],
    ['hdinsight.kafka.browseMessages', browseMessagesCommand({ ...kafkaDeps, extensionUri, logger })],
    ['hdinsight.createCluster', createClusterCommand({ lookup, logins, changed: () => tree.refresh() })],
    ['hdinsight.createSparkKafkaPair', createPairCommand({ lookup, logins, changed: () => tree.refresh() })],
    ['hdinsight.resizeCluster', resizeClusterCommand({ lookup, changed: () => tree.refresh() })],
    ['hdinsight.deleteCluster', deleteClusterCommand({ lookup, changed: () => tree.refresh() })],
    ['hdinsight.submitStreamingJob', submitStreamingJobCommand({ lookup, jobs, extensionUri })],
    ['hdinsight.getJob', getJobCommand(jobs)],
    ['hdinsight.cancelJob', cancelJobCommand(jobs)],
    ['hdinsight.showJobOutput', showJobOutputCommand(jobs, extensionUri)],
    ['hdinsight.insertStreamingSnippet', insertSnippetCommand({ ...lookup, logins, extensionUri })],
  ];
  return commands.map(([id, handler]) => registerCommand(id, handler, logger));
}
