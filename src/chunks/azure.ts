// The Azure SDK, loaded on first use (its own bundle, dist/chunks/azure.js): the Resource Manager
// client of src/azure/SdkClient.ts, and the listings over it (src/azure/listing.ts).
export { createAzureClient } from '../azure/SdkClient';
export { chosenSubscriptions, listEveryCluster, listSubscriptionsAndClusters } from '../azure/listing';
