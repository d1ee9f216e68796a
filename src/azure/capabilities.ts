// What a region offers for HDInsight: the cluster kinds of each version (locations.getCapabilities,
// componentVersions) and the VM sizes per kind and role (locations.listBillingSpecs: vmSizes,
// vmSizeProperties, vmSizeFilters). Plain data in, plain answers out; no vscode import.
import { InvalidInputError } from '../core/errors';
import { CLUSTER_KINDS, CREATABLE_KINDS, type ClusterPlan, type CreatableKind } from './createRequest';

/** One filter of the billing specs (VmSizeCompatibilityFilterV2); absent, empty or "*" lists match everything. */
export interface VmSizeFilter {
  filterMode?: string;
  regions?: string[];
  clusterFlavors?: string[];
  nodeTypes?: string[];
  clusterVersions?: string[];
  osType?: string[];
  vmSizes?: string[];
  /** "true": only for clusters with the Enterprise Security Package, which this extension does not create. */
  espApplied?: string;
  /** "true": only for compute-isolated clusters, which this extension does not create. */
  computeIsolationSupported?: string;
}

export interface VmSize {
  name: string;
  cores?: number;
  memoryInMb?: number;
}

export interface RegionCapabilities {
  /** The region asked about (westeurope). */
  location: string;
  /** HDInsight versions offered in the region, each with its components (Kafka → 3.2). */
  versions: { version: string; isDefault: boolean; components: Record<string, string> }[];
  /** The VM sizes HDInsight offers in the region, with cores and memory where the billing specs give them. */
  vmSizes: VmSize[];
  vmSizeFilters: VmSizeFilter[];
}

export type NodeRole = 'headnode' | 'workernode' | 'zookeepernode';

/** The billing specs' names of the roles. */
const NODE_TYPES: Record<NodeRole, string> = { headnode: 'HeadNodeRole', workernode: 'WorkerNodeRole', zookeepernode: 'ZookeeperRole' };
const ROLE_WORDS: Record<NodeRole, string> = { headnode: 'head', workernode: 'worker', zookeepernode: 'ZooKeeper' };

const majorMinor = (version: string): string => version.split('.').slice(0, 2).join('.');
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The version entry of the region's capabilities (5.1 by default), if the region offers it. */
function versionIn(caps: RegionCapabilities, clusterVersion = '5.1'): RegionCapabilities['versions'][number] | undefined {
  return caps.versions.find((v) => majorMinor(v.version) === majorMinor(clusterVersion));
}

/** The kinds this extension creates that the region offers in the version, with their component versions. */
export function offeredKinds(caps: RegionCapabilities, clusterVersion = '5.1'): { kind: CreatableKind; componentVersion: string }[] {
  const version = versionIn(caps, clusterVersion);
  if (!version) return [];
  return CREATABLE_KINDS.flatMap((kind) => {
    const found = Object.entries(version.components).find(([name]) => same(name, CLUSTER_KINDS[kind].component));
    // A component can list several versions ("1.6.3,2.0.2"): the last is the newest.
    return found ? [{ kind, componentVersion: found[1].split(',').pop()!.trim() }] : [];
  });
}

/** The kinds this extension creates that the region does not offer. */
export function missingKinds(caps: RegionCapabilities, clusterVersion = '5.1'): CreatableKind[] {
  const offered = new Set(offeredKinds(caps, clusterVersion).map((k) => k.kind));
  return CREATABLE_KINDS.filter((k) => !offered.has(k));
}

const listMatches = (list: string[] | null | undefined, value: string, normalise = (s: string) => s.toLowerCase()): boolean =>
  !list || list.length === 0 || list.some((item) => item === '*' || normalise(item) === normalise(value));

const region = (s: string): string => s.toLowerCase().replace(/\s+/g, '');

/**
 * The sizes the region offers for one role of a kind, smallest first. A size is offered when the
 * billing specs list it, no Exclude filter that applies to the kind, role, version and region names
 * it, and, where Include filters apply, one of them names it.
 */
