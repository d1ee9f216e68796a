// The last-known Azure part of the tree: what the next window shows at once. Against the emulated
// Resource Manager and Resource Graph: what a refresh keeps replaces what was known, signing out
// keeps nothing, another cloud or tenant never gets the snapshot of the one before.
import assert from 'node:assert/strict';
import { AzureSnapshotStore, refreshSnapshot, type AzureSide } from '../../src/tree/azureSnapshot';
import type { StateStore } from '../../src/core/serialMemento';
import { FIXTURE_SUBSCRIPTION, useAzureFixture } from './azureFixture';

/** VS Code's global state as the extension host keeps it: values survive as JSON. */
class Memento implements StateStore {
  readonly values = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const text = this.values.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

describe('The last-known Azure tree (snapshot in global state)', function () {
  this.timeout(20_000);
  const fixture = useAzureFixture();
  const OTHER = '00000000-1111-2222-3333-000000000002';
  const choice = { subscriptionFilter: [] };
  let signedIn: boolean;
  let key: string;
  let side: AzureSide;

  beforeEach(() => {
    signedIn = true;
    key = 'https://management.azure.com|contoso|vscode';
    side = {
      get cacheKey() {
        return key;
      },
      isSignedIn: () => Promise.resolve(signedIn),
      client: () => Promise.resolve(fixture.client),
    };
    fixture.arm.addSubscription({ subscriptionId: OTHER, displayName: 'Analytics', tenantId: 'tenant' });
    fixture.arm.addCluster({
      subscriptionId: FIXTURE_SUBSCRIPTION,
      resourceGroup: 'rg',
      name: 'events-kafka',
      location: 'westeurope',
      kind: 'kafka',
    });
    fixture.arm.addCluster({
      subscriptionId: FIXTURE_SUBSCRIPTION,
      resourceGroup: 'rg',
      name: 'events-spark',
      location: 'westeurope',
      kind: 'spark',
    });
    fixture.arm.addCluster({ subscriptionId: OTHER, resourceGroup: 'rg', name: 'old-hadoop', location: 'eastus', kind: 'hadoop' });
  });

  /** What the next window would show: subscription → cluster name (state). */
  function shown(store: AzureSnapshotStore, forKey = key): Record<string, string[]> | undefined {
    const snapshot = store.read(forKey);
    if (!snapshot) return undefined;
    return Object.fromEntries(
      snapshot.subscriptions.map((s) => [s.subscription.displayName, (s.clusters ?? []).map((c) => `${c.name} (${c.state})`)]),
    );
  }

  it('keeps what Azure answered, and the next window reads it back', async () => {
    const memento = new Memento();
    await refreshSnapshot(side, choice, new AzureSnapshotStore(memento));
    const nextWindow = new AzureSnapshotStore(memento);
    assert.deepEqual(shown(nextWindow), {
      Analytics: ['old-hadoop (Running)'],
      'Streaming Dev': ['events-kafka (Running)', 'events-spark (Running)'],
    });
    const kafka = nextWindow.read(key)!.subscriptions[1].clusters![0];
    assert.equal(kafka.location, 'West Europe');
    assert.ok(
      kafka.endpoints.some((e) => e.name === 'HTTPS'),
      'what commands need of a cluster is kept too',
    );
    assert.doesNotMatch(JSON.stringify([...memento.values.values()]), /password|Sandbox-|Bearer|hdinsight-dev-token/i, 'no secret in it');
  });

  it('a fresh answer replaces the snapshot: a changed cluster is updated, a removed one disappears, a new one appears', async () => {
    const store = new AzureSnapshotStore(new Memento());
    await refreshSnapshot(side, choice, store);
    fixture.arm.updateCluster(FIXTURE_SUBSCRIPTION, 'rg', 'events-spark', { clusterState: 'Deleting', provisioningState: 'Deleting' });
    fixture.arm.removeCluster(OTHER, 'rg', 'old-hadoop');
    fixture.arm.addCluster({ subscriptionId: OTHER, resourceGroup: 'rg', name: 'new-kafka', location: 'eastus', kind: 'kafka' });
    await refreshSnapshot(side, choice, store);
    assert.deepEqual(shown(store), {
      Analytics: ['new-kafka (Running)'],
      'Streaming Dev': ['events-kafka (Running)', 'events-spark (Deleting)'],
    });
  });

  it('signing out keeps no subscription and no cluster', async () => {
    const memento = new Memento();
    const store = new AzureSnapshotStore(memento);
    await refreshSnapshot(side, choice, store);
    signedIn = false;
    const { snapshot } = await refreshSnapshot(side, choice, store);
    assert.equal(snapshot.signedIn, false);
    assert.deepEqual(shown(new AzureSnapshotStore(memento)), {});
    assert.doesNotMatch(JSON.stringify([...memento.values.values()]), /events-kafka/);
  });

  it('another cloud or tenant never gets the snapshot of the one before, and an answer for the one before is not kept', async () => {
    const store = new AzureSnapshotStore(new Memento());
    await refreshSnapshot(side, choice, store);
    const before = key;
    key = 'https://management.azure.com|fabrikam|vscode';
    assert.equal(store.read(key), undefined, 'the other tenant sees nothing');
    // A listing of the old tenant that answers after the switch is thrown away.
    key = before;
    const late = refreshSnapshot(side, choice, store);
    key = 'https://management.chinacloudapi.cn||vscode';
    await assert.rejects(late, { name: 'CancelledError' });
    assert.equal(store.read(key), undefined);
    await refreshSnapshot(side, { subscriptionFilter: [OTHER] }, store);
    assert.deepEqual(shown(store), { Analytics: ['old-hadoop (Running)'] });
    assert.equal(store.read(before), undefined, 'the new key replaced the old one');
  });

  it('where Resource Graph is refused the subscriptions are kept without clusters, and the reason is told', async () => {
    fixture.arm.graph.refuse = 'forbidden';
    const store = new AzureSnapshotStore(new Memento());
    const { refused } = await refreshSnapshot(side, choice, store);
    assert.match(refused ?? '', /403 AccessDenied/);
    assert.deepEqual(
      store.read(key)!.subscriptions.map((s) => [s.subscription.displayName, s.clusters]),
      [
        ['Analytics', undefined],
        ['Streaming Dev', undefined],
      ],
    );
  });
});
