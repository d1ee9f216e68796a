import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { BOOTSTRAP_DEFAULT } from '../../src/snippets/render';
import { useEmulatedAzure } from './helpers';

interface InsertResult {
  language: string;
  snippet: string;
  text: string;
  inserted: boolean;
}

function realBroker(): string {
  const bootstrap = process.env.HDINSIGHT_KAFKA_BOOTSTRAP;
  assert.ok(bootstrap, 'HDINSIGHT_KAFKA_BOOTSTRAP is not set: run the suite through the test harness');
  return bootstrap;
}

const insertSnippet = (args: Record<string, unknown>): Promise<InsertResult> =>
  Promise.resolve(vscode.commands.executeCommand<InsertResult>('hdinsight.insertStreamingSnippet', args));

async function closeEditors(): Promise<void> {
  while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

describe('Streaming snippets: inserted with the bootstrap servers of a Kafka cluster', function () {
  this.timeout(60_000);
  useEmulatedAzure();
  afterEach(closeEditors);

  it('returns a whole PySpark job with the brokers found through Ambari', async () => {
    await closeEditors();
    const result = await insertSnippet({ cluster: 'contoso-kafka', snippet: 'hdi-kafka-pipeline', language: 'python' });
    assert.equal(result.language, 'python');
    assert.equal(result.snippet, 'hdi-kafka-pipeline');
    assert.equal(result.inserted, false);
    assert.ok(result.text.includes(`.option("kafka.bootstrap.servers", "${realBroker()}")`), result.text);
    assert.match(result.text, /from_json\(col\("value"\)\.cast\("string"\), schema\)/);
    assert.match(result.text, /query\.awaitTermination\(\)/);
    assert.doesNotMatch(result.text, /\$\{?\d/, 'no tabstop is left in the text');
    assert.ok(!result.text.includes(BOOTSTRAP_DEFAULT));
  });

  it('returns the Scala Kafka sink the same way', async () => {
    const result = await insertSnippet({ cluster: 'contoso-kafka', snippet: 'hdi-kafka-sink', language: 'scala' });
    assert.ok(result.text.includes(`.option("kafka.bootstrap.servers", "${realBroker()}")`), result.text);
    assert.match(result.text, /to_json\(struct\("\*"\)\)\.as\("value"\)/);
  });

  it('keeps the placeholder brokers when a script names no cluster', async () => {
    const result = await insertSnippet({ snippet: 'hdi-kafka-read', language: 'scala' });
    assert.ok(result.text.includes(`"kafka.bootstrap.servers", "${BOOTSTRAP_DEFAULT}"`), result.text);
  });

  it('inserts into the active editor with insert: true, taking the language from it', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: '' });
    const editor = await vscode.window.showTextDocument(document);
    const result = await insertSnippet({ cluster: 'contoso-kafka', snippet: 'hdi-kafka-pipeline', insert: true });
    assert.equal(result.language, 'python');
    assert.equal(result.inserted, true);
    const text = editor.document.getText();
    assert.ok(text.includes(`.option("kafka.bootstrap.servers", "${realBroker()}")`), text);
    assert.ok(text.includes('spark.readStream.format("kafka")'), text);
    // The other tabstops are live placeholders at their defaults: the editor shows the same text.
    assert.equal(text, result.text);
  });

  it('does not insert without insert: true', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: '' });
    const editor = await vscode.window.showTextDocument(document);
    const result = await insertSnippet({ cluster: 'contoso-kafka', snippet: 'hdi-kafka-conf' });
    assert.equal(result.inserted, false);
    assert.match(result.text, /\.config\("spark\.jars\.packages", "org\.apache\.spark:spark-sql-kafka-0-10_2\.12:3\.\d+\.\d+"\)/);
    assert.equal(editor.document.getText(), '');
  });

  it('refuses an unknown snippet or language with a clear message, before looking the cluster up', async () => {
    // No cluster of this name exists: an error about the input proves nothing was looked up first.
    await assert.rejects(insertSnippet({ cluster: 'no-such-cluster', snippet: 'hdi-kafka-nope', language: 'python' }), (err: Error) => {
      assert.equal(err.name, 'InvalidInputError');
      assert.match(err.message, /There is no Python \(PySpark\) streaming snippet named "hdi-kafka-nope"/);
      return true;
    });
    await assert.rejects(insertSnippet({ cluster: 'no-such-cluster', snippet: 'hdi-kafka-read', language: 'r' }), (err: Error) => {
      assert.equal(err.name, 'InvalidInputError');
      assert.match(err.message, /"language" must be "python" or "scala", not "r"/);
      return true;
    });
    await assert.rejects(insertSnippet({ cluster: 'no-such-cluster', snippet: 42, language: 'python' }), /"snippet" must be the prefix/);
    await assert.rejects(insertSnippet({ cluster: 'no-such-cluster', language: 'python' }), (err: Error & { action?: string }) => {
      assert.equal(err.message, '"snippet" is needed.');
      assert.match(err.action ?? '', /^Pass one of: hdi-kafka-read, .*hdi-kafka-pipeline/);
      return true;
    });
    await assert.rejects(
      insertSnippet({ cluster: 'no-such-cluster', snippet: 'hdi-kafka-read', language: 'python', insert: 'yes' }),
      /"insert" must be true or false/,
    );
  });
});
