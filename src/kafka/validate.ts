// Checks Kafka inputs before anything is sent, with messages that say what is allowed.
import { InvalidInputError } from '../core/errors';
import type { OutgoingMessage } from './client';

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;

export function validateTopicName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw new InvalidInputError('The topic name is empty.', 'Enter a name of letters, digits, ".", "_" or "-".');
  if (name === '.' || name === '..') throw new InvalidInputError(`"${name}" cannot be a topic name.`);
  if (name.length > 249) throw new InvalidInputError(`The topic name is ${name.length} characters long; Kafka allows 249.`);
  if (!LEGAL_TOPIC.test(name)) {
    const bad = [...new Set([...name].filter((c) => !/[a-zA-Z0-9._-]/.test(c)))].map((c) => JSON.stringify(c)).join(', ');
    throw new InvalidInputError(`The topic name "${name}" contains ${bad}.`, 'Use only letters, digits, ".", "_" and "-".');
  }
  return name;
}

export function validatePartitions(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`Partitions must be a whole number of at least 1 (got ${String(value)}).`);
  if (n > 10_000) throw new InvalidInputError(`${n} partitions is more than this tool will create at once (10,000).`);
  return n;
}

export function validateReplicationFactor(value: unknown, brokerCount: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError(`The replication factor must be a whole number of at least 1 (got ${String(value)}).`);
  if (n > brokerCount) {
    throw new InvalidInputError(
      `A replication factor of ${n} needs ${n} brokers; the cluster has ${brokerCount}.`,
      `Choose at most ${brokerCount}.`,
    );
  }
  return n;
}

/** Messages to produce: `[{ key?, value, headers?, partition? }]`. */
export function validateMessages(value: unknown): OutgoingMessage[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new InvalidInputError('"messages" must be a non-empty list of { key?, value, headers?, partition? }.');
  return value.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null) throw new InvalidInputError(`Message ${i + 1} is not an object.`);
    const { key, value: v, headers, partition } = m as Record<string, unknown>;
    if (v !== null && typeof v !== 'string') throw new InvalidInputError(`Message ${i + 1}: "value" must be a string or null.`);
    if (key !== undefined && key !== null && typeof key !== 'string')
      throw new InvalidInputError(`Message ${i + 1}: "key" must be a string.`);
    if (partition !== undefined && (!Number.isInteger(partition) || (partition as number) < 0))
      throw new InvalidInputError(`Message ${i + 1}: "partition" must be a partition number.`);
    if (
      headers !== undefined &&
      (typeof headers !== 'object' || headers === null || Object.values(headers).some((h) => typeof h !== 'string'))
    ) {
      throw new InvalidInputError(`Message ${i + 1}: "headers" must map names to strings.`);
    }
    return {
      key: key ?? null,
      value: v,
      headers: headers as Record<string, string> | undefined,
      partition: partition as number | undefined,
    };
  });
}
