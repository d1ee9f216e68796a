import * as vscode from 'vscode';
import { webviewHtml } from './webviewHtml';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { ClusterTarget } from '../clusters/resolveCluster';
import { isCancellation, userMessage } from '../core/errors';
import type { BrowsedMessage, BrowseFrom } from '../kafka/client';
import { validateMessages } from '../kafka/validate';
import type { Logger } from '../logger';

/** Most messages a panel holds; older ones are dropped as newer arrive (memory stays bounded). */
export const MAX_HELD = 5_000;
const PAGE = 100;
const TAIL_INTERVAL_MS = 1_000;

/** Messages from the webview. */
type FromWebview =
  | { type: 'ready' }
  | { type: 'load'; from: BrowseFrom; partitions?: number[] }
  | { type: 'older' }
  | { type: 'newer' }
  | { type: 'tail'; enabled: boolean }
  | { type: 'produce'; message: unknown };

/** Messages to the webview. */
export type ToWebview =
  | { type: 'init'; cluster: string; topic: string; partitions: number[] }
  | { type: 'messages'; messages: BrowsedMessage[]; mode: 'replace' | 'prepend' | 'append'; dropped: number }
  | { type: 'status'; text: string; error?: boolean }
  | { type: 'produced'; partition: number; offset: string }
  | { type: 'produceFailed'; text: string };

/**
 * The message browser of one topic: a table of messages read without a consumer group, paging
 * back and forth, and a live tail. Data reaches the webview only as structured messages, which
 * its script renders with textContent: nothing is ever inserted as HTML.
 */
export class MessageBrowserPanel implements vscode.Disposable {
  private static readonly open = new Map<string, MessageBrowserPanel>();
  private held: BrowsedMessage[] = [];
  private partitions?: number[];
  private tail?: NodeJS.Timeout;
  private tailFrom?: Record<number, string>;
  private busy = false;
  /** The last read failed (a broker restarting, a dropped tunnel): the next success says so. */
  private failing = false;
  private readonly disposables: vscode.Disposable[] = [];

