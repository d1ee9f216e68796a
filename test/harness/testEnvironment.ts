// The emulated services a suite or the sandbox runs against: one HTTPS emulator on loopback
// serving Azure Resource Manager (seeded with the sandbox's tenants, subscriptions and clusters)
// and its control API, with a CA file the extension host is told to trust.
import { ArmEmulator, DEV_TOKEN, seedSandbox, type SandboxSeed } from '../emulator/arm';
import { emulatedStorageKey } from '../emulator/armResources';
import { TEST_PASSWORDS } from '../fixtures/secrets';
import { secretForms } from './secretScan';
import { addControlRoutes } from '../emulator/control';
import { ClusterGateway } from '../emulator/gateway';
import { LivyEmulator } from '../emulator/livy';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type KafkaBroker, startKafka } from './kafka';
import { ensureSpark } from './spark';
import { startYarn, type Yarn } from './yarn';
import { startSshServer } from './sshd';
import { createVirtualNetwork } from './vnet';
import { createTlsMaterial, Emulator } from '../emulator/server';

export interface TestEnvironment {
  emulator: Emulator;
  arm: ArmEmulator;
  seed: SandboxSeed;
  url: string;
  /** The real broker behind the emulated Kafka clusters. */
  kafka: KafkaBroker;
  /** The Kafka cluster inside a virtual network, when one could be made. */
  vnetKafka?: VnetKafka;
  /** Livy on real Spark behind the gateway of every Spark cluster, by cluster name. */
  livy: Map<string, LivyEmulator>;
  /** Where job files may live: Livy's local-dir whitelist (HDINSIGHT_LIVY_DIR). */
  livyDir: string;
  /** Each Spark cluster's default storage: wasbs:// and abfs:// paths of jobs are read from here. */
  storageDirs: Map<string, string>;
  /**
   * Switches one Spark cluster's Livy (or every one) to YARN mode, as on HDInsight (the real YARN
   * starts on the first call, once per run), or back to local mode. Also PUT /_emulator/livy/mode.
   */
  useYarn(cluster?: string, mode?: 'yarn' | 'local'): Promise<Yarn | undefined>;
  /** The real YARN behind the Spark clusters' /yarnui, once started. */
  readonly yarn: Yarn | undefined;
  /** Environment for code-server (and so the extension host). */
  env: Record<string, string>;
  /** Every password and token of this environment and the suites, in the forms to scan for. */
  secrets: { label: string; text: string }[];
  stop(): Promise<void>;
}

/** Ambari names the seeded Kafka cluster in other case than Resource Manager, as real clusters can. */
const ambariNames: Record<string, string> = { 'contoso-kafka': 'Contoso-Kafka' };

/** A Kafka cluster whose brokers live in a virtual network, reachable only through SSH. */
export interface VnetKafka {
  cluster: string;
  brokerName: string;
  /** `hostKey`: the fingerprint of the SSH server's host key, as `ssh-keygen -lf` prints it. */
  ssh: { host: string; port: number; username: string; keyFile: string; hostKey: string };
}

const VNET_BROKER = 'wn0-kafka.hdinsight.internal';

async function startVnetKafka(arm: ArmEmulator): Promise<{ vnet: VnetKafka; broker: KafkaBroker; stop: () => Promise<void> }> {
  const network = createVirtualNetwork({ [VNET_BROKER]: 'self' });
  try {
    const broker = await startKafka({ exec: network.exec, bindHost: network.address, advertisedHost: VNET_BROKER });
    const sshd = await startSshServer({ listen: network.address, exec: network.exec });
    const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-sshkey-')), 'id_ed25519');
    fs.writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    const fabrikam = arm.clusters().find((c) => c.name === 'fabrikam-kafka')!;
    arm.addCluster({
      subscriptionId: fabrikam.subscriptionId,
      resourceGroup: fabrikam.resourceGroup,
      name: 'fabrikam-streams',
      location: 'westus2',
      kind: 'kafka',
      gatewayPassword: 'Sandbox-Fab-3!',
      endpoints: { ssh: { host: sshd.host, port: sshd.port } },
    });
    return {
      vnet: {
        cluster: 'fabrikam-streams',
        brokerName: VNET_BROKER,
        ssh: { host: sshd.host, port: sshd.port, username: sshd.username, keyFile, hostKey: sshd.hostKey.sha256 },
      },
      broker,
      stop: async () => {
        await Promise.all([sshd.stop(), broker.stop()]);
        fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
        network.remove();
      },
    };
  } catch (err) {
    network.remove();
    throw err;
  }
}

export interface TestEnvironmentOptions {
  vnet: 'required' | 'optional';
  /**
   * Every Spark cluster's Livy in YARN mode from the start (default: HDINSIGHT_SPARK_ON_YARN=1).
   * YARN itself starts only when the first batch needs it. Otherwise Livy runs Spark in local mode
   * (faster: the sandbox's default) and a test asks for YARN through useYarn or the control API.
   */
  sparkOnYarn?: boolean;
}

