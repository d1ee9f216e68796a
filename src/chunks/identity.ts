// @azure/identity, loaded only when the setting hdinsight.azure.credential is "azureCli".
import { AzureCliCredential } from '@azure/identity';
import type { TokenSource } from '../azure/client';

export function createCliCredential(tenantId: string | undefined): TokenSource {
  return new AzureCliCredential(tenantId ? { tenantId } : {});
}
