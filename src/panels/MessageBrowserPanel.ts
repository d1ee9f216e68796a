import * as vscode from 'vscode';
import { webviewHtml, webviewRoots } from './webviewHtml';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { ClusterTarget } from '../clusters/ClusterTarget';
import type { BrowsedMessage } from '../kafka/client';
import type { Logger } from '../logger';
import { type FromWebview, MessageBrowserModel, type ToWebview } from './MessageBrowserModel';

export { MAX_HELD } from './MessageBrowserModel';

/**
 * The message browser of one topic: a table of messages read without a consumer group, paging
 * back and forth, and a live tail (MessageBrowserModel.ts). Data reaches the webview only as
 * structured messages, which its script renders with textContent: nothing is ever inserted as HTML.
 */
export class MessageBrowserPanel implements vscode.Disposable {
  private static readonly open = new Map<string, MessageBrowserPanel>();
  private readonly model: MessageBrowserModel;
  private readonly disposables: vscode.Disposable[] = [];

  static show(
    extensionUri: vscode.Uri,
    target: ClusterTarget,
    topic: string,
    deps: { connections: KafkaConnections; logger: Logger },
  ): MessageBrowserPanel {
    const key = `${target.cluster.name}/${topic}`;
    const existing = MessageBrowserPanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      'hdinsight.messageBrowser',
      `${topic} · ${target.cluster.name}`,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: webviewRoots(extensionUri),
        retainContextWhenHidden: true,
      },
    );
    const browser = new MessageBrowserPanel(panel, extensionUri, target, topic, deps);
    MessageBrowserPanel.open.set(key, browser);
    return browser;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    target: ClusterTarget,
    topic: string,
    deps: { connections: KafkaConnections; logger: Logger },
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'kafka.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      script: 'messageBrowser.js',
      style: 'messageBrowser.css',
      title: 'Messages',
    });
    // The panel reads for itself, so whatever fails (the cluster, Ambari, the brokers) is shown in it.
    this.model = new MessageBrowserModel({
      cluster: target.cluster.name,
      topic,
      service: async () => (await deps.connections.get(target, { interactive: false })).service,
      post: (message: ToWebview) => void panel.webview.postMessage(message),
      logger: deps.logger,
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => void this.model.handle(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** What the panel holds now (for tests and the command's result). */
  get messages(): readonly BrowsedMessage[] {
    return this.model.messages;
  }

  dispose(): void {
    this.model.dispose();
    for (const [key, value] of MessageBrowserPanel.open) if (value === this) MessageBrowserPanel.open.delete(key);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