  static show(
    extensionUri: vscode.Uri,
    target: ClusterTarget,
    topic: string,
    deps: { connections: KafkaConnections; logger: Logger },
    initial?: BrowsedMessage[],
  ): MessageBrowserPanel {
    const key = `${target.cluster.name}/${topic}`;
    const existing = MessageBrowserPanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      if (initial) existing.replace(initial);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      'hdinsight.messageBrowser',
      `${topic} · ${target.cluster.name}`,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
        retainContextWhenHidden: true,
      },
    );
    const browser = new MessageBrowserPanel(panel, extensionUri, target, topic, deps, initial);
    MessageBrowserPanel.open.set(key, browser);
    return browser;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly target: ClusterTarget,
    private readonly topic: string,
    private readonly deps: { connections: KafkaConnections; logger: Logger },
    private readonly initial?: BrowsedMessage[],
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'kafka.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      script: 'messageBrowser.js',
      style: 'messageBrowser.css',
      title: 'Messages',
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromWebview) => void this.handle(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(message: ToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        const { service } = await this.deps.connections.get(this.target, { interactive: false });
        const { partitions } = await service.describeTopic(this.topic);
        this.post({ type: 'init', cluster: this.target.cluster.name, topic: this.topic, partitions: partitions.map((p) => p.partition) });
        if (this.initial) this.replace(this.initial);
        else await this.read({ from: 'newest' }, 'replace');
        return;
      }
      case 'load':
        this.partitions = message.partitions && message.partitions.length > 0 ? message.partitions : undefined;
        this.tailFrom = undefined;
        await this.read({ from: message.from }, 'replace');
        return;
      case 'older': {
        const first = this.edge('first');
        if (Object.keys(first).length === 0) return;
        await this.read({ from: 'newest', until: first }, 'prepend');
        return;
      }
      case 'newer':
        await this.read({ from: { offsets: this.edge('next') } }, 'append');
        return;
      case 'produce':
        await this.produce(message.message);
        return;
      case 'tail':
        clearInterval(this.tail);
        this.tail = undefined;
        this.tailFrom = undefined;
        if (message.enabled) {
          this.tail = setInterval(() => void this.readTail(), TAIL_INTERVAL_MS);
          await this.startTail(); // from the ends now: what arrives from this moment on is shown
        }
        return;
    }
  }

  /**
   * Live tail: every second, what arrived in each partition since the tail started (each
   * partition followed from its end then, so a message arriving between two reads is not missed;
   * "Newer" pages through what came before).
   */
  private async readTail(): Promise<void> {
    if (this.busy) return;
    const from = this.tailFrom ?? (await this.startTail());
    if (!from) return;
    const messages = await this.read({ from: { offsets: { ...from } } }, 'append', true);
    for (const m of messages ?? []) {
      const next = BigInt(m.offset) + 1n;
      if (next > BigInt(from[m.partition] ?? '0')) from[m.partition] = next.toString();
    }
  }

  private async startTail(): Promise<Record<number, string> | undefined> {
    try {
      const { service } = await this.deps.connections.get(this.target, { interactive: false });
      const { partitions } = await service.describeTopic(this.topic);
      this.tailFrom = Object.fromEntries(
        partitions.filter((p) => !this.partitions || this.partitions.includes(p.partition)).map((p) => [p.partition, p.end]),
      );
      return this.tailFrom;
    } catch (err) {
      this.failing = true;
      this.post({ type: 'status', text: `${userMessage(err)} Live tail keeps trying.`, error: true });
      return undefined;
    }
  }

  /** Per partition: the first offset held, or the offset after the last one held. */
  private edge(which: 'first' | 'next'): Record<number, string> {
    const result: Record<number, string> = {};
    for (const m of this.held) {
      const offset = BigInt(m.offset);
      const current = result[m.partition] !== undefined ? BigInt(result[m.partition]) : undefined;
      if (which === 'first' && (current === undefined || offset < current)) result[m.partition] = offset.toString();
      if (which === 'next' && (current === undefined || offset + 1n > current)) result[m.partition] = (offset + 1n).toString();
    }
    return result;
  }

  private async read(
    request: { from: BrowseFrom; until?: Record<number, string> },
    mode: 'replace' | 'prepend' | 'append',
    quiet = false,
  ): Promise<BrowsedMessage[] | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    if (!quiet) this.post({ type: 'status', text: 'Loading…' });
    try {
      const { service } = await this.deps.connections.get(this.target, { interactive: false });
      const messages = await service.browse({ topic: this.topic, partitions: this.partitions, limit: PAGE, ...request });
      if (mode === 'replace') this.replace(messages);
      else if (messages.length > 0 || !quiet) this.add(messages, mode);
      if (this.failing && messages.length === 0) this.post({ type: 'status', text: 'Connected again.' });
      this.failing = false;
      return messages;
    } catch (err) {
      if (isCancellation(err)) return undefined;
      this.deps.logger.error(`Reading ${this.topic}`, err);
      this.failing = true;
      const retrying = this.tail ? ' Live tail keeps trying.' : '';
      this.post({ type: 'status', text: `${userMessage(err)}${retrying}`, error: true });
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** One message from the panel's form. What the user typed stays in the form whatever happens. */
  private async produce(input: unknown): Promise<void> {
    try {
      const [message] = validateMessages([input]);
      const { service } = await this.deps.connections.get(this.target, { interactive: false });
      const [written] = await service.produce(this.topic, [message]);
      this.deps.logger.info(`Produced to ${this.topic} partition ${written.partition} offset ${written.offset}`);
      this.post({ type: 'produced', ...written });
    } catch (err) {
      if (!isCancellation(err)) this.deps.logger.error(`Producing to ${this.topic}`, err);
      this.post({ type: 'produceFailed', text: userMessage(err) });
    }
  }

  private replace(messages: BrowsedMessage[]): void {
    this.held = messages.slice(-MAX_HELD);
    this.post({ type: 'messages', messages: this.held, mode: 'replace', dropped: 0 });
  }

  private add(messages: BrowsedMessage[], mode: 'prepend' | 'append'): void {
    const all = mode === 'append' ? [...this.held, ...messages] : [...messages, ...this.held];
    const dropped = Math.max(0, all.length - MAX_HELD);
    // Keep the side the user is moving towards.
    this.held = mode === 'append' ? all.slice(dropped) : all.slice(0, MAX_HELD);
    this.post({ type: 'messages', messages, mode, dropped });
  }

  /** What the panel holds now (for tests and the command's result). */
  get messages(): readonly BrowsedMessage[] {
    return this.held;
  }

  dispose(): void {
    clearInterval(this.tail);
    for (const [key, value] of MessageBrowserPanel.open) if (value === this) MessageBrowserPanel.open.delete(key);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
