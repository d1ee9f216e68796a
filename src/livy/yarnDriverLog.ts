// The Spark driver's stdout and stderr on a YARN cluster, read through the cluster gateway's
// /yarnui/ as HDInsight serves it. The ResourceManager's REST API names the application's state
// and its latest attempt's log link (an internal NodeManager address, mapped to one of the
// gateway's forms); each file is read from a byte offset (`?start=N`) on the NodeManager's page
// while the container runs, and from the history server's aggregated copy after the NodeManager
// hands over (a 307, never followed blindly: its Location is an internal address). A poll either
// succeeds as a whole or changes nothing, so a failed read is simply read again next time.
//
// What it costs: while the container runs, one small JSON listing of the container's files
// (NMWebServices `ws/v1/node/containers/{cid}/logs`, with each file's size) tells whether anything
// is new, and only the new bytes are fetched as plain text (`ws/v1/node/containerlogs/{cid}/{file}
// ?size=-N`, the file's last N bytes, whose header gives the file's length, so where they start is
// known); the ResourceManager's answer (about 3.7 KB) is read every tenth poll while bytes flow,
// every third while the files are quiet, and whenever the listing fails (the container ended). Where the gateway does not serve the NodeManager's REST API, or the file grew
// past what was asked between the two reads, the HTML page by byte offset is read instead.
import { HDInsightError, throwIfAborted } from '../core/errors';
import { type GatewayLogin, type RawResponse, requestRaw, type ServiceEndpoint } from '../core/http';
import { sleep } from '../core/sleep';
import type { DriverLogLine, DriverLogPoll, DriverLogSource, DriverStream } from './driverLog';
import { parseLogPage, unescapeHtml4 } from './yarnLogPage';

/** What the ResourceManager says of the application (GET ws/v1/cluster/apps/{appId}). */
export interface YarnApplication {
  id?: string;
  /** NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, FINISHED, FAILED, KILLED. */
  state: string;
  /** UNDEFINED, SUCCEEDED, FAILED, KILLED. */
  finalStatus: string;
  diagnostics?: string;
  /** DISABLED, NOT_START, RUNNING, RUNNING_WITH_FAILURE, SUCCEEDED, FAILED, TIME_OUT. */
  logAggregationStatus?: string;
  /** The AM container's NodeManager log URL; changes with each attempt's container. */
  amContainerLogs?: string;
}

interface YarnAttempt {
  id: number;
  containerId?: string;
  nodeId?: string;
  logsLink?: string;
}

export const FINAL_YARN_STATES: ReadonlySet<string> = new Set(['FINISHED', 'FAILED', 'KILLED']);
/** Aggregation states after which nothing more reaches the history server. */
const AGGREGATION_ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIME_OUT']);

/** The gateway's two forms of a NodeManager page, as the IntelliJ toolkit probes them. */
export type NodeManagerPathForm = 'withPort' | 'withoutPort';

type LogFile = 'stdout' | 'stderr';

interface StreamState {
  file: LogFile;
  stream: DriverStream;
  /** Bytes of the file consumed so far (the pending partial line's included). */
  offset: number;
  /** The last line read, still without its newline. */
  pending: string;
  /**
   * Where the file is read, relative to the gateway's /yarnui/ and without the file name; unset
   * while the NodeManager's form is still to be found.
   */
  base?: string;
  /** The history server has this file (it moved there, or the attempt's link named it). */
  onHistory: boolean;
  /** The last read (this poll) was a page of the file with nothing new. */
  drained: boolean;
  /** The file's server said it cannot be had any more (aggregation failed or the file is absent). */
  gone: boolean;
  /** Bytes the last read of this file brought (how much to ask beyond the listed size next time). */
  growth: number;
}

interface Attempt {
  id: number;
  containerId: string;
  logsLink: string;
}

interface State {
  app?: YarnApplication;
  attempt?: Attempt;
  /** The app's amContainerLogs when the attempts were last read (they are read again when it changes). */
  attemptsFor?: string;
  streams: [StreamState, StreamState];
  /** Polls since the ResourceManager was last read. */
  sinceApplication: number;
  /** The last poll brought no new bytes. */
  idle: boolean;
}

