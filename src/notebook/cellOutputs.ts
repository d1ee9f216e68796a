// What one running cell shows, in order: the driver's output as it comes (a streaming query's
// console sink), notes from the kernel (lost lines, a driver log that cannot be read), the
// streaming-query monitor's figures, a status line while the session starts, then the result.
// Kept here as well as in VS Code, so that a re-render never drops the lines appended since.
import * as vscode from 'vscode';
import type { CellOutput } from '../sparkmagic/types';
import type { QueryView } from '../livy/queryMonitor';

/** Lines of the driver's output one cell keeps; what comes after is counted, not shown. */
export const MAX_CELL_LINES = 10_000;

/** A stdout or stderr output the cell appends to; its text is kept to rebuild it whole. */
class AppendedStream {
  readonly text: string[] = [];
  output?: vscode.NotebookCellOutput;
  constructor(readonly item: (text: string) => vscode.NotebookCellOutputItem) {}

  rebuild(): void {
    if (this.output) this.output = new vscode.NotebookCellOutput([this.item(this.text.join(''))]);
  }
}

export class CellOutputs {
  private status?: vscode.NotebookCellOutput;
  private readonly stream = new AppendedStream((text) => vscode.NotebookCellOutputItem.stdout(text));
  private readonly notes = new AppendedStream((text) => vscode.NotebookCellOutputItem.stderr(text));
  private monitor?: vscode.NotebookCellOutput;
  private readonly results: vscode.NotebookCellOutput[] = [];
  private lines = 0;
  private beyond = 0;
  /** Output changes go to VS Code one at a time, in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  private enqueue(change: () => Thenable<void>): Promise<void> {
    this.queue = this.queue.then(change, change);
    return this.queue;
  }

  private render(): Thenable<void> {
    const outputs = [this.stream.output, this.notes.output, this.monitor, this.status, ...this.results].filter(
      (o): o is vscode.NotebookCellOutput => o !== undefined,
    );
    return this.execution.replaceOutput(outputs);
  }

  /** The status line (session starting…); undefined removes it. */
  setStatus(text: string | undefined): Promise<void> {
    return this.enqueue(() => {
      if (text === undefined && !this.status) return Promise.resolve();
      this.status = text === undefined ? undefined : new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(text)]);
      return this.render();
    });
  }

  /** Lines of the driver's output, appended to what the cell shows. */
  appendLines(lines: readonly string[]): Promise<void> {
    const room = Math.max(0, MAX_CELL_LINES - this.lines);
    const shown = lines.slice(0, room);
    const dropped = lines.length - shown.length;
    this.lines += shown.length;
    if (dropped > 0) {
      const first = this.beyond === 0;
      this.beyond += dropped;
      if (first)
        void this.note(
          `The cell shows the first ${MAX_CELL_LINES.toLocaleString('en-US')} lines of the driver's output; later lines are not shown here.`,
        );
    }
    if (shown.length === 0) return this.queue;
    return this.append(this.stream, `${shown.join('\n')}\n`);
  }

  /** A note from the kernel (lines lost, the driver's log not readable), shown as stderr. */
  note(text: string): Promise<void> {
    return this.append(this.notes, `${text}\n`);
  }

  private append(stream: AppendedStream, text: string): Promise<void> {
    return this.enqueue(() => {
      stream.text.push(text);
      if (!stream.output) {
        stream.output = new vscode.NotebookCellOutput([stream.item(text)]);
        return this.render();
      }
      return this.execution.appendOutputItems([stream.item(text)], stream.output);
    });
  }

  /** The streaming-query monitor's figures, replaced as they change. */
  setQueries(queries: readonly QueryView[]): Promise<void> {
    if (queries.length === 0) return this.queue;
    const text = queries.map(queryLine).join('\n');
    return this.enqueue(() => {
      const item = vscode.NotebookCellOutputItem.text(text);
      if (!this.monitor) {
        this.monitor = new vscode.NotebookCellOutput([item], { hdinsight: 'queryMonitor' });
        return this.render();
      }
      return this.execution.replaceOutputItems([item], this.monitor);
    });
  }

  /** The cell's results, after what it streamed. */
  addResults(outputs: readonly CellOutput[]): Promise<void> {
    return this.enqueue(() => {
      this.status = undefined;
      this.results.push(...outputs.map(toVscodeOutput));
      // Rebuilt whole: VS Code's copies of the stream and notes hold what was appended, ours too.
      this.stream.rebuild();
      this.notes.rebuild();
      return this.render();
    });
  }

  /** Waits until every change so far reached VS Code. */
  flushed(): Promise<void> {
    return this.queue;
  }
}

const rate = (n: number | undefined): string => (n === undefined ? '–' : n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** One query as the monitor says it: name, batch, rows, rates, Kafka lag. */
export function queryLine(q: QueryView): string {
  const parts = [
    `Streaming query ${q.name ?? q.id}`,
    `batch ${q.batchId}`,
    `${q.numInputRows} input rows`,
    `${rate(q.inputRowsPerSecond)} rows/s in`,
    `${rate(q.processedRowsPerSecond)} rows/s processed`,
  ];
  const lag = q.sources.map((s) => s.kafka?.totalLag).filter((l): l is number => l !== undefined);
  if (lag.length > 0) parts.push(`Kafka lag ${lag.reduce((a, b) => a + b, 0)}`);
  if (q.stateRows !== undefined) parts.push(`${q.stateRows} state rows`);
  const line = parts.join(' · ');
  return q.fallingBehind && q.fallingBehindReason ? `${line}\n  falling behind: ${q.fallingBehindReason}` : line;
}

/** A kernel output as VS Code's: text types as text, JSON as JSON, images as bytes, errors as errors. */
export function toVscodeOutput(output: CellOutput): vscode.NotebookCellOutput {
  if (output.kind === 'error') {
    const error = new Error(output.message);
    error.name = output.name;
    error.stack = output.traceback.join('\n');
    return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(error)]);
  }
  return new vscode.NotebookCellOutput(
    output.items.map(({ mime, data }) => {
      if (mime.startsWith('image/') && typeof data === 'string')
        return new vscode.NotebookCellOutputItem(Buffer.from(data, 'base64'), mime);
      if (typeof data === 'string' && !mime.endsWith('json')) return vscode.NotebookCellOutputItem.text(data, mime);
      return vscode.NotebookCellOutputItem.json(data, mime);
    }),
  );
}
