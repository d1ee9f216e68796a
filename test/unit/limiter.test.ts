import assert from 'node:assert/strict';
import { CancelledError } from '../../src/core/errors';
import { Limiter } from '../../src/core/limiter';

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Bounded concurrency', () => {
  it('never runs more tasks at once than allowed, and runs them all', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick(5);
          running--;
          return i;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('frees its slot when a task fails', async () => {
    const limiter = new Limiter(1);
    await assert.rejects(limiter.run(() => Promise.reject(new Error('boom'))));
    assert.equal(await limiter.run(() => Promise.resolve('next')), 'next');
  });

  it('drops a waiting task when its signal aborts', async () => {
    const limiter = new Limiter(1);
    const controller = new AbortController();
    const first = limiter.run(() => tick(30));
    const second = limiter.run(() => Promise.resolve('never'), controller.signal);
    controller.abort();
    await assert.rejects(second, CancelledError);
    await first;
  });
});
