import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fallingBehind, QueryMonitor, type QueryView } from '../../src/livy/queryMonitor';
import { fromLastProgress, type QueryProgress, QueryProgressParser } from '../../src/livy/queryProgress';
import type { QueryWire } from '../../src/webviews/queryProtocol';

// Real driver output of pyspark 3.5.3 (see test/fixtures/streamingProgress/capture.ts): stderr with
// the progress blocks among the streaming engine's and the Kafka source's INFO lines; stdout with
// the console sink's rows and each query's lastProgress as json.dumps printed it at the end.
const fixtures = path.resolve(__dirname, '../../../test/fixtures/streamingProgress');
const stderrLines = zlib
  .gunzipSync(fs.readFileSync(path.join(fixtures, 'spark-3.5.3-stderr.log.gz')))
  .toString('utf8')
  .split('\n');
const stdoutLines = fs.readFileSync(path.join(fixtures, 'spark-3.5.3-stdout.log'), 'utf8').split('\n');
const MARKER = 'Streaming query made progress: {';

function parseAll(lines: readonly string[]): QueryProgress[] {
  const parser = new QueryProgressParser();
  return lines.flatMap((line) => parser.feed(line));
}

const all = parseAll(stderrLines);
const ofQuery = (name: string): QueryProgress[] => all.filter((p) => p.name === name);
const orders = ofQuery('orders_slow');
const rates = ofQuery('rate_windows');

/** The lines of the n-th progress block in the real log (its first line with the log4j prefix, through its closing brace). */
function block(n: number): string[] {
  const starts = stderrLines.flatMap((l, i) => (l.includes(MARKER) ? [i] : []));
  const start = starts[n];
  const end = stderrLines.indexOf('}', start);
  return stderrLines.slice(start, end + 1);
}

/** A real progress report with its Kafka sources' offsets left out (what a query on another source reports). */
const withoutKafka = (p: QueryProgress): QueryProgress => ({ ...p, sources: p.sources.map(({ kafka: _kafka, ...s }) => s) });

