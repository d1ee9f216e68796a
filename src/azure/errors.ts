// Turns what the Azure SDK throws into typed errors that say what to do next.
import { HDInsightError, isCancellation, sentence } from '../core/errors';

interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
}

const networkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** `what` names the request for the message, e.g. "Listing clusters of subscription Dev". */
export function toAzureError(err: unknown, what: string): unknown {
  if (isCancellation(err) || err instanceof HDInsightError || !(err instanceof Error)) return err;
  const e = err as RestErrorLike;
  // Azure's own text, as a finished sentence: what follows it (an action, another part's failure) starts a new one.
  const detail = sentence(firstLine(e.message));
  switch (e.statusCode) {
    case 401:
      return new HDInsightError('Unauthorized', `${what} failed: Azure did not accept the sign-in.`, 'Sign in to Azure again.', {
        cause: err,
      });
    case 403:
      return new HDInsightError(
        'Forbidden',
        `${what} was refused: your account lacks the permission (${e.code ?? 'Forbidden'}).`,
        'Ask for a role that allows it, or link the cluster with its login instead.',
        { cause: err },
      );
    case 404:
      return new HDInsightError('NotFound', `${what} failed: ${detail}`, 'Refresh the view: it may have been deleted or moved.', {
        cause: err,
      });
    case 429:
      return new HDInsightError('Throttled', `${what} was throttled by Azure Resource Manager.`, 'Wait a minute, then refresh.', {
        cause: err,
      });
  }
  if (e.statusCode && e.statusCode >= 500) {
    return new HDInsightError(
      'Remote',
      `${what} failed: Azure answered ${e.statusCode} (${e.code ?? 'server error'}).`,
      'Try again later.',
      { cause: err },
    );
  }
  if (e.code && networkCodes.has(e.code)) {
    return new HDInsightError(
      'Unreachable',
      `${what} failed: Azure Resource Manager could not be reached (${e.code}).`,
      'Check the network connection and the setting hdinsight.azure.resourceManagerEndpoint.',
      { cause: err },
    );
  }
  // A long-running operation that Azure ended Failed carries no status code: Azure answered, the network is fine.
  if (e.statusCode || /long-running operation has failed/i.test(e.message)) {
    return new HDInsightError('Remote', `${what} failed: ${detail}`, undefined, { cause: err });
  }
  return new HDInsightError('Unreachable', `${what} failed: ${detail}`, 'Check the network connection, then refresh.', { cause: err });
}

function firstLine(message: string): string {
  const line = message.split('\n')[0].trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
