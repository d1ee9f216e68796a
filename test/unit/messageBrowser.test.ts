import assert from 'node:assert/strict';
import { createKafkaService } from '../../src/kafka/KafkajsService';
import { HDInsightError } from '../../src/core/errors';
import type { BrowsedMessage, KafkaService } from '../../src/kafka/client';
import { BUDGET_BYTES, type FromWebview, MessageBrowserModel, type ToWebview } from '../../src/panels/MessageBrowserModel';
import { type KafkaBroker, startKafka } from '../harness/kafka';

/** The message browser as its webview sees it: what it asks, and everything the extension posts back. */
function openBrowser(
  topic: string,
  service: () => Promise<KafkaService>,
  options: { budgetBytes?: number } = {},
): { model: MessageBrowserModel; posted: ToWebview[]; ask: (m: FromWebview) => Promise<void>; errors: string[] } {
  const posted: ToWebview[] = [];
  const errors: string[] = [];
  const model = new MessageBrowserModel(
    {
      cluster: 'contoso-kafka',
      topic,
      service,
      post: (m) => posted.push(m),
      logger: { info: () => undefined, error: (c) => errors.push(c) },
    },
    options,
  );
  return { model, posted, ask: (m) => model.handle(m), errors };
}

/** What the webview would hold: the messages as posted, replaced, appended and prepended with the drops applied. */
function webviewHolds(posted: ToWebview[]): BrowsedMessage[] {
  let held: BrowsedMessage[] = [];
  for (const p of posted) {
    if (p.type !== 'messages') continue;
    if (p.mode === 'replace') held = p.messages;
    else if (p.mode === 'append') held = [...held, ...p.messages].slice(p.dropped);
    else held = [...p.messages, ...held].slice(0, held.length + p.messages.length - p.dropped);
  }
  return held;
}

/** Bytes of the held messages as posted to the webview (JSON; every character here is ASCII). */
const jsonBytes = (messages: readonly BrowsedMessage[]): number => Buffer.byteLength(JSON.stringify(messages));

