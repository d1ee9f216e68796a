// What creating an HDInsight cluster sends to Resource Manager, and the checks of the user's input
// that HDInsight would otherwise refuse after minutes: names, logins, worker counts. The shapes
// follow Microsoft.HDInsight 2021-06-01 (ClusterCreateParametersExtended). No vscode import.
import { InvalidInputError } from '../core/errors';

/** The kinds of HDInsight 5.1 this extension creates: each has head, worker and ZooKeeper nodes. */
export type CreatableKind = 'kafka' | 'spark' | 'hadoop' | 'interactivehive' | 'hbase';

export interface KindSpec {
  label: string;
  /** The key of clusterDefinition.componentVersion, of the capabilities' componentVersions, and the VM size filters' cluster flavor. */
  component: string;
  /** HDInsight 5.1's version of the component, when the region's capabilities do not say. */
  version: string;
  /** One line on what the kind is, for pickers. */
  summary: string;
  minWorkers: number;
  defaultWorkers: number;
  /** HDInsight's default sizes for the kind; the region's billing specs decide what is offered. */
  sizes: { head: string; worker: string; zookeeper: string };
}

/** Cluster kinds in the order pickers offer them: the streaming pair first. */
export const CLUSTER_KINDS: Record<CreatableKind, KindSpec> = {
  kafka: {
    label: 'Kafka',
    component: 'Kafka',
    version: '3.2',
    summary: 'brokers on the workers with managed disks, 3 ZooKeeper nodes',
    minWorkers: 3,
    defaultWorkers: 3,
    sizes: { head: 'Standard_E4_V3', worker: 'Standard_D4_V2', zookeeper: 'Standard_A4_V2' },
  },
  spark: {
    label: 'Spark',
    component: 'Spark',
    version: '3.3',
    summary: 'Spark with Livy, for streaming jobs',
    minWorkers: 1,
    defaultWorkers: 4,
    sizes: { head: 'Standard_E8_V3', worker: 'Standard_E8_V3', zookeeper: 'Standard_A2_V2' },
  },
  hadoop: {
    label: 'Hadoop',
    component: 'Hadoop',
    version: '3.3',
    summary: 'HDFS, YARN, MapReduce and Hive',
    minWorkers: 1,
    defaultWorkers: 4,
    sizes: { head: 'Standard_E4_V3', worker: 'Standard_E8_V3', zookeeper: 'Standard_A2_V2' },
  },
  interactivehive: {
    label: 'Interactive Query',
    component: 'InteractiveHive',
    version: '3.1',
    summary: 'Hive LLAP for interactive SQL',
    minWorkers: 1,
    defaultWorkers: 3,
    sizes: { head: 'Standard_E16_V3', worker: 'Standard_E16_V3', zookeeper: 'Standard_A4_V2' },
  },
  hbase: {
    label: 'HBase',
    component: 'HBase',
    version: '2.4',
    summary: 'HBase NoSQL tables on the cluster storage',
    minWorkers: 1,
    defaultWorkers: 4,
    sizes: { head: 'Standard_E4_V3', worker: 'Standard_E8_V3', zookeeper: 'Standard_A4_V2' },
  },
};

export const CREATABLE_KINDS = Object.keys(CLUSTER_KINDS) as CreatableKind[];

export function isCreatableKind(kind: unknown): kind is CreatableKind {
  return typeof kind === 'string' && Object.hasOwn(CLUSTER_KINDS, kind);
}

/** Cluster kinds are given in lower case, as Resource Manager takes them. */
export function validateKind(kind: unknown): CreatableKind {
  if (!isCreatableKind(kind)) {
    throw new InvalidInputError(`"kind" must be one of ${CREATABLE_KINDS.map((k) => `"${k}"`).join(', ')} (got ${JSON.stringify(kind)}).`);
  }
  return kind;
}

/** VM size names as Azure spells them: Standard_E8_V3. */
export function validateVmSizeName(size: unknown, what: string): string {
  if (typeof size !== 'string' || !/^Standard_[A-Za-z0-9_]+$/i.test(size)) {
    throw new InvalidInputError(`${what} ${JSON.stringify(size)} is not a VM size name.`, 'Use a name such as Standard_E8_V3.');
  }
  return size;
}

export interface LinuxLogin {
  username: string;
  password?: string;
  /** An OpenSSH public key (ssh-rsa …), instead of a password. */
  publicKey?: string;
}