/** While bytes flow and the container is listed, the ResourceManager is read every this many polls. */
const APPLICATION_EVERY = 10;

export interface YarnDriverLogOptions {
  /** Livy's appInfo.driverLogUrl, when known: on HDInsight it already has the gateway's form. */
  driverLogUrl?: string | null;
  /** Bytes asked for per page (`end` = start + this; default 1 MiB). */
  pageBytes?: number;
  /** Pages read per file and poll at most (default 8): a long backlog is read over several polls. */
  maxPagesPerPoll?: number;
  /** Whether to use the NodeManager's REST API for sizes and new bytes (default true; false reads only the pages). */
  nodeRestApi?: boolean;
  /** Longest Retry-After waited for within a poll (default 30 s), and how many times (default 3). */
  maxRetryAfterMs?: number;
  maxRetries?: number;
}

class ThrottledError extends HDInsightError {
  constructor(what: string) {
    super('Throttled', `The cluster gateway kept answering 429 (too many requests) to ${what}.`, 'It is read again at the next poll.');
    this.name = 'ThrottledError';
  }
}

/** The gateway refused the cluster login (401): the caller asks for it again. */
export class GatewayLoginRefusedError extends HDInsightError {
  constructor(host: string, username?: string) {
    super(
      'Unauthorized',
      username
        ? `The cluster gateway at ${host} refused the cluster login of ${username}.`
        : `The cluster gateway at ${host} wants a login.`,
      'Enter the cluster login again (HDInsight: Enter Cluster Login…).',
    );
    this.name = 'GatewayLoginRefusedError';
  }
}

type PageRead =
  | { kind: 'text'; text: string }
  /** The file moved (its base changed): read again at the same offset. */
  | { kind: 'moved' }
  /** Nothing this time; a notice says why. */
  | { kind: 'wait' };

