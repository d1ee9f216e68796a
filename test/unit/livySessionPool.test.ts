// The session pool waiting for a Livy session to start: a Scala session takes a minute or more on a
// busy cluster, polled once a second; the wait must not leave anything behind on the caller's signal.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import type { LivyClient, LivySession, NewSession } from '../../src/livy/LivyClient';
import { SessionPool } from '../../src/livy/submit';

describe('Livy session pool', () => {
  it('waits for a slow session to start without piling up listeners on the caller’s signal', async function () {
    this.timeout(20_000);
    let polls = 0;
    const created: NewSession[] = [];
    const livy = {
      createSession: (request: NewSession): Promise<LivySession> => {
        created.push(request);
        return Promise.resolve({ id: 4, state: 'starting', kind: request.kind });
      },
      getSession: (id: number): Promise<LivySession> => Promise.resolve({ id, state: ++polls < 4 ? 'starting' : 'idle', kind: 'spark' }),
    } as unknown as LivyClient;
    const abort = new AbortController();
    const seen: string[] = [];
    const id = await new SessionPool(livy).acquire('spark', undefined, { signal: abort.signal, onStarting: (s) => seen.push(s.state) });
    assert.equal(id, 4);
    assert.equal(created[0].kind, 'spark');
    assert.deepEqual(seen, ['starting', 'starting', 'starting', 'starting']);
    assert.equal(getEventListeners(abort.signal, 'abort').length, 0);
  });
});
