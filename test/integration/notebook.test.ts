import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, control, eventually, updateSetting, useEmulatedAzure } from './helpers';
import { sparkmagicNotebook } from '../fixtures/sparkmagicNotebook';

// Notebooks in VS Code through the HDInsight kernel, as Azure's Kafka streaming tutorial hands
// them out: sparkmagic's kernelspecs, a %%configure -f cell with the Kafka connector, a schema,
// a Kafka read and a console sink with awaitTermination. Through VS Code's notebook API and its
// built-in ipynb serializer, on real Spark behind the emulated Livy (local mode, then YARN
// cluster mode as on HDInsight), against a real Kafka topic.
const SPARK = 'contoso-spark';
const KAFKA = 'contoso-kafka';
const CONNECTOR = 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3';
const EXTENSION = 'hdinsight-streaming.hdinsight-streaming';

interface Output {
  mime: string;
  text: string;
}

interface CellResult {
  success: boolean | undefined;
  outputs: Output[];
  /** Everything the cell shows as text, in order. */
  text: string;
}

let folder: string;

/** Writes a sparkmagic notebook, opens it in a notebook editor and picks the cluster's HDInsight kernel. */
async function openNotebook(name: string, language: 'scala' | 'python', cells: string[]): Promise<vscode.NotebookDocument> {
  const file = path.join(folder, name);
  fs.writeFileSync(file, sparkmagicNotebook(language, cells));
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showNotebookDocument(notebook);
  const api = await activateExtension();
  const kernels = await eventually(async () => {
    const offered = await api.notebookKernels();
    assert.ok(
      offered.some((k) => k.cluster === SPARK),
      `kernels offered: ${offered.map((k) => k.label).join(', ')}`,
    );
    return offered;
  }, 30_000);
  const kernel = kernels.find((k) => k.cluster === SPARK && k.language === language)!;
  assert.equal(kernel.label, language === 'scala' ? `HDInsight Spark (Scala) — ${SPARK}` : `HDInsight PySpark — ${SPARK}`);
  await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: kernel.id, extension: EXTENSION });
  return notebook;
}

/** `eventually` for a check that needs no await. */
const until = <T>(check: () => T, timeoutMs: number): Promise<T> => eventually(() => Promise.resolve(check()), timeoutMs, 250);

function outputsOf(cell: vscode.NotebookCell): Output[] {
  const decoder = new TextDecoder();
  return cell.outputs.flatMap((o) => o.items.map((i) => ({ mime: i.mime, text: decoder.decode(i.data) })));
}

function resultOf(cell: vscode.NotebookCell): CellResult {
  const outputs = outputsOf(cell);
  return { success: cell.executionSummary?.success, outputs, text: outputs.map((o) => o.text).join('\n') };
}

/** Starts a cell (as Run Cell does); resolves when it started. */
async function start(notebook: vscode.NotebookDocument, index: number): Promise<number> {
  const startedAt = Date.now();
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: notebook.uri });
  return startedAt;
}

/** Waits until the cell run that started at `startedAt` ended. */
async function ended(notebook: vscode.NotebookDocument, index: number, startedAt: number, timeoutMs = 300_000): Promise<CellResult> {
  const cell = notebook.cellAt(index);
  return until(() => {
    const end = cell.executionSummary?.timing?.endTime;
    assert.ok(end !== undefined && end >= startedAt, `cell ${index} still running; it shows: ${resultOf(cell).text.slice(-500)}`);
    return resultOf(cell);
  }, timeoutMs);
}

async function run(notebook: vscode.NotebookDocument, index: number, timeoutMs?: number): Promise<CellResult> {
  return ended(notebook, index, await start(notebook, index), timeoutMs);
}

/** Appends a cell and runs it. */
async function runNew(notebook: vscode.NotebookDocument, source: string, timeoutMs?: number): Promise<CellResult> {
  const index = notebook.cellCount;
  const edit = new vscode.WorkspaceEdit();
  const language = notebook.cellAt(0).document.languageId;
  edit.set(notebook.uri, [
    vscode.NotebookEdit.insertCells(index, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, language)]),
  ]);
  assert.ok(await vscode.workspace.applyEdit(edit));
  return run(notebook, index, timeoutMs);
}

