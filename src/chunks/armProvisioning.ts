// @azure/arm-network and @azure/arm-storage, loaded from the Azure chunk only when a network or a
// storage account is made or read (its own bundle, dist/chunks/armProvisioning.js): the
// provisioning of src/azure/SdkProvisioning.ts.
export { SdkProvisioning } from '../azure/SdkProvisioning';
