// Scala through the extension, on real Spark: Submit Streaming Job with language scala in session
// mode opens a Livy session of kind spark (the emulated Livy runs Livy's own Scala interpreter in
// the session's driver), and hdinsight.getJob gives what the REPL printed, Livy's error for code
// that does not compile, and a cancel that stops the statement's Spark job.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, control, eventually, useEmulatedAzure } from './helpers';

const SPARK = 'contoso-spark';
/** The Spark Kafka connector for the emulator's Spark (pyspark 3.5.3 from PyPI). */
const KAFKA_CONNECTOR = { 'spark.jars.packages': 'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.3' };

interface JobView {
  jobId: string;
  state: string;
  log: string[];
  lines?: { source: string; text: string }[];
  output?: { status: string; data?: Record<string, unknown>; ename?: string; evalue?: string; traceback?: string[] };
  note?: string;
}

const submit = (arg: Record<string, unknown>): Thenable<{ jobId: string }> =>
  vscode.commands.executeCommand<{ jobId: string }>('hdinsight.submitStreamingJob', { cluster: SPARK, ...arg });
const getJob = (jobId: string): Thenable<JobView> => vscode.commands.executeCommand<JobView>('hdinsight.getJob', { jobId });

async function until(jobId: string, states: string[], timeoutMs = 300_000): Promise<JobView> {
  let last: JobView | undefined;
  await eventually(
    async () => {
      last = await getJob(jobId);
      assert.ok(states.includes(last.state), `job ${jobId} is ${last.state} (${last.note ?? ''}); waiting for ${states.join(' or ')}`);
    },
    timeoutMs,
    500,
  );
  return last!;
}

async function livyRequests(pathPattern: string): Promise<{ method: string; path: string; body: string }[]> {
  return (await control(`gateways/${SPARK}/requests?path=${encodeURIComponent(pathPattern)}`, 'GET')) as {
    method: string;
    path: string;
    body: string;
  }[];
}

const plain = (job: JobView): string => {
  const text = job.output?.data?.['text/plain'];
  return typeof text === 'string' ? text : '';
};