export async function startTestEnvironment(options: TestEnvironmentOptions = { vnet: 'required' }): Promise<TestEnvironment> {
  const sparkOnYarn = options.sparkOnYarn ?? process.env.HDINSIGHT_SPARK_ON_YARN === '1';
  const tls = await createTlsMaterial();
  const emulator = new Emulator(tls);
  const arm = new ArmEmulator(emulator);
  const seed = seedSandbox(arm);
  const kafka = await startKafka();
  // Spark is installed (once, cached) now; its processes start only when jobs come.
  const spark = ensureSpark();
  const livyDir = path.join(os.tmpdir(), `hdinsight-livy-${process.pid}`);
  fs.mkdirSync(livyDir, { recursive: true });
  const livy = new Map<string, LivyEmulator>();
  const storageDirs = new Map<string, string>();
  const gatewayEmulators = new Map<string, Emulator>();
  // One real YARN for every Spark cluster, started the first time a test needs it.
  let yarn: Yarn | undefined;
  let yarnStarting: Promise<Yarn> | undefined;
  const ensureYarn = (): Promise<Yarn> =>
    (yarnStarting ??= startYarn().then(
      (started) => (yarn = started),
      (err: unknown) => {
        yarnStarting = undefined;
        throw err;
      },
    ));
  const useYarn = async (cluster?: string, mode: 'yarn' | 'local' = 'yarn'): Promise<Yarn | undefined> => {
    const targets = cluster ? [livy.get(cluster)] : [...livy.values()];
    if (targets.some((t) => !t)) throw new Error(`No Livy on the cluster ${cluster}`);
    const started = mode === 'yarn' ? await ensureYarn() : undefined;
    for (const t of targets) t!.setYarn(started);
    return started;
  };
  addControlRoutes(emulator, arm, kafka, livy, gatewayEmulators, async (cluster, mode) => {
    const started = await useYarn(cluster, mode);
    return {
      mode,
      ...(started
        ? {
            rmWebUrl: started.rmWebUrl,
            nmWebUrl: started.nmWebUrl,
            nodeId: started.nodeId,
            historyWebUrl: started.historyWebUrl,
            user: started.user,
          }
        : {}),
    };
  });
  let vnetKafka: Awaited<ReturnType<typeof startVnetKafka>> | undefined;
  try {
    vnetKafka = await startVnetKafka(arm);
  } catch (err) {
    if (options.vnet === 'required') throw err;
    process.stderr.write(`[environment] no Kafka cluster inside a virtual network: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  // Every emulated cluster gets its own gateway; the Kafka clusters' Ambari names the real broker.
  const gateways = await Promise.all(
    arm.clusters().map(async (cluster) => {
      let clusterLivy: LivyEmulator | undefined;
      if (cluster.kind === 'spark') {
        const storageDir = path.join(livyDir, 'storage', cluster.name);
        fs.mkdirSync(storageDir, { recursive: true });
        clusterLivy = new LivyEmulator({
          spark,
          localDirWhitelist: [livyDir, storageDir],
          storageDir,
          yarn: sparkOnYarn ? ensureYarn : undefined,
        });
        livy.set(cluster.name, clusterLivy);
        storageDirs.set(cluster.name, storageDir);
      }
      const gateway = new ClusterGateway(tls, cluster, {
        livy: clusterLivy,
        // YARN's REST and pages under /yarnui (503 until YARN runs).
        yarn: cluster.kind === 'spark' ? () => yarn : undefined,
        ambariName: ambariNames[cluster.name],
        kafka:
          cluster.kind !== 'kafka'
            ? undefined
            : cluster.name === vnetKafka?.vnet.cluster
              ? { brokers: [{ host: vnetKafka.broker.advertisedHost, port: vnetKafka.broker.port }] }
              : { brokers: [{ host: kafka.advertisedHost, port: kafka.port }] },
      });
      gatewayEmulators.set(cluster.name, gateway.emulator);
      arm.updateCluster(cluster.subscriptionId, cluster.resourceGroup, cluster.name, {
        endpoints: { ...cluster.endpoints, gateway: await gateway.start() },
      });
      return gateway;
    }),
  );
  const url = await emulator.start();
  const stop = async (): Promise<void> => {
    await Promise.all([
      emulator.stop(),
      kafka.stop(),
      ...gateways.map((g) => g.stop()),
      vnetKafka?.stop(),
      ...[...livy.values()].map((l) => l.stop()),
    ]);
    // After Livy: a YARN still starting is waited for, then stopped with its containers.
    await yarnStarting?.then(
      (y) => y.stop(),
      () => undefined,
    );
    if (!process.env.HDINSIGHT_KEEP_STATE) fs.rmSync(livyDir, { recursive: true, force: true });
  };
  return {
    emulator,
    arm,
    seed,
    url,
    kafka,
    vnetKafka: vnetKafka?.vnet,
    livy,
    livyDir,
    storageDirs,
    env: {
      HDINSIGHT_LIVY_DIR: livyDir,
      NODE_EXTRA_CA_CERTS: tls.caFile,
      HDINSIGHT_EMULATOR_URL: url,
      HDINSIGHT_KAFKA_BOOTSTRAP: kafka.bootstrap,
      ...(vnetKafka ? { HDINSIGHT_VNET_KAFKA: JSON.stringify(vnetKafka.vnet) } : {}),
      ...(sparkOnYarn ? { HDINSIGHT_SPARK_ON_YARN: '1' } : {}),
    },
    useYarn,
    get yarn() {
      return yarn;
    },
    // A getter: storage accounts the suite creates add their keys.
    get secrets() {
      return secretForms([
        { label: 'the development token', value: DEV_TOKEN },
        ...[...arm.resources.createdAccounts].flatMap((name) =>
          ([1, 2] as const).map((i) => ({ label: `key ${i} of storage account ${name}`, value: emulatedStorageKey(name, i) })),
        ),
        ...arm.clusters().map((c) => ({ label: `the login of ${c.name}`, value: c.gatewayPassword, username: c.gatewayUsername })),
        ...(vnetKafka ? [{ label: 'the SSH private key', value: sshKeyBody(fs.readFileSync(vnetKafka.vnet.ssh.keyFile, 'utf8')) }] : []),
        ...Object.entries(TEST_PASSWORDS).map(([name, value]) => ({ label: `the test password ${name}`, value, username: 'admin' })),
      ]);
    },
    stop,
  };
}

/** The key's base64 body, as it would appear if a private key leaked into a log. */
function sshKeyBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('')
    .slice(0, 60);
}