/** JSON orders, as the tutorial's producer writes them (taxi trips there, orders here). */
const orders = (from: number, count: number): { key: string; value: string }[] =>
  Array.from({ length: count }, (_, i) => ({
    key: String((from + i) % 3),
    value: JSON.stringify({ order: from + i, city: ['Köln', 'Zürich', 'Oslo'][(from + i) % 3] }),
  }));

/** Order ids in the console sink's rows (`|17   |Köln  |`). */
const printedOrders = (text: string): number[] =>
  text
    .split('\n')
    .map((t) => /^\|(\d+)\s*\|/.exec(t)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number);

describe('Notebooks on the HDInsight kernel: sparkmagic’s PySpark notebook on real Spark', function () {
  this.timeout(1_200_000);
  useEmulatedAzure();
  let notebook: vscode.NotebookDocument;
  let bootstrap: string;
  const topic = 'notebook-orders';
  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-notebooks-'));
    await activateExtension();
    ({ bootstrap } = await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', { cluster: KAFKA }));
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster: KAFKA, topic, partitions: 2, replicationFactor: 1 });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', { cluster: KAFKA, topic, messages: orders(1, 20) });
  });
  after(async () => {
    await updateSetting('notebook.deleteSessionOnClose', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands
      .executeCommand('hdinsight.kafka.deleteTopic', { cluster: KAFKA, topic, confirm: topic })
      .then(undefined, () => undefined);
  });

  it('runs the tutorial’s cells: %%configure -f with the Kafka connector, a schema, a Kafka read, the console sink’s rows live while awaitTermination runs', async () => {
    notebook = await openNotebook('tutorial-pyspark.ipynb', 'python', [
      `%%configure -f\n{"conf": {"spark.jars.packages": "${CONNECTOR}", "spark.hdinsight.notebook": "one"}}`,
      [
        'from pyspark.sql.functions import col, from_json',
        'from pyspark.sql.types import IntegerType, StringType, StructField, StructType',
        'schema = StructType([StructField("order", IntegerType()), StructField("city", StringType())])',
        'print("schema", schema.simpleString())',
      ].join('\n'),
      [
        `kafka_brokers = "${bootstrap}"`,
        'orders = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", kafka_brokers)',
        `    .option("subscribe", "${topic}").option("startingOffsets", "earliest").load()`,
        '    .select(from_json(col("value").cast("string"), schema).alias("o")).select("o.*"))',
      ].join('\n'),
      [
        'query = (orders.writeStream.format("console").option("truncate", False).option("numRows", 1000)',
        '    .queryName("orders_console").trigger(processingTime="2 seconds").start())',
        'query.awaitTermination(45)',
        'print("awaited", query.name)',
      ].join('\n'),
    ]);
    assert.equal(notebook.cellAt(0).document.languageId, 'pyspark', 'sparkmagic’s PySpark cells say pyspark');

    const configured = await run(notebook, 0);
    assert.equal(configured.success, true, configured.text);
    assert.match(configured.text, /starts on contoso-spark with:/);
    assert.match(configured.text, new RegExp(CONNECTOR.replace(/\./g, '\\.')));

    const schema = await run(notebook, 1, 600_000); // the session starts here
    assert.equal(schema.success, true, schema.text);
    assert.match(schema.text, /schema struct<order:int,city:string>/);
    assert.equal((await run(notebook, 2)).success, true);

    // While awaitTermination holds the statement, the console sink's rows show in the cell.
    const startedAt = await start(notebook, 3);
    const live = await until(() => {
      const now = resultOf(notebook.cellAt(3));
      assert.ok(printedOrders(now.text).length >= 20, `rows so far: ${printedOrders(now.text).length}; ${now.text.slice(-300)}`);
      return now;
    }, 120_000);
    const endTime = notebook.cellAt(3).executionSummary?.timing?.endTime;
    assert.ok(endTime === undefined || endTime < startedAt, 'the rows showed before the cell ended');
    assert.ok(
      live.outputs.some((o) => o.mime === 'application/vnd.code.notebook.stdout'),
      'the rows come as the cell’s stdout',
    );
    const done = await ended(notebook, 3, startedAt);
    assert.equal(done.success, true, done.text);
    assert.deepEqual(
      [...new Set(printedOrders(done.text))].sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // (The monitor's figures are asserted on YARN below: in local mode the progress reports are in
    // Livy's 200-line stderr buffer, which the Kafka client's INFO lines overrun between two reads.)
    assert.match(done.text, /awaited orders_console/);

    // The query runs on in the session after awaitTermination returned: the toolbar's Stop stops it.
    const stopped = await vscode.commands.executeCommand<{ stopped: boolean }>('hdinsight.notebook.stopStreamingQueries', {
      notebook: notebook.uri.toString(),
    });
    assert.equal(stopped.stopped, true);
    const active = await runNew(notebook, 'print("active", len(spark.streams.active))');
    assert.match(active.text, /active 0/);
  });

  it('shows %%sql as a table, keeps -o’s result in the session, and shows an error with its traceback', async () => {
    const view = await runNew(
      notebook,
      'spark.createDataFrame([(1, "Köln"), (2, "Oslo"), (3, "Köln"), (4, "a|b <b>x</b>")], ["id", "city"]).createOrReplaceTempView("cities")',
    );
    assert.equal(view.success, true, view.text);
    const sql = await runNew(notebook, '%%sql -o by_city\nSELECT city, count(*) AS n FROM cities GROUP BY city ORDER BY city');
    assert.equal(sql.success, true, sql.text);
    const markdown = sql.outputs.find((o) => o.mime === 'text/markdown');
    assert.ok(markdown, `a table: ${sql.outputs.map((o) => o.mime).join(', ')}`);
    assert.match(markdown.text, /\|\s*city\s*\|\s*n\s*\|/);
    assert.match(markdown.text, /\|\s*Köln\s*\|\s*2\s*\|/);
    assert.ok(!markdown.text.includes('<b>'), `nothing from the cluster is markup: ${markdown.text}`);
    assert.ok(!sql.outputs.some((o) => o.mime === 'text/html'), 'never HTML');
    const kept = await runNew(notebook, 'print("kept", by_city.count())');
    assert.match(kept.text, /kept 3/);

    const failed = await runNew(notebook, 'def divide(a, b):\n    return a / b\ndivide(1, 0)');
    assert.equal(failed.success, false);
    const error = failed.outputs.find((o) => o.mime === 'application/vnd.code.notebook.error');
    assert.ok(error, failed.text);
    const shown = JSON.parse(error.text) as { name: string; message: string; stack?: string };
    assert.equal(shown.name, 'ZeroDivisionError');
    assert.match(shown.message, /division by zero/);
    assert.match(shown.stack ?? '', /divide/);
  });

  it('interrupts a running statement and the session goes on; Restart starts it again with the same conf and no state', async () => {
    const index = notebook.cellCount;
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [
      vscode.NotebookEdit.insertCells(index, [
        new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'import time\nx = 41\ntime.sleep(600)', 'pyspark'),
      ]),
    ]);
    await vscode.workspace.applyEdit(edit);
    const startedAt = await start(notebook, index);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await vscode.commands.executeCommand('notebook.cell.cancelExecution', {
      ranges: [{ start: index, end: index + 1 }],
      document: notebook.uri,
    });
    const interrupted = await ended(notebook, index, startedAt, 60_000);
    assert.equal(interrupted.success, false);
    assert.match(interrupted.text, /cancelled|interrupted/i);
    assert.match((await runNew(notebook, 'print("x is", x)')).text, /x is 41/);

    const before = await runNew(notebook, '%%info');
    const oldId = Number(/This notebook's: session (\d+)/.exec(before.text)?.[1]);
    assert.ok(Number.isInteger(oldId), before.text);
    const restarted = await vscode.commands.executeCommand<{ sessionId?: number }>('hdinsight.notebook.restartSession', {
      notebook: notebook.uri.toString(),
    });
    assert.ok(restarted.sessionId !== undefined && restarted.sessionId !== oldId, JSON.stringify(restarted));
    const gone = await runNew(notebook, 'print(x)');
    assert.equal(gone.success, false);
    assert.match(gone.text, /NameError/);
    assert.match((await runNew(notebook, 'print(spark.conf.get("spark.hdinsight.notebook"))')).text, /^one$/m);
    const info = await runNew(notebook, '%%info');
    assert.ok(!new RegExp(`\\|\\s*${oldId}\\s*\\|`).test(info.text), `session ${oldId} was deleted: ${info.text}`);
  });

  it('%%configure -f mid-notebook starts the session again with the new conf; without -f it is refused', async () => {
    const refused = await runNew(notebook, '%%configure\n{"conf": {"spark.hdinsight.notebook": "two"}}');
    assert.equal(refused.success, false);
    assert.match(refused.text, /-f/);
    const forced = await runNew(notebook, '%%configure -f\n{"conf": {"spark.hdinsight.notebook": "two"}}', 600_000);
    assert.equal(forced.success, true, forced.text);
    assert.match((await runNew(notebook, 'print(spark.conf.get("spark.hdinsight.notebook"))', 600_000)).text, /^two$/m);
  });

  it('says a session that died is gone on the next run, with its last log lines, then starts a new one', async () => {
    const dying = await runNew(notebook, 'import os\nprint("going")\nos._exit(3)');
    assert.equal(dying.success, false);
    const next = await runNew(notebook, 'print("after")');
    assert.equal(next.success, false);
    const error = next.outputs.find((o) => o.mime === 'application/vnd.code.notebook.error');
    assert.ok(error, next.text);
    const shown = JSON.parse(error.text) as { message: string; stack?: string };
    assert.match(shown.message, /session \d+/i);
    assert.match(shown.message, /dead|gone|ended|error/i);
    const again = await runNew(notebook, 'print("after", 1 + 1)', 600_000);
    assert.equal(again.success, true, again.text);
    assert.match(again.text, /after 2/);
  });

  it('answers %%help, %%logs, and an unknown magic with the supported ones', async () => {
    const help = await runNew(notebook, '%%help');
    assert.match(help.text, /%%configure/);
    assert.match(help.text, /%%sql/);
    const logs = await runNew(notebook, '%%logs');
    assert.equal(logs.success, true, logs.text);
    assert.ok(logs.text.length > 0);
    const unknown = await runNew(notebook, '%%local\nprint(1)');
    assert.equal(unknown.success, false);
    assert.match(unknown.text, /%%configure, %%info, %%sql/);
  });

  it('inserts a streaming snippet with the Kafka cluster’s brokers into a PySpark cell', async () => {
    const index = notebook.cellCount;
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [
      vscode.NotebookEdit.insertCells(index, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '', 'pyspark')]),
    ]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await vscode.window.showNotebookDocument(notebook, { selections: [new vscode.NotebookRange(index, index + 1)] });
    await vscode.commands.executeCommand('notebook.cell.edit');
    const cell = notebook.cellAt(index).document;
    await until(() => assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), cell.uri.toString()), 10_000);
    const result = await vscode.commands.executeCommand<{ language: string; inserted: boolean }>('hdinsight.insertStreamingSnippet', {
      cluster: KAFKA,
      snippet: 'hdi-kafka-pipeline',
      insert: true,
    });
    assert.deepEqual([result.language, result.inserted], ['python', true]);
    assert.ok(cell.getText().includes(`.option("kafka.bootstrap.servers", "${bootstrap}")`), cell.getText());
  });

  it('saves the outputs into the .ipynb in Jupyter’s formats, and deletes the session when the notebook closes', async () => {
    assert.ok(await notebook.save());
    const saved = JSON.parse(fs.readFileSync(notebook.uri.fsPath, 'utf8')) as {
      metadata: { kernelspec: { name: string } };
      cells: { outputs: { output_type: string; name?: string; ename?: string; data?: Record<string, unknown> }[] }[];
    };
    assert.equal(saved.metadata.kernelspec.name, 'pysparkkernel');
    const outputs = saved.cells.flatMap((c) => c.outputs);
    assert.ok(
      outputs.some((o) => o.output_type === 'stream' && o.name === 'stdout'),
      'stdout as a stream',
    );
    assert.ok(
      outputs.some((o) => o.output_type === 'error' && o.ename === 'ZeroDivisionError'),
      'errors as error outputs',
    );
    assert.ok(
      outputs.some((o) => o.data?.['text/markdown'] !== undefined),
      'tables as markdown',
    );

    const info = await runNew(notebook, '%%info');
    const id = Number(/This notebook's: session (\d+)/.exec(info.text)?.[1]);
    await updateSetting('notebook.deleteSessionOnClose', 'always');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const other = await openNotebook('other.ipynb', 'python', ['%%info']);
    await eventually(async () => {
      const listed = await run(other, 0);
      assert.ok(!new RegExp(`\\|\\s*${id}\\s*\\|`).test(listed.text), `session ${id} still listed: ${listed.text}`);
    }, 30_000);
  });
});