describe('The message browser panel', function () {
  this.timeout(180_000);

  it('reports an unreachable broker in the panel, with what to do, instead of staying blank', async () => {
    const nobody = createKafkaService({ brokers: ['127.0.0.1:1'], connectionTimeoutMs: 500 });
    try {
      const { posted, ask } = openBrowser('orders', () => Promise.resolve(nobody));
      await ask({ type: 'ready' }); // resolves: no unhandled rejection
      const init = posted.find((p) => p.type === 'init');
      assert.deepEqual(init, { type: 'init', cluster: 'contoso-kafka', topic: 'orders', partitions: [] }, 'the panel has its title');
      const status = posted.filter((p) => p.type === 'status').at(-1);
      assert.ok(status?.type === 'status' && status.error, `no error shown: ${JSON.stringify(posted)}`);
      assert.match(status.text, /the Kafka brokers \(127\.0\.0\.1:1\) could not be reached/);
      assert.match(status.text, /Check that the cluster is running/);
      assert.match(status.text, /press Load to try again/);
    } finally {
      await nobody.close();
    }
  });

  it('reports a cluster that fails before any broker is asked (Ambari, a missing login) in the panel too', async () => {
    const ambariDown = new HDInsightError('Unreachable', 'Ambari at contoso-kafka.azurehdinsight.net did not answer.', 'Try again later.');
    const { posted, ask } = openBrowser('orders', () => Promise.reject(ambariDown));
    await ask({ type: 'ready' });
    await ask({ type: 'load', from: 'earliest' }); // Load tries again, and says so again
    const errors = posted.filter((p) => p.type === 'status' && p.error);
    assert.equal(errors.length, 2);
    for (const e of errors)
      assert.match((e as { text: string }).text, /^Ambari at contoso-kafka\.azurehdinsight\.net did not answer\. Try again later\./);
  });

  describe('against a real broker (KRaft)', () => {
    let broker: KafkaBroker;
    let kafka: KafkaService;

    before(async () => {
      broker = await startKafka();
      kafka = createKafkaService({ brokers: [broker.bootstrap] });
    });

    after(async () => {
      await kafka?.close();
      await broker?.stop();
    });

    it('holds at most its byte budget however large the messages, and opens any message with its whole value', async () => {
      await kafka.createTopic({
        topic: 'large-values',
        partitions: 1,
        replicationFactor: 1,
        configs: { 'max.message.bytes': String(2 * 1024 * 1024) },
      });
      // 400 values of 200 KB (80 MB), then one of 300 KB: more than the budget several times over.
      const value = (i: number, size = 200 * 1024): string => `${String(i).padStart(6, '0')}:${'v'.repeat(size - 7)}`;
      for (let i = 0; i < 400; i += 50) {
        await kafka.produce(
          'large-values',
          Array.from({ length: 50 }, (_, j) => ({ key: `k${i + j}`, value: value(i + j) })),
        );
      }
      await kafka.produce('large-values', [{ key: 'huge', value: value(400, 300 * 1024) }]);

      const { model, posted, ask } = openBrowser('large-values', () => Promise.resolve(kafka));
      await ask({ type: 'ready' });
      for (let page = 0; page < 4; page++) await ask({ type: 'older' });
      assert.equal(model.messages.length, 401, 'every message read is listed');
      assert.ok(jsonBytes(model.messages) <= BUDGET_BYTES, `the extension holds ${jsonBytes(model.messages)} bytes`);
      assert.ok(model.heldBytes <= BUDGET_BYTES);
      assert.ok(jsonBytes(webviewHolds(posted)) <= BUDGET_BYTES, 'the webview holds no more');
      assert.deepEqual(
        webviewHolds(posted).map((m) => m.offset),
        model.messages.map((m) => m.offset),
      );

      // Opening a message gives its whole value: 200 KB, or the first 256 KB of 300 KB.
      const opened = async (offset: string): Promise<BrowsedMessage> => {
        await ask({ type: 'open', partition: 0, offset });
        const reply = posted.at(-1);
        assert.ok(reply?.type === 'opened', `no reply to open: ${JSON.stringify(reply)?.slice(0, 300)}`);
        return reply.message;
      };
      const first = await opened('0');
      assert.equal(first.value, value(0));
      assert.deepEqual([first.key, first.valueSize, first.truncated], ['k0', 200 * 1024, false]);
      const huge = await opened('400');
      assert.equal(huge.value, value(400, 300 * 1024).slice(0, 256 * 1024));
      assert.deepEqual([huge.valueSize, huge.truncated], [300 * 1024, true]);
      assert.ok(jsonBytes(model.messages) <= BUDGET_BYTES, 'opening keeps nothing more');

      // A message the topic no longer has (past its end here) is said to be gone.
      await ask({ type: 'open', partition: 0, offset: '999' });
      const gone = posted.at(-1);
      assert.ok(gone?.type === 'openFailed');
      assert.match(gone.text, /partition 0, offset 999 is no longer in large-values/);
      await kafka.deleteTopic('large-values');
    });

    it('lets go of the oldest messages to stay within its budget, and says so in the panel', async () => {
      await kafka.createTopic({ topic: 'wide-keys', partitions: 1, replicationFactor: 1 });
      // Keys are held whole: 300 keys of 4 KB against a budget of 1 MB.
      await kafka.produce(
        'wide-keys',
        Array.from({ length: 300 }, (_, i) => ({ key: `${i}:${'k'.repeat(4096)}`, value: String(i) })),
      );
      const budget = 1024 * 1024;
      const { model, posted, ask } = openBrowser('wide-keys', () => Promise.resolve(kafka), { budgetBytes: budget });
      await ask({ type: 'load', from: 'earliest' });
      await ask({ type: 'newer' });
      await ask({ type: 'newer' });
      assert.ok(model.heldBytes <= budget && jsonBytes(model.messages) <= budget, `holds ${model.heldBytes} bytes`);
      assert.ok(model.messages.length > 50 && model.messages.length < 300);
      assert.equal(model.messages.at(-1)?.offset, '299', 'the newest are kept');
      const notes = posted.flatMap((p) => (p.type === 'messages' && p.note ? [p.note] : []));
      assert.ok(notes.length > 0, 'dropping is never silent');
      assert.match(notes.at(-1)!, /^\d+ older messages were let go to keep the panel within 1 MB and 5,000 messages\.$/);
      assert.deepEqual(
        webviewHolds(posted).map((m) => m.offset),
        model.messages.map((m) => m.offset),
      );
      await kafka.deleteTopic('wide-keys');
    });
  });
});
