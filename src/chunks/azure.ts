// The Azure SDK, loaded on first use (its own bundle, dist/chunks/azure.js): the Resource Manager
// client of src/azure/SdkClient.ts.
export { createAzureClient } from '../azure/SdkClient';
