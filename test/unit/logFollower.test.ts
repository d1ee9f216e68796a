import assert from 'node:assert/strict';
import type { LivyClient } from '../../src/livy/LivyClient';
import { type LogEntry, LogFollower } from '../../src/livy/logFollower';
import { LivyLogBuffer } from '../fixtures/livyLog';

/** A Livy whose log endpoint serves `buffer`, and can fail the way a gateway does. */
function livyServing(buffer: LivyLogBuffer): { livy: LivyClient; failNext: (times: number) => void } {
  let failures = 0;
  const livy = {
    getLog: (_resource: string, id: number, from: number, size: number) => {
      if (failures > 0) {
        failures--;
        return Promise.reject(Object.assign(new Error('Livy answered 502 Bad Gateway.'), { code: 'Remote' }));
      }
      return Promise.resolve(buffer.serve(id, from, size));
    },
  } as unknown as LivyClient;
  return { livy, failNext: (times) => (failures = times) };
}

const texts = (entries: LogEntry[], stream: 'stdout' | 'stderr'): string[] =>
  entries.filter((e) => e.stream === stream).map((e) => ('gap' in e ? '<gap>' : e.text));

describe("Following Livy's log", () => {
  it('takes each new line of both streams once, in order, one request per poll', async () => {
    const buffer = new LivyLogBuffer(200);
    const follower = new LogFollower(livyServing(buffer).livy, 'batches', 1);
    const got: LogEntry[] = [];
    for (let round = 0; round < 10; round++) {
      buffer.write('stdout', `out ${round}a`, `out ${round}b`);
      buffer.write('stderr', `err ${round}`);
      got.push(...(await follower.poll()));
    }
    assert.deepEqual(texts(got, 'stdout'), Array.from({ length: 10 }, (_, r) => [`out ${r}a`, `out ${r}b`]).flat());
    assert.deepEqual(
      texts(got, 'stderr'),
      Array.from({ length: 10 }, (_, r) => `err ${r}`),
    );
    assert.equal(follower.stats.requests, 10);
    assert.equal(follower.stats.resyncs, 0);
  });

  it("shows YARN's diagnostics as Livy replaces them: each new line once, no gap, and the other streams unharmed", async () => {
    const buffer = new LivyLogBuffer(200);
    const follower = new LogFollower(livyServing(buffer).livy, 'batches', 1);
    const got: LogEntry[] = [];
    buffer.write('stdout', 'launcher 1');
    buffer.diagnostics = ['Application is added to the scheduler and is not yet activated.'];
    got.push(...(await follower.poll()));
    // The next application report replaces the text (Livy's SparkYarnApp keeps only the latest).
    buffer.write('stdout', 'launcher 2');
    buffer.diagnostics = ['Application is Activated, waiting for resources to be assigned for AM.', 'AM container is launched.'];
    got.push(...(await follower.poll()));
    buffer.write('stderr', 'launcher warning');
    buffer.diagnostics = ['AM container is launched.'];
    got.push(...(await follower.poll()));
    buffer.diagnostics = [];
    got.push(...(await follower.poll()));
    assert.deepEqual(
      got.filter((e) => e.stream === 'yarn').map((e) => ('gap' in e ? '<gap>' : e.text)),
      [
        'Application is added to the scheduler and is not yet activated.',
        'Application is Activated, waiting for resources to be assigned for AM.',
        'AM container is launched.',
      ],
    );
    assert.deepEqual(texts(got, 'stdout'), ['launcher 1', 'launcher 2']);
    assert.deepEqual(texts(got, 'stderr'), ['launcher warning']);
  });

  it('keeps its place when the ring buffer turns over between reads, without losing or repeating a line', async () => {
    const buffer = new LivyLogBuffer(10);
    const follower = new LogFollower(livyServing(buffer).livy, 'batches', 1);
    const got: string[] = [];
    let n = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 4; i++) buffer.write('stdout', `line ${n++}`);
      got.push(...texts(await follower.poll(), 'stdout'));
    }
    assert.deepEqual(
      got,
      Array.from({ length: n }, (_, i) => `line ${i}`),
    );
    assert.ok(follower.stats.resyncs > 0, 'the buffer did turn over');
  });

  it('says where lines were lost when more arrived between two reads than the buffer holds', async () => {
    const buffer = new LivyLogBuffer(10);
    const follower = new LogFollower(livyServing(buffer).livy, 'batches', 1);
    buffer.write('stdout', 'first');
    assert.deepEqual(texts(await follower.poll(), 'stdout'), ['first']);
    for (let i = 0; i < 25; i++) buffer.write('stdout', `burst ${i}`);
    const after = texts(await follower.poll(), 'stdout');
    assert.deepEqual(after, ['<gap>', ...Array.from({ length: 10 }, (_, i) => `burst ${i + 15}`)]);
  });

  it('loses no line while stdout and stderr grow together and both rings turn over; a dropped stretch is a gap', async () => {
    // A seeded sequence of bursts on both streams, some longer than the ring between two reads.
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 300; trial++) {
      const cap = 5 + Math.floor(random() * 30);
      const buffer = new LivyLogBuffer(cap);
      const follower = new LogFollower(livyServing(buffer).livy, 'batches', 1);
      const written = { stdout: [] as string[], stderr: [] as string[] };
      const got: LogEntry[] = [];
      let n = 0;
      for (let round = 0; round < 30; round++) {
        const burst = Math.floor(random() * cap * (random() < 0.2 ? 2.5 : 0.9));
        const before = { stdout: written.stdout.length, stderr: written.stderr.length };
        for (let i = 0; i < burst; i++) {
          const stream = random() < 0.5 ? 'stdout' : 'stderr';
          const line = `${stream} ${n++}`;
          buffer.write(stream, line);
          written[stream].push(line);
        }
        const entries = await follower.poll();
        got.push(...entries);
        for (const stream of ['stdout', 'stderr'] as const) {
          // Each stream's new lines: all of them, or a gap and then what the ring still holds (a
          // burst of exactly `cap` lines pushed out the last line read: whether any fell between
          // cannot be told, so that says gap too).
          const fresh = written[stream].slice(before[stream]);
          const held = fresh.slice(-cap);
          const expected = fresh.length >= cap ? ['<gap>', ...held] : held;
          // Before a stream's first line is held there is nothing to miss it by: only the lines.
          const shown = before[stream] === 0 ? texts(entries, stream).filter((t) => t !== '<gap>') : texts(entries, stream);
          assert.deepEqual(shown, before[stream] === 0 ? held : expected, `trial ${trial}, round ${round}, ${stream}`);
        }
      }
      assert.ok(got.length > 0);
    }
  });

  it('resumes after failed reads with nothing lost or repeated', async () => {
    const buffer = new LivyLogBuffer(200);
    const { livy, failNext } = livyServing(buffer);
    const follower = new LogFollower(livy, 'sessions', 3);
    const got: LogEntry[] = [];
    for (let round = 0; round < 12; round++) {
      buffer.write('stdout', `o${round}`);
      buffer.write('stderr', `e${round}`);
      if (round % 3 === 1) failNext(1);
      try {
        got.push(...(await follower.poll()));
      } catch {
        // the next poll picks up
      }
    }
    got.push(...(await follower.poll()));
    assert.deepEqual(
      texts(got, 'stdout'),
      Array.from({ length: 12 }, (_, r) => `o${r}`),
    );
    assert.deepEqual(
      texts(got, 'stderr'),
      Array.from({ length: 12 }, (_, r) => `e${r}`),
    );
  });

  it('reads a long stretch page by page, and skips what was there before a statement', async () => {
    const buffer = new LivyLogBuffer(5_000);
    buffer.write('stderr', 'before the statement');
    const follower = new LogFollower(livyServing(buffer).livy, 'sessions', 0);
    await follower.skipExisting();
    const lines = Array.from({ length: 1_234 }, (_, i) => `row ${i}`);
    buffer.write('stdout', ...lines);
    buffer.write('stderr', 'after');
    const got = await follower.poll();
    assert.deepEqual(texts(got, 'stdout'), lines);
    assert.deepEqual(texts(got, 'stderr'), ['after']);
  });
});
