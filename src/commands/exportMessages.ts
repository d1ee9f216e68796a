// `hdinsight.kafka.exportMessages`: a topic's messages to a JSON Lines file, read as a stream with
// progress and cancel (src/kafka/exportMessages.ts does the reading and writing).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, HDInsightError, InvalidInputError, userMessage } from '../core/errors';
import type { BrowseFrom, StreamRequest, StreamTo } from '../kafka/client';
import { ExportFailure, exportMessages, type ExportResult } from '../kafka/exportMessages';
import { validateTopicName } from '../kafka/validate';
import { TopicNode } from '../tree/nodes/KafkaNodes';
import { isScripted, withCancellableProgress } from './command';
import { clusterOf, type KafkaCommandDeps } from './kafkaTopics';

export interface ExportArgs {
  topic: string;
  file: string;
  partitions?: number[];
  from: BrowseFrom;
  to: StreamTo;
  limit?: number;
  overwrite: boolean;
}

/** What the user last entered, per cluster and topic: asked again, it is offered back. */
const lastEntered = new Map<string, { choice?: string; count?: string; time?: string; offset?: string; file?: string }>();

/**
 * `hdinsight.kafka.exportMessages`
 * `{ cluster, topic, file, partitions?, from?: "earliest" | "newest" | { offset } | { timestamp } | { offsets }, to?: "end" | { timestamp } | { offsets }, limit?, overwrite? }`
 * → `{ file, messages, cancelled }`. From the tree or the palette it asks what to export and
 * where, and shows the count written in a notification that can cancel; a cancelled export keeps
 * the messages written so far, each line whole.
 */
export function exportMessagesCommand(deps: KafkaCommandDeps) {
  return async (arg?: unknown): Promise<{ file: string; messages: number; cancelled: boolean }> => {
    if (isScripted([arg])) {
      // Everything is checked before the cluster is asked anything.
      const args = checkExportArgs(arg);
      const target = await clusterOf(arg, deps);
      const { service } = await deps.connections.get(target, { interactive: false });
      const result = await run(() => exportMessages(service, request(args), args.file, { overwrite: args.overwrite }), args.file);
      deps.logger.info(`Exported ${result.messages} messages of ${args.topic} (${target.cluster.name}) to ${args.file}`);
      return { file: args.file, ...result };
    }
    const target = await clusterOf(arg, deps);
    const { service } = await deps.connections.get(target, { interactive: true });
    const topic = arg instanceof TopicNode ? arg.topic.name : await pickTopic(await service.listTopics({ includeInternal: false }));
    const remembered = lastEntered.get(`${target.cluster.name}/${topic}`) ?? {};
    lastEntered.set(`${target.cluster.name}/${topic}`, remembered);
    const range = await askRange(topic, remembered);
    const uri = await vscode.window.showSaveDialog({
      title: `Export ${topic} as JSON Lines`,
      defaultUri: vscode.Uri.file(remembered.file ?? path.join(defaultFolder(), `${topic}.jsonl`)),
      filters: { 'JSON Lines': ['jsonl'], 'All files': ['*'] },
      saveLabel: 'Export',
    });
    if (!uri) throw new CancelledError();
    const file = uri.fsPath;
    remembered.file = file;
    const name = path.basename(file);
    const result = await withCancellableProgress(`Exporting ${topic} to ${name}`, (signal, report) =>
      run(
        () =>
          exportMessages(service, { topic, ...range }, file, {
            overwrite: true, // the save dialog asked
            signal,
            onProgress: (written, planned) =>
              report(
                `${written.toLocaleString('en-US')}${planned !== undefined ? ` of ${planned.toLocaleString('en-US')}` : ''} messages written`,
              ),
          }),
        file,
      ),
    );
    const done = result.cancelled
      ? `Export of ${topic} cancelled: ${name} holds the first ${result.messages.toLocaleString('en-US')} messages, each line whole.`
      : `Exported ${result.messages.toLocaleString('en-US')} messages of ${topic} to ${name}.`;
    deps.logger.info(`${done} (${target.cluster.name}, ${file})`);
    void vscode.window.showInformationMessage(done, 'Open File').then((choice) => {
      if (choice === 'Open File') void vscode.commands.executeCommand('vscode.open', uri);
    });
    return { file, ...result };
  };
}

