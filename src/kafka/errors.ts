// Turns what kafkajs throws into typed errors that say what to do next.
import { HDInsightError, isCancellation } from '../core/errors';

interface KafkaJSErrorLike extends Error {
  type?: string;
  retriable?: boolean;
  originalError?: unknown;
  cause?: unknown;
}

/** No client connected and answered within the service's deadline; names the brokers that took a connection and said nothing. */
export class NoAnswerError extends Error {
  constructor(
    readonly timeoutMs: number,
    /** host:port of the brokers that accepted a connection but sent nothing back. */
    readonly silent: string[],
    /** The last connection error, if any (e.g. connect ECONNREFUSED). */
    readonly lastError?: string,
  ) {
    super(`No Kafka broker answered within ${timeoutMs} ms`);
    this.name = 'NoAnswerError';
  }
}

function rootCause(err: KafkaJSErrorLike): KafkaJSErrorLike {
  let current: KafkaJSErrorLike = err;
  for (let depth = 0; depth < 5; depth++) {
    const next = (current.originalError ?? current.cause) as KafkaJSErrorLike | undefined;
    if (!(next instanceof Error)) break;
    current = next;
  }
  return current;
}

export function toKafkaError(err: unknown, what: string, brokers: string[]): unknown {
  if (isCancellation(err) || err instanceof HDInsightError || !(err instanceof Error)) return err;
  if (err instanceof NoAnswerError) return noAnswer(err, what, brokers);
  const root = rootCause(err);
  switch (root.type) {
    case 'TOPIC_ALREADY_EXISTS':
      return new HDInsightError('InvalidInput', `${what} failed: the topic already exists.`, 'Choose another name.', { cause: err });
    case 'UNKNOWN_TOPIC_OR_PARTITION':
      return new HDInsightError('NotFound', `${what} failed: the topic or partition does not exist.`, 'Refresh the topics.', {
        cause: err,
      });
    case 'INVALID_REPLICATION_FACTOR':
      return new HDInsightError(
        'InvalidInput',
        `${what} failed: ${root.message}`,
        'Use a replication factor no larger than the number of brokers.',
        { cause: err },
      );
    case 'INVALID_PARTITIONS':
    case 'INVALID_TOPIC_EXCEPTION':
    case 'INVALID_CONFIG':
      return new HDInsightError('InvalidInput', `${what} failed: ${root.message}`, undefined, { cause: err });
    case 'TOPIC_AUTHORIZATION_FAILED':
    case 'CLUSTER_AUTHORIZATION_FAILED':
      return new HDInsightError(
        'Forbidden',
        `${what} was refused by the brokers (${root.type}).`,
        'Ask for the Kafka ACLs that allow it.',
        { cause: err },
      );
  }
  const text = `${err.message} ${root.message}`;
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|Connection timeout|Connection error|getaddrinfo|closed connection/i.test(
      text,
    )
  ) {
    return new HDInsightError(
      'Unreachable',
      `${what} failed: the Kafka brokers (${brokers.join(', ')}) could not be reached (${root.message}).`,
      "Check that the cluster is running. HDInsight brokers are often reachable only inside the cluster's virtual network.",
      { cause: err },
    );
  }
  if (/Broker not connected/i.test(text)) {
    return new HDInsightError(
      'Unreachable',
      `${what} failed: the connection to the Kafka brokers (${brokers.join(', ')}) was lost or never opened.`,
      "Check that the cluster is running and that these addresses are its brokers' listeners, then try again.",
      { cause: err },
    );
  }
  if (/Request .* timed out|timeout/i.test(text)) {
    const broker = (root as { broker?: unknown }).broker ?? (err as { broker?: unknown }).broker;
    return new HDInsightError(
      'Timeout',
      `${what} failed: ${typeof broker === 'string' ? `the broker ${broker}` : 'the brokers'} did not answer in time.`,
      "Try again; check the cluster's health in Ambari.",
      { cause: err },
    );
  }
  return new HDInsightError('Remote', `${what} failed: ${root.message}`, undefined, { cause: err });
}

function noAnswer(err: NoAnswerError, what: string, brokers: string[]): HDInsightError {
  const seconds = `${Math.round(err.timeoutMs / 100) / 10} s`;
  if (err.silent.length > 0) {
    const silent = err.silent.join(', ');
    return new HDInsightError(
      'Timeout',
      `${what} failed: ${silent} accepted the connection but did not answer as a Kafka broker within ${seconds}.`,
      `Check that ${err.silent[0]} is the address of a Kafka broker's listener (not ZooKeeper, Ambari or a proxy) and that the broker is healthy in Ambari.`,
      { cause: err },
    );
  }
  return new HDInsightError(
    'Unreachable',
    `${what} failed: the Kafka brokers (${brokers.join(', ')}) could not be reached within ${seconds}${err.lastError ? ` (${err.lastError})` : ''}.`,
    "Check that the cluster is running. HDInsight brokers are often reachable only inside the cluster's virtual network.",
    { cause: err },
  );
}
