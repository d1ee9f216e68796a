// Our Azure client against a fresh emulated Resource Manager per test, over real HTTPS with the
// emulator's certificate trusted: the set-up the suites of the Azure client share.
import type { AzureClient } from '../../src/azure/client';
import { createAzureClient } from '../../src/azure/SdkClient';
import { ArmEmulator, DEV_TOKEN } from '../emulator/arm';
import { createTlsMaterial, Emulator, type TlsMaterial } from '../emulator/server';

export const FIXTURE_SUBSCRIPTION = '00000000-1111-2222-3333-444444444444';

export interface AzureFixture {
  emulator: Emulator;
  arm: ArmEmulator;
  client: AzureClient;
  /** Another client of the same user (the same token): a second window of VS Code, say. */
  newClient: () => AzureClient;
}

/**
 * Registers mocha hooks: each test gets a new emulator with one subscription (and the resource
 * group `streaming` in westeurope when asked), operations lasting `operationMs`, and our client.
 */
export function useAzureFixture(options: { operationMs?: number; resourceGroup?: boolean } = {}): AzureFixture {
  const fixture = {} as AzureFixture;
  let tls: TlsMaterial;
  before(async function () {
    this.timeout(30_000);
    tls = await createTlsMaterial();
  });
  beforeEach(async () => {
    fixture.emulator = new Emulator(tls);
    await fixture.emulator.start();
    fixture.arm = new ArmEmulator(fixture.emulator);
    if (options.operationMs !== undefined) fixture.arm.operationMs = options.operationMs;
    fixture.arm.addSubscription({ subscriptionId: FIXTURE_SUBSCRIPTION, displayName: 'Streaming Dev', tenantId: 'tenant' });
    if (options.resourceGroup) {
      fixture.arm.addResourceGroup({ subscriptionId: FIXTURE_SUBSCRIPTION, name: 'streaming', location: 'westeurope' });
    }
    fixture.newClient = () =>
      createAzureClient({
        endpoint: fixture.emulator.url,
        scope: `${fixture.emulator.url}/.default`,
        ca: tls.cert,
        credential: { getToken: () => Promise.resolve({ token: DEV_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }) },
      });
    fixture.client = fixture.newClient();
  });
  afterEach(() => fixture.emulator.stop());
  return fixture;
}
