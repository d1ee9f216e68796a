// The lines of a job's log as the job output shows them: each says where it came from (Livy's
// log, which on a YARN cluster holds the spark-submit launcher's lines and YARN's diagnostics, or
// the driver container's stdout and stderr read from YARN), its log4j level, and whether it
// continues the entry above it (a stack trace under its log4j line, the pretty-printed JSON of
// "Streaming query made progress: {…}"), so that the panel colours and filters the whole entry as
// one. No vscode import.
import type { DriverStream } from './driverLog';
import type { LogStream } from './logFollower';

/** Livy's streams ('stdout', 'stderr', 'yarn') and the driver container's. */
export type JobLogStream = LogStream | DriverStream;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * A line; a mark where Livy's buffer overflowed and lines of that stream were lost; or a notice
 * from the extension (the driver's log could not be read this time, or is not available at all).
 * `continued`: the line belongs to the entry above it on the same stream, whose `level` it carries.
 */
export type JobLogEntry =
  | { stream: JobLogStream; text: string; level?: LogLevel; continued?: true }
  | { stream: JobLogStream; gap: true }
  | { stream: 'notice'; text: string };

/**
 * A log4j line as Spark writes it (`%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m`), or with a full date
 * and milliseconds, a thread in brackets: a timestamp, then its level.
 */
const LOG4J =
  /^\d{2,4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d+)?\s+(?:\[[^\]]*\]\s+)?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b/;
/**
 * What goes on under a log4j line: indented lines (a stack trace's `at …`, pretty-printed JSON),
 * closing brackets, `Caused by:`, `... 12 more`, and an exception's class name with its message.
 */
const LOG4J_CONTINUATION = /^(?:\s|[}\])]|Caused by: |Suppressed: |\.\.\. \d+ more)|^[A-Za-z_$][\w$]*(?:\.[\w$]+)+(?:: |$)/;
const TRACEBACK = /^Traceback \(most recent call last\):/;

/** A line's own level: the first log4j level word in it; Python's traceback lines are errors. */
export function levelOf(text: string): LogLevel | undefined {
  if (/^(Traceback|\s+File "|\w+(Error|Exception)\b)/.test(text)) return 'error';
  const m = /\b(ERROR|FATAL|SEVERE|WARN(?:ING)?|INFO|DEBUG|TRACE)\b/.exec(text);
  if (!m) return undefined;
  const l = m[1];
  return l === 'ERROR' || l === 'FATAL' || l === 'SEVERE' ? 'error' : l.startsWith('WARN') ? 'warn' : l === 'INFO' ? 'info' : 'debug';
}

/** An entry still open on a stream: further lines may continue it. */
interface Open {
  kind: 'log4j' | 'traceback';
  level: LogLevel | undefined;
}

/**
 * Marks each stream's lines with their level and whether they continue the entry above them.
 * Streams are kept apart (a stream's entry goes on across polls, and across another stream's
 * lines in between); a gap closes its stream's entry.
 */
export class LineGrouper {
  private readonly open = new Map<JobLogStream, Open>();

  line(stream: JobLogStream, text: string): JobLogEntry {
    const open = this.open.get(stream);
    const start = LOG4J.exec(text);
    if (!start && open) {
      if (open.kind === 'log4j' && LOG4J_CONTINUATION.test(text)) return continued(stream, text, open.level);
      if (open.kind === 'traceback') {
        // Indented frames, then the exception's own line, which ends the traceback.
        if (!/^\s/.test(text)) this.open.delete(stream);
        return continued(stream, text, open.level);
      }
    }
    const level = levelOf(text);
    if (start) this.open.set(stream, { kind: 'log4j', level });
    else if (TRACEBACK.test(text)) this.open.set(stream, { kind: 'traceback', level });
    else this.open.delete(stream);
    return level ? { stream, text, level } : { stream, text };
  }

  gap(stream: JobLogStream): JobLogEntry {
    this.open.delete(stream);
    return { stream, gap: true };
  }
}

function continued(stream: JobLogStream, text: string, level: LogLevel | undefined): JobLogEntry {
  return level ? { stream, text, level, continued: true } : { stream, text, continued: true };
}

/**
 * A line of the job's log as `hdinsight.getJob` gives it, with where it came from: Livy's log
 * ('stdout', 'stderr': on a YARN cluster the launcher's lines; 'yarn': YARN's diagnostics), the
 * driver's 'driverStdout' and 'driverStderr', or a 'notice' of the extension. `continued`: it
 * belongs to the entry above it on the same source (a stack trace, pretty-printed JSON), whose
 * level it carries. `gap`: Livy's buffer overflowed and lines of that source are missing here.
 */
export interface JobLine {
  source: JobLogStream | 'notice';
  text: string;
  level?: LogLevel;
  continued?: true;
  gap?: true;
}

export function jobLine(e: JobLogEntry): JobLine {
  if ('gap' in e) return { source: e.stream, text: `[lines of ${e.stream} missing: Livy's log buffer overflowed]`, gap: true };
  if (e.stream === 'notice') return { source: 'notice', text: e.text };
  return { source: e.stream, text: e.text, ...(e.level && { level: e.level }), ...(e.continued && { continued: e.continued }) };
}
