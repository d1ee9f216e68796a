import * as vscode from 'vscode';
import { parseLinkedClusters } from './core/linkedClusters';

/** The typed reader of the `hdinsight.*` settings, with one change event. */
export class Settings implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('hdinsight')) this.changed.fire();
    });
  }

  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('hdinsight');
  }

  /** Linked clusters, with the entries that could not be used and why. */
  get linkedClusters(): ReturnType<typeof parseLinkedClusters> {
    return parseLinkedClusters(this.config.get<unknown>('linkedClusters'));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
