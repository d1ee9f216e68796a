// What the create commands share: the services they are given, and what the steps (clusterSteps.ts,
// pairSteps.ts) hand to the creating (createCluster.ts, createPair.ts), so that neither imports the other.
import type { RegionCapabilities } from '../../azure/capabilities';
import type { ClusterPlan } from '../../azure/createRequest';
import type { PairCheck, PairInput } from '../../azure/pair';
import type { ClusterLookup } from '../../clusters/ClusterTarget';
import type { ClusterLogins } from '../../secrets/ClusterLogins';

/** What both create commands are given. */
export interface CreateDeps {
  lookup: ClusterLookup;
  logins: ClusterLogins;
  changed: () => void;
}

/** How the storage account is to be had, once resolved. */
export type StoragePlan =
  | { mode: 'key'; accountName: string; key: string; container?: string }
  | { mode: 'existing'; accountName: string; id: string; container?: string }
  | { mode: 'new'; accountName: string; container?: string };

/** One cluster to create, as the steps or a script's arguments resolve it. */
export interface ClusterToCreate {
  subscriptionId: string;
  resourceGroup: string;
  /** The plan; its storage key is filled in once the account is known. */
  plan: ClusterPlan;
  storage: StoragePlan;
  /** The region's capabilities when already read (the interactive steps read them). */
  capabilities?: RegionCapabilities;
  /** The region as the user saw it (West Europe). */
  regionLabel?: string;
  newGroup?: boolean;
}

/** The pair to create, as its steps (pairSteps.ts) resolve it for createPair.ts. */
export interface PairToCreate {
  input: PairInput;
  /** Create the resource group first. */
  newGroup: boolean;
  /** The summary's checks, for the creation to use what they read. */
  checked: PairCheck;
  /** The region as the user saw it (West Europe). */
  regionLabel?: string;
}
