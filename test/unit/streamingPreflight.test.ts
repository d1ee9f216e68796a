import assert from 'node:assert/strict';
import type { HDInsightCluster } from '../../src/azure/model';
import type { ClusterLookup, ClusterTarget } from '../../src/clusters/ClusterTarget';
import { KnownBrokers } from '../../src/clusters/knownBrokers';
import { knownKafkaClusters, refreshKafkaFacts } from '../../src/clusters/streamingFacts';
import {
  analyseStreamingJob,
  brokersNamedIn,
  findBootstrapServers,
  fixConfigureMagic,
  parseBootstrapServers,
  splitConfigureMagic,
  sparkRuntime,
  type KafkaClusterFacts,
  type PreflightInput,
  type SparkClusterFacts,
} from '../../src/preflight/streamingPreflight';

const SUB = '/subscriptions/1f3c5b7a-2e4d-4f60-8a9b-0c1d2e3f4a5b/resourceGroups/streaming-rg/providers/Microsoft.Network/virtualNetworks';
const STREAMING_VNET = `${SUB}/streaming-vnet`;
const OTHER_VNET = `${SUB}/other-vnet`;
const BROKERS = ['wn0-kafka.abc123.ax.internal.cloudapp.net:9092', 'wn1-kafka.abc123.ax.internal.cloudapp.net:9092'];
const BOOTSTRAP = BROKERS.join(',');
const CONNECTOR_51 = 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.3.1';

const spark = (changes: Partial<SparkClusterFacts> = {}): SparkClusterFacts => ({
  name: 'spark-tutorial',
  source: 'azure',
  virtualNetwork: STREAMING_VNET,
  subnet: `${STREAMING_VNET}/subnets/default`,
  location: 'westeurope',
  sparkVersion: '3.3',
  clusterVersion: '5.1.3000.0',
  ...changes,
});
const kafka = (changes: Partial<KafkaClusterFacts> = {}): KafkaClusterFacts => ({
  name: 'kafka-tutorial',
  source: 'azure',
  brokers: BROKERS,
  virtualNetwork: STREAMING_VNET,
  subnet: `${STREAMING_VNET}/subnets/default`,
  location: 'westeurope',
  ...changes,
});

/** The tutorial's PySpark job, reading the brokers from a variable as the tutorial's notebook does. */
const TUTORIAL = [
  'from pyspark.sql import SparkSession',
  'spark = SparkSession.builder.appName("tutorial").getOrCreate()',
  `kafkaBrokers = "${BOOTSTRAP}"`,
  'df = (spark.readStream.format("kafka")',
  '      .option("kafka.bootstrap.servers", kafkaBrokers)',
  '      .option("subscribe", "tripdata").load())',
  'df.writeStream.format("console").start().awaitTermination()',
].join('\n');

const input = (changes: Partial<PreflightInput> = {}): PreflightInput => ({
  language: 'python',
  code: TUTORIAL,
  conf: { 'spark.jars.packages': CONNECTOR_51 },
  spark: spark(),
  kafka: [kafka()],
  ...changes,
});

