// JSON.parse without echoing its input. V8's messages quote the text around the fault
// (`Unexpected token 'x', ..."text"... is not valid JSON`), and both the message and the error
// (logged as a cause) would carry a storage key in a Spark conf or a password in a stored secret.
// These helpers say where the text is broken and never what it holds. No vscode import.
import { HDInsightError } from './errors';

/** Where JSON.parse found the text broken, without any of the text: "at position 12", "it ends too early". */
function whereBroken(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  const position = /at position (\d+)/.exec(message);
  if (position) return ` at position ${position[1]}`;
  if (/end of JSON input/i.test(message)) return ': it ends too early';
  return '';
}

/**
 * Parses JSON text that may hold secrets. A syntax error becomes an HDInsightError('InvalidInput')
 * that names `what` and the position, with no cause attached (the cause would quote the text).
 */
export function parseJsonText(text: string, what: string, action?: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HDInsightError('InvalidInput', `${what} is not valid JSON${whereBroken(err)}.`, action);
  }
}

/**
 * A secret read back from VS Code's secret storage, with the shape `check` expects. A damaged
 * entry (not JSON, or not the expected shape) is reported without quoting any of it.
 */
export function parseStoredSecret<T>(text: string, what: string, check: (value: unknown) => value is T, action: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    value = undefined;
  }
  if (value === undefined || !check(value)) {
    throw new HDInsightError('InvalidSettings', `The stored ${what} is damaged and cannot be read.`, action);
  }
  return value;
}
