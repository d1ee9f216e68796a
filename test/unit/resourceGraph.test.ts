// Listing every cluster through Azure Resource Graph against the emulated service (its query API,
// paging, quota and refusals as documented), with the real SDK, and the fallback to listing
// subscription by subscription where Resource Graph is refused.
import assert from 'node:assert/strict';
import { allPages, listEveryCluster, listSubscriptionsAndClusters } from '../../src/azure/listing';
import type { HDInsightCluster } from '../../src/azure/model';
import { clusterSummary } from '../../src/azure/model';
import type { ClusterKind } from '../emulator/arm';
import { FIXTURE_SUBSCRIPTION, useAzureFixture } from './azureFixture';

const graphPath = /^\/providers\/Microsoft\.ResourceGraph\/resources/i;

describe('Listing every cluster with Azure Resource Graph (emulated)', function () {
  this.timeout(20_000);
  const fixture = useAzureFixture();
  const subscriptions = [FIXTURE_SUBSCRIPTION, '00000000-1111-2222-3333-000000000002', '00000000-1111-2222-3333-000000000003'];

  /** Seven clusters in each of three subscriptions, of several kinds and states, and a network that is no cluster. */
  function seed(): void {
    const { arm } = fixture;
    for (const s of subscriptions.slice(1))
      arm.addSubscription({ subscriptionId: s, displayName: `Other ${s.slice(-1)}`, tenantId: 'tenant' });
    const kinds: ClusterKind[] = ['kafka', 'spark', 'hadoop'];
    for (const [i, s] of subscriptions.entries()) {
      for (let c = 0; c < 7; c++) {
        arm.addCluster({
          subscriptionId: s,
          resourceGroup: c % 2 ? 'Streaming-RG' : 'analytics',
          name: `c${i}-${c}`,
          location: c % 3 ? 'westeurope' : 'eastus',
          kind: kinds[c % 3],
          clusterState: c === 6 ? 'Deleting' : undefined,
          provisioningState: c === 6 ? 'Deleting' : undefined,
        });
      }
    }
    arm.resources.addAccount({
      subscriptionId: FIXTURE_SUBSCRIPTION,
      resourceGroup: 'analytics',
      name: 'lakestore',
      location: 'westeurope',
    });
  }

  /** What the per-subscription listing of Resource Manager gives, sorted by id. */
  async function armListing(): Promise<HDInsightCluster[]> {
    const all = (await Promise.all(subscriptions.map((s) => allPages(fixture.client, s)))).flat();
    return all.sort((a, b) => a.id.localeCompare(b.id));
  }

  const graphRequests = () => fixture.emulator.requests.filter((r) => graphPath.test(r.path));

  it('finds every cluster of every subscription in one query, mapped as the Resource Manager listing maps them', async () => {
    seed();
    const expected = await armListing();
    const before = graphRequests().length;
    const query = await fixture.client.queryClusters(subscriptions);
    assert.ok('clusters' in query, JSON.stringify(query));
    assert.equal(graphRequests().length - before, 1, 'one query for all three subscriptions');
    const found = [...query.clusters].sort((a, b) => a.id.localeCompare(b.id));
    assert.equal(found.length, 21, 'the storage account is no cluster');
    // Kind, versions, state, region (display name), roles, endpoints, storage, network: as the ARM listing has them.
    assert.deepEqual(found, expected);
    assert.equal(clusterSummary(found.find((c) => c.name === 'c1-6')!), 'Kafka 3.2 · Deleting · East US');
    const body = JSON.parse(graphRequests().at(-1)!.body) as { subscriptions: string[]; options: { $top: number } };
    assert.deepEqual(body.subscriptions, subscriptions);
    assert.equal(body.options.$top, 1000, 'the largest page the service allows');
  });

  it('follows $skipToken over several pages and finds each cluster once', async () => {
    seed();
    const { arm } = fixture;
    // More clusters than one page of 1000 rows holds: 1,003 in the first subscription.
    for (let c = 0; c < 996; c++) {
      arm.addCluster({
        subscriptionId: FIXTURE_SUBSCRIPTION,
        resourceGroup: 'bulk',
        name: `bulk-${c}`,
        location: 'westeurope',
        kind: 'kafka',
      });
    }
    const before = graphRequests().length;
    const query = await fixture.client.queryClusters(subscriptions);
    assert.ok('clusters' in query);
    const pages = graphRequests().slice(before);
    assert.equal(pages.length, 2, 'two pages of at most 1000 rows');
    const second = JSON.parse(pages[1].body) as { options: { $skipToken?: string } };
    assert.ok(second.options.$skipToken, "the second page asks with the first answer's $skipToken");
    const ids = query.clusters.map((c) => c.id.toLowerCase());
    assert.equal(ids.length, 1017);
    assert.equal(new Set(ids).size, ids.length, 'no cluster twice');
  });

  it('waits for the quota to reset when the service says it is used up, and answers in full', async () => {
    seed();
    const { arm } = fixture;
    for (let c = 0; c < 2_000; c++) {
      arm.addCluster({
        subscriptionId: FIXTURE_SUBSCRIPTION,
        resourceGroup: 'bulk',
        name: `q-${c}`,
        location: 'westeurope',
        kind: 'spark',
      });
    }
    // Two queries per second: the three pages cannot all run in the first window.
    arm.graph.quota = { queries: 2, windowMs: 1_000 };
    const query = await fixture.client.queryClusters(subscriptions);
    assert.ok('clusters' in query, JSON.stringify(query));
    assert.equal(query.clusters.length, 2_021);
    const throttled = graphRequests().length - arm.graph.answered;
    assert.ok(throttled <= 1, `${throttled} queries were throttled: the client waits for the reset the headers announce`);
  });

  it('a 429 RateLimiting (no Retry-After, only the quota headers) is waited out and asked again', async () => {
    seed();
    fixture.arm.graph.quota = { queries: 1, windowMs: 1_000 };
    // Another client of the same user (another window) used the window up: this one learns it from the 429.
    const other = await listSubscriptionsAndClusters(fixture.newClient(), { subscriptionFilter: [] });
    assert.ok(other.clusters);
    const query = await fixture.client.queryClusters(subscriptions);
    assert.ok('clusters' in query, JSON.stringify(query));
    assert.equal(query.clusters.length, 21);
    assert.equal(graphRequests().length - fixture.arm.graph.answered, 1, 'one 429, then the answer');
  });

  it('is refused with 403 AccessDenied: the reason is given and every subscription is listed one by one instead', async () => {
    seed();
    fixture.arm.graph.refuse = 'forbidden';
    const query = await fixture.client.queryClusters(subscriptions);
    assert.ok('refused' in query);
    assert.match(query.refused, /403 AccessDenied: Access is denied to the requested resource/);
    const reasons: string[] = [];
    const clusters = await listEveryCluster(fixture.client, subscriptions, undefined, (why) => reasons.push(why));
    assert.equal(reasons.length, 1);
    assert.deepEqual(
      clusters.sort((a, b) => a.id.localeCompare(b.id)),
      await armListing(),
    );
    // A 403 depends on what was asked: once access is granted, the next listing uses Resource Graph again.
    fixture.arm.graph.refuse = undefined;
    assert.equal(((await fixture.client.queryClusters(subscriptions)) as { clusters: unknown[] }).clusters.length, 21);
  });

  it('is refused where the provider is missing from the cloud (400 NoRegisteredProviderFound), and the tree listing says so', async () => {
    seed();
    fixture.arm.graph.refuse = 'unavailable';
    const listing = await listSubscriptionsAndClusters(fixture.client, { subscriptionFilter: [] });
    assert.equal(listing.subscriptions.length, 3);
    assert.equal(listing.clusters, undefined);
    assert.match(listing.refused ?? '', /400 NoRegisteredProviderFound/);
    // Not in this cloud: this client does not ask Resource Graph again in this session.
    const before = graphRequests().length;
    assert.ok('refused' in (await fixture.client.queryClusters(subscriptions)));
    assert.equal(graphRequests().length, before);
  });

  it('a subscription the caller cannot read is refused as documented (403), and the fallback still lists the rest correctly', async () => {
    seed();
    fixture.arm.graph.unreadable.add(subscriptions[2]);
    const reasons: string[] = [];
    const clusters = await listEveryCluster(fixture.client, subscriptions.slice(0, 2), undefined, (why) => reasons.push(why));
    assert.equal(reasons.length, 0, 'the readable ones are answered by Resource Graph');
    assert.equal(clusters.length, 14);
    const refused = await fixture.client.queryClusters(subscriptions);
    assert.ok('refused' in refused && /403/.test(refused.refused));
  });

  it("asks for the tenant's clusters without waiting for the subscription list, and keeps only the chosen subscriptions", async () => {
    seed();
    const before = graphRequests().length;
    const listing = await listSubscriptionsAndClusters(fixture.client, { subscriptionFilter: [] });
    const asked = graphRequests().slice(before);
    assert.equal(asked.length, 1);
    assert.equal((JSON.parse(asked[0].body) as { subscriptions?: unknown }).subscriptions, undefined, 'the tenant scope');
    assert.deepEqual(
      [...listing.clusters!.values()].map((list) => list.length),
      [7, 7, 7],
    );
  });

  it('groups the clusters under their subscriptions, sorted by name, with the tenant and the filter applied', async () => {
    seed();
    const listing = await listSubscriptionsAndClusters(fixture.client, { subscriptionFilter: subscriptions.slice(1) });
    assert.deepEqual(
      listing.subscriptions.map((s) => s.subscriptionId),
      [subscriptions[1], subscriptions[2]],
    );
    const names = listing.clusters!.get(subscriptions[1])!.map((c) => c.name);
    assert.deepEqual(names, ['c1-0', 'c1-1', 'c1-2', 'c1-3', 'c1-4', 'c1-5', 'c1-6']);
    assert.equal(listing.clusters!.get(FIXTURE_SUBSCRIPTION), undefined, 'a subscription outside the filter is not queried');
  });
});