describe('The pre-flight of a streaming job (what it tells before submitting)', () => {
  it('finds nothing to say about the tutorial job on the tutorial pair with the right connector', () => {
    const result = analyseStreamingJob(input());
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.kafkaClusters, ['kafka-tutorial']);
    assert.deepEqual(result.bootstrap, [{ text: BOOTSTRAP, line: 5, source: 'variable' }]);
    assert.equal(result.expectedConnector, CONNECTOR_51);
  });

  it('says plainly when the Kafka cluster is in another virtual network, and what to do', () => {
    const { findings } = analyseStreamingJob(
      input({ kafka: [kafka({ virtualNetwork: OTHER_VNET, subnet: `${OTHER_VNET}/subnets/default` })] }),
    );
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f.code, 'kafka-network');
    assert.equal(f.severity, 'warning');
    assert.equal(f.line, 5);
    assert.equal(f.title, 'spark-tutorial probably cannot reach the Kafka brokers of kafka-tutorial.');
    assert.match(f.message, /^spark-tutorial probably cannot reach the Kafka brokers of kafka-tutorial\./);
    assert.match(f.message, /spark-tutorial is in the virtual network streaming-vnet, kafka-tutorial is in the virtual network other-vnet/);
    assert.match(f.message, /wn0-kafka\.abc123\.ax\.internal\.cloudapp\.net, wn1-kafka/);
    assert.match(f.action ?? '', /one virtual network \(Create Spark \+ Kafka Pair does\), or peer the two networks/);
  });

  it('warns when either cluster has no virtual network of its own choosing', () => {
    const noKafkaVnet = analyseStreamingJob(input({ kafka: [kafka({ virtualNetwork: undefined, subnet: undefined })] })).findings;
    assert.match(noKafkaVnet[0].message, /kafka-tutorial is in no virtual network of yours/);
    const neither = analyseStreamingJob(
      input({ spark: spark({ virtualNetwork: undefined }), kafka: [kafka({ virtualNetwork: undefined })] }),
    ).findings;
    assert.match(neither[0].message, /Neither spark-tutorial nor kafka-tutorial was created in a virtual network of yours/);
  });

  it('compares virtual networks by resource id, whatever the case', () => {
    const { findings } = analyseStreamingJob(input({ kafka: [kafka({ virtualNetwork: STREAMING_VNET.toUpperCase() })] }));
    assert.deepEqual(findings, []);
  });

  it('says when the connector is built for another Spark or Scala, and offers the matching coordinates', () => {
    const { findings } = analyseStreamingJob(
      input({ conf: { 'spark.jars.packages': 'org.apache.spark:spark-sql-kafka-0-10_2.11:2.4.4' } }),
    );
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f.code, 'connector-mismatch');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /^The Kafka connector org\.apache\.spark:spark-sql-kafka-0-10_2\.11:2\.4\.4 is built for Scala 2\.11 and Spark 2\.4\.4, but spark-tutorial runs Spark 3\.3\.1 with Scala 2\.12 \(HDInsight 5\.1\)\./,
    );
    assert.deepEqual(f.fix, { coordinates: CONNECTOR_51, packages: CONNECTOR_51 });
  });

  it('keeps the other packages when it replaces the connector', () => {
    const { findings } = analyseStreamingJob(
      input({ conf: { 'spark.jars.packages': 'io.delta:delta-core_2.12:2.2.0, org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3' } }),
    );
    assert.match(findings[0].message, /built for Spark 3\.5\.3, but/);
    assert.equal(findings[0].fix?.packages, `io.delta:delta-core_2.12:2.2.0,${CONNECTOR_51}`);
  });

  it('only mentions a connector of another patch release of the same Spark', () => {
    const { findings } = analyseStreamingJob(
      input({ conf: { 'spark.jars.packages': 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.3.0' } }),
    );
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity]),
      [['connector-mismatch', 'info']],
    );
  });

  it('says when a Kafka job asks for no connector at all, with the coordinates to add', () => {
    const { findings } = analyseStreamingJob(input({ conf: undefined }));
    assert.equal(findings.length, 1);
    assert.equal(findings[0].code, 'connector-missing');
    assert.match(findings[0].message, /asks for no Kafka connector \(spark\.jars\.packages\)/);
    assert.match(findings[0].action ?? '', /^Add org\.apache\.spark:spark-sql-kafka-0-10_2\.12:3\.3\.1: spark-tutorial runs Spark 3\.3\.1/);
  });

  it('says when the connector is only in the SparkSession builder, where Livy never loads it', () => {
    const code = TUTORIAL.replace(
      'SparkSession.builder.appName("tutorial")',
      `SparkSession.builder.appName("tutorial").config("spark.jars.packages", "${CONNECTOR_51}")`,
    );
    const { findings } = analyseStreamingJob(input({ code, conf: undefined }));
    assert.deepEqual(
      findings.map((f) => [f.code, f.line]),
      [['connector-in-code', 2]],
    );
  });

  it('offers the connector of each HDInsight version', () => {
    const expected = (sparkVersion: string, clusterVersion: string): string | undefined =>
      analyseStreamingJob(input({ spark: spark({ sparkVersion, clusterVersion }) })).expectedConnector;
    assert.equal(expected('3.3', '5.1.3000.0'), CONNECTOR_51);
    assert.equal(expected('3.1', '5.0.3000.0'), 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.1.3');
    assert.equal(expected('2.4', '4.0.3000.1'), 'org.apache.spark:spark-sql-kafka-0-10_2.11:2.4.4');
    assert.deepEqual(sparkRuntime('3.5.3'), { spark: '3.5.3', scala: '2.12' });
    assert.deepEqual(sparkRuntime('4.0'), { spark: '4.0.0', scala: '2.13' });
    assert.equal(sparkRuntime(undefined), undefined);
  });

  it('has nothing to say about code without Kafka', () => {
    const code = 'spark.range(100).selectExpr("sum(id)").show()';
    assert.deepEqual(analyseStreamingJob(input({ code, conf: undefined })).findings, []);
    assert.deepEqual(
      analyseStreamingJob(input({ code: '# .option("kafka.bootstrap.servers", "x:9092")\nprint(1)', conf: undefined })).findings,
      [],
    );
  });

  it('checks no network for brokers the extension does not know, and says why', () => {
    const code = TUTORIAL.replace(BOOTSTRAP, '10.0.0.15:9092,10.0.0.16:9092');
    const { findings, kafkaClusters } = analyseStreamingJob(input({ code }));
    assert.deepEqual(kafkaClusters, []);
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity]),
      [['brokers-unknown', 'info']],
    );
    assert.match(findings[0].message, /10\.0\.0\.15, 10\.0\.0\.16\) are not among the brokers the extension discovered/);
    assert.match(findings[0].action ?? '', /Expand the Kafka cluster's Brokers/);
  });

  it('checks no network of a linked cluster (Resource Manager does not know it)', () => {
    const { findings } = analyseStreamingJob(
      input({ spark: { name: 'onprem', source: 'linked' }, kafka: [kafka({ source: 'linked', virtualNetwork: undefined })] }),
    );
    assert.deepEqual(
      findings.map((f) => f.code),
      [],
    );
  });

  it('gives a clear message for a malformed bootstrap string', () => {
    const cases: [string, RegExp][] = [
      ['wn0-kafka', /"wn0-kafka" has no port \(Kafka on HDInsight listens on 9092: wn0-kafka:9092\)/],
      ['wn0-kafka:9092,,wn1-kafka:9092', /has an empty entry/],
      ['wn0-kafka:99999', /99999 is not a port/],
      ['wn0 kafka:9092', /has a space in it/],
      ['', /the string is empty/],
    ];
    for (const [bootstrap, message] of cases) {
      const code = `df = spark.readStream.format("kafka").option("kafka.bootstrap.servers", "${bootstrap}").load()`;
      const { findings } = analyseStreamingJob(input({ code }));
      assert.equal(findings[0]?.code, 'bootstrap-malformed', bootstrap);
      assert.match(findings[0].message, /^The Kafka bootstrap servers at line 1 are not host:port pairs separated by commas: /);
      assert.match(findings[0].message, message);
    }
    assert.deepEqual(parseBootstrapServers('PLAINTEXT://wn0-kafka:9092'), { servers: [{ host: 'wn0-kafka', port: 9092 }] });
  });

  it('reads the bootstrap servers in the usual spellings of PySpark and Scala', () => {
    const py = (code: string) => findBootstrapServers(code, 'python').map((f) => f.text);
    assert.deepEqual(py(`.option('kafka.bootstrap.servers', 'a:9092,b:9092')`), ['a:9092,b:9092']);
    assert.deepEqual(py(`.options(**{"kafka.bootstrap.servers": "a:9092"})`), ['a:9092']);
    assert.deepEqual(py(`brokers = "old:9092"\nbrokers = "a:9092"\n.option("kafka.bootstrap.servers", brokers)\nbrokers = "later:9092"`), [
      'a:9092',
    ]);
    assert.deepEqual(py(`.option("kafka.bootstrap.servers", """a:9092""")`), ['a:9092']);
    const scala = (code: string) => findBootstrapServers(code, 'scala').map((f) => f.text);
    assert.deepEqual(scala(`val kafkaBrokers: String = "a:9092,b:9092"\n.option("kafka.bootstrap.servers", kafkaBrokers)`), [
      'a:9092,b:9092',
    ]);
    assert.deepEqual(scala(`Map("kafka.bootstrap.servers" -> "a:9092")`), ['a:9092']);
    assert.deepEqual(scala(`// .option("kafka.bootstrap.servers", "x:1")`), []);
  });

  it('says when the servers are computed and cannot be matched to a cluster', () => {
    const code = 'host = "wn0"\ndf = spark.readStream.format("kafka").option("kafka.bootstrap.servers", f"{host}:9092").load()';
    const { findings } = analyseStreamingJob(input({ code }));
    assert.deepEqual(
      findings.map((f) => [f.code, f.severity, f.line]),
      [['bootstrap-unresolved', 'info', 2]],
    );
    assert.match(findings[0].message, /are computed \(f"\{host\}:9092"\)/);
    const fromArgs = analyseStreamingJob(input({ code: 'import sys\n.option("kafka.bootstrap.servers", sys.argv[1])' })).findings;
    assert.equal(fromArgs[0].code, 'bootstrap-unresolved');
  });

  it('reads the connector from a %%configure cell, takes the cell out of the code and can rewrite it', () => {
    const cell = ['%%configure -f', '{"conf": {"spark.jars.packages": "org.apache.spark:spark-sql-kafka-0-10_2.12:3.1.3"}}', TUTORIAL].join(
      '\n',
    );
    const { findings } = analyseStreamingJob(input({ code: cell, conf: undefined }));
    assert.deepEqual(
      findings.map((f) => f.code),
      ['connector-mismatch'],
    );
    const split = splitConfigureMagic(cell);
    assert.deepEqual(split.conf, { 'spark.jars.packages': 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.1.3' });
    assert.equal(split.code, `\n\n${TUTORIAL}`);
    const fixed = fixConfigureMagic(cell, findings[0].fix!)!;
    assert.deepEqual(splitConfigureMagic(fixed).conf, { 'spark.jars.packages': CONNECTOR_51 });
    assert.ok(fixed.startsWith('%%configure -f\n{'), fixed);
    assert.ok(fixed.endsWith(TUTORIAL));
  });
});

