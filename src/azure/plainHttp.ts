// Plain http to a loopback Resource Manager (the local emulator, a tunnel). The Azure SDK's bearer
// policy refuses to send a token over http; for a loopback endpoint, and only there, the token (the
// fixed development token, see AzureAccount) is sent by a policy of ours instead.
import { HDInsightError } from '../core/errors';
import { isLoopbackHost } from '../core/urls';
import type { TokenSource } from './client';

interface PipelineRequest {
  url: string;
  headers: { set(name: string, value: string): void };
  allowInsecureConnection?: boolean;
}
/** The part of an Azure SDK client's pipeline this needs, without importing the SDK. */
export interface PipelineClient {
  pipeline: {
    removePolicy(options: { name: string }): unknown;
    addPolicy(policy: {
      name: string;
      sendRequest(request: PipelineRequest, next: (r: PipelineRequest) => Promise<unknown>): Promise<unknown>;
    }): void;
  };
}

/** Whether `endpoint` is plain http; throws for plain http anywhere but loopback. */
export function isPlainHttpLoopback(endpoint: string): boolean {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:') return false;
  if (!isLoopbackHost(url.hostname)) {
    throw new HDInsightError(
      'InvalidInput',
      `The Resource Manager endpoint ${url.origin} uses plain http, which would send your Azure token unencrypted.`,
      'Use https (plain http is accepted only for localhost).',
    );
  }
  return true;
}

/** Returns `client` with its token sent over plain http, when `endpoint` is http on loopback. */
export function allowPlainHttpLoopback<C extends PipelineClient>(client: C, endpoint: string, credential: TokenSource, scope: string): C {
  if (!isPlainHttpLoopback(endpoint)) return client;
  const origin = new URL(endpoint).origin;
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  client.pipeline.addPolicy({
    name: 'hdinsightLoopbackToken',
    async sendRequest(request, next) {
      // Never to another origin (a nextLink or an operation URL pointing elsewhere).
      if (new URL(request.url).origin !== origin) {
        throw new HDInsightError(
          'InvalidInput',
          `Resource Manager at ${origin} pointed to ${new URL(request.url).origin}; not following it.`,
        );
      }
      const token = await credential.getToken(scope);
      if (token) request.headers.set('authorization', `Bearer ${token.token}`);
      request.allowInsecureConnection = true;
      return next(request);
    },
  });
  return client;
}
