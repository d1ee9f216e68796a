import type * as vscode from 'vscode';
import type { AzureAccount } from '../../auth/AzureAccount';
import type { KafkaConnections } from '../../clusters/KafkaConnections';
import type { KnownBrokers } from '../../clusters/knownBrokers';
import type { LivyConnections } from '../../clusters/LivyConnections';
import type { JobRegistry } from '../../jobs/JobRegistry';
import type { ClusterLogins } from '../../secrets/ClusterLogins';
import type { Settings } from '../../settings';
import type { TreeNode } from './TreeNode';

/** What nodes need to load their children and draw themselves. */
export interface TreeContext {
  readonly account: AzureAccount;
  readonly settings: Settings;
  readonly logins: ClusterLogins;
  readonly kafka: KafkaConnections;
  readonly livy: LivyConnections;
  readonly jobs: JobRegistry;
  readonly extensionUri: vscode.Uri;
  /** Where discovered brokers are remembered (for the pre-flight of streaming jobs). */
  readonly knownBrokers?: KnownBrokers;
  /** Forgets what a node (or everything) loaded and asks VS Code to load it again. */
  refresh(node?: TreeNode): void;
  /** Asks VS Code to draw a node again, keeping what it loaded. */
  redraw(node: TreeNode): void;
}