function request(args: ExportArgs): StreamRequest {
  return { topic: args.topic, partitions: args.partitions, from: args.from, to: args.to, limit: args.limit };
}

/** An export that failed says how much of it the file holds. */
async function run(task: () => Promise<ExportResult>, file: string): Promise<ExportResult> {
  try {
    return await task();
  } catch (err) {
    if (!(err instanceof ExportFailure)) throw fileError(err, file);
    const cause = err.cause;
    const held = `${path.basename(file)} holds the ${err.written.toLocaleString('en-US')} messages written before, each line whole.`;
    if (cause instanceof HDInsightError) throw new HDInsightError(cause.code, `${cause.message} ${held}`, cause.action, { cause });
    throw new HDInsightError('Remote', `Exporting failed: ${userMessage(cause)} ${held}`, undefined, { cause });
  }
}

function fileError(err: unknown, file: string): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'EEXIST') return new InvalidInputError(`${file} already exists.`, 'Choose another file, or pass "overwrite": true.');
  if (code === 'ENOENT') return new InvalidInputError(`The folder of ${file} does not exist.`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') return new InvalidInputError(`${file} cannot be written (${code}).`);
  return err;
}

function defaultFolder(): string {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath ?? os.homedir();
}

async function pickTopic(topics: { name: string; messages: number; partitions: number }[]): Promise<string> {
  if (topics.length === 0) throw new HDInsightError('NotFound', 'The cluster has no topic to export.');
  const picked = await vscode.window.showQuickPick(
    topics.map((t) => ({ label: t.name, description: `${t.messages.toLocaleString('en-US')} messages · ${t.partitions} partitions` })),
    { title: 'Export messages of which topic?', ignoreFocusOut: true },
  );
  if (!picked) throw new CancelledError();
  return picked.label;
}

type Range = Pick<StreamRequest, 'from' | 'to' | 'limit'>;

/** What to export, asked with a quick pick and, for a count, a time or an offset, an input box that keeps what was typed. */
async function askRange(topic: string, remembered: { choice?: string; count?: string; time?: string; offset?: string }): Promise<Range> {
  const choices = [
    { label: 'All messages', description: 'every partition, from its oldest message to its end now', value: 'all' },
    { label: 'The newest messages…', description: 'a number of them, shared among the partitions', value: 'newest' },
    { label: 'Since a time…', description: 'to the end now', value: 'time' },
    { label: 'From an offset…', description: 'in every partition, to the end now', value: 'offset' },
  ];
  const picked = await vscode.window.showQuickPick(
    choices.map((c) => ({ ...c, picked: c.value === remembered.choice })),
    { title: `Export ${topic}: which messages?`, ignoreFocusOut: true },
  );
  if (!picked) throw new CancelledError();
  remembered.choice = picked.value;
  const ask = async (prompt: string, value: string | undefined, check: (v: string) => unknown): Promise<string> => {
    const entered = await vscode.window.showInputBox({
      title: `Export ${topic}`,
      prompt,
      value,
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          check(v);
          return undefined;
        } catch (err) {
          return userMessage(err);
        }
      },
    });
    if (entered === undefined) throw new CancelledError();
    return entered;
  };
  switch (picked.value) {
    case 'newest': {
      remembered.count = await ask('How many of the newest messages?', remembered.count ?? '1000', checkCount);
      return { from: 'newest', to: 'end', limit: checkCount(remembered.count) };
    }
    case 'time': {
      const example = new Date(Date.now() - 3_600_000).toISOString();
      remembered.time = await ask(
        'Since when? A date and time (e.g. 2025-01-31T09:00:00Z or 2025-01-31 09:00, local time) or an age (30m, 2h, 7d)',
        remembered.time ?? example,
        parseTime,
      );
      return { from: { timestamp: parseTime(remembered.time) }, to: 'end' };
    }
    case 'offset': {
      remembered.offset = await ask('From which offset (in every partition)?', remembered.offset ?? '0', checkOffset);
      return { from: { offset: checkOffset(remembered.offset) }, to: 'end' };
    }
    default:
      return { from: 'earliest', to: 'end' };
  }
}

function checkCount(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError(`The number of messages must be a whole number of at least 1 (got ${String(value)}).`);
  return n;
}

