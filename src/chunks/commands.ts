// The command implementations and their webview panels, loaded when the first command runs (their
// own bundle, dist/chunks/commands.js): activation only registers a thin handler for each command
// (src/commands/index.ts). A command added to index.ts exports its factory from here.
export { selectSubscriptionsCommand, selectTenantCommand, signInCommand } from '../commands/azureAccount';
export { deleteClusterCommand, resizeClusterCommand } from '../commands/clusterLifecycle';
export { createClusterCommand } from '../commands/create/createCluster';
export { createPairCommand } from '../commands/create/createPair';
export { copySshCommandCommand, openClusterPageCommand } from '../commands/clusterPages';
export { browseMessagesCommand } from '../commands/browseMessages';
export { discoverBrokersCommand } from '../commands/discoverBrokers';
export { exportMessagesCommand } from '../commands/exportMessages';
export { createTopicCommand, deleteTopicCommand, produceCommand } from '../commands/kafkaTopics';
export { insertSnippetCommand } from '../commands/insertSnippet';
export { cancelJobCommand } from '../commands/cancelJob';
export { getJobCommand } from '../commands/getJob';
export { showJobOutputCommand } from '../commands/showJobOutput';
export { submitStreamingJobCommand } from '../commands/submitStreamingJob';
export { linkClusterCommand, unlinkClusterCommand } from '../commands/linkedClusters';
export { setClusterLoginCommand } from '../commands/setClusterLogin';
export { forgetSshHostKeyCommand, setSshLoginCommand } from '../commands/setSshLogin';
export { restartSessionCommand, stopStreamingQueriesCommand } from '../commands/notebookSession';