export interface ClusterPlan {
  name: string;
  location: string;
  kind: CreatableKind;
  /** HDInsight version; 5.1 is the one offered (4.0 and 5.0 were retired on 2025-03-31). */
  clusterVersion?: string;
  /** The kind's component version, as the region's capabilities give it (e.g. Kafka 3.2); HDInsight 5.1's by default. */
  componentVersion?: string;
  workerCount: number;
  headNodeSize?: string;
  workerNodeSize?: string;
  zookeeperNodeSize?: string;
  /** The cluster login (Ambari, Livy, the gateway). */
  clusterLogin: { username: string; password: string };
  ssh: LinuxLogin;
  storage: { accountName: string; key: string; container?: string; blobEndpointSuffix?: string };
  /**
   * Every role joins this subnet (the Spark + Kafka pair shares one): `subnet` is its name, and
   * `subnetId` its resource id as Azure gave it (VNET/subnets/NAME when not given).
   */
  network?: { vnetId: string; subnet: string; subnetId?: string };
  tags?: Record<string, string>;
}

/** Kafka brokers' managed disks per worker node. */
export const KAFKA_DISKS_PER_NODE = 2;

/** Cluster names: 3 to 59 letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export function validateClusterName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 3 || name.length > 59) {
    throw new InvalidInputError('A cluster name has 3 to 59 characters.');
  }
  if (!/^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/.test(name)) {
    throw new InvalidInputError(
      `"${name}" is not a valid cluster name.`,
      'Use letters, digits and hyphens; start with a letter and do not end with a hyphen.',
    );
  }
  return name;
}

/**
 * HDInsight's rule for the cluster login password: at least 10 characters with a digit, an
 * upper-case and a lower-case letter and a non-alphanumeric character other than ' " ` and \.
 * The message never repeats the password.
 */
export function validateClusterPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 10)
    throw new InvalidInputError('The cluster login password needs at least 10 characters.');
  const missing = [
    [/\d/, 'a digit'],
    [/[A-Z]/, 'an upper-case letter'],
    [/[a-z]/, 'a lower-case letter'],
    [/[^a-zA-Z0-9]/, 'a character that is not a letter or digit'],
  ]
    .filter(([re]) => !(re as RegExp).test(password))
    .map(([, what]) => what as string);
  if (missing.length > 0) throw new InvalidInputError(`The cluster login password needs ${missing.join(', ')}.`);
  if (/['"`\\]/.test(password)) throw new InvalidInputError('The cluster login password cannot contain \' " ` or \\.');
  return password;
}

/** SSH: a user name other than the cluster login's, and a password (6 to 72 characters, 3 of 4 character kinds) or a public key. */
export function validateSshLogin(ssh: LinuxLogin, clusterUsername: string): LinuxLogin {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/i.test(ssh.username)) {
    throw new InvalidInputError(
      `"${ssh.username}" is not a valid SSH user name.`,
      'Use up to 32 letters, digits, "_" or "-", starting with a letter.',
    );
  }
  if (ssh.username.toLowerCase() === clusterUsername.toLowerCase()) {
    throw new InvalidInputError('The SSH user must differ from the cluster login user.');
  }
  if (ssh.publicKey !== undefined) {
    if (!/^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/.test(ssh.publicKey.trim())) {
      throw new InvalidInputError('The SSH public key is not in OpenSSH format (ssh-rsa AAAA…).');
    }
    return ssh;
  }
  const password = ssh.password ?? '';
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (password.length < 6 || password.length > 72 || kinds < 3) {
    throw new InvalidInputError('The SSH password needs 6 to 72 characters from at least 3 of: lower case, upper case, digits, symbols.');
  }
  return ssh;
}

/** Workers: Kafka needs at least 3 (one per replica of its default replication). */
export function validateWorkers(kind: CreatableKind, count: unknown): number {
  const min = CLUSTER_KINDS[kind].minWorkers;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < min || count > 500) {
    const label = CLUSTER_KINDS[kind].label;
    throw new InvalidInputError(
      `${/^[AEIOU]/.test(label) ? 'An' : 'A'} ${label} cluster needs ${min} to 500 worker nodes (got ${JSON.stringify(count)}).`,
    );
  }
  return count;
}

/** Checks a whole plan before any request. */
export function validatePlan(plan: ClusterPlan): void {
  validateClusterName(plan.name);
  validateKind(plan.kind);
  if (plan.headNodeSize !== undefined) validateVmSizeName(plan.headNodeSize, '"headNodeSize"');
  if (plan.workerNodeSize !== undefined) validateVmSizeName(plan.workerNodeSize, '"workerNodeSize"');
  if (plan.zookeeperNodeSize !== undefined) validateVmSizeName(plan.zookeeperNodeSize, '"zookeeperNodeSize"');
  validateWorkers(plan.kind, plan.workerCount);
  validateClusterPassword(plan.clusterLogin.password);
  validateSshLogin(plan.ssh, plan.clusterLogin.username);
  validateStorageAccountName(plan.storage.accountName);
}

