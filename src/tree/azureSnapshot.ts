// The last-known Azure part of the tree (subscriptions and their clusters), kept in the extension's
// global state so the next window shows it at once while the sign-in and a fresh listing follow.
// Kept for one cloud, tenant and credential at a time (the key): another key's snapshot is never
// answered, signing out leaves no clusters in it. Plain data from Resource Manager: no token, no
// login, no key. No vscode import, so it is tested under Node.
import type { AzureClient } from '../azure/client';
import type { SubscriptionChoice } from '../azure/listing';
import type { AzureSubscription, HDInsightCluster } from '../azure/model';
import { CancelledError } from '../core/errors';
import type { StateStore } from '../core/serialMemento';

export interface AzureSnapshot {
  /** Cloud endpoint, tenant and credential (AzureAccount.cacheKey). */
  key: string;
  savedAt: number;
  signedIn: boolean;
  /** The chosen subscriptions; `clusters` absent where they were not listed (Resource Graph refused). */
  subscriptions: { subscription: AzureSubscription; clusters?: HDInsightCluster[] }[];
}

/** The Azure side the snapshot is taken of: AzureAccount in the extension. */
export interface AzureSide {
  readonly cacheKey: string;
  isSignedIn(): Promise<boolean>;
  client(): Promise<AzureClient>;
}

const STATE_KEY = 'hdinsight.azureTree.v1';

export class AzureSnapshotStore {
  /** `state` absent: kept in memory only. */
  constructor(private readonly state?: StateStore) {}

  private memory?: AzureSnapshot;

  /** The snapshot of this key, if one was saved. */
  read(key: string): AzureSnapshot | undefined {
    const snapshot = this.state ? this.state.get<AzureSnapshot>(STATE_KEY) : this.memory;
    return snapshot?.key === key && Array.isArray(snapshot.subscriptions) ? snapshot : undefined;
  }

  async save(snapshot: AzureSnapshot | undefined): Promise<void> {
    this.memory = snapshot;
    try {
      await this.state?.update(STATE_KEY, snapshot);
    } catch {
      // A snapshot that cannot be written only costs the next window its head start.
    }
  }

  /** Forgets every snapshot (signed out, another cloud or tenant). */
  clear(): Promise<void> {
    return this.save(undefined);
  }
}

/**
 * Asks Azure afresh and keeps the answer as the snapshot: signed out keeps no clusters; an answer
 * for a key that changed meanwhile, or a cancelled one, is not kept. `refused` says why Resource
 * Graph was not used (its subscriptions then have no clusters: they are listed one by one).
 */
export async function refreshSnapshot(
  side: AzureSide,
  choice: SubscriptionChoice,
  store: AzureSnapshotStore,
  signal?: AbortSignal,
): Promise<{ snapshot: AzureSnapshot; refused?: string }> {
  const key = side.cacheKey;
  const keep = async (snapshot: AzureSnapshot): Promise<void> => {
    if (signal?.aborted || side.cacheKey !== key) throw new CancelledError();
    await store.save(snapshot);
  };
  if (!(await side.isSignedIn())) {
    const snapshot: AzureSnapshot = { key, savedAt: Date.now(), signedIn: false, subscriptions: [] };
    await keep(snapshot);
    return { snapshot };
  }
  const client = await side.client(); // loads the Azure chunk, which has the listing too
  const { listSubscriptionsAndClusters } = await import('../chunks/azure');
  const listing = await listSubscriptionsAndClusters(client, choice, signal);
  const snapshot: AzureSnapshot = {
    key,
    savedAt: Date.now(),
    signedIn: true,
    subscriptions: listing.subscriptions.map((subscription) => ({
      subscription,
      clusters: listing.clusters?.get(subscription.subscriptionId.toLowerCase()),
    })),
  };
  await keep(snapshot);
  return { snapshot, refused: listing.refused };
}