/** The gateway's YARN UI (`https://CLUSTER.azurehdinsight.net/yarnui/`) with the cluster login, for YarnDriverLog. */
export function yarnUiEndpoint(gateway: URL | string, login?: GatewayLogin, timeoutMs?: number): ServiceEndpoint {
  const base = new URL(gateway);
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/yarnui/`;
  base.search = '';
  return { service: 'YARN', baseUrl: base, login, timeoutMs };
}

/** What a request of the reader was for, for its statistics. */
export type YarnReadKind = 'application' | 'attempts' | 'listing' | 'tail' | 'page' | 'history';

export class YarnDriverLog implements DriverLogSource {
  readonly stats = { requests: 0, bytesReceived: 0, byKind: {} as Partial<Record<YarnReadKind, { requests: number; bytes: number }>> };
  private state: State = {
    streams: [newStream('stdout', 'driverStdout'), newStream('stderr', 'driverStderr')],
    sinceApplication: 0,
    idle: true,
  };
  /** Whether the gateway serves the NodeManager's REST API (unknown until asked; false after a 404 or 403). */
  private nodeRest?: boolean;
  private complete = false;
  /** The NodeManager form that answered (kept for the gateway's life: every node has the same). */
  private form?: NodeManagerPathForm;
  private readonly pageBytes: number;
  private readonly maxPages: number;
  private readonly driverLogPath?: string;

  constructor(
    /** `{gateway}/yarnui/` with the cluster login. */
    private readonly gateway: ServiceEndpoint,
    readonly appId: string,
    private readonly options: YarnDriverLogOptions = {},
  ) {
    this.pageBytes = options.pageBytes ?? 1 << 20;
    this.maxPages = options.maxPagesPerPoll ?? 8;
    if (options.nodeRestApi === false) this.nodeRest = false;
    const known = options.driverLogUrl ? this.gatewayRelative(options.driverLogUrl) : undefined;
    if (known) {
      this.driverLogPath = known;
      // HDInsight's Livy names the page in the gateway's form: no probing for it.
      this.form = /^[^/]+\/port\/\d+\/node\//.test(known) ? 'withPort' : /^[^/]+\/node\//.test(known) ? 'withoutPort' : undefined;
    }
  }

  /** The application as last seen (a final state once seen stays). */
  get application(): YarnApplication | undefined {
    return this.state.app && { ...this.state.app };
  }

  async poll(signal?: AbortSignal): Promise<DriverLogPoll> {
    throwIfAborted(signal);
    if (this.complete) return { lines: [], complete: true };
    // Work on a copy: committed only when every read of this poll succeeded.
    const draft: State = structuredClone(this.state);
    const notices: string[] = [];
    const lines: DriverLogLine[] = [];
    const offsets = draft.streams.map((s) => s.offset).join();
    // The ResourceManager is read unless bytes flow from a container the NodeManager lists.
    const running = draft.app?.state === 'RUNNING' && draft.attempt !== undefined;
    // A quiet container is checked on more often: its application may have ended or moved on.
    const listFirst = running && draft.sinceApplication < (draft.idle ? 3 : APPLICATION_EVERY);
    let listing = listFirst ? await this.readListing(draft, signal) : undefined;
    if (listing) draft.sinceApplication++;
    else {
      // Also when the listing failed: the container may have ended, or a new attempt started.
      lines.push(...(await this.readApplication(draft, notices, signal)));
      draft.sinceApplication = 0;
      // Also while the application is still being accepted: the container's files are listed (or
      // the listing fails) for a fraction of what a page costs.
      if (!listFirst && draft.app && !FINAL_YARN_STATES.has(draft.app.state) && draft.attempt)
        listing = await this.readListing(draft, signal);
    }
    if (draft.attempt) {
      for (const stream of draft.streams) lines.push(...(await this.readStream(draft, stream, listing, notices, signal)));
    }
    draft.idle = draft.streams.map((s) => s.offset).join() === offsets;
    const complete = this.isComplete(draft);
    if (complete) {
      // The last line of a file that does not end in a newline.
      for (const stream of draft.streams) {
        if (stream.pending) lines.push({ stream: stream.stream, text: stream.pending });
        stream.pending = '';
      }
      if (draft.streams.some((s) => s.gone && !s.drained)) {
        notices.push(`YARN's log aggregation ended ${draft.app?.logAggregationStatus ?? ''}: the rest of the driver's log cannot be read.`);
      }
    }
    this.state = draft;
    this.complete = complete;
    const notice = [...new Set(notices)].join(' ') || undefined;
    return { lines: byStream(lines), ...(notice ? { notice } : {}), complete };
  }

  private isComplete(draft: State): boolean {
    const app = draft.app;
    if (!app || !FINAL_YARN_STATES.has(app.state)) return false;
    // Ended before any container ran: there is no log to read.
    if (!draft.attempt) return draft.attemptsFor !== undefined;
    const aggregation = app.logAggregationStatus ?? '';
    // The history server's copy is whole once the ResourceManager says aggregation ended (a
    // ResourceManager that does not say: once both files are read there).
    const aggregated =
      AGGREGATION_ENDED.has(aggregation) || aggregation === 'DISABLED' || (aggregation === '' && draft.streams.every((s) => s.onHistory));
    return aggregated && draft.streams.every((s) => s.drained || s.gone);
  }

  // --- The ResourceManager -------------------------------------------------------------------

  /** Reads the application and its latest attempt; returns the old attempt's unterminated last lines when a new one started. */
  private async readApplication(draft: State, notices: string[], signal?: AbortSignal): Promise<DriverLogLine[]> {
    const old = draft.app;
    const settled = old && FINAL_YARN_STATES.has(old.state) && AGGREGATION_ENDED.has(old.logAggregationStatus ?? '');
    if (!settled) {
      const body = await this.getJson<{ app?: YarnApplication }>(`ws/v1/cluster/apps/${this.appId}`, 'the application', notices, signal);
      if (body?.app) draft.app = merge(old, body.app);
    }
    const app = draft.app;
    if (!app) return [];
    const final = FINAL_YARN_STATES.has(app.state);
    const amLogs = app.amContainerLogs ?? '';
    // Attempts are read again when the AM container changed (a new attempt), or while there is none.
    const stale = !draft.attempt || draft.attemptsFor !== amLogs || (!amLogs && !final);
    if (!stale) return [];
    const body = await this.getJson<{ appAttempts?: { appAttempt?: YarnAttempt[] } | null }>(
      `ws/v1/cluster/apps/${this.appId}/appattempts`,
      "the application's attempts",
      notices,
      signal,
    );
    if (!body) return [];
    const attempts = body.appAttempts?.appAttempt ?? [];
    const latest = attempts.reduce<YarnAttempt | undefined>((a, b) => (!a || b.id > a.id ? b : a), undefined);
    if (!latest || !latest.containerId || !hasHost(latest.logsLink)) {
      // No container yet (or a link without a host, as a cluster gives before one is placed).
      if (final) draft.attemptsFor = amLogs;
      return [];
    }
    draft.attemptsFor = amLogs;
    const current = draft.attempt;
    if (current && current.id === latest.id) {
      current.logsLink = latest.logsLink!;
      return [];
    }
    // What the old attempt left unterminated goes out before the new attempt's lines.
    const carried = draft.streams.filter((s) => s.pending).map((s) => ({ stream: s.stream, text: s.pending }));
    if (current) notices.push(`YARN started attempt ${latest.id} of the application: its driver's log starts anew.`);
    draft.attempt = { id: latest.id, containerId: latest.containerId, logsLink: latest.logsLink! };
    draft.streams = [newStream('stdout', 'driverStdout'), newStream('stderr', 'driverStderr')];
    return carried;
  }

  // --- The log files -------------------------------------------------------------------------

  private async readStream(
    draft: State,
    stream: StreamState,
    listing: Map<string, number> | undefined,
    notices: string[],
    signal?: AbortSignal,
  ): Promise<DriverLogLine[]> {
    const lines: DriverLogLine[] = [];
    stream.drained = false;
    const size = stream.onHistory ? undefined : listing?.get(stream.file);
    if (size !== undefined && size <= stream.offset) {
      // The NodeManager lists the file at the size already read: nothing to fetch.
      stream.drained = true;
      return lines;
    }
    if (size !== undefined && size - stream.offset <= this.pageBytes) {
      const tail = await this.readTail(draft, stream, size, signal);
      if (tail !== undefined) {
        this.take(stream, tail, lines);
        return lines;
      }
    }
    for (let pages = 0, moves = 0; pages < this.maxPages;) {
      const read = await this.readPage(draft, stream, notices, signal);
      if (read.kind === 'wait') break;
      if (read.kind === 'moved') {
        if (++moves > 3)
          throw new HDInsightError('Remote', `YARN kept moving the driver's ${stream.file}.`, 'It is read again at the next poll.');
        continue;
      }
      let text = read.text;
      // A character cut at the file's current end reads as U+FFFD: take it next time, whole.
      const whole = text.replace(/\uFFFD+$/, '');
      if (whole) text = whole;
      if (!text) {
        stream.drained = true;
        break;
      }
      pages++;
      this.take(stream, { text, bytes: Buffer.byteLength(text, 'utf8') }, lines);
      // A short page was the file's end for now.
      if (text.length < this.pageBytes) break;
    }
    return lines;
  }

  /** Moves the stream past `bytes` bytes of the file read as `text`, adding its complete lines. */
  private take(stream: StreamState, read: { text: string; bytes: number }, lines: DriverLogLine[]): void {
    stream.offset += read.bytes;
    stream.growth = read.bytes;
    const parts = (stream.pending + read.text).split('\n');
    stream.pending = parts.pop()!;
    for (const part of parts) lines.push({ stream: stream.stream, text: part.endsWith('\r') ? part.slice(0, -1) : part });
  }

  /** The NodeManager's REST API on the node of the stream's page, relative to /yarnui/; undefined before the page's form is known. */
  private nodeRestBase(draft: State): string | undefined {
    const base = draft.streams.find((s) => s.base && !s.onHistory)?.base ?? this.driverLogPath;
    const at = base?.indexOf('/node/containerlogs/') ?? -1;
    return base && at > 0 && this.nodeRest !== false ? base.slice(0, at) : undefined;
  }

  /**
   * The sizes of the running container's files, from the NodeManager's REST API; undefined when
   * it cannot say (not served through this gateway, the container gone, a failed request): the
   * pages are read then.
   */
  private async readListing(draft: State, signal?: AbortSignal): Promise<Map<string, number> | undefined> {
    const node = this.nodeRestBase(draft);
    const attempt = draft.attempt;
    if (!node || !attempt || draft.streams.some((s) => s.onHistory)) return undefined;
    const response = await this.get(
      `${node}/ws/v1/node/containers/${attempt.containerId}/logs`,
      'application/json',
      'the driver’s log files',
      signal,
    );
    if (response.status !== 200) {
      // A gateway that does not pass the REST API on says so at once; later failures are the container's end.
      if (this.nodeRest === undefined && (response.status === 404 || response.status === 403)) this.nodeRest = false;
      return undefined;
    }
    type Info = { containerLogInfo?: { fileName?: string; fileSize?: string | number }[] | null; logAggregationType?: string };
    let infos: Info[];
    try {
      const body = JSON.parse(response.text) as { containerLogsInfo?: Info | Info[] };
      const listed = body.containerLogsInfo;
      infos = Array.isArray(listed) ? listed : listed ? [listed] : [];
    } catch {
      this.nodeRest = this.nodeRest ?? false;
      return undefined;
    }
    const local = infos.find((i) => (i.logAggregationType ?? 'LOCAL') === 'LOCAL');
    if (!local) return undefined;
    this.nodeRest = true;
    const sizes = new Map<string, number>();
    for (const file of local.containerLogInfo ?? []) {
      const size = Number(file.fileSize);
      if (file.fileName && Number.isSafeInteger(size)) sizes.set(file.fileName, size);
    }
    return sizes;
  }

  /**
   * The file's bytes from the stream's offset on, as plain text from the NodeManager's REST API:
   * its last N bytes, N a little more than the listing said is new, so a file that grew meanwhile
   * is still read from the offset. Undefined when that did not work out (the page is read instead).
   */
  private async readTail(
    draft: State,
    stream: StreamState,
    size: number,
    signal?: AbortSignal,
  ): Promise<{ text: string; bytes: number } | undefined> {
    const node = this.nodeRestBase(draft);
    if (!node) return undefined;
    let known = size;
    // A file that outgrew the ask is asked again once, from the length its answer gave.
    for (let tries = 0; tries < 2; tries++) {
      // Beyond the listed size: about what the file grows by in one round trip (a quarter of a poll's growth).
      const asked = known - stream.offset + Math.min(16_384, Math.max(256, Math.round(stream.growth / 4)));
      const response = await this.get(
        `${node}/ws/v1/node/containerlogs/${draft.attempt!.containerId}/${stream.file}?size=-${asked}`,
        'text/plain',
        `the driver's ${stream.file}`,
        signal,
      );
      if (response.status !== 200) return undefined;
      const body = Buffer.from(response.bytes.buffer, response.bytes.byteOffset, response.bytes.byteLength);
      // The header (LogToolUtils.formatContainerLogHeader) ends with "LogContents:\n"; the file's bytes follow.
      const marker = body.indexOf('LogContents:\n');
      const header = marker < 0 ? '' : body.subarray(0, marker).toString('latin1');
      const length = Number(/^LogLength:(\d+)$/m.exec(header)?.[1]);
      if (marker < 0 || !new RegExp(`^LogType:${stream.file}$`, 'm').test(header) || !Number.isSafeInteger(length)) return undefined;
      if (length < stream.offset) return undefined;
      const first = Math.max(0, length - asked);
      if (first > stream.offset) {
        // The file grew by more than was asked: the bytes right after the offset are not in this answer.
        known = length;
        continue;
      }
      const contents = marker + 'LogContents:\n'.length;
      const fresh = body.subarray(contents + (stream.offset - first), contents + (length - first));
      // A character cut at the file's current end is taken next time, whole.
      const bytes = fresh.length - incompleteTail(fresh);
      return { text: fresh.subarray(0, bytes).toString('utf8'), bytes };
    }
    return undefined;
  }

  /** One page of the file from its offset, finding the NodeManager's form on the way. */
  private async readPage(draft: State, stream: StreamState, notices: string[], signal?: AbortSignal): Promise<PageRead> {
    const query = `?start=${stream.offset}&end=${stream.offset + this.pageBytes}`;
    const candidates = stream.base ? [{ base: stream.base }] : this.bases(draft.attempt!);
    if (candidates.length === 0) {
      notices.push(`YARN's log link for the driver (${draft.attempt!.logsLink}) has no form the gateway serves.`);
      return { kind: 'wait' };
    }
    let response: RawResponse | undefined;
    let chosen: { base: string; form?: NodeManagerPathForm } | undefined;
    for (const candidate of candidates) {
      response = await this.get(`${candidate.base}/${stream.file}${query}`, 'text/html', `the driver's ${stream.file}`, signal);
      chosen = candidate;
      const last = candidate === candidates.at(-1);
      if ((response.status === 404 || response.status === 403) && !last) continue;
      break;
    }
    if (!response || !chosen) return { kind: 'wait' };
    if (response.status < 400) {
      stream.base = chosen.base;
      if (chosen.form) this.form = chosen.form;
      if (chosen.base.startsWith('jobhistory/')) stream.onHistory = true;
    }
    const status = response.status;
    const ended = FINAL_YARN_STATES.has(draft.app?.state ?? '');
    if (status >= 300 && status < 400) {
      // A NodeManager that does not know the application yet (its container is being placed)
      // also hands over to the history server, which has nothing before the end: stay.
      if (!ended) return { kind: 'wait' };
      const location = response.headers.get('location');
      const moved = location ? this.historyBase(location, stream.file) : undefined;
      if (!moved) {
        throw new HDInsightError(
          'Remote',
          `YARN sent the driver's ${stream.file} to ${location ?? 'no address'}, which the cluster gateway does not serve.`,
          'It is read again at the next poll.',
        );
      }
      stream.base = moved;
      stream.onHistory = true;
      return { kind: 'moved' };
    }
    if (status === 403 || status === 404) {
      notices.push(
        status === 403
          ? `YARN refused the driver's ${stream.file} for now (403), as it does while the log moves to the history server; it is read again at the next poll.`
          : `YARN has no driver's ${stream.file} at the moment (404); it is read again at the next poll.`,
      );
      return { kind: 'wait' };
    }
    if (status !== 200) throw this.statusError(response, `the driver's ${stream.file}`);
    const page = parseLogPage(response.text, stream.file);
    // Between the application's end and the 307s, the NodeManager answers 200 with the history
    // server's address instead of the file.
    const handover =
      page.kind === 'log' ? (stream.onHistory ? null : /^\s*Redirecting to log server\s*:\s*(\S+)\s*$/.exec(page.text)) : null;
    if (page.kind === 'log' && !handover) return { kind: 'text', text: page.text };
    const said = page.kind === 'log' ? page.text : `${page.title} ${page.message}`;
    const redirect = handover ?? /Redirecting to log server\s*:\s*(\S+)/.exec(said) ?? /url=([^"'\s>]+)/i.exec(response.text);
    if (/Redirecting to log server/.test(said) && redirect) {
      if (!ended) return { kind: 'wait' };
      const moved = this.historyBase(unescapeHtml4(redirect[1]), stream.file);
      if (moved) {
        stream.base = moved;
        stream.onHistory = true;
        return { kind: 'moved' };
      }
    }
    const aggregation = draft.app?.logAggregationStatus ?? '';
    // Aggregation failed: whatever the history server says instead of the file, the rest is not coming.
    if (ended && stream.onHistory && (aggregation === 'FAILED' || aggregation === 'TIME_OUT')) {
      stream.gone = true;
      return { kind: 'wait' };
    }
    if (/Aggregation may not be complete|Logs not available/i.test(said)) {
      notices.push(
        `The driver's ${stream.file} is moving to YARN's history server (aggregation not complete yet); it is read again at the next poll.`,
      );
      return { kind: 'wait' };
    }
    if (/Unable to locate/i.test(said) && stream.onHistory) {
      if (aggregation === 'SUCCEEDED' || aggregation === '') {
        // The aggregated log has no such file: it was empty or never written.
        stream.gone = true;
        stream.drained = true;
      } else
        notices.push(
          `The driver's ${stream.file} is not on YARN's history server yet (aggregation ${aggregation}); it is read again at the next poll.`,
        );
      return { kind: 'wait' };
    }
    // A container being started: its files come soon; nothing to tell.
    if (!ended && /Container is not yet running|Cannot find this log on the local disk/.test(said)) return { kind: 'wait' };
    notices.push(`YARN did not show the driver's ${stream.file} this time: ${truncate(said.trim())}`);
    return { kind: 'wait' };
  }

  /** Where the attempt's file can be read: the known base, or the NodeManager's gateway forms to probe. */
  private bases(attempt: Attempt): { base: string; form?: NodeManagerPathForm }[] {
    if (this.driverLogPath && this.driverLogPath.includes(`/${attempt.containerId}/`)) return [{ base: this.driverLogPath }];
    const link = new URL(attempt.logsLink);
    const path = link.pathname.replace(/\/+$/, '');
    const own = this.gatewayRelative(attempt.logsLink);
    if (own) return [{ base: own }];
    const history = /\/jobhistory\/logs\//.test(path) ? this.historyBase(attempt.logsLink) : undefined;
    if (history) return [{ base: history }];
    if (!/\/node\/containerlogs\//.test(path)) return [];
    const port = link.port || (link.protocol === 'https:' ? '443' : '80');
    const forms: Record<NodeManagerPathForm, string> = {
      withPort: `${link.hostname}/port/${port}${path}`.replace(/^\/+/, ''),
      withoutPort: `${link.hostname}${path}`,
    };
    const tried: NodeManagerPathForm[] = this.form ? [this.form] : ['withPort', 'withoutPort'];
    return tried.map((form) => ({ base: forms[form], form }));
  }

  /**
   * The history server's page for a Location (or link) of YARN's, in the gateway's form
   * `jobhistory/logs/{host}/port/{port}/{cid}/{cid}/{user}`, without the file name or query.
   */
  private historyBase(location: string, file?: LogFile): string | undefined {
    let url: URL;
    try {
      url = new URL(location, this.gateway.baseUrl);
    } catch {
      return undefined;
    }
    const stripFile = (path: string): string => {
      const trimmed = path.replace(/\/+$/, '');
      return file && trimmed.endsWith(`/${file}`) ? trimmed.slice(0, -file.length - 1) : trimmed;
    };
    // Already the gateway's own address (a gateway that rewrites Location).
    const own = this.gatewayRelative(url.href);
    if (own) return stripFile(own);
    const match = /\/jobhistory\/logs\/([^/]+)\/(?:port\/(\d+)\/)?(.+)$/.exec(stripFile(url.pathname));
    if (!match) return undefined;
    const [, node, port, rest] = match;
    if (port) return `jobhistory/logs/${node}/port/${port}/${rest}`;
    // The internal form names the node as host:port (its nodeId).
    const colon = node.lastIndexOf(':');
    return colon > 0 ? `jobhistory/logs/${node.slice(0, colon)}/port/${node.slice(colon + 1)}/${rest}` : `jobhistory/logs/${node}/${rest}`;
  }

  /** A URL on the gateway itself, relative to its /yarnui/; undefined for any other address. */
  private gatewayRelative(href: string): string | undefined {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      return undefined;
    }
    const base = this.gateway.baseUrl;
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    if (url.origin !== base.origin || !url.pathname.startsWith(prefix)) return undefined;
    return url.pathname.slice(prefix.length).replace(/\/+$/, '');
  }

  // --- Requests ------------------------------------------------------------------------------

  private async getJson<T>(path: string, what: string, notices: string[], signal?: AbortSignal): Promise<T | undefined> {
    const response = await this.get(path, 'application/json', what, signal);
    if (response.status === 403 || response.status === 404) {
      notices.push(`YARN did not show ${what} this time (${response.status}); it is asked again at the next poll.`);
      return undefined;
    }
    if (response.status !== 200) throw this.statusError(response, what);
    try {
      return JSON.parse(response.text) as T;
    } catch (err) {
      throw new HDInsightError('Remote', `YARN answered with something that is not JSON for ${what}.`, undefined, { cause: err });
    }
  }

  /** One GET, counted; a 429 is waited out (Retry-After) and asked again; a 401 throws. */
  private async get(path: string, accept: string, what: string, signal?: AbortSignal): Promise<RawResponse> {
    const maxRetries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      const response = await requestRaw(this.gateway, 'GET', path, { signal, accept });
      this.stats.requests++;
      this.stats.bytesReceived += response.bytes.byteLength;
      const kind = readKind(path);
      const counted = (this.stats.byKind[kind] ??= { requests: 0, bytes: 0 });
      counted.requests++;
      counted.bytes += response.bytes.byteLength;
      if (response.status === 401) throw new GatewayLoginRefusedError(this.gateway.baseUrl.host, this.gateway.login?.username);
      if (response.status !== 429) return response;
      if (attempt >= maxRetries) throw new ThrottledError(what);
      await sleep(retryAfterMs(response.headers.get('retry-after'), this.options.maxRetryAfterMs ?? 30_000), signal);
    }
  }

  private statusError(response: RawResponse, what: string): HDInsightError {
    const server = response.status >= 500;
    return new HDInsightError(
      server ? 'Remote' : 'InvalidInput',
      `The cluster gateway answered ${response.status} ${response.statusText} for ${what}.`,
      server ? 'It is read again at the next poll.' : undefined,
    );
  }
}