/** Storage account names: 3 to 24 lower-case letters and digits (global DNS names). */
export function validateStorageAccountName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9]{3,24}$/.test(name)) {
    throw new InvalidInputError(
      `${JSON.stringify(name)} is not a valid storage account name.`,
      'Use 3 to 24 lower-case letters and digits.',
    );
  }
  return name;
}

/** The PUT body of a cluster (ClusterCreateParametersExtended). */
export function createRequest(plan: ClusterPlan): Record<string, unknown> {
  validatePlan(plan);
  const spec = CLUSTER_KINDS[plan.kind];
  const sizes = spec.sizes;
  const osProfile = {
    linuxOperatingSystemProfile: plan.ssh.publicKey
      ? { username: plan.ssh.username, sshProfile: { publicKeys: [{ certificateData: plan.ssh.publicKey.trim() }] } }
      : { username: plan.ssh.username, password: plan.ssh.password },
  };
  const network = plan.network
    ? {
        virtualNetworkProfile: {
          id: plan.network.vnetId,
          subnet: plan.network.subnetId ?? `${plan.network.vnetId}/subnets/${plan.network.subnet}`,
        },
      }
    : {};
  const role = (name: string, count: number, vmSize: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name,
    targetInstanceCount: count,
    hardwareProfile: { vmSize },
    osProfile,
    ...network,
    ...extra,
  });
  return {
    location: plan.location,
    tags: plan.tags,
    properties: {
      clusterVersion: plan.clusterVersion ?? '5.1',
      osType: 'Linux',
      tier: 'Standard',
      clusterDefinition: {
        kind: plan.kind,
        componentVersion: { [spec.component]: plan.componentVersion ?? spec.version },
        configurations: {
          gateway: {
            'restAuthCredential.isEnabled': true,
            'restAuthCredential.username': plan.clusterLogin.username,
            'restAuthCredential.password': plan.clusterLogin.password,
          },
        },
      },
      computeProfile: {
        roles: [
          role('headnode', 2, plan.headNodeSize ?? sizes.head),
          role(
            'workernode',
            plan.workerCount,
            plan.workerNodeSize ?? sizes.worker,
            plan.kind === 'kafka' ? { dataDisksGroups: [{ disksPerNode: KAFKA_DISKS_PER_NODE }] } : {},
          ),
          role('zookeepernode', 3, plan.zookeeperNodeSize ?? sizes.zookeeper),
        ],
      },
      storageProfile: {
        storageaccounts: [
          {
            name: `${plan.storage.accountName}.blob.${plan.storage.blobEndpointSuffix ?? 'core.windows.net'}`,
            isDefault: true,
            container: plan.storage.container ?? plan.name,
            key: plan.storage.key,
          },
        ],
      },
    },
  };
}

/** Cores a plan asks for, by role size, to compare with the region's quota before creating. */
export function estimatedCores(request: Record<string, unknown>, coresOf: (vmSize: string) => number | undefined): number {
  const roles =
    (request.properties as { computeProfile?: { roles?: { targetInstanceCount: number; hardwareProfile: { vmSize: string } }[] } })
      .computeProfile?.roles ?? [];
  return roles.reduce((sum, r) => sum + r.targetInstanceCount * (coresOf(r.hardwareProfile.vmSize) ?? 0), 0);
}

/**
 * The network of Azure's Spark + Kafka streaming tutorial: one virtual network 10.0.0.0/16 with
 * subnet 10.0.0.0/24, which every role of both clusters joins so that Spark reaches the brokers.
 */
export const PAIR_NETWORK = { addressPrefix: '10.0.0.0/16', subnetName: 'default', subnetPrefix: '10.0.0.0/24' };

/**
 * The tutorial's two clusters: Spark with 4 workers, Kafka with 3 workers (data disks) and 3
 * ZooKeeper nodes, each with its kind's VM sizes (named, so the region's offer can be checked),
 * every role in the network's subnet (its id as Azure gave it, else NETWORK/subnets/default).
 */
export function pairPlans(
  base: Omit<ClusterPlan, 'name' | 'kind' | 'workerCount' | 'network'>,
  names: { spark: string; kafka: string },
  vnet: { id: string; subnetId?: string },
): [ClusterPlan, ClusterPlan] {
  const network = { vnetId: vnet.id, subnet: PAIR_NETWORK.subnetName, subnetId: vnet.subnetId };
  const plan = (kind: 'spark' | 'kafka', workerCount: number): ClusterPlan => {
    const { head, worker, zookeeper } = CLUSTER_KINDS[kind].sizes;
    return {
      ...base,
      name: names[kind],
      kind,
      workerCount,
      headNodeSize: head,
      workerNodeSize: worker,
      zookeeperNodeSize: zookeeper,
      network,
    };
  };
  return [plan('spark', 4), plan('kafka', 3)];
}