function checkOffset(value: unknown): number {
  const n = typeof value === 'string' && value.trim() === '' ? NaN : Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidInputError(`The offset must be a whole number of at least 0 (got ${String(value)}).`);
  return n;
}

/** A time as ms since the epoch: an ISO 8601 date and time, or an age such as 30m, 2h or 7d before now. */
export function parseTime(value: string, now = Date.now()): number {
  const age = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/i.exec(value);
  if (age)
    return now - Number(age[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2].toLowerCase() as 's' | 'm' | 'h' | 'd'];
  const ms = /^\s*\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value.trim().replace(' ', 'T')) : NaN;
  if (Number.isNaN(ms))
    throw new InvalidInputError(`"${value}" is not a time: give a date and time such as 2025-01-31T09:00:00Z, or an age such as 2h.`);
  return ms;
}

function checkPositions(value: unknown, name: string): Record<number, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidInputError(`"${name}.offsets" must map partitions to offsets.`);
  const result: Record<number, string> = {};
  for (const [p, o] of Object.entries(value as Record<string, unknown>)) {
    if (!/^\d+$/.test(p) || !(typeof o === 'string' ? /^\d+$/.test(o) : typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
      throw new InvalidInputError(
        `"${name}.offsets" must map partition numbers to offsets of at least 0 (got ${JSON.stringify({ [p]: o })}).`,
      );
    }
    result[Number(p)] = String(o);
  }
  return result;
}

/** A plain object's fields, or nothing for anything else. */
function fields(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function checkStart(from: unknown, count: number | undefined): BrowseFrom {
  if (from === undefined || from === 'earliest') return 'earliest';
  if (from === 'newest') {
    if (count === undefined) throw new InvalidInputError('"from": "newest" needs "limit": how many of the newest messages.');
    return 'newest';
  }
  const f = fields(from);
  if (f && 'offset' in f) return { offset: checkOffset(f.offset) };
  if (f && typeof f.timestamp === 'number' && Number.isFinite(f.timestamp)) return { timestamp: f.timestamp };
  if (f && 'offsets' in f) return { offsets: checkPositions(f.offsets, 'from') };
  throw new InvalidInputError('"from" must be "earliest", "newest", { offset }, { timestamp } or { offsets }.');
}

function checkEnd(to: unknown): StreamTo {
  if (to === undefined || to === 'end') return 'end';
  const f = fields(to);
  if (f && typeof f.timestamp === 'number' && Number.isFinite(f.timestamp)) return { timestamp: f.timestamp };
  if (f && 'offsets' in f) return { offsets: checkPositions(f.offsets, 'to') };
  throw new InvalidInputError('"to" must be "end", { timestamp } or { offsets }.');
}

/** A script's arguments, checked whole before anything is read or written. */
export function checkExportArgs(arg: unknown): ExportArgs {
  const { topic, file, partitions, from, to, limit, overwrite } = arg as Record<string, unknown>;
  const name = validateTopicName(topic);
  if (typeof file !== 'string' || !path.isAbsolute(file))
    throw new InvalidInputError('"file" must be the absolute path of the file to write.');
  if (overwrite !== undefined && typeof overwrite !== 'boolean') throw new InvalidInputError('"overwrite" must be true or false.');
  if (!fs.existsSync(path.dirname(file)) || !fs.statSync(path.dirname(file)).isDirectory()) {
    throw new InvalidInputError(`The folder of ${file} does not exist.`);
  }
  if (!overwrite && fs.existsSync(file))
    throw new InvalidInputError(`${file} already exists.`, 'Choose another file, or pass "overwrite": true.');
  if (
    partitions !== undefined &&
    (!Array.isArray(partitions) || partitions.length === 0 || !partitions.every((p) => Number.isInteger(p) && (p as number) >= 0))
  ) {
    throw new InvalidInputError('"partitions" must be a non-empty list of partition numbers.');
  }
  const count = limit === undefined ? undefined : checkCount(limit);
  const start = checkStart(from, count);
  const end = checkEnd(to);
  return {
    topic: name,
    file,
    partitions: partitions as number[] | undefined,
    from: start,
    to: end,
    limit: count,
    overwrite: overwrite === true,
  };
}
