// Following a Livy session's or batch's log incrementally.
//
// Livy answers GET .../log?from&size with a window of one buffer: ["stdout: ", ...stdout,
// "\nstderr: ", ...stderr] (plus "\nYARN Diagnostics: ", ... on YARN). stdout and stderr are each
// a ring buffer (livy.cache-log.size, 200 lines by default): once full, old lines fall out and
// every later line's position shifts, while `total` stops growing. So positions are only hints:
// each read starts one line early, at the last line already held, and checks it is still there.
// When it is not, the buffer has turned over; the follower reads the whole (bounded) buffer once,
// finds where its last lines went, and takes what follows. If they are gone too, lines were lost,
// and the follower says so with a gap entry instead of pretending the log is whole.
// YARN's diagnostics are different: Livy replaces them with the application report's latest text,
// so only the lines not shown before are taken from them, and they never make a gap.
import type { LivyClient, LivyLogPage, LivyResource } from './LivyClient';

export type LogStream = 'stdout' | 'stderr' | 'yarn';

export type LogEntry = { stream: LogStream; text: string } | { stream: LogStream; gap: true };

const MARKERS: Record<string, LogStream> = { 'stdout: ': 'stdout', '\nstderr: ': 'stderr', '\nYARN Diagnostics: ': 'yarn' };
/** Lines asked for per request. */
const PAGE = 500;
/** How many distinct lines of YARN's diagnostics are remembered as shown. */
const DIAGNOSTICS_REMEMBERED = 1_000;
/** How many of its last lines a stream remembers to find its place after the buffer turned over. */
const ANCHOR = 20;

interface StreamState {
  /** Lines of this stream taken so far, as positions in Livy's buffer would count them if it never dropped any. */
  seen: number;
  /** The last lines taken, oldest first (at most ANCHOR). */
  recent: string[];
}

export interface FollowerStats {
  requests: number;
  /** Lines received, including the one-line overlaps and whole-buffer reads. */
  linesReceived: number;
  bytesReceived: number;
  /** Times the buffer had turned over between two reads. */
  resyncs: number;
}

export class LogFollower {
  private readonly streams: Record<LogStream, StreamState> = {
    stdout: { seen: 0, recent: [] },
    stderr: { seen: 0, recent: [] },
    yarn: { seen: 0, recent: [] },
  };
  /** The diagnostics lines shown so far (see takeDiagnostics). */
  private diagnosticsShown = new Set<string>();
  readonly stats: FollowerStats = { requests: 0, linesReceived: 0, bytesReceived: 0, resyncs: 0 };

  constructor(
    private readonly livy: LivyClient,
    private readonly resource: LivyResource,
    private readonly id: number,
  ) {}

  /** Marks what the log holds now as already seen (a statement's output starts after it). */
  async skipExisting(signal?: AbortSignal): Promise<void> {
    const whole = await this.read(0, -1, signal);
    for (const [stream, lines] of Object.entries(split(whole.log)) as [LogStream, string[]][]) this.take(stream, lines);
  }

