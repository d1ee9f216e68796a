// A Livy statement's result as a notebook cell's outputs, in MIME types VS Code shows and Jupyter
// reads back from the .ipynb: text, JSON, Livy's %table results and %%sql tables (as markdown,
// and aligned text), images, errors. Nothing from the cluster is ever given as HTML, and every
// value in a markdown table is escaped so it shows as the text it is. No vscode import.
import type { StatementOutput } from '../livy/LivyClient';
import type { CellOutput, OutputItem, ResultTable } from './types';

export const TEXT = 'text/plain';
export const MARKDOWN = 'text/markdown';
export const JSON_MIME = 'application/json';
export const PNG = 'image/png';
/** Livy's %table result: `{headers: [{name, type}], data: [[…]]}`. */
export const LIVY_TABLE = 'application/vnd.livy.table.v1+json';

/** Longest value a table shows whole; longer ones end in "…". */
export const MAX_CELL_CHARS = 200;

/**
 * A statement's output as cell outputs: text, JSON (with a pretty text form), a %table result as a
 * table, a PNG as it is, an error with its traceback. Other types (HTML among them) are left out.
 */
export function statementOutputs(output: StatementOutput | undefined | null): CellOutput[] {
  if (!output) return [];
  if (output.status === 'error') {
    return [
      { kind: 'error', name: output.ename, message: output.evalue, traceback: Array.isArray(output.traceback) ? output.traceback : [] },
    ];
  }
  const data = output.data ?? {};
  const plain = data[TEXT];
  const text = typeof plain === 'string' ? plain : undefined;
  const outputs: CellOutput[] = [];
  const table = livyTable(data[LIVY_TABLE]);
  if (table) outputs.push(tableOutput(table));
  if (JSON_MIME in data) {
    outputs.push({
      kind: 'data',
      items: [
        { mime: JSON_MIME, data: data[JSON_MIME] },
        { mime: TEXT, data: text ?? JSON.stringify(data[JSON_MIME], null, 2) ?? String(data[JSON_MIME]) },
      ],
    });
  } else if (typeof data[PNG] === 'string') {
    outputs.push({ kind: 'data', items: [{ mime: PNG, data: data[PNG] }, ...(text ? [{ mime: TEXT, data: text }] : [])] });
  } else if (text && !table) {
    outputs.push({ kind: 'data', items: [{ mime: TEXT, data: text }] });
  }
  return outputs;
}

/** Livy's %table value as a table; undefined when it is not one. */
export function livyTable(value: unknown): ResultTable | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { headers, data } = value as { headers?: unknown; data?: unknown };
  if (!Array.isArray(headers) || !Array.isArray(data)) return undefined;
  const columns = headers.map((h: unknown, i) =>
    typeof h === 'object' && h !== null && typeof (h as { name?: unknown }).name === 'string' ? (h as { name: string }).name : String(i),
  );
  return { columns, rows: (data as unknown[]).map((row): unknown[] => (Array.isArray(row) ? (row as unknown[]) : [row])) };
}

/**
 * A table as two representations of one output: markdown (a GitHub table with every value
 * escaped) and aligned text like Spark's show(). Never HTML.
 */
export function tableOutput(table: ResultTable): CellOutput {
  // No JSON item: VS Code shows application/json before text/markdown, and the table would show as JSON.
  const items: OutputItem[] = [
    { mime: MARKDOWN, data: tableMarkdown(table) },
    { mime: TEXT, data: tablePlain(table) },
  ];
  return { kind: 'data', items };
}

/** "2 rows", or that only the first rows are shown. */
export function rowCountLine(table: ResultTable): string {
  const n = table.rows.length;
  const rows = `${n} ${n === 1 ? 'row' : 'rows'}`;
  return table.truncated ? `Showing the first ${rows}: the result has more (%%sql -n sets how many are shown, -n -1 all).` : `${rows}.`;
}

export function tableMarkdown(table: ResultTable): string {
  if (!table.columns.length) return escapeMarkdown(table.rows.length ? rowCountLine(table) : 'No columns.');
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const lines = [
    line(table.columns.map((c) => escapeMarkdown(shorten(c)) || ' ')),
    line(table.columns.map(() => '---')),
    ...table.rows.map((row) => line(table.columns.map((_, i) => escapeMarkdown(shorten(cellText(row[i])))))),
  ];
  return `${lines.join('\n')}\n\n${escapeMarkdown(rowCountLine(table))}`;
}

/**
 * Text that markdown shows as it is: every ASCII punctuation character is backslash-escaped
 * (CommonMark lets any of them be), except `<`, `>` and `&`, which become entities, so no value
 * can make HTML, emphasis, code, a link, math or a new table cell; line breaks become spaces.
 */
export function escapeMarkdown(text: string): string {
  return [...text]
    .map((c) => (c < ' ' || c === '\u007f' || c === '\u2028' || c === '\u2029' ? (/[\r\n\t]/.test(c) ? ' ' : '') : c))
    .join('')
    .replace(/[!-/:-@[-`{-~]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

/** Aligned columns between +---+ rules, right-aligned, like Spark's Dataset.show(). */
export function tablePlain(table: ResultTable): string {
  if (!table.columns.length) return table.rows.length ? rowCountLine(table) : 'No columns.';
  const flat = (s: string): string => s.replace(/[\r\n\t]+/g, ' ');
  const header = table.columns.map((c) => shorten(flat(c)));
  const body = table.rows.map((row) => table.columns.map((_, i) => shorten(flat(cellText(row[i])))));
  const widths = header.map((h, i) => Math.max(3, [...h].length, ...body.map((r) => [...r[i]].length)));
  const pad = (s: string, w: number): string => ' '.repeat(w - [...s].length) + s;
  const rule = `+${widths.map((w) => '-'.repeat(w)).join('+')}+`;
  const line = (cells: string[]): string => `|${cells.map((c, i) => pad(c, widths[i])).join('|')}|`;
  return [rule, line(header), rule, ...body.map(line), rule, rowCountLine(table)].join('\n');
}

/** A value as Spark's show() writes it: null as "null", structs and arrays as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

function shorten(text: string): string {
  const chars = [...text];
  return chars.length > MAX_CELL_CHARS ? `${chars.slice(0, MAX_CELL_CHARS - 1).join('')}…` : text;
}
