import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseLogPage } from '../../src/livy/yarnLogPage';
import { activateExtension, control, eventually, useEmulatedAzure, untilJob } from './helpers';

// Azure's tutorial "Spark Structured Streaming with Kafka on HDInsight" in miniature, as a real
// cluster runs it: JSON messages in a real Kafka topic, a PySpark Structured Streaming job
// submitted as a Livy batch that Livy runs in YARN cluster mode, its console sink printing each
// micro-batch's rows on the driver's stdout in a YARN container. The job output must show those
// rows (from YARN, through the gateway), the query monitor its batches and Kafka lag, and after
// cancel, every line the driver printed: compared with the log YARN aggregated.
const SPARK = 'contoso-spark';
const KAFKA = 'contoso-kafka';
const TOPIC = 'tutorial-orders';
const CONNECTOR = 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3';

interface JobLine {
  source: string;
  text: string;
  gap?: boolean;
}

interface KafkaPartition {
  topic: string;
  partition: number;
  offset: number;
  latest?: number;
  lag?: number;
  latestFrom?: string;
}

interface Query {
  id: string;
  name?: string;
  batchId: number;
  sources: { description: string; kafka?: { partitions: KafkaPartition[]; totalLag?: number } }[];
}

interface JobView {
  jobId: string;
  state: string;
  appId?: string;
  log: string[];
  lines: JobLine[];
  driverLog?: string;
  queries: Query[];
}

interface YarnUrls {
  rmWebUrl: string;
  historyWebUrl: string;
  nodeId: string;
  user: string;
}

const until = (jobId: string, check: (job: JobView) => boolean, what: string, timeoutMs?: number): Promise<JobView> =>
  untilJob<JobView>(jobId, check, what, timeoutMs);

/** JSON orders, as the tutorial's producer writes them (taxi trips there, orders here). */
const orders = (from: number, count: number): { key: string; value: string }[] =>
  Array.from({ length: count }, (_, i) => {
    const order = from + i;
    return {
      key: String(order % 5),
      value: JSON.stringify({ order, amount: (order * 37) % 1000, city: ['Köln', 'Zürich', 'Oslo'][order % 3] }),
    };
  });

/** The order ids in the console sink's tables (`|17   |629   |Köln  |`), in the order printed. */
const printedOrders = (stdout: string[]): number[] =>
  stdout
    .map((t) => /^\|(\d+)\s*\|\d+\s*\|/.exec(t)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number);

/** The driver's whole stdout as YARN aggregated it, read straight from the history server (not through the extension). */
async function aggregatedStdout(yarn: YarnUrls, appId: string): Promise<string> {
  const attempts = (await (await fetch(`${yarn.rmWebUrl}/ws/v1/cluster/apps/${appId}/appattempts`)).json()) as {
    appAttempts: { appAttempt: { containerId: string }[] };
  };
  const cid = attempts.appAttempts.appAttempt[0].containerId;
  return eventually(
    async () => {
      const res = await fetch(`${yarn.historyWebUrl}/jobhistory/logs/${yarn.nodeId}/${cid}/${cid}/${yarn.user}/stdout?start=0`);
      const page = parseLogPage(await res.text(), 'stdout');
      assert.equal(page.kind, 'log', `the aggregated stdout of ${cid} (${res.status})`);
      return page.kind === 'log' ? page.text : '';
    },
    120_000,
    1_000,
  );
}