describe('Structured Streaming progress in the driver log', () => {
  it('finds every progress block among the other lines of the real log, each once', () => {
    const markers = stderrLines.filter((l) => l.includes(MARKER)).length;
    assert.ok(markers > 40, `the fixture has ${markers} progress blocks`);
    assert.equal(all.length, markers);
    assert.ok(stderrLines.length > all.length * 40, 'other log lines come between the blocks');
    assert.deepEqual([...new Set(all.map((p) => p.name))].sort(), ['orders_slow', 'rate_windows']);
    for (const series of [orders, rates]) {
      assert.deepEqual(
        series.map((p) => p.batchId),
        series.map((_, i) => i),
        'each batch of each query, in order',
      );
      assert.equal(new Set(series.map((p) => p.id)).size, 1);
    }
  });

  it('maps the first batch of a Kafka query, with its metrics given as strings', () => {
    const first = orders[0];
    assert.match(first.id, /^[0-9a-f-]{36}$/);
    assert.match(first.runId, /^[0-9a-f-]{36}$/);
    assert.match(first.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(first.batchId, 0);
    assert.equal(first.numInputRows, 298);
    // Spark 3.5 reports 0.0 for the first batch's input rate (no previous trigger), not NaN.
    assert.equal(first.inputRowsPerSecond, 0);
    assert.ok(first.processedRowsPerSecond !== undefined && first.processedRowsPerSecond > 0);
    assert.deepEqual(Object.keys(first.durationMs).sort(), [
      'addBatch',
      'commitOffsets',
      'getBatch',
      'latestOffset',
      'queryPlanning',
      'triggerExecution',
      'walCommit',
    ]);
    assert.equal(first.watermark, undefined);
    assert.equal(first.stateRows, undefined);
    assert.deepEqual(first.sink, { description: 'ForeachBatchSink', numOutputRows: -1 });
    const [source] = first.sources;
    assert.equal(source.description, 'KafkaV2[Subscribe[orders]]');
    assert.equal(source.startOffset, null);
    assert.equal(typeof source.metrics.maxOffsetsBehindLatest, 'string');
    const kafka = source.kafka;
    assert.ok(kafka);
    assert.deepEqual(
      kafka.topicPartitions.map((p) => [p.topic, p.partition]),
      [
        ['orders', 0],
        ['orders', 1],
        ['orders', 2],
      ],
    );
    const behind = kafka.topicPartitions.map((p) => (p.latestOffset ?? NaN) - p.endOffset);
    assert.equal(kafka.maxOffsetsBehindLatest, Math.max(...behind));
    assert.equal(kafka.minOffsetsBehindLatest, Math.min(...behind));
    assert.ok(Math.abs((kafka.avgOffsetsBehindLatest ?? NaN) - behind.reduce((a, b) => a + b, 0) / behind.length) < 1e-9);
    assert.equal(
      kafka.topicPartitions.reduce((sum, p) => sum + p.endOffset, 0),
      first.numInputRows,
    );
  });

  it('maps a windowed query: watermark, state rows, a rate source whose offsets are numbers', () => {
    const last = rates[rates.length - 1];
    assert.match(last.watermark ?? '', /^2026-.*Z$/);
    assert.ok(last.stateRows !== undefined && last.stateRows > 0);
    assert.equal(last.stateOperators[0].operatorName, 'stateStoreSave');
    const [source] = last.sources;
    // The description has an unbalanced "[" inside the string: the block is still read whole.
    assert.match(source.description, /^RateStreamV2\[/);
    assert.equal(source.kafka, undefined);
    assert.equal(typeof source.endOffset, 'number');
    assert.equal(rates[0].watermark, '1970-01-01T00:00:00.000Z');
  });

  it('reads a session’s lastProgress (json.dumps of the dict) the same as the logged block', () => {
    const printed = stdoutLines.filter((l) => l.startsWith('LAST_PROGRESS ')).map((l) => l.slice('LAST_PROGRESS '.length));
    assert.equal(printed.length, 2);
    const fromSession = printed.map((text) => fromLastProgress(text));
    const rate = fromSession.find((p) => p?.name === 'rate_windows');
    assert.ok(rate);
    assert.deepEqual(
      rate,
      rates.find((p) => p.batchId === rate.batchId && p.timestamp === rate.timestamp),
    );
    // The Kafka query's last report was an idle trigger after it caught up: nothing behind.
    const idle = fromSession.find((p) => p?.name === 'orders_slow');
    assert.equal(idle?.numInputRows, 0);
    assert.equal(idle?.sources[0].kafka?.maxOffsetsBehindLatest, 0);
    assert.equal(fromLastProgress(JSON.parse(printed[0]) as unknown)?.id, fromSession[0]?.id, 'the dict already parsed');
    assert.equal(fromLastProgress('None'), undefined, 'no progress yet');
    assert.equal(fromLastProgress('{"id": '), undefined);
  });

  it('leaves out rates Spark omitted (NaN) and reads NaN that json.dumps wrote as absent', () => {
    // The real first block of the Kafka query with its rate lines removed, as Spark writes it when a rate is NaN or infinite.
    const lines = block(1).filter((l) => !/"(input|processed)RowsPerSecond"/.test(l));
    assert.equal(lines.length, block(1).length - 4);
    const [p] = parseAll(lines);
    assert.ok(p);
    assert.equal(p.name, 'orders_slow');
    assert.equal(p.inputRowsPerSecond, undefined);
    assert.equal(p.processedRowsPerSecond, undefined);
    assert.equal(p.sources[0].inputRowsPerSecond, undefined);
    assert.equal(p.sources[0].processedRowsPerSecond, undefined);
    assert.equal(p.numInputRows, orders[0].numInputRows);
    const printed = stdoutLines.find((l) => l.includes('"rate_windows"'))?.slice('LAST_PROGRESS '.length) ?? '';
    const nan = fromLastProgress(
      printed
        .replace(/"inputRowsPerSecond": [\d.]+/g, '"inputRowsPerSecond": NaN')
        .replace(/"processedRowsPerSecond": [\d.]+/, '"processedRowsPerSecond": Infinity'),
    );
    assert.ok(nan);
    assert.equal(nan.inputRowsPerSecond, undefined);
    assert.equal(nan.processedRowsPerSecond, undefined);
    assert.equal(nan.sources[0].inputRowsPerSecond, undefined);
  });

  it('skips a block cut short or broken, never throws, and reads the next one', () => {
    const parser = new QueryProgressParser();
    const cut = block(1).slice(0, 20); // the log rolled mid-block: a log4j line comes next
    const cutString = block(2).map((l) => (l.includes('"runId"') ? l.slice(0, 20) : l)); // a line cut inside a string
    const noComma = block(4).map((l) => l.replace(/("batchId" : \d+),$/, '$1')); // not JSON
    const good = block(3);
    const got = [...cut, 'INFO next line', ...cutString, ...noComma, ...good].flatMap((l) => parser.feed(l));
    assert.deepEqual(got, parseAll(good));
    assert.equal(got.length, 1);
    // A brace inside a string does not end the block early.
    const named = block(3).map((l) => l.replace(/"name" : "\w+"/, '"name" : "orders {} ] \\" }"'));
    assert.equal(parseAll(named)[0]?.name, 'orders {} ] " }');
    assert.deepEqual(parseAll(['Streaming query made progress: not json', '}']), []);
  });

  it('recognises the line whatever the log4j prefix (HDInsight’s layout, Spark 4’s logger)', () => {
    const lines = block(3);
    const expected = parseAll(lines);
    for (const prefix of [
      '2026-11-24 19:53:30,123 INFO  [stream execution thread for orders_slow] streaming.MicroBatchExecution: ',
      '26/11/24 19:53:30 INFO MicroBatchExecutionContext: ',
      '',
    ]) {
      const first = prefix + lines[0].slice(lines[0].indexOf('Streaming query'));
      assert.deepEqual(parseAll([first, ...lines.slice(1)]), expected, prefix);
    }
  });
});

describe('The streaming-query monitor', () => {
  it('marks a query falling behind while its Kafka backlog grows, and clears it when it catches up (real throttled query)', () => {
    const monitor = new QueryMonitor();
    const marks: { batchId: number; behind: boolean; lag: number }[] = [];
    for (const p of orders) {
      monitor.add(p);
      const view = monitor.queries()[0];
      marks.push({ batchId: p.batchId, behind: view.fallingBehind, lag: view.sources[0].kafka?.totalLag ?? NaN });
    }
    // The producer wrote faster than the throttled foreachBatch until about batch 10, then stopped.
    const peak = marks.reduce((best, m) => (m.lag > best.lag ? m : best));
    assert.ok(peak.batchId >= 5, `lag peaked at batch ${peak.batchId}`);
    for (const m of marks) {
      const growing = m.batchId >= 2 && marks.slice(m.batchId - 2, m.batchId + 1).every((x, i, a) => i === 0 || x.lag > a[i - 1].lag);
      if (growing) assert.ok(m.behind, `batch ${m.batchId}: lag grew, so falling behind`);
      if (m.batchId > peak.batchId) assert.ok(!m.behind, `batch ${m.batchId}: catching up, not falling behind`);
    }
    assert.ok(marks.filter((m) => m.behind).length >= 5);
    const view = monitor.queries()[0];
    assert.equal(view.name, 'orders_slow');
    assert.equal(view.sources[0].kafka?.totalLag, 0, 'caught up at the end');
  });

  it('says why it is falling behind', () => {
    const monitor = new QueryMonitor();
    for (const p of orders.slice(0, 5)) monitor.add(p);
    const [view] = monitor.queries();
    assert.equal(view.fallingBehind, true);
    assert.match(view.fallingBehindReason ?? '', /^Kafka offsets behind latest grew over the last 3 batches \(\d+ → \d+ → \d+\)\.$/);
  });

  it('without Kafka offsets, marks it when processed rows/s stay below input rows/s for 3 batches with input', () => {
    // The real rates of the throttled query; its Kafka offsets left out, as for another source.
    const monitor = new QueryMonitor();
    const marks = orders.map((p) => {
      monitor.add(withoutKafka(p));
      return monitor.queries()[0].fallingBehind;
    });
    const slower = orders.map((p) => (p.processedRowsPerSecond ?? 0) < (p.inputRowsPerSecond ?? 0) && p.numInputRows > 0);
    marks.forEach((behind, i) => assert.equal(behind, i >= 2 && slower[i] && slower[i - 1] && slower[i - 2], `batch ${i}`));
    assert.ok(marks.some(Boolean), 'the real rates hold three slower batches in a row');
    // The windowed query keeps up: processed above input in every batch.
    const other = new QueryMonitor();
    for (const p of rates) other.add(p);
    assert.equal(other.queries()[0].fallingBehind, false);
    assert.equal(fallingBehind([]), undefined);
  });

  it('keeps a bounded series per query, counts a report seen twice once, and starts over on a new run', () => {
    const monitor = new QueryMonitor(10);
    for (const p of all) monitor.add(p);
    const views = monitor.queries();
    assert.deepEqual(views.map((v) => v.name).sort(), ['orders_slow', 'rate_windows']);
    const rate = views.find((v) => v.name === 'rate_windows');
    assert.ok(rate);
    assert.equal(rate.series.length, 10);
    assert.deepEqual(
      rate.series.map((s) => s.batchId),
      rates.slice(-10).map((p) => p.batchId),
    );
    assert.equal(rate.series[9].triggerExecutionMs, rates[rates.length - 1].durationMs.triggerExecution);
    assert.equal(monitor.add(rates[rates.length - 1]), false, 'the same report from lastProgress');
    assert.equal(monitor.add(rates[3]), false, 'an older batch');
    assert.equal(monitor.add({ ...rates[0], runId: 'a-new-run' }), true);
    assert.equal(monitor.queries().find((v) => v.name === 'rate_windows')?.series.length, 1);
    const full = new QueryMonitor();
    for (const p of rates) full.add(p);
    assert.equal(full.queries()[0].series.length, Math.min(60, rates.length));
  });

  it('gives each partition its lag against the topic’s latest offsets read through Kafka', () => {
    const monitor = new QueryMonitor();
    for (const p of orders.slice(0, 10)) monitor.add(p);
    assert.deepEqual(monitor.kafkaTopics(), ['orders']);
    const before = monitor.queries()[0].sources[0].kafka;
    assert.ok(before);
    assert.ok(before.partitions.every((p) => p.latestFrom === 'batch' && p.lag === (p.latest ?? NaN) - p.offset));
    // The topic's end offsets as the session's final lastProgress saw them (what Kafka held then).
    const final = fromLastProgress(stdoutLines.find((l) => l.includes('"orders_slow"'))?.slice('LAST_PROGRESS '.length));
    const latest = new Map(
      (final?.sources[0].kafka?.topicPartitions ?? []).filter((p) => p.partition !== 2).map((p) => [p.partition, p.endOffset]),
    );
    monitor.setLatestOffsets('orders', latest);
    const after = monitor.queries()[0].sources[0].kafka;
    assert.ok(after);
    const end = orders[9].sources[0].kafka?.topicPartitions ?? [];
    for (const row of after.partitions) {
      const offset = end.find((p) => p.partition === row.partition)?.endOffset;
      assert.equal(row.offset, offset);
      if (row.partition === 2) {
        assert.equal(row.latestFrom, 'batch', 'a partition Kafka did not answer for keeps the batch’s figure');
      } else {
        assert.equal(row.latestFrom, 'topic');
        assert.equal(row.latest, latest.get(row.partition));
        assert.equal(row.lag, (latest.get(row.partition) ?? NaN) - (offset ?? NaN));
      }
    }
    assert.equal(
      after.totalLag,
      after.partitions.reduce((s, p) => s + (p.lag ?? 0), 0),
    );
    monitor.setLatestOffsets('orders', new Map([[0, 0]]));
    const stale = monitor.queries()[0].sources[0].kafka?.partitions.find((p) => p.partition === 0);
    const batch0 = end.find((p) => p.partition === 0);
    assert.equal(stale?.latestFrom, 'batch', 'a read through Kafka older than the batch never hides what the batch saw');
    assert.equal(stale?.lag, Math.max(0, (batch0?.latestOffset ?? NaN) - (batch0?.endOffset ?? NaN)));
  });

  it('gives plain data in the shape the job output page renders', () => {
    const monitor = new QueryMonitor();
    for (const p of all) monitor.add(p);
    const views: QueryView[] = monitor.queries();
    const wire: QueryWire[] = views;
    assert.deepEqual(JSON.parse(JSON.stringify(wire)), views);
    for (const v of views) {
      for (const key of [
        'id',
        'name',
        'batchId',
        'inputRowsPerSecond',
        'processedRowsPerSecond',
        'durationMs',
        'sources',
        'fallingBehind',
        'series',
      ]) {
        assert.ok(key in v, key);
      }
    }
  });
});
