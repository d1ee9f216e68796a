// The progress of the streaming queries running in an interactive session, asked of the session
// itself: a short statement that prints every active query's `lastProgress` as one JSON array. The
// monitor takes it when the driver's log holds no progress reports (a notebook's
// `sc.setLogLevel("WARN")`, a log4j configuration that keeps streaming's INFO lines out), the way
// a notebook user would look at `query.lastProgress`.
import type { LivyClient, SessionKind } from './LivyClient';
import { mapProgress, parsePythonJson, type QueryProgress } from './queryProgress';

/** The statement for a session of `kind`; it defines nothing in the user's namespace. */
export function lastProgressStatement(kind: SessionKind): string | undefined {
  switch (kind) {
    case 'pyspark':
      return 'print(__import__("json").dumps([q.lastProgress for q in spark.streams.active]))';
    case 'spark':
      // StreamingQueryProgress.json leaves out NaN rates; a query without a batch yet gives null.
      return 'println(spark.streams.active.map(q => Option(q.lastProgress).map(_.json).getOrElse("null")).mkString("[", ",", "]"))';
    default:
      return undefined;
  }
}

/**
 * The statement's printed output: how many queries are active, the progress reports of those that
 * have one (a query without a batch yet has none), and every other line it printed: in a session,
 * what the running queries print between statements (a Scala console sink, Python's prints in a
 * foreachBatch) lands in the next statement's output, here this one's. Undefined when the output
 * holds no such array. Never throws.
 */
export function parseLastProgress(text: string): { active: number; reports: QueryProgress[]; other: string[] } | undefined {
  const lines = text.replace(/\n$/, '').split('\n');
  let at = -1;
  let parsed: unknown;
  for (let i = lines.length - 1; i >= 0 && at < 0; i--) {
    if (!lines[i].trim().startsWith('[')) continue;
    try {
      parsed = parsePythonJson(lines[i].trim());
      if (Array.isArray(parsed)) at = i;
    } catch {
      // another line that starts with '[': the queries' output, not the answer
    }
  }
  if (at < 0 || !Array.isArray(parsed)) return undefined;
  return {
    active: parsed.length,
    reports: parsed.map(mapProgress).filter((p) => p !== undefined),
    other: [...lines.slice(0, at), ...lines.slice(at + 1)],
  };
}

/** Runs the statement in the session and waits for its output (bounded by `signal`). */
export async function readLastProgress(
  livy: Pick<LivyClient, 'runStatement' | 'getStatement'>,
  sessionId: number,
  kind: SessionKind,
  signal: AbortSignal,
  pollMs = 500,
): Promise<{ active: number; reports: QueryProgress[]; other: string[] } | undefined> {
  const code = lastProgressStatement(kind);
  if (code === undefined) return undefined;
  let statement = await livy.runStatement(sessionId, code, kind, signal);
  while (statement.state === 'waiting' || statement.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    signal.throwIfAborted();
    statement = await livy.getStatement(sessionId, statement.id, signal);
  }
  const output = statement.output;
  if (statement.state !== 'available' || output?.status !== 'ok') return undefined;
  const text = output.data?.['text/plain'];
  return typeof text === 'string' ? parseLastProgress(text) : undefined;
}