export function sizesFor(caps: RegionCapabilities, kind: CreatableKind, role: NodeRole, clusterVersion = '5.1'): VmSize[] {
  const flavor = CLUSTER_KINDS[kind].component;
  const applies = caps.vmSizeFilters.filter(
    (f) =>
      f.espApplied !== 'true' &&
      f.computeIsolationSupported !== 'true' &&
      listMatches(f.regions, caps.location, region) &&
      listMatches(f.clusterFlavors, flavor) &&
      listMatches(f.nodeTypes, NODE_TYPES[role]) &&
      listMatches(f.clusterVersions, majorMinor(clusterVersion), majorMinor) &&
      listMatches(f.osType, 'Linux'),
  );
  const names = (f: VmSizeFilter): Set<string> => new Set((f.vmSizes ?? []).map((s) => s.toLowerCase()));
  const excluded = applies.filter((f) => same(f.filterMode ?? '', 'Exclude')).map(names);
  const included = applies.filter((f) => same(f.filterMode ?? '', 'Include')).map(names);
  return caps.vmSizes
    .filter((s) => {
      const name = s.name.toLowerCase();
      return !excluded.some((set) => set.has(name)) && (included.length === 0 || included.some((set) => set.has(name)));
    })
    .sort((a, b) => (a.cores ?? 0) - (b.cores ?? 0) || (a.memoryInMb ?? 0) - (b.memoryInMb ?? 0) || a.name.localeCompare(b.name));
}

/**
 * The kind's default size for the role when the region offers it, else the smallest offered one
 * with at least as many cores (8 when the region does not list the default at all).
 */
export function defaultSize(caps: RegionCapabilities, kind: CreatableKind, role: NodeRole, clusterVersion = '5.1'): string | undefined {
  const sizes = sizesFor(caps, kind, role, clusterVersion);
  const wanted = CLUSTER_KINDS[kind].sizes[role === 'headnode' ? 'head' : role === 'workernode' ? 'worker' : 'zookeeper'];
  const exact = sizes.find((s) => same(s.name, wanted));
  if (exact) return exact.name;
  const cores = caps.vmSizes.find((s) => same(s.name, wanted))?.cores ?? 8;
  return (sizes.find((s) => (s.cores ?? 0) >= cores) ?? sizes[sizes.length - 1])?.name;
}

/** "8 cores · 64 GB", as far as the billing specs tell. */
export function describeSize(size: VmSize): string {
  const parts = [];
  if (size.cores !== undefined) parts.push(`${size.cores} ${size.cores === 1 ? 'core' : 'cores'}`);
  if (size.memoryInMb !== undefined) parts.push(`${Math.round((size.memoryInMb / 1024) * 10) / 10} GB`);
  return parts.join(' · ');
}

const andList = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/**
 * Checks a plan against what its region offers: the kind in its HDInsight version, and the sizes
 * given for each role. Returns the plan with the region's component version and the sizes filled
 * in (the kind's defaults where the region has them). Throws an InvalidInputError naming the
 * region and what it does offer.
 */
export function planInRegion(plan: ClusterPlan, caps: RegionCapabilities, regionLabel = plan.location): ClusterPlan {
  const clusterVersion = plan.clusterVersion ?? '5.1';
  const kinds = offeredKinds(caps, clusterVersion);
  const label = CLUSTER_KINDS[plan.kind].label;
  const offered = kinds.find((k) => k.kind === plan.kind);
  if (!offered) {
    if (kinds.length === 0) {
      throw new InvalidInputError(`${regionLabel} offers no HDInsight ${majorMinor(clusterVersion)} clusters.`, 'Choose another region.');
    }
    throw new InvalidInputError(
      `${regionLabel} offers no ${label} clusters in HDInsight ${majorMinor(clusterVersion)}; it offers ${andList(
        kinds.map((k) => CLUSTER_KINDS[k.kind].label),
      )}.`,
      'Choose another region or cluster type.',
    );
  }
  const sized = (role: NodeRole, given: string | undefined): string | undefined => {
    if (given === undefined) return defaultSize(caps, plan.kind, role, clusterVersion);
    const sizes = sizesFor(caps, plan.kind, role, clusterVersion);
    const found = sizes.find((s) => same(s.name, given));
    if (found) return found.name;
    const elsewhere = caps.vmSizes.some((s) => same(s.name, given));
    throw new InvalidInputError(
      elsewhere
        ? `${given} cannot be a ${ROLE_WORDS[role]} node of ${/^[AEIOU]/.test(label) ? 'an' : 'a'} ${label} cluster in ${regionLabel}.`
        : `${regionLabel} does not offer ${given} for HDInsight.`,
      sizes.length > 0
        ? `Choose one of ${sizes
            .slice(0, 8)
            .map((s) => s.name)
            .join(', ')}${sizes.length > 8 ? ', …' : ''}.`
        : 'Choose another region.',
    );
  };
  return {
    ...plan,
    componentVersion: plan.componentVersion ?? offered.componentVersion,
    headNodeSize: sized('headnode', plan.headNodeSize),
    workerNodeSize: sized('workernode', plan.workerNodeSize),
    zookeeperNodeSize: sized('zookeepernode', plan.zookeeperNodeSize),
  };
}
