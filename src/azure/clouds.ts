// The Azure clouds the extension can sign in to, and what differs between them.
import { isLoopbackHost, parseServiceUrl } from '../core/urls';

export type CloudName = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment';

export interface AzureCloud {
  name: CloudName;
  /** VS Code authentication provider: `microsoft`, or `microsoft-sovereign-cloud` for national clouds. */
  authProvider: 'microsoft' | 'microsoft-sovereign-cloud';
  resourceManagerEndpoint: string;
  portalUrl: string;
  /** Suffix of cluster gateway host names: CLUSTER.azurehdinsight.net */
  gatewaySuffix: string;
}

export const clouds: Record<CloudName, AzureCloud> = {
  AzureCloud: {
    name: 'AzureCloud',
    authProvider: 'microsoft',
    resourceManagerEndpoint: 'https://management.azure.com',
    portalUrl: 'https://portal.azure.com',
    gatewaySuffix: 'azurehdinsight.net',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    authProvider: 'microsoft-sovereign-cloud',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    portalUrl: 'https://portal.azure.cn',
    gatewaySuffix: 'azurehdinsight.cn',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    authProvider: 'microsoft-sovereign-cloud',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    portalUrl: 'https://portal.azure.us',
    gatewaySuffix: 'azurehdinsight.us',
  },
};

export interface ResourceManagerTarget {
  cloud: AzureCloud;
  /** Without a trailing slash. */
  endpoint: string;
  /** The scope tokens are requested for. */
  scope: string;
  /** A loopback endpoint (the local emulator): a fixed development token, never a real one. */
  isLocal: boolean;
}

export const DEVELOPMENT_TOKEN = 'hdinsight-dev-token';

/** The Resource Manager endpoint to use: the cloud's, unless a setting overrides it. */
export function resourceManagerTarget(cloudName: CloudName, override: string | undefined): ResourceManagerTarget {
  const cloud = clouds[cloudName] ?? clouds.AzureCloud;
  const endpoint = override?.trim()
    ? parseServiceUrl(override, 'The setting hdinsight.azure.resourceManagerEndpoint').href.replace(/\/+$/, '')
    : cloud.resourceManagerEndpoint;
  const isLocal = isLoopbackHost(new URL(endpoint).hostname);
  return { cloud, endpoint, scope: `${endpoint}/.default`, isLocal };
}
