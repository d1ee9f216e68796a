// What the message browser does, without VS Code: the webview's requests in, structured messages
// out. The panel (MessageBrowserPanel.ts) only carries these between the webview and this model,
// so its behaviour can be tested under plain Node against a real broker.
import { isCancellation, userMessage } from '../core/errors';
import type { BrowsedMessage, BrowseFrom, KafkaService } from '../kafka/client';
import { validateMessages } from '../kafka/validate';
import type { Logger } from '../logger';

/** Most messages a panel holds; older ones are dropped as newer arrive (memory stays bounded). */
export const MAX_HELD = 5_000;
const PAGE = 100;
const TAIL_INTERVAL_MS = 1_000;

/** Messages from the webview. */
export type FromWebview =
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

export interface MessageBrowserHost {
  /** The cluster's name, as the panel shows it. */
  cluster: string;
  topic: string;
  /** The cluster's Kafka client (connecting on first use; never asks the user anything). */
  service(): Promise<KafkaService>;
  post(message: ToWebview): void;
  logger: Pick<Logger, 'info' | 'error'>;
}

/**
 * The message browser of one topic: messages read without a consumer group, paging back and
 * forth, and a live tail.
 */
export class MessageBrowserModel {
  private held: BrowsedMessage[] = [];
  private partitions?: number[];
  private tail?: NodeJS.Timeout;
  private tailFrom?: Record<number, string>;
  private busy = false;
  /** The last read failed (a broker restarting, a dropped tunnel): the next success says so. */
  private failing = false;

  constructor(
    private readonly host: MessageBrowserHost,
    private initial?: BrowsedMessage[],
  ) {}

  private get topic(): string {
    return this.host.topic;
  }

  private post(message: ToWebview): void {
    this.host.post(message);
  }

  async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        const service = await this.host.service();
        const { partitions } = await service.describeTopic(this.topic);
        this.post({ type: 'init', cluster: this.host.cluster, topic: this.topic, partitions: partitions.map((p) => p.partition) });
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

  /** Shows these messages in place of what the panel held (the command read them already). */
  show(messages: BrowsedMessage[]): void {
    this.replace(messages);
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
      const service = await this.host.service();
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
      const service = await this.host.service();
      const messages = await service.browse({ topic: this.topic, partitions: this.partitions, limit: PAGE, ...request });
      if (mode === 'replace') this.replace(messages);
      else if (messages.length > 0 || !quiet) this.add(messages, mode);
      if (this.failing && messages.length === 0) this.post({ type: 'status', text: 'Connected again.' });
      this.failing = false;
      return messages;
    } catch (err) {
      if (isCancellation(err)) return undefined;
      this.host.logger.error(`Reading ${this.topic}`, err);
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
      const service = await this.host.service();
      const [written] = await service.produce(this.topic, [message]);
      this.host.logger.info(`Produced to ${this.topic} partition ${written.partition} offset ${written.offset}`);
      this.post({ type: 'produced', ...written });
    } catch (err) {
      if (!isCancellation(err)) this.host.logger.error(`Producing to ${this.topic}`, err);
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
  }
}