describe('Submit Streaming Job in Scala through a Livy session, on real Spark', function () {
  this.timeout(600_000);
  useEmulatedAzure();
  before(activateExtension);
  before(() => control(`gateways/${SPARK}/requests`, 'DELETE'));

  it('runs Scala in a spark session and shows what the Scala REPL printed; the next statement sees its definitions', async () => {
    const code = [
      'case class Trip(vendorid: String, fare: Double)',
      'val trips = Seq(Trip("vendor-1", 11.0), Trip("vendor-2", 12.5)).toDF()',
      'trips.orderBy("vendorid").show()',
      'trips.agg(sum("fare")).as[Double].first()',
    ].join('\n');
    const first = await submit({ code, language: 'scala', mode: 'session' });
    const done = await until(first.jobId, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.output));
    const printed = plain(done);
    assert.ok(
      printed.startsWith('defined class Trip\ntrips: org.apache.spark.sql.DataFrame = [vendorid: string, fare: double]\n'),
      printed,
    );
    assert.ok(
      printed.includes(
        ['+--------+----+', '|vendorid|fare|', '+--------+----+', '|vendor-1|11.0|', '|vendor-2|12.5|', '+--------+----+'].join('\n'),
      ),
      printed,
    );
    assert.match(printed, /\nres\d+: Double = 23\.5\n$/);

    const second = await until((await submit({ code: 'trips.count()', language: 'scala', mode: 'session' })).jobId, [
      'succeeded',
      'failed',
    ]);
    assert.match(plain(second), /^res\d+: Long = 2\n$/);

    const created = (await livyRequests('/livy/sessions$')).filter((r) => r.method === 'POST');
    assert.equal(created.length, 1, 'one session for both statements');
    assert.equal((JSON.parse(created[0].body) as { kind: string }).kind, 'spark');
    const statements = (await livyRequests('/livy/sessions/\\d+/statements$')).filter((r) => r.method === 'POST');
    assert.deepEqual(
      statements.map((r) => (JSON.parse(r.body) as { kind: string }).kind),
      ['spark', 'spark'],
    );
  });

  it('fails a statement that does not compile with the compiler’s message, as Livy reports it', async () => {
    const { jobId } = await submit({ code: 'val fare: Int = "twelve"', language: 'scala', mode: 'session' });
    const failed = await until(jobId, ['succeeded', 'failed']);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.output?.ename, 'Error');
    assert.match(failed.output?.evalue ?? '', /^<console>:\d+: error: type mismatch;$/);
    assert.ok(failed.output?.traceback?.join('').includes('required: Int'), JSON.stringify(failed.output));
  });

  it('cancels a running Scala statement: its Spark job stops and the session takes the next one', async () => {
    const { jobId } = await submit({
      code: 'spark.range(0, 200000, 1, 2).map { i => Thread.sleep(5); i + 1 }.count()',
      language: 'scala',
      mode: 'session',
    });
    await until(jobId, ['running']);
    await new Promise((r) => setTimeout(r, 3_000)); // its Spark job has started
    await vscode.commands.executeCommand('hdinsight.cancelJob', { jobId });
    const done = await until(jobId, ['cancelled', 'failed', 'succeeded'], 60_000);
    assert.equal(done.state, 'cancelled', JSON.stringify(done.output));
    const next = await until(
      (await submit({ code: 'sc.statusTracker.getActiveJobIds.length', language: 'scala', mode: 'session' })).jobId,
      ['succeeded', 'failed'],
    );
    assert.match(plain(next), /^res\d+: Int = 0\n$/);
  });

  it("Azure's tutorial in Scala: the snippets with the brokers filled in run as statements; the console sink's rows show in the next statements' output; cancel stops the query", async () => {
    const kafka = 'contoso-kafka';
    const topic = 'scalatrips';
    await vscode.commands.executeCommand('hdinsight.kafka.createTopic', { cluster: kafka, topic, partitions: 1, replicationFactor: 1 });
    await vscode.commands.executeCommand('hdinsight.kafka.produce', {
      cluster: kafka,
      topic,
      messages: [1, 2, 3].map((i) => ({ value: JSON.stringify({ id: `trip-${i}`, time: '2026-11-24T10:00:00Z', amount: 10 + i }) })),
    });
    const snippet = async (name: string): Promise<string> =>
      (
        await vscode.commands.executeCommand<{ text: string }>('hdinsight.insertStreamingSnippet', {
          cluster: kafka,
          snippet: name,
          language: 'scala',
        })
      ).text;
    const code = [
      (await snippet('hdi-kafka-read')).replace('"input-topic"', `"${topic}"`),
      await snippet('hdi-kafka-json'),
      await snippet('hdi-console-sink'),
    ].join('\n');
    const started = await until((await submit({ code, language: 'scala', mode: 'session', conf: KAFKA_CONNECTOR })).jobId, [
      'succeeded',
      'failed',
    ]);
    assert.equal(started.state, 'succeeded', JSON.stringify(started.output));
    assert.match(plain(started), /\nquery: org\.apache\.spark\.sql\.streaming\.StreamingQuery = /);

    // The query's thread inherited the interpreter's Console: its batches land in the output of
    // the statements that run after it (as in Livy), not in the driver's log. Those the monitor
    // ran to ask for the query's progress are shown in the starting job's log.
    let printed = '';
    await eventually(
      async () => {
        const next = await until(
          (await submit({ code: 'query.processAllAvailable()', language: 'scala', mode: 'session', conf: KAFKA_CONNECTOR })).jobId,
          ['succeeded', 'failed'],
        );
        assert.equal(next.state, 'succeeded', JSON.stringify(next.output));
        printed += plain(next);
        const first = await getJob(started.jobId);
        const shown = `${printed}\n${(first.lines ?? [])
          .filter((l) => l.source === 'stdout')
          .map((l) => l.text)
          .join('\n')}`;
        for (const id of ['trip-1', 'trip-2', 'trip-3']) assert.ok(shown.includes(`|${id}|`), `${id} not printed yet:\n${shown}`);
        printed = shown;
      },
      300_000,
      1_000,
    );
    assert.match(printed, /Batch: 0/);
    assert.match(printed, /\|trip-2\s*\|[^|]+\|12\.0\s*\|/);

    // Cancelling the statement that started the query stops the session's streaming queries.
    const cancelled = await vscode.commands.executeCommand<JobView>('hdinsight.cancelJob', { jobId: started.jobId });
    assert.equal(cancelled.state, 'cancelled');
    const active = await until(
      (await submit({ code: 'spark.streams.active.length', language: 'scala', mode: 'session', conf: KAFKA_CONNECTOR })).jobId,
      ['succeeded', 'failed'],
    );
    assert.match(plain(active), /^res\d+: Int = 0\n$/);
    await vscode.commands.executeCommand('hdinsight.kafka.deleteTopic', { cluster: kafka, topic, confirm: topic });
  });
});
