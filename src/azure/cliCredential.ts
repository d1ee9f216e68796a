// The Azure CLI's sign-in as the token source (@azure/identity): used only when the setting
// hdinsight.azure.credential is "azureCli", and loaded then, through the chunk src/chunks/identity.ts.
import { AzureCliCredential } from '@azure/identity';
import type { TokenSource } from './client';

export function createCliCredential(tenantId: string | undefined): TokenSource {
  return new AzureCliCredential(tenantId ? { tenantId } : {});
}
