// The extension's global state written by two parts at once (the last-known tree, the trusted SSH
// host keys). Against a model of what VS Code 1.100 does (read from code-server 4.100.3's
// extension host and workbench): the extension host's ExtensionMemento keeps the extension's whole
// state as one object and flushes it on a 0 ms timer; the workbench stores it and echoes every
// change back, own writes included, as the whole object (MainThreadStorage.$acceptValue), before
// answering the write; the echo replaces the object in the extension host. The same race, through
// the real VS Code, is in test/integration/tunnel.test.ts.
import assert from 'node:assert/strict';
import { SerialMemento, type StateStore } from '../../src/core/serialMemento';

/** A seeded random number generator, so that a failure replays. */
function random(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** VS Code's ExtensionMemento and MainThreadStorage, with the RPC channel between them. */
class VsCodeGlobalState implements StateStore {
  /** What the workbench has stored (JSON of the whole object). */
  stored = '{}';
  private value: Record<string, unknown> = {};
  private pending: (() => void)[] = [];
  private scheduled = false;
  /** Messages from the workbench to the extension host arrive in order, each after a delay. */
  private channel: Promise<void> = Promise.resolve();

  constructor(private readonly delay: () => number) {}

  get<T>(key: string): T | undefined {
    return this.value[key] as T | undefined;
  }

  update(key: string, value: unknown): Promise<void> {
    this.value[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
    const done = new Promise<void>((resolve) => this.pending.push(resolve));
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        const answered = this.pending;
        this.pending = [];
        const whole = JSON.stringify(this.value);
        // $setValue reaches the workbench, which stores it, echoes the change, then answers.
        setTimeout(() => {
          this.stored = whole;
          this.deliver(() => (this.value = JSON.parse(whole) as Record<string, unknown>));
          this.deliver(() => answered.forEach((resolve) => resolve()));
        }, this.delay());
      }, 0);
    }
    return done;
  }

  private deliver(message: () => void): void {
    const wait = this.delay();
    this.channel = this.channel.then(() => new Promise<void>((resolve) => setTimeout(resolve, wait))).then(message);
  }
}

/** The tree saving its snapshot now and then while host keys are trusted and forgotten. */
async function race(store: (state: VsCodeGlobalState) => StateStore, seed: number): Promise<{ lost: number; state: VsCodeGlobalState }> {
  const next = random(seed);
  const state = new VsCodeGlobalState(() => Math.floor(next() * 3));
  const memento = store(state);
  let lost = 0;
  let snapshots = 0;
  for (let round = 0; round < 40; round++) {
    const tree = (async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 4)));
      await memento.update('hdinsight.azureTree.v1', { savedAt: ++snapshots });
    })();
    await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 10)));
    await memento.update('hdinsight.sshHostKeys', { cluster: { sha256: `SHA256:${round}` } });
    await tree;
    await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 3)));
    const stored = (JSON.parse(state.stored) as Record<string, { cluster?: { sha256: string } }>)['hdinsight.sshHostKeys'];
    const read = memento.get<{ cluster?: { sha256: string } }>('hdinsight.sshHostKeys');
    if (read?.cluster?.sha256 !== `SHA256:${round}` || stored?.cluster?.sha256 !== `SHA256:${round}`) lost++;
  }
  return { lost, state };
}

describe("The extension's global state, written by two parts at once", function () {
  this.timeout(30_000);

  it('the model loses writes as VS Code does when two keys are written directly (the model is not kinder)', async () => {
    let lost = 0;
    for (let seed = 1; seed <= 5; seed++) lost += (await race((state) => state, seed)).lost;
    assert.ok(lost > 0, 'two writers straight to the memento lost nothing: the model no longer shows the race');
  });

  it('keeps every write through SerialMemento, read back at once and stored by the workbench', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { lost, state } = await race((inner) => new SerialMemento(inner), seed);
      assert.equal(lost, 0, `seed ${seed}`);
      const stored = JSON.parse(state.stored) as Record<string, { cluster?: { sha256: string }; savedAt?: number }>;
      assert.equal(stored['hdinsight.sshHostKeys']?.cluster?.sha256, 'SHA256:39', `seed ${seed}`);
      assert.equal(stored['hdinsight.azureTree.v1']?.savedAt, 40, `seed ${seed}`);
    }
  });

  it('reads a written value as written: a caller changing its object afterwards changes nothing', async () => {
    const memento = new SerialMemento(new VsCodeGlobalState(() => 1));
    const keys = { a: { sha256: 'SHA256:a' } } as Record<string, { sha256: string }>;
    const written = memento.update('k', keys);
    keys.a.sha256 = 'SHA256:changed';
    assert.deepEqual(memento.get('k'), { a: { sha256: 'SHA256:a' } });
    await written;
    await memento.update('k', undefined);
    assert.equal(memento.get('k'), undefined);
  });
});
