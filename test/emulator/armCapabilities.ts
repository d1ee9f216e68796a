// What HDInsight offers per region, as Microsoft.HDInsight 2021-06-01 answers it:
// locations/{l}/capabilities (CapabilitiesResult: versions with componentVersions per version,
// regions, features, quota; the service also sends `vmsizes` and PascalCase `vmsize_filters`,
// which the spec's example shows and the SDK ignores) and locations/{l}/billingSpecs
// (BillingResponseListResult: vmSizes, vmSizeProperties with cores and memory, vmSizeFilters that
// include or exclude sizes by cluster flavor, node type and version). Tests can take a kind or a
// size away from one region.
import type { ClusterKind } from './arm';

/** The sizes the emulator offers: cores and memory as Azure lists them (lower-case keys). */
export const VM_SIZES: Record<string, { cores: number; memoryGb: number }> = {
  standard_a2_v2: { cores: 2, memoryGb: 4 },
  standard_a4_v2: { cores: 4, memoryGb: 8 },
  standard_a8_v2: { cores: 8, memoryGb: 16 },
  standard_d3_v2: { cores: 4, memoryGb: 14 },
  standard_d4_v2: { cores: 8, memoryGb: 28 },
  standard_d5_v2: { cores: 16, memoryGb: 56 },
  standard_d12_v2: { cores: 4, memoryGb: 28 },
  standard_d13_v2: { cores: 8, memoryGb: 56 },
  standard_d14_v2: { cores: 16, memoryGb: 112 },
  standard_d4a_v4: { cores: 4, memoryGb: 16 },
  standard_d8a_v4: { cores: 8, memoryGb: 32 },
  standard_e2_v3: { cores: 2, memoryGb: 16 },
  standard_e4_v3: { cores: 4, memoryGb: 32 },
  standard_e8_v3: { cores: 8, memoryGb: 64 },
  standard_e16_v3: { cores: 16, memoryGb: 128 },
  standard_e32_v3: { cores: 32, memoryGb: 256 },
  standard_e4a_v4: { cores: 4, memoryGb: 32 },
  standard_e8a_v4: { cores: 8, memoryGb: 64 },
};

/** HDInsight 5.1's components per cluster kind (the key is also the VM size filters' cluster flavor). */
export const COMPONENTS: Record<ClusterKind, [string, string]> = {
  kafka: ['Kafka', '3.2'],
  spark: ['Spark', '3.3'],
  hadoop: ['Hadoop', '3.3'],
  interactivehive: ['InteractiveHive', '3.1'],
  hbase: ['HBase', '2.4'],
};

/** The billing specs' node types per role. */
export const NODE_TYPES: Record<string, string> = {
  headnode: 'HeadNodeRole',
  workernode: 'WorkerNodeRole',
  zookeepernode: 'ZookeeperRole',
};

interface Filter {
  filterMode: 'Include' | 'Exclude';
  regions: string[] | null;
  clusterFlavors: string[] | null;
  nodeTypes: string[] | null;
  clusterVersions: string[] | null;
  osType: string[] | null;
  vmSizes: string[];
  espApplied?: string;
}

const filter = (f: Partial<Filter> & Pick<Filter, 'filterMode' | 'vmSizes'>): Filter => ({
  regions: null,
  clusterFlavors: null,
  nodeTypes: null,
  clusterVersions: null,
  osType: null,
  ...f,
});

/** The filters HDInsight applies, in the shape of its billing specs (null: every value). */
export const VM_SIZE_FILTERS: Filter[] = [
  // ZooKeeper nodes run on small general-purpose sizes only.
  filter({
    filterMode: 'Include',
    nodeTypes: ['ZookeeperRole'],
    vmSizes: ['Standard_A2_V2', 'Standard_A4_V2', 'Standard_A8_V2', 'Standard_D3_V2', 'Standard_E2_V3'],
  }),
  // Head and worker nodes need more than the A series gives.
  filter({
    filterMode: 'Exclude',
    nodeTypes: ['HeadNodeRole', 'WorkerNodeRole'],
    vmSizes: ['Standard_A2_V2', 'Standard_A4_V2', 'Standard_A8_V2', 'Standard_E2_V3'],
  }),
  // Interactive Query (LLAP) keeps its data in memory: large head and worker nodes only.
  filter({
    filterMode: 'Exclude',
    clusterFlavors: ['InteractiveHive'],
    nodeTypes: ['HeadNodeRole', 'WorkerNodeRole'],
    vmSizes: [
      'Standard_D3_V2',
      'Standard_D4_V2',
      'Standard_D12_V2',
      'Standard_D4a_V4',
      'Standard_D8a_V4',
      'Standard_E4_V3',
      'Standard_E4a_V4',
    ],
  }),
  // Only for Enterprise Security Package clusters (which need larger head nodes).
  filter({ filterMode: 'Exclude', espApplied: 'true', nodeTypes: ['HeadNodeRole'], vmSizes: ['Standard_E4_V3', 'Standard_D12_V2'] }),
];

/** standard_d4_v2 → Standard_D4_V2, as Azure spells sizes. */
export function sizeName(size: string): string {
  return size.replace(/^standard_/, 'Standard_').replace(/(?<=_)[a-z0-9]+/g, (part) => part.toUpperCase());
}

