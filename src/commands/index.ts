import * as vscode from 'vscode';
import type { Logger } from '../logger';
import type { ClustersTreeDataProvider } from '../tree/ClustersTreeDataProvider';
import { registerCommand } from './command';
import { refreshCommand } from './refresh';

export interface CommandDependencies {
  logger: Logger;
  tree: ClustersTreeDataProvider;
}

/** Registers every command, each through the one error wrapper. */
export function registerCommands({ logger, tree }: CommandDependencies): vscode.Disposable[] {
  const commands: [string, (...args: unknown[]) => unknown][] = [
    ['hdinsight.refresh', refreshCommand(tree)],
    ['hdinsight.showLog', () => logger.show()],
    [
      'hdinsight.openSettings',
      () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:hdinsight-streaming.hdinsight-streaming'),
    ],
  ];
  return commands.map(([id, handler]) => registerCommand(id, handler, logger));
}
