// What the message browser does, without VS Code: the webview's requests in, structured messages
// out. The panel (MessageBrowserPanel.ts) only carries these between the webview and this model,
// so its behaviour can be tested under plain Node against a real broker.
import { isCancellation, userMessage } from '../core/errors';
import { type BrowsedMessage, type BrowseFrom, type KafkaService, MAX_PREVIEW_BYTES } from '../kafka/client';
import { toBrowsed } from '../kafka/decode';
import { validateMessages } from '../kafka/validate';
import type { Logger } from '../logger';
import type { MessageBrowserToHost, MessageBrowserToPage } from '../webviews/protocol';

/** Most messages a panel holds; older ones are dropped as newer arrive (memory stays bounded). */
export const MAX_HELD = 5_000;
/**
 * Most bytes of messages a panel holds (and its webview holds the same again). Each message in
 * the list holds only the start of its value; opening one reads it again from Kafka.
 */
export const BUDGET_BYTES = 32 * 1024 * 1024;
/** How much of each value the list holds (as hex, twice as many characters). */
export const LIST_PREVIEW_BYTES = 1024;
const PAGE = 100;
const TAIL_INTERVAL_MS = 1_000;

/** Messages from the webview (src/webviews/protocol.ts). */
export type FromWebview = MessageBrowserToHost;