const matches = (list: string[] | null, value: string): boolean =>
  !list || list.length === 0 || list.some((v) => v === '*' || v.toLowerCase() === value.toLowerCase());

export class RegionOffers {
  /** Cluster kinds a region (name, lower case) does not offer. */
  readonly withoutKinds = new Map<string, Set<ClusterKind>>();
  /** VM sizes (lower case) a region does not offer. */
  readonly withoutVmSizes = new Map<string, Set<string>>();

  reset(): void {
    this.withoutKinds.clear();
    this.withoutVmSizes.clear();
  }

  kindsIn(region: string): ClusterKind[] {
    const missing = this.withoutKinds.get(region);
    return (Object.keys(COMPONENTS) as ClusterKind[]).filter((k) => !missing?.has(k));
  }

  sizesIn(region: string): string[] {
    const missing = this.withoutVmSizes.get(region);
    return Object.keys(VM_SIZES).filter((s) => !missing?.has(s));
  }

  /** Whether HDInsight takes the size for the role of the kind in the region (the filters as the billing specs state them). */
  sizeAllowed(region: string, kind: ClusterKind, role: string, size: string): boolean {
    if (!this.sizesIn(region).includes(size.toLowerCase())) return false;
    const nodeType = NODE_TYPES[role.toLowerCase()] ?? role;
    const applies = VM_SIZE_FILTERS.filter(
      (f) =>
        f.espApplied !== 'true' &&
        matches(f.regions, region) &&
        matches(f.clusterFlavors, COMPONENTS[kind][0]) &&
        matches(f.nodeTypes, nodeType) &&
        matches(f.clusterVersions, '5.1') &&
        matches(f.osType, 'Linux'),
    );
    const named = (f: Filter) => f.vmSizes.some((s) => s.toLowerCase() === size.toLowerCase());
    const includes = applies.filter((f) => f.filterMode === 'Include');
    return !applies.some((f) => f.filterMode === 'Exclude' && named(f)) && (includes.length === 0 || includes.some(named));
  }

  /** The body of GET .../locations/{region}/capabilities. */
  capabilities(region: string, allRegions: string[], quota: { coresUsed: number; maxCoresAllowed: number }): Record<string, unknown> {
    const components = Object.fromEntries(this.kindsIn(region).map((k) => COMPONENTS[k]));
    const sizes = this.sizesIn(region).map((s) => sizeName(s).toUpperCase());
    return {
      versions: {
        iaas: {
          available: [
            { friendlyName: '5.1', displayName: 'Version 5.1.3000.0.2406230520', isDefault: true, componentVersions: components },
          ],
        },
      },
      regions: { iaas: { available: allRegions.map((r) => r.toUpperCase()) } },
      vmsizes: { iaas: { available: sizes } },
      vmsize_filters: VM_SIZE_FILTERS.filter((f) => f.espApplied !== 'true').map((f) => ({
        FilterMode: f.filterMode,
        Regions: f.regions ?? ['*'],
        ClusterFlavors: f.clusterFlavors ?? ['*'],
        NodeTypes: f.nodeTypes ?? ['*'],
        ClusterVersions: f.clusterVersions ?? ['*'],
        VMSizes: f.vmSizes.map((s) => s.toUpperCase()),
      })),
      features: ['CLUSTER_RESIZE', 'IAAS_DEPLOYMENTS', 'INTERACTIVEHIVE', 'KafkaRestProxy', 'VIRTUAL_NETWORK_ENABLED'],
      quota: {
        coresUsed: quota.coresUsed,
        maxCoresAllowed: quota.maxCoresAllowed,
        regionalQuotas: [
          { regionName: region, coresUsed: quota.coresUsed, coresAvailable: Math.max(0, quota.maxCoresAllowed - quota.coresUsed) },
        ],
      },
    };
  }

  /** The body of GET .../locations/{region}/billingSpecs. */
  billingSpecs(region: string, displayName: string): Record<string, unknown> {
    const sizes = this.sizesIn(region);
    return {
      vmSizes: sizes.map(sizeName),
      vmSizesWithEncryptionAtHost: sizes.filter((s) => /_e\d+_v3$/.test(s)).map(sizeName),
      vmSizeFilters: VM_SIZE_FILTERS,
      vmSizeProperties: sizes.map((s) => ({
        name: sizeName(s),
        cores: VM_SIZES[s].cores,
        dataDiskStorageTier: 'S',
        label: sizeName(s)
          .replace(/^Standard_/, '')
          .replace(/_/g, ' '),
        maxDataDiskCount: Math.min(64, VM_SIZES[s].cores * 4),
        memoryInMb: VM_SIZES[s].memoryGb * 1024,
        supportedByVirtualMachines: true,
        supportedByWebWorkerRoles: false,
        virtualMachineResourceDiskSizeInMb: VM_SIZES[s].cores * 16 * 1024,
        webWorkerResourceDiskSizeInMb: 0,
      })),
      billingResources: [{ region: displayName, billingMeters: [], diskBillingMeters: [] }],
    };
  }
}
