// The emulated services a suite or the sandbox runs against: one HTTPS emulator on loopback
// serving Azure Resource Manager (seeded with the sandbox's tenants, subscriptions and clusters)
// and its control API, with a CA file the extension host is told to trust.
import { ArmEmulator, DEV_TOKEN, seedSandbox, type SandboxSeed } from '../emulator/arm';
import { TEST_PASSWORDS } from '../fixtures/secrets';
import { secretForms } from './secretScan';
import { addControlRoutes } from '../emulator/control';
import { ClusterGateway } from '../emulator/gateway';
import { type KafkaBroker, startKafka } from './kafka';
import { createTlsMaterial, Emulator } from '../emulator/server';

export interface TestEnvironment {
  emulator: Emulator;
  arm: ArmEmulator;
  seed: SandboxSeed;
  url: string;
  /** The real broker behind the emulated Kafka clusters. */
  kafka: KafkaBroker;
  /** Environment for code-server (and so the extension host). */
  env: Record<string, string>;
  /** Every password and token of this environment and the suites, in the forms to scan for. */
  secrets: { label: string; text: string }[];
  stop(): Promise<void>;
}

/** Ambari names the seeded Kafka cluster in other case than Resource Manager, as real clusters can. */
const ambariNames: Record<string, string> = { 'contoso-kafka': 'Contoso-Kafka' };

export async function startTestEnvironment(): Promise<TestEnvironment> {
  const tls = await createTlsMaterial();
  const emulator = new Emulator(tls);
  const arm = new ArmEmulator(emulator);
  const seed = seedSandbox(arm);
  addControlRoutes(emulator, arm);
  const kafka = await startKafka();
  // Every emulated cluster gets its own gateway; the Kafka clusters' Ambari names the real broker.
  const gateways = await Promise.all(
    arm.clusters().map(async (cluster) => {
      const gateway = new ClusterGateway(tls, cluster, {
        ambariName: ambariNames[cluster.name],
        kafka: cluster.kind === 'kafka' ? { brokers: [{ host: kafka.advertisedHost, port: kafka.port }] } : undefined,
      });
      arm.updateCluster(cluster.subscriptionId, cluster.resourceGroup, cluster.name, { endpoints: { gateway: await gateway.start() } });
      return gateway;
    }),
  );
  const url = await emulator.start();
  const stop = async (): Promise<void> => {
    await Promise.all([emulator.stop(), kafka.stop(), ...gateways.map((g) => g.stop())]);
  };
  return {
    emulator,
    arm,
    seed,
    url,
    kafka,
    env: { NODE_EXTRA_CA_CERTS: tls.caFile, HDINSIGHT_EMULATOR_URL: url, HDINSIGHT_KAFKA_BOOTSTRAP: kafka.bootstrap },
    secrets: secretForms([
      { label: 'the development token', value: DEV_TOKEN },
      ...seed.clusters.map((c) => ({ label: `the login of ${c.name}`, value: c.gatewayPassword, username: c.gatewayUsername })),
      ...Object.entries(TEST_PASSWORDS).map(([name, value]) => ({ label: `the test password ${name}`, value, username: 'admin' })),
    ]),
    stop,
  };
}