describe('Notebooks on the HDInsight kernel: sparkmagic’s Scala notebook on YARN, as on HDInsight', function () {
  this.timeout(1_200_000);
  useEmulatedAzure();
  const topic = 'notebook-trips';
  before(async () => {
    folder ??= fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-notebooks-'));
    await activateExtension();
    await control('livy/mode', 'PUT', { mode: 'yarn', cluster: SPARK });
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await control('livy/mode', 'PUT', { mode: 'local', cluster: SPARK });
    await control('livy/restart', 'POST', { cluster: SPARK });
  });

  it('runs the tutorial’s Scala notebook cell by cell on YARN: the query monitor live from the driver’s log, the console sink’s batches with the result', async () => {
    const { bootstrap } = await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', { cluster: KAFKA });
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster: KAFKA, topic, partitions: 2, replicationFactor: 1 });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', { cluster: KAFKA, topic, messages: orders(1, 12) });
    const notebook = await openNotebook('tutorial-scala.ipynb', 'scala', [
      `%%configure -f\n{"conf": {"spark.jars.packages": "${CONNECTOR}"}}`,
      [
        'import org.apache.spark.sql.types._',
        'import org.apache.spark.sql.functions._',
        'val schema = (new StructType).add("order", IntegerType).add("city", StringType)',
      ].join('\n'),
      [
        `val kafkaBrokers = "${bootstrap}"`,
        `val trips = spark.readStream.format("kafka").option("kafka.bootstrap.servers", kafkaBrokers).option("subscribe", "${topic}").option("startingOffsets", "earliest").load()`,
        'val rows = trips.select(from_json(col("value").cast("string"), schema) as "o").select("o.*")',
      ].join('\n'),
      'rows.writeStream.format("console").option("truncate", false).queryName("trips_console").start.awaitTermination(30000)',
    ]);
    assert.equal(notebook.cellAt(0).document.languageId, 'scala');
    for (const index of [0, 1, 2]) {
      const cell = await run(notebook, index, 900_000);
      assert.equal(cell.success, true, `cell ${index}: ${cell.text}`);
    }
    const startedAt = await start(notebook, 3);
    // Live: the monitor's figures for the query, from the progress reports in the driver's log in YARN.
    await until(() => {
      const now = resultOf(notebook.cellAt(3));
      const end = notebook.cellAt(3).executionSummary?.timing?.endTime;
      assert.ok(end === undefined || end < startedAt, `the cell ended before the monitor showed: ${now.text.slice(-800)}`);
      assert.match(now.text, /Streaming query trips_console · batch \d+/);
    }, 120_000);
    const done = await ended(notebook, 3, startedAt);
    assert.equal(done.success, true, done.text);
    // Scala's console sink prints through the statement's Console, which Livy's interpreter
    // redirects and the query's threads inherit: the rows come with the statement's result, as
    // the tutorial says ("runs for 30 seconds, then displays the results").
    assert.deepEqual(
      [...new Set(printedOrders(done.text))].sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    assert.match(done.text, /Streaming query trips_console · batch \d+/);
    await vscode.commands.executeCommand('hdinsight.notebook.stopStreamingQueries', { notebook: notebook.uri.toString() });
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster: KAFKA, topic, confirm: topic });
  });
});
