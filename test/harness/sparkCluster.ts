// What the tests on a real YARN behind an emulated cluster gateway share: the emulated Spark
// cluster the gateway serves (its cluster login as given), and waiting for what YARN does in its time.
import { ArmEmulator, type ResolvedClusterSpec } from '../emulator/arm';
import { Emulator } from '../emulator/server';

/** An emulated HDInsight Spark cluster named `name` whose cluster login password is `password`. */
export function emulatedSparkCluster(name: string, password: string): ResolvedClusterSpec {
  const arm = new ArmEmulator(new Emulator());
  arm.addSubscription({ subscriptionId: 's', displayName: 'S', tenantId: 't' });
  arm.addCluster({ subscriptionId: 's', resourceGroup: 'rg', name, location: 'westeurope', kind: 'spark', gatewayPassword: password });
  return arm.clusterByName(name)!;
}

/** Asks `probe` every half second until it gives a value; the timeout names `what`. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
