import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, control, DEV_SUBSCRIPTION, eventually, useEmulatedAzure } from './helpers';

const SPARK = 'contoso-spark';
const KAFKA = 'contoso-kafka';
const VNETS = `/subscriptions/${DEV_SUBSCRIPTION}/resourceGroups/streaming-rg/providers/Microsoft.Network/virtualNetworks`;
/** Where the seeded pair is: both clusters in one network, as the tutorial's template makes them. */
const STREAMING_VNET = { id: `${VNETS}/streaming-vnet`, subnet: `${VNETS}/streaming-vnet/subnets/default` };
const OTHER_VNET = { id: `${VNETS}/kafka-only-vnet`, subnet: `${VNETS}/kafka-only-vnet/subnets/default` };
/** HDInsight 5.1's Spark 3.3.1 on Scala 2.12: what the emulated Spark cluster reports. */
const CONNECTOR_51 = 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.3.1';
/** A connector for another Spark (the one the tests' pyspark is). */
const CONNECTOR_353 = 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3';

interface Finding {
  code: string;
  severity: string;
  message: string;
  action?: string;
  line?: number;
  fix?: { coordinates: string; packages: string };
}
interface Report {
  skipped?: boolean;
  findings: Finding[];
  kafkaClusters: string[];
  applied?: { coordinates: string; packages: string };
}

/** The tutorial's job: JSON trips read from the Kafka cluster's brokers, printed by a console sink. */
const job = (bootstrap: string): string =>
  [
    'from pyspark.sql import SparkSession',
    'spark = SparkSession.builder.appName("tripdata").getOrCreate()',
    `kafkaBrokers = "${bootstrap}"`,
    'trips = (spark.readStream.format("kafka")',
    '         .option("kafka.bootstrap.servers", kafkaBrokers)',
    '         .option("subscribe", "tripdata").option("startingOffsets", "earliest").load())',
    'trips.selectExpr("CAST(value AS STRING)").writeStream.format("console").start().awaitTermination(5)',
  ].join('\n');

const submit = (arg: Record<string, unknown>): Thenable<{ jobId: string; preflight: Report }> =>
  vscode.commands.executeCommand('hdinsight.submitStreamingJob', { cluster: SPARK, language: 'python', mode: 'batch', ...arg });

async function livyPosts(): Promise<{ path: string; body: string }[]> {
  const all = (await control(`gateways/${SPARK}/requests?path=${encodeURIComponent('^/livy/')}`, 'GET')) as {
    method: string;
    path: string;
    body: string;
  }[];
  return all.filter((r) => r.method === 'POST');
}

describe('Pre-flight of Submit Streaming Job: the Kafka cluster out of reach, the wrong connector (emulated Resource Manager, real Livy)', function () {
  this.timeout(300_000);
  useEmulatedAzure();
  let bootstrap: string;
  before(async () => {
    await activateExtension();
    // What the user does first: the Kafka cluster's brokers, discovered through its Ambari.
    ({ bootstrap } = await vscode.commands.executeCommand<{ bootstrap: string }>('hdinsight.discoverBrokers', { cluster: KAFKA }));
  });
  beforeEach(() => control(`gateways/${SPARK}/requests`, 'DELETE'));
  after(() => control(`clusters/${KAFKA}/network`, 'PUT', { vnet: STREAMING_VNET }));

  it('refuses to send a job whose Kafka cluster is in another virtual network, saying why and what to do', async () => {
    await control(`clusters/${KAFKA}/network`, 'PUT', { vnet: OTHER_VNET });
    await vscode.commands.executeCommand('hdinsight.refresh');
    await assert.rejects(
      Promise.resolve(submit({ code: job(bootstrap), conf: { 'spark.jars.packages': CONNECTOR_51 }, preflight: 'stop' })),
      (err: Error & { action?: string }) => {
        assert.match(
          err.message,
          /^Not submitted: the pre-flight found a problem\. contoso-spark probably cannot reach the Kafka brokers of contoso-kafka\./,
        );
        assert.match(
          err.message,
          /contoso-spark is in the virtual network streaming-vnet, contoso-kafka is in the virtual network kafka-only-vnet/,
        );
        assert.match(
          err.action ?? '',
          /Put both clusters in one virtual network \(Create Spark \+ Kafka Pair does\), or peer the two networks/,
        );
        return true;
      },
    );
    assert.deepEqual(await livyPosts(), [], 'nothing was sent to Livy');

    // A script that only wants to know: the same finding in the result and in getJob, and the job goes.
    const { jobId, preflight } = await submit({
      code: job(bootstrap),
      conf: { 'spark.jars.packages': CONNECTOR_51 },
      preflight: 'check',
    });
    try {
      assert.deepEqual(
        preflight.findings.map((f) => [f.code, f.severity, f.line]),
        [['kafka-network', 'warning', 5]],
      );
      // The test environment's emulated Kafka clusters all name its one real broker: each discovered one owns it.
      assert.ok(preflight.kafkaClusters.includes(KAFKA), JSON.stringify(preflight.kafkaClusters));
      const view = await vscode.commands.executeCommand<{ preflight?: Report }>('hdinsight.getJob', { jobId });
      assert.deepEqual(view.preflight, preflight);
    } finally {
      await vscode.commands.executeCommand('hdinsight.cancelJob', { jobId });
    }
  });

  it('in one virtual network: says the connector does not fit the cluster, and the fix puts the matching coordinates in the submission', async () => {
    await control(`clusters/${KAFKA}/network`, 'PUT', { vnet: STREAMING_VNET });
    await vscode.commands.executeCommand('hdinsight.refresh');
    const { jobId, preflight } = await submit({
      code: job(bootstrap),
      conf: { 'spark.jars.packages': CONNECTOR_353, 'spark.sql.shuffle.partitions': '2' },
      preflight: 'fix',
    });
    try {
      assert.deepEqual(
        preflight.findings.map((f) => [f.code, f.severity]),
        [['connector-mismatch', 'warning']],
        'no network finding: both clusters are in streaming-vnet',
      );
      assert.match(
        preflight.findings[0].message,
        /^The Kafka connector org\.apache\.spark:spark-sql-kafka-0-10_2\.12:3\.5\.3 is built for Spark 3\.5\.3, but contoso-spark runs Spark 3\.3\.1 with Scala 2\.12 \(HDInsight 5\.1\)\./,
      );
      assert.deepEqual(preflight.applied, { coordinates: CONNECTOR_51, packages: CONNECTOR_51 });
      // The batch Livy receives carries the matching connector, the rest of the configuration as given.
      const batch = await eventually(
        async () => {
          const post = (await livyPosts()).find((r) => /^\/livy\/batches$/.test(r.path));
          assert.ok(post, 'waiting for the batch to be sent');
          return JSON.parse(post.body) as { conf?: Record<string, string> };
        },
        240_000,
        500,
      );
      assert.deepEqual(batch.conf, { 'spark.jars.packages': CONNECTOR_51, 'spark.sql.shuffle.partitions': '2' });
    } finally {
      await vscode.commands.executeCommand('hdinsight.cancelJob', { jobId });
    }
  });

  it('refuses an unknown pre-flight choice before anything is checked or sent', async () => {
    await assert.rejects(
      Promise.resolve(submit({ code: job(bootstrap), preflight: 'maybe' })),
      /"preflight" must be one of "ask", "check", "fix", "stop", "skip" \(got "maybe"\)/,
    );
    assert.deepEqual(await livyPosts(), []);
  });
});