function newStream(file: LogFile, stream: DriverStream): StreamState {
  return { file, stream, offset: 0, pending: '', onHistory: false, drained: false, gone: false, growth: 0 };
}

function readKind(path: string): YarnReadKind {
  if (path.startsWith('jobhistory/')) return 'history';
  if (path.includes('/ws/v1/node/containers/')) return 'listing';
  if (path.includes('/ws/v1/node/containerlogs/')) return 'tail';
  if (path.startsWith('ws/v1/cluster/')) return path.endsWith('/appattempts') ? 'attempts' : 'application';
  return 'page';
}

/** How many bytes at the end of `bytes` are the start of a UTF-8 character whose other bytes are still to come. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needs > back ? back : 0;
  }
  return 0;
}

/** The newer answer, except that a final state and an ended aggregation once seen stay. */
function merge(old: YarnApplication | undefined, next: YarnApplication): YarnApplication {
  if (!old) return next;
  const merged = { ...next };
  if (FINAL_YARN_STATES.has(old.state) && !FINAL_YARN_STATES.has(next.state)) {
    merged.state = old.state;
    merged.finalStatus = old.finalStatus;
    merged.diagnostics = old.diagnostics;
  }
  if (AGGREGATION_ENDED.has(old.logAggregationStatus ?? '') && !AGGREGATION_ENDED.has(next.logAggregationStatus ?? '')) {
    merged.logAggregationStatus = old.logAggregationStatus;
  }
  return merged;
}

/** stdout's lines, then stderr's, each in order. */
function byStream(lines: DriverLogLine[]): DriverLogLine[] {
  return [...lines.filter((l) => l.stream === 'driverStdout'), ...lines.filter((l) => l.stream === 'driverStderr')];
}

/** A log link YARN gives before a container is placed has no host ("http://null/…" or empty). */
function hasHost(link: string | undefined): boolean {
  if (!link) return false;
  try {
    const host = new URL(link).hostname;
    return host !== '' && host !== 'null';
  } catch {
    return false;
  }
}

/** Retry-After in seconds or as an HTTP date; 1 s when absent, at most `max`. */
export function retryAfterMs(header: string | null, max: number): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.min(max, Math.max(0, seconds * 1000));
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.min(max, Math.max(0, date - Date.now()));
  }
  return Math.min(max, 1000);
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
