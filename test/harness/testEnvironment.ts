// The emulated services a suite or the sandbox runs against: one HTTPS emulator on loopback
// serving Azure Resource Manager (seeded with the sandbox's tenants, subscriptions and clusters)
// and its control API, with a CA file the extension host is told to trust.
import { ArmEmulator, seedSandbox, type SandboxSeed } from '../emulator/arm';
import { addControlRoutes } from '../emulator/control';
import { createTlsMaterial, Emulator } from '../emulator/server';

export interface TestEnvironment {
  emulator: Emulator;
  arm: ArmEmulator;
  seed: SandboxSeed;
  url: string;
  /** Environment for code-server (and so the extension host). */
  env: Record<string, string>;
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
    stop: () => emulator.stop(),
  };
}
