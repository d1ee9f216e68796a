// The emulated services a suite or the sandbox runs against: one HTTPS emulator on loopback
// serving Azure Resource Manager (seeded with the sandbox's tenants, subscriptions and clusters)
// and its control API, with a CA file the extension host is told to trust.
import { ArmEmulator, DEV_TOKEN, seedSandbox, type SandboxSeed } from '../emulator/arm';
import { TEST_PASSWORDS } from '../fixtures/secrets';
import { secretForms } from './secretScan';
import { addControlRoutes } from '../emulator/control';
import { createTlsMaterial, Emulator } from '../emulator/server';

export interface TestEnvironment {
  emulator: Emulator;
  arm: ArmEmulator;
  seed: SandboxSeed;
  url: string;
  /** Environment for code-server (and so the extension host). */
  env: Record<string, string>;
  /** Every password and token of this environment and the suites, in the forms to scan for. */
  secrets: { label: string; text: string }[];
  stop(): Promise<void>;
}

export async function startTestEnvironment(): Promise<TestEnvironment> {
  const tls = await createTlsMaterial();
  const emulator = new Emulator(tls);
  const arm = new ArmEmulator(emulator);
  const seed = seedSandbox(arm);
  addControlRoutes(emulator, arm);
  const url = await emulator.start();
  return {
    emulator,
    arm,
    seed,
    url,
    env: { NODE_EXTRA_CA_CERTS: tls.caFile, HDINSIGHT_EMULATOR_URL: url },
    secrets: secretForms([
      { label: 'the development token', value: DEV_TOKEN },
      ...seed.clusters.map((c) => ({ label: `the login of ${c.name}`, value: c.gatewayPassword, username: c.gatewayUsername })),
      ...Object.entries(TEST_PASSWORDS).map(([name, value]) => ({ label: `the test password ${name}`, value, username: 'admin' })),
    ]),
    stop: () => emulator.stop(),
  };
}