describe('Azure’s Kafka streaming tutorial on YARN, as on HDInsight', function () {
  this.timeout(1_200_000);
  useEmulatedAzure();
  let yarn: YarnUrls;
  before(activateExtension);
  before(async () => {
    yarn = (await control('livy/mode', 'PUT', { mode: 'yarn', cluster: SPARK })) as YarnUrls;
  });
  after(() => control('livy/mode', 'PUT', { mode: 'local', cluster: SPARK }));

  it('streams a topic’s JSON through a PySpark batch: console rows from the driver, the query’s Kafka lag back to 0, cancel, every line kept', async () => {
    const { bootstrap } = await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', { cluster: KAFKA });
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', {
      cluster: KAFKA,
      topic: TOPIC,
      partitions: 3,
      replicationFactor: 1,
    });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', { cluster: KAFKA, topic: TOPIC, messages: orders(1, 30) });

    const code = [
      'from pyspark.sql import SparkSession',
      'from pyspark.sql.functions import col, from_json',
      'from pyspark.sql.types import IntegerType, StringType, StructField, StructType',
      'spark = SparkSession.builder.appName("tutorial-orders").getOrCreate()',
      'schema = StructType([StructField("order", IntegerType()), StructField("amount", IntegerType()), StructField("city", StringType())])',
      `kafka_brokers = "${bootstrap}"`,
      'orders = (spark.readStream.format("kafka")',
      '    .option("kafka.bootstrap.servers", kafka_brokers)',
      `    .option("subscribe", "${TOPIC}")`,
      '    .option("startingOffsets", "earliest")',
      '    .option("maxOffsetsPerTrigger", 60)',
      '    .load()',
      '    .select(from_json(col("value").cast("string"), schema).alias("o"))',
      '    .select("o.*"))',
      'query = (orders.writeStream.format("console").option("numRows", 1000).option("truncate", False)',
      '    .queryName("orders_console").trigger(processingTime="2 seconds").start())',
      'query.awaitTermination()',
    ].join('\n');
    const { jobId } = await vscode.commands.executeCommand<{ jobId: string }>('hdinsight.submitStreamingJob', {
      cluster: SPARK,
      code,
      language: 'python',
      mode: 'batch',
      conf: { 'spark.jars.packages': CONNECTOR },
    });

    // The first 30 orders come as console rows from the driver's stdout in YARN.
    const first = await until(
      jobId,
      (j) => printedOrders(j.lines.filter((l) => l.source === 'driverStdout').map((l) => l.text)).length >= 30,
      '30 rows',
    );
    assert.match(first.appId ?? '', /^application_\d+_\d+$/);
    assert.ok(!first.lines.some((l) => (l.source === 'stdout' || l.source === 'stderr') && /^\|\d+/.test(l.text)), 'no row in Livy’s log');

    // A burst: the query reads 60 offsets a trigger, so it falls behind and catches up.
    await vscode.commands.executeCommand('hdinsight.kafka.produce', { cluster: KAFKA, topic: TOPIC, messages: orders(31, 300) });
    const lags: number[] = [];
    const fromTopic = new Set<boolean>();
    const caughtUp = await until(
      jobId,
      (j) => {
        const kafka = j.queries.find((q) => q.name === 'orders_console')?.sources[0]?.kafka;
        if (kafka?.totalLag !== undefined && lags[lags.length - 1] !== kafka.totalLag) lags.push(kafka.totalLag);
        for (const p of kafka?.partitions ?? []) fromTopic.add(p.latestFrom === 'topic');
        return printedOrders(j.lines.filter((l) => l.source === 'driverStdout').map((l) => l.text)).length >= 330 && kafka?.totalLag === 0;
      },
      'all 330 orders and the lag back to 0',
    );
    assert.ok(Math.max(...lags) > 0, `the monitor showed the query behind after the burst (lags seen: ${lags.join(', ')})`);
    // The code names contoso-kafka's brokers: the lag is against the topic's offsets read through the extension's connection.
    assert.ok(fromTopic.has(true), 'latest offsets read through the extension’s Kafka connection');
    const query = caughtUp.queries.find((q) => q.name === 'orders_console')!;
    assert.ok(query.batchId >= 5, `several micro-batches (batch ${query.batchId})`);
    const partitions = query.sources[0].kafka!.partitions;
    assert.deepEqual(
      partitions.map((p) => `${p.topic}/${p.partition}`).sort(),
      [0, 1, 2].map((p) => `${TOPIC}/${p}`),
    );
    assert.ok(
      partitions.every((p) => p.latest !== undefined && p.offset === p.latest && p.lag === 0),
      `each partition read up to its latest offset: ${JSON.stringify(partitions)}`,
    );

    await vscode.commands.executeCommand('hdinsight.cancelJob', { jobId });
    const ended = await until(
      jobId,
      (j) => ['cancelled', 'failed', 'succeeded'].includes(j.state) && j.driverLog === 'complete',
      'the end and the whole driver log',
    );
    assert.equal(ended.state, 'cancelled');
    assert.ok(!ended.lines.some((l) => l.gap), 'no line lost');
    const stdout = ended.lines.filter((l) => l.source === 'driverStdout').map((l) => l.text);
    // Every order exactly once, and the panel's driver stdout is YARN's aggregated stdout, line for line.
    assert.deepEqual(
      [...printedOrders(stdout)].sort((a, b) => a - b),
      Array.from({ length: 330 }, (_, i) => i + 1),
    );
    const aggregated = (await aggregatedStdout(yarn, ended.appId!)).split('\n');
    if (aggregated[aggregated.length - 1] === '') aggregated.pop();
    assert.deepEqual(stdout, aggregated, 'the driver’s stdout in the panel is YARN’s, no line lost or repeated');
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster: KAFKA, topic: TOPIC, confirm: TOPIC });
  });
});