/** Messages to the webview (src/webviews/protocol.ts): the held BrowsedMessages go as they are. */
export type ToWebview = MessageBrowserToPage;

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
  /** The topic's partitions reached the webview (its first read may have failed). */
  private initialised = false;
  private heldBytesNow = 0;
  private readonly budgetBytes: number;
  private readonly maxHeld: number;
  /** Aborted when the panel closes: a read under way stops. */
  private readonly closed = new AbortController();

  constructor(
    private readonly host: MessageBrowserHost,
    options: { budgetBytes?: number; maxHeld?: number } = {},
  ) {
    this.budgetBytes = options.budgetBytes ?? BUDGET_BYTES;
    this.maxHeld = options.maxHeld ?? MAX_HELD;
  }

  private get topic(): string {
    return this.host.topic;
  }

  private post(message: ToWebview): void {
    this.host.post(message);
  }

  /** Answers one request of the webview. Never rejects: every failure is shown in the panel. */
  async handle(message: FromWebview): Promise<void> {
    try {
      await this.answer(message);
    } catch (err) {
      if (isCancellation(err)) return;
      this.host.logger.error(`Message browser of ${this.topic}`, err);
      this.post({ type: 'status', text: userMessage(err), error: true });
    }
  }

  private async answer(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (await this.init()) await this.read({ from: 'newest' }, 'replace');
        return;
      case 'open':
        await this.open(message.partition, message.offset);
        return;
      case 'load':
        if (!this.initialised && !(await this.init())) return;
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
   * Tells the webview the topic's partitions. When the cluster cannot be reached, the panel says
   * why and what to do (Load tries again), instead of staying blank.
   */
  private async init(): Promise<boolean> {
    try {
      const service = await this.host.service();
      const { partitions } = await service.describeTopic(this.topic);
      this.post({ type: 'init', cluster: this.host.cluster, topic: this.topic, partitions: partitions.map((p) => p.partition) });
      this.initialised = true;
      return true;
    } catch (err) {
      if (isCancellation(err)) return false;
      this.host.logger.error(`Opening the message browser of ${this.topic}`, err);
      this.post({ type: 'init', cluster: this.host.cluster, topic: this.topic, partitions: [] });
      this.post({ type: 'status', text: `${userMessage(err)} Then press Load to try again.`, error: true });
      return false;
    }
  }

  /**
   * The whole value of one message (up to MAX_PREVIEW_BYTES): the held preview when it is the
   * whole value, else read again from Kafka at its partition and offset. Nothing of it is kept
   * here, so however many messages are opened, the panel holds no more than its budget.
   */
  private async open(partition: number, offset: string): Promise<void> {
    const held = this.held.find((m) => m.partition === partition && m.offset === offset);
    if (held && !held.truncated) {
      this.post({ type: 'opened', message: held });
      return;
    }
    try {
      const service = await this.host.service();
      const [message] = await service.browse({
        topic: this.topic,
        partitions: [partition],
        from: { offsets: { [partition]: offset } },
        limit: 1,
        previewBytes: MAX_PREVIEW_BYTES,
      });
      if (message?.offset !== offset) {
        const text = `The message at partition ${partition}, offset ${offset} is no longer in ${this.topic}: the topic's retention or compaction removed it.`;
        this.post({ type: 'openFailed', partition, offset, text });
        return;
      }
      this.post({ type: 'opened', message });
    } catch (err) {
      if (isCancellation(err)) return;
      this.host.logger.error(`Reading ${this.topic} partition ${partition} offset ${offset}`, err);
      this.post({ type: 'openFailed', partition, offset, text: userMessage(err) });
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
      // The page as a stream: each batch turned into list rows (values cut to their preview) as
      // it arrives, so the fetched bytes are let go batch by batch; closing the panel cancels it.
      const { from, until } = request;
      const stream = service.stream(
        { topic: this.topic, partitions: this.partitions, limit: PAGE, from, to: until ? { offsets: until } : 'end' },
        this.closed.signal,
      );
      const messages: BrowsedMessage[] = [];
      for await (const batch of stream) for (const m of batch) messages.push(toBrowsed(m, LIST_PREVIEW_BYTES));
      messages.sort(byTime);
      if (mode === 'replace') this.replace(messages);
      else if (messages.length > 0 || !quiet) this.add(messages, mode);
      if (this.failing && messages.length === 0) this.post({ type: 'status', text: 'Connected again.' });
      this.failing = false;
      return messages;
    } catch (err) {
      if (isCancellation(err)) return undefined;
      this.host.logger.error(`Reading ${this.topic}`, err);
      this.failing = true;
      const retrying = this.tail ? ' Live tail keeps trying.' : ' Then press Load to try again.';
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
    this.held = [];
    this.heldBytesNow = 0;
    const { kept, dropped } = this.keep(messages, 'append');
    this.post({ type: 'messages', messages: kept, mode: 'replace', dropped: 0, note: this.note(dropped, 'append') });
  }

  private add(messages: BrowsedMessage[], mode: 'prepend' | 'append'): void {
    const { dropped } = this.keep(messages, mode);
    this.post({ type: 'messages', messages, mode, dropped, note: this.note(dropped, mode) });
  }

  /**
   * Adds messages to what is held, then lets go of the messages furthest from where the user is
   * moving (the oldest when reading on or tailing, the newest when paging back) until the panel is
   * within its count and its byte budget.
   */
  private keep(messages: BrowsedMessage[], mode: 'prepend' | 'append'): { kept: BrowsedMessage[]; dropped: number } {
    const all = mode === 'append' ? [...this.held, ...messages] : [...messages, ...this.held];
    let bytes = this.heldBytesNow + messages.reduce((sum, m) => sum + messageBytes(m), 0);
    let dropped = 0;
    while (dropped < all.length && (all.length - dropped > this.maxHeld || bytes > this.budgetBytes)) {
      bytes -= messageBytes(mode === 'append' ? all[dropped] : all[all.length - 1 - dropped]);
      dropped++;
    }
    this.held = mode === 'append' ? all.slice(dropped) : all.slice(0, all.length - dropped);
    this.heldBytesNow = bytes;
    return { kept: mode === 'append' ? messages.slice(Math.max(0, dropped - (all.length - messages.length))) : messages, dropped };
  }

  private note(dropped: number, mode: 'prepend' | 'append'): string | undefined {
    if (dropped === 0) return undefined;
    const mb = Math.round(this.budgetBytes / (1024 * 1024));
    return `${dropped.toLocaleString('en-US')} ${mode === 'append' ? 'older' : 'newer'} message${dropped === 1 ? ' was' : 's were'} let go to keep the panel within ${mb} MB and ${this.maxHeld.toLocaleString('en-US')} messages.`;
  }

  /** About how many bytes the held messages take (strings at two bytes a character). */
  get heldBytes(): number {
    return this.heldBytesNow;
  }

  /** What the panel holds now (for tests and the command's result). */
  get messages(): readonly BrowsedMessage[] {
    return this.held;
  }

  dispose(): void {
    clearInterval(this.tail);
    this.closed.abort();
  }
}

/** In time order, then by partition and offset: how the list shows a page. */
function byTime(x: BrowsedMessage, y: BrowsedMessage): number {
  return Date.parse(x.timestamp) - Date.parse(y.timestamp) || x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset));
}

/** About what one held message takes in memory: its strings at two bytes a character, and a little for the object. */
export function messageBytes(m: BrowsedMessage): number {
  let chars = m.offset.length + m.timestamp.length + (m.key?.length ?? 0) + (m.value?.length ?? 0);
  for (const [name, value] of Object.entries(m.headers)) chars += 2 * name.length + value.length;
  return 2 * chars + 200;
}