  /** New log entries since the last call, in order per stream (stdout, then stderr, then YARN). */
  async poll(signal?: AbortSignal): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    // stdout starts right after its marker at position 0; re-read the last line held.
    const out = this.streams.stdout;
    let from = Math.max(1, out.seen);
    let page = await this.read(from, PAGE, signal);
    if (out.seen > 0 && !this.continues('stdout', page.log[0])) return this.resync(signal);
    for (;;) {
      const offset = out.seen > 0 ? 1 : 0;
      const end = page.log.findIndex((line, i) => i >= offset && line in MARKERS);
      const fresh = page.log.slice(offset, end < 0 ? undefined : end);
      entries.push(...this.take('stdout', fresh));
      if (end >= 0) {
        // The rest of the window belongs to the later streams.
        const more = await this.followLater(page, end, signal);
        if (more === 'resync') return [...entries, ...(await this.resync(signal))];
        return [...entries, ...more];
      }
      if (page.log.length < PAGE || from + page.log.length >= page.total) return entries; // no marker: a log without sections
      from = Math.max(1, out.seen);
      page = await this.read(from, PAGE, signal);
      if (!this.continues('stdout', page.log[0])) return [...entries, ...(await this.resync(signal))];
    }
  }

  /** stderr (and YARN) from a window whose line `markerAt` is the stderr marker. */
  private async followLater(page: LivyLogPage, markerAt: number, signal?: AbortSignal): Promise<LogEntry[] | 'resync'> {
    const entries: LogEntry[] = [];
    let window = page.log.slice(markerAt);
    let windowStart = page.from + markerAt; // position of window[0] in Livy's buffer
    let total = page.total;
    for (let reads = 0; reads < 8;) {
      const stream = MARKERS[window[0]];
      if (!stream) return entries;
      const state = this.streams[stream];
      const next = window.findIndex((line, i) => i > 0 && line in MARKERS);
      const lines = window.slice(1, next < 0 ? undefined : next);
      const complete = next >= 0 || windowStart + window.length >= total;
      if (complete && stream === 'yarn') {
        entries.push(...this.takeDiagnostics(lines));
        if (next < 0) return entries;
        window = window.slice(next);
        windowStart += next;
        continue;
      }
      if (complete) {
        if (lines.length < state.seen || (state.seen > 0 && lines[state.seen - 1] !== state.recent.at(-1))) return 'resync';
        entries.push(...this.take(stream, lines.slice(state.seen)));
        if (next < 0) return entries;
        window = window.slice(next);
        windowStart += next;
        continue;
      }
      // The window ends inside this stream: read on from its last line held.
      const from = windowStart + 1 + Math.max(0, state.seen - 1);
      const read = await this.read(from, PAGE, signal);
      reads++;
      if (state.seen > 0 && !this.continues(stream, read.log[0])) return 'resync';
      const skip = state.seen > 0 ? 1 : 0;
      const stop = read.log.findIndex((line, i) => i >= skip && line in MARKERS);
      entries.push(...this.take(stream, read.log.slice(skip, stop < 0 ? undefined : stop)));
      if (stop < 0 && read.log.length < PAGE) return entries;
      if (stop >= 0) {
        window = read.log.slice(stop);
        windowStart = read.from + stop;
        total = read.total;
      } else {
        // A full page of this stream: the stream starts where it did; read on from its new last line.
        window = [window[0]];
        total = Number.MAX_SAFE_INTEGER;
      }
    }
    return entries;
  }

  /** The buffer turned over: read all of it once and find each stream's place by its last lines. */
  private async resync(signal?: AbortSignal): Promise<LogEntry[]> {
    this.stats.resyncs++;
    const whole = await this.read(0, -1, signal);
    const entries: LogEntry[] = [];
    for (const [stream, lines] of Object.entries(split(whole.log)) as [LogStream, string[]][]) {
      if (stream === 'yarn') {
        entries.push(...this.takeDiagnostics(lines));
        continue;
      }
      const state = this.streams[stream];
      const after = placeAfter(state.recent, lines);
      if (after === undefined) {
        entries.push({ stream, gap: true });
        entries.push(...this.take(stream, lines));
      } else {
        entries.push(...this.take(stream, lines.slice(after)));
      }
    }
    return entries;
  }

  /**
   * YARN's diagnostics are the application report's latest text, replaced as a whole each time
   * Livy refreshes it (SparkYarnApp), not a buffer that grows: the lines not shown before, and
   * never a gap for lines that were replaced rather than lost.
   */
  private takeDiagnostics(lines: string[]): LogEntry[] {
    const state = this.streams.yarn;
    const fresh = lines.filter((line) => !this.diagnosticsShown.has(line));
    for (const line of fresh) this.diagnosticsShown.add(line);
    if (this.diagnosticsShown.size > DIAGNOSTICS_REMEMBERED) {
      this.diagnosticsShown = new Set([...this.diagnosticsShown].slice(-DIAGNOSTICS_REMEMBERED));
    }
    state.seen = lines.length;
    state.recent = lines.slice(-ANCHOR);
    return fresh.map((text) => ({ stream: 'yarn', text }));
  }

  private continues(stream: LogStream, first: string | undefined): boolean {
    return first === this.streams[stream].recent.at(-1);
  }

  private take(stream: LogStream, lines: string[]): LogEntry[] {
    const state = this.streams[stream];
    state.seen += lines.length;
    state.recent = [...state.recent, ...lines].slice(-ANCHOR);
    return lines.map((text) => ({ stream, text }));
  }

  private async read(from: number, size: number, signal?: AbortSignal): Promise<LivyLogPage> {
    const page = await this.livy.getLog(this.resource, this.id, from, size, signal);
    this.stats.requests++;
    this.stats.linesReceived += page.log.length;
    this.stats.bytesReceived += page.log.reduce((sum, line) => sum + Buffer.byteLength(line) + 3, 0);
    return page;
  }
}

/** The buffer's lines per stream (a buffer without markers is all stdout). */
export function split(log: string[]): Partial<Record<LogStream, string[]>> {
  const result: Partial<Record<LogStream, string[]>> = {};
  let current: LogStream = 'stdout';
  for (const line of log) {
    const marker = MARKERS[line];
    if (marker) {
      current = marker;
      result[current] ??= [];
    } else {
      (result[current] ??= []).push(line);
    }
  }
  return result;
}

/**
 * Where the lines after `recent` start in `lines` (a buffer read whole): after the latest place
 * where all of `recent` appears, or else after the longest run at the buffer's start that ends
 * `recent` (the buffer dropped the older ones). Undefined when none of them is left.
 */
function placeAfter(recent: string[], lines: string[]): number | undefined {
  if (recent.length === 0) return 0;
  const endsRecentAt = (i: number, length: number): boolean => {
    for (let k = 1; k <= length; k++) if (lines[i - k] !== recent[recent.length - k]) return false;
    return true;
  };
  for (let i = lines.length; i >= recent.length; i--) if (endsRecentAt(i, recent.length)) return i;
  for (let i = Math.min(recent.length - 1, lines.length); i >= 1; i--) if (endsRecentAt(i, i)) return i;
  return undefined;
}
