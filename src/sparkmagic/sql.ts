// %%sql in the session: the statement that runs the query and prints its rows as JSON lines, as
// sparkmagic's SQLQuery does (sparkmagic/livyclientlib/sqlquery.py, `_pyspark_command` and
// `_scala_command`), and the table read back from the statement's output. No vscode import.
//
// Unlike sparkmagic, the statement also prints the result's schema first (so the columns are right
// even with no rows, or with null values, which Spark's toJSON leaves out) and a last line that
// says whether rows were left out; the query travels base64-encoded, so no quote, backslash or
// `"""` in it can end the string it is in.
import { HDInsightError } from '../core/errors';
import type { StatementOutput } from '../livy/LivyClient';
import type { NotebookLanguage, ResultTable, SqlOptions } from './types';

/** sparkmagic's name for its loop variable (constants.LONG_RANDOM_VARIABLE_NAME): never a user's. */
const VAR = 'yQeKOYBsFgLWWGWZJu3y';
const SCHEMA_LINE = `${VAR} schema `;
const END_LINE = `${VAR} end`;
const MORE_LINE = `${VAR} more`;
/** Above this, `take(n + 1)` would overflow Scala's Int: all rows are collected instead. */
const MAX_TAKE = 2_147_483_646;

/** The statement that runs a %%sql cell's query in the session, and the kind it runs as. */
export function sqlStatement(sql: SqlOptions, language: NotebookLanguage): { code: string; kind: 'spark' | 'pyspark' } {
  const encoded = Buffer.from(sql.query, 'utf8').toString('base64');
  const all = sql.maxrows < 0 || sql.maxrows > MAX_TAKE;
  const n = sql.maxrows;
  if (language === 'python') {
    const frame = `spark.sql(__import__("base64").b64decode("${encoded}").decode("utf-8"))`;
    let rows = `${VAR}.toJSON()`;
    if (sql.samplemethod === 'sample') rows += `.sample(False, ${pyFloat(sql.samplefraction)})`;
    rows += all ? '.collect()' : `.take(${n + 1})`;
    const code = [
      `${VAR} = ${frame}`,
      ...(sql.output ? [`${sql.output} = ${VAR}`] : []),
      `print("${SCHEMA_LINE}" + ${VAR}.schema.json())`,
      `${VAR} = ${rows}`,
      all ? `print("\\n".join(${VAR}))` : `print("\\n".join(${VAR}[:${n}]))`,
      all ? `print("${END_LINE}")` : `print("${MORE_LINE}" if len(${VAR}) > ${n} else "${END_LINE}")`,
      `del ${VAR}`,
    ];
    return { code: code.join('\n'), kind: 'pyspark' };
  }
  // Scala: a REPL line per definition. The `val` of -o is a line of its own, so running the cell
  // again defines it anew; the rest is one block of type Unit, which the REPL does not echo.
  const frame = `spark.sql(new String(java.util.Base64.getDecoder.decode("${encoded}"), "UTF-8"))`;
  let rows = `${VAR}.toJSON`;
  if (sql.samplemethod === 'sample') rows += `.sample(false, ${pyFloat(sql.samplefraction)})`;
  rows += all ? '.collect' : `.take(${n + 1})`;
  const block = [
    `val ${VAR} = ${sql.output ?? frame}`,
    `println("${SCHEMA_LINE}" + ${VAR}.schema.json)`,
    `val ${VAR}_rows = ${rows}`,
    all ? `${VAR}_rows.foreach(println)` : `${VAR}_rows.take(${n}).foreach(println)`,
    all ? `println("${END_LINE}")` : `println(if (${VAR}_rows.length > ${n}) "${MORE_LINE}" else "${END_LINE}")`,
  ];
  const code = [...(sql.output ? [`val ${sql.output} = ${frame}`] : []), `locally { ${block.join('; ')} }`];
  return { code: code.join('\n'), kind: 'spark' };
}

/** A fraction as a literal both Python and Scala read as a floating-point number. */
function pyFloat(x: number): string {
  const text = String(x);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/**
 * The table a %%sql statement printed. A failed statement (Spark's AnalysisException for a missing
 * table, a parse error, …) throws HDInsightError('Remote') with Spark's message; to show the error
 * with its traceback in the cell, give the same output to `statementOutputs`.
 */
export function parseSqlResult(output: StatementOutput): ResultTable {
  if (output.status === 'error') {
    // Livy's Scala interpreter names every error "Error" and puts the exception in evalue.
    const message = output.ename && output.ename !== 'Error' ? `${output.ename}: ${output.evalue}` : output.evalue;
    throw new HDInsightError('Remote', `The query failed in Spark: ${message.trim()}`, 'Correct the query and run the cell again.');
  }
  const text = output.data['text/plain'];
  const lines = typeof text === 'string' ? text.split(/\r?\n/) : [];
  // The last schema line: anything the REPL echoed before it (the -o variable's definition) is not ours.
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].startsWith(SCHEMA_LINE)) {
      start = i;
      break;
    }
  }
  if (start < 0) {
    const shown = typeof text === 'string' && text.trim() ? `: ${text.trim().slice(0, 300)}` : '.';
    throw new HDInsightError(
      'Remote',
      `The %%sql statement did not print its result${shown}`,
      'Run the cell again; if it keeps failing, run %%logs to see the session’s log.',
    );
  }
  let columns: string[];
  try {
    const schema = JSON.parse(lines[start].slice(SCHEMA_LINE.length)) as { fields?: { name: string }[] };
    columns = (schema.fields ?? []).map((f) => f.name);
  } catch (err) {
    throw new HDInsightError('Remote', `The %%sql statement printed a schema that is not JSON: ${(err as Error).message}`);
  }
  const rows: unknown[][] = [];
  let truncated: boolean | undefined;
  for (const line of lines.slice(start + 1)) {
    if (line === END_LINE || line === MORE_LINE) {
      truncated = line === MORE_LINE;
      break;
    }
    if (!line.trim()) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A line the session printed in between (a warning): not a row.
      continue;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) continue;
    // Spark's toJSON leaves null values out.
    rows.push(columns.map((c) => (Object.hasOwn(record, c) ? record[c] : null)));
  }
  return truncated === undefined ? { columns, rows } : { columns, rows, truncated };
}
