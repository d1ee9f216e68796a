// @azure/identity, loaded only when the setting hdinsight.azure.credential is "azureCli" (its own
// bundle, dist/chunks/identity.js): the Azure CLI credential of src/azure/cliCredential.ts.
export { createCliCredential } from '../azure/cliCredential';