describe('The facts the pre-flight checks against', () => {
  const cluster = (name: string, vnet?: string): HDInsightCluster => ({
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.HDInsight/clusters/${name}`,
    name,
    subscriptionId: 's',
    resourceGroup: 'rg',
    location: 'westeurope',
    kind: 'kafka',
    componentVersion: '3.2',
    state: 'Running',
    roles: [],
    endpoints: [],
    storage: [],
    network: { virtualNetwork: vnet, subnet: vnet && `${vnet}/subnets/default` },
    errors: [],
  });
  const azure = (c: HDInsightCluster): ClusterTarget => ({ kind: 'azure', cluster: c });
  const lookupWith = (getCluster: (id: string, signal?: AbortSignal) => Promise<HDInsightCluster>): ClusterLookup =>
    ({
      account: { client: () => Promise.resolve({ getCluster }) },
      settings: { linkedClusters: { clusters: [{ name: 'onprem', kafkaBootstrap: ['broker1:9092'] }], problems: [] } },
    }) as unknown as ClusterLookup;

  it('lists the latest discovery first, and linked clusters with their bootstrap list', () => {
    const known = new KnownBrokers();
    known.record(azure(cluster('kafka-a')), ['wn0-a:9092']);
    known.record(azure(cluster('kafka-b')), ['wn0-b:9092']);
    known.record(azure(cluster('kafka-a')), ['wn0-a:9092']);
    const listed = knownKafkaClusters(
      lookupWith(() => Promise.reject(new Error('not asked'))),
      known,
    );
    assert.deepEqual(
      listed.map((k) => [k.facts.name, k.facts.source, k.facts.brokers.join(',')]),
      [
        ['kafka-a', 'azure', 'wn0-a:9092'],
        ['kafka-b', 'azure', 'wn0-b:9092'],
        ['onprem', 'linked', 'broker1:9092'],
      ],
    );
  });

  it("reads the job's Kafka cluster's network again, and keeps what it knew when Resource Manager does not answer in time", async () => {
    const known = new KnownBrokers();
    known.record(azure(cluster('kafka-a', STREAMING_VNET)), ['wn0-a:9092']);
    known.record(azure(cluster('kafka-slow', STREAMING_VNET)), ['wn0-s:9092']);
    const asked: string[] = [];
    const lookup = lookupWith((id, signal) => {
      asked.push(id.split('/').at(-1)!);
      if (id.endsWith('kafka-a')) return Promise.resolve(cluster('kafka-a', OTHER_VNET));
      // Never answers, and ignores its signal: the pre-flight must not wait for it.
      void signal;
      return new Promise<HDInsightCluster>(() => undefined);
    });
    const started = Date.now();
    const { facts, stale } = await refreshKafkaFacts(lookup, knownKafkaClusters(lookup, known), ['kafka-a', 'kafka-slow'], {
      timeoutMs: 300,
    });
    const took = Date.now() - started;
    assert.ok(took < 2_000, `took ${took} ms`);
    assert.deepEqual(asked.sort(), ['kafka-a', 'kafka-slow']);
    assert.deepEqual(stale, ['kafka-slow']);
    assert.equal(facts.find((f) => f.name === 'kafka-a')?.virtualNetwork, OTHER_VNET, 'the network as it is now');
    assert.equal(facts.find((f) => f.name === 'kafka-slow')?.virtualNetwork, STREAMING_VNET, 'as last seen');
    assert.equal(facts.find((f) => f.name === 'onprem')?.source, 'linked', 'linked clusters are not asked about');
  });
});

describe('The Kafka brokers a job’s code names (whose lag the monitor reads)', () => {
  it('finds them in the option, a variable, a Scala string or a map, each once, and nothing commented out', () => {
    const python = [
      'kafkaBrokers = "wn0-kafka.abc.internal.cloudapp.net:9092,WN1-kafka.abc.internal.cloudapp.net:9092"',
      'df = spark.readStream.format("kafka").option("kafka.bootstrap.servers", kafkaBrokers).option("subscribe", "orders").load()',
      "other = {'kafka.bootstrap.servers': '10.0.0.12:9092'}",
      '# .option("kafka.bootstrap.servers", "old-kafka:9092")',
      'print("time: 12:30")',
    ].join('\n');
    assert.deepEqual(
      brokersNamedIn(python, 'python').map((b) => `${b.host}:${b.port}`),
      ['wn0-kafka.abc.internal.cloudapp.net:9092', 'wn1-kafka.abc.internal.cloudapp.net:9092', '10.0.0.12:9092'],
    );
    const scala =
      'val brokers = "wn0-kafka:9092"\nval df = spark.readStream.format("kafka").option("kafka.bootstrap.servers", brokers).load()';
    assert.deepEqual(
      brokersNamedIn(scala, 'scala').map((b) => `${b.host}:${b.port}`),
      ['wn0-kafka:9092'],
    );
    assert.deepEqual(brokersNamedIn('spark.readStream.format("rate").load()', 'python'), []);
    assert.deepEqual(brokersNamedIn('spark.readStream.format("kafka").option("kafka.bootstrap.servers", f"{host}:9092")', 'python'), []);
  });
});
