// YarnDriverLog against YARN's own pages served by a small local server: the NodeManager's and the
// history server's markup as Hadoop 3.3.4 renders it (captured from the real servers, see
// yarnPages.ts), byte offsets with Hadoop's semantics, and the faults of a real gateway. Fast;
// the same reader against the real YARN behind the emulated gateway is in yarnDriverLog.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HDInsightError } from '../../src/core/errors';
import type { DriverLogLine } from '../../src/livy/driverLog';
import { GatewayLoginRefusedError, YarnDriverLog, type YarnDriverLogOptions, yarnUiEndpoint } from '../../src/livy/yarnDriverLog';
import { historyPage, historyNotAggregatedPage, nodeManagerPage, nodeManagerRedirectPage } from '../fixtures/yarnPages';

const APP = 'application_1764000000000_0001';
const cid = (attempt: number): string => `container_1764000000000_0001_0${attempt}_000001`;
const NODE_HOST = 'wn0-spark.internal.cloudapp.net';
const NM_PORT = 30060;
const NM_RPC = 30050;
const USER = 'livy';

interface Fault {
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  times: number;
}

/** The gateway in front of one application's YARN: RM REST, the NodeManager's and history server's pages. */
class FakeYarn {
  state = 'RUNNING';
  finalStatus = 'UNDEFINED';
  aggregation = 'NOT_START';
  attempt = 1;
  /** What the NodeManager does with a log request now. */
  nm: 'serve' | 'redirect' | 'redirectPage' = 'serve';
  history: 'serve' | 'notAggregated' = 'serve';
  /** The gateway form NodeManager pages are served under. */
  form: 'withPort' | 'withoutPort' = 'withPort';
  readonly files = new Map<string, { stdout: Buffer; stderr: Buffer }>();
  /** The gateway passes the NodeManager's REST API (ws/v1/node) on, as the real one passes its pages. */
  nodeRest = false;
  /** Runs right after the NodeManager listed a container's files (to grow a file between two reads). */
  afterListing?: () => void;
  faults: Fault[] = [];
  readonly requests: string[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  constructor() {
    this.files.set(cid(1), { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
  }

  append(file: 'stdout' | 'stderr', text: string, attempt = this.attempt): void {
    const files = this.files.get(cid(attempt)) ?? { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    files[file] = Buffer.concat([files[file], Buffer.from(text, 'utf8')]);
    this.files.set(cid(attempt), files);
  }

  newAttempt(): void {
    this.attempt++;
    this.files.set(cid(this.attempt), { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
  }

  fault(path: RegExp, status: number, times = 1, headers?: Record<string, string>): void {
    this.faults.push({ path, status, times, headers });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(url.pathname + url.search);
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/html; charset=utf-8', ...headers });
      res.end(body);
    };
    if (req.headers.authorization !== `Basic ${Buffer.from('admin:secret').toString('base64')}`) return send(401, 'login');
    const fault = this.faults.find((f) => f.path.test(url.pathname + url.search));
    if (fault) {
      if (--fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      return send(fault.status, `fault ${fault.status}`, fault.headers);
    }
    const path = url.pathname;
    const nmLink = `http://${NODE_HOST}:${NM_PORT}/node/containerlogs/${cid(this.attempt)}/${USER}`;
    const final = ['FINISHED', 'FAILED', 'KILLED'].includes(this.state);
    if (path === `/yarnui/ws/v1/cluster/apps/${APP}`) {
      return send(
        200,
        JSON.stringify({
          app: {
            id: APP,
            state: this.state,
            finalStatus: this.finalStatus,
            diagnostics: '',
            logAggregationStatus: this.aggregation,
            amContainerLogs: nmLink,
          },
        }),
      );
    }
    if (path === `/yarnui/ws/v1/cluster/apps/${APP}/appattempts`) {
      const attempts = Array.from({ length: this.attempt }, (_, i) => ({
        id: i + 1,
        containerId: cid(i + 1),
        nodeId: `${NODE_HOST}:${NM_RPC}`,
        logsLink:
          final || i + 1 < this.attempt
            ? `http://hn0-spark:19888/jobhistory/logs/${NODE_HOST}:${NM_RPC}/${cid(i + 1)}/${cid(i + 1)}/${USER}`
            : `http://${NODE_HOST}:${NM_PORT}/node/containerlogs/${cid(i + 1)}/${USER}`,
      }));
      return send(200, JSON.stringify({ appAttempts: { appAttempt: attempts } }));
    }
    const nmPrefix = this.form === 'withPort' ? `/yarnui/${NODE_HOST}/port/${NM_PORT}` : `/yarnui/${NODE_HOST}`;
    const listing = new RegExp(`^${nmPrefix}/ws/v1/node/containers/(container_\\w+)/logs$`).exec(path);
    if (listing && this.nodeRest && !final) {
      // NMWebServices.getContainerLogsInfo, as Hadoop 3.3.4 answers it (one container: an object, not a list).
      const files = this.files.get(listing[1]);
      if (!files) return send(500, '{"RemoteException":{"exception":"WebApplicationException"}}');
      const info = (name: string, size: number) => ({
        fileName: name,
        fileSize: String(size),
        lastModifiedTime: 'Tue Nov 24 22:00:36 +0000 2026',
      });
      const body = JSON.stringify({
        containerLogsInfo: {
          containerLogInfo: [info('launch_container.sh', 6109), info('stderr', files.stderr.length), info('stdout', files.stdout.length)],
          logAggregationType: 'LOCAL',
          containerId: listing[1],
          nodeId: `${NODE_HOST}:${NM_RPC}`,
        },
      });
      this.afterListing?.();
      return send(200, body);
    }
    const plain = new RegExp(`^${nmPrefix}/ws/v1/node/containerlogs/(container_\\w+)/(stdout|stderr)$`).exec(path);
    if (plain && this.nodeRest && !final) {
      const [, container, file] = plain as unknown as [string, string, 'stdout' | 'stderr'];
      const data = this.files.get(container)?.[file];
      if (!data) return send(404, 'Cannot find this log on the local disk.');
      res.writeHead(200, { 'content-type': 'text/plain;charset=utf-8' });
      return void res.end(containerLogPlain(container, file, data, Number(url.searchParams.get('size') ?? Number.MAX_SAFE_INTEGER)));
    }
    const nm = new RegExp(`^${nmPrefix}/node/containerlogs/(container_\\w+)/${USER}/(stdout|stderr)$`).exec(path);
    if (nm) {
      const [, container, file] = nm as unknown as [string, string, 'stdout' | 'stderr'];
      const location = `http://hn0-spark:19888/jobhistory/logs/${NODE_HOST}:${NM_RPC}/${container}/${container}/${USER}/${file}${url.search}`;
      if (this.nm === 'redirect') return send(307, `Redirecting to log server : ${location}\n`, { location });
      if (this.nm === 'redirectPage') return send(200, nodeManagerRedirectPage(container, location));
      const data = this.files.get(container)?.[file];
      if (!data) return send(200, nodeManagerPage(container, undefined));
      return send(200, nodeManagerPage(container, slice(data, url.searchParams), data.length));
    }
    const hs = new RegExp(`^/yarnui/jobhistory/logs/${NODE_HOST}/port/${NM_RPC}/(container_\\w+)/\\1/${USER}/(stdout|stderr)$`).exec(path);
    if (hs) {
      const [, container, file] = hs as unknown as [string, string, 'stdout' | 'stderr'];
      if (this.history === 'notAggregated') return send(200, historyNotAggregatedPage(container, USER));
      const data = this.files.get(container)![file];
      return send(200, historyPage(container, file, slice(data, url.searchParams, true), data.length));
    }
    send(404, `<html><body><h1>404 Not Found</h1>${path}</body></html>`);
  }
}

/**
 * NMWebServices.getLogs as Hadoop 3.3.4 writes it (LogToolUtils.outputContainerLog): a header
 * with the file's whole length, then `size` bytes (size < 0: the last -size bytes), then the
 * footer of a running container's file. Checked against the real NodeManager.
 */
function containerLogPlain(container: string, file: string, data: Buffer, size: number): Buffer {
  const first = size < 0 ? Math.max(0, data.length + size) : 0;
  const last = size < 0 ? data.length : Math.min(data.length, size);
  const on = `Container: ${container} on ${NODE_HOST}:${NM_RPC}`;
  const header = [
    on,
    'LogAggregationType: LOCAL',
    '='.repeat(on.length),
    `LogType:${file}`,
    'LogLastModifiedTime:Tue Nov 24 22:00:36 +0000 2026',
    `LogLength:${data.length}`,
    'LogContents:',
    '',
  ].join('\n');
  const end = `End of LogType:${file}.`;
  const footer = `${end}This log file belongs to a running container (${container}) and so may not be complete.\n${'*'.repeat(end.length + 50)}\n\n`;
  return Buffer.concat([Buffer.from(header), data.subarray(first, last), Buffer.from(footer)]);
}

/**
 * Hadoop's reading of start/end: `start` bytes skipped, then `end - start` UTF-16 units decoded
 * (the NodeManager's InputStreamReader), a character cut at the end read as U+FFFD; the history
 * server clamps both to the file.
 */
function slice(data: Buffer, params: URLSearchParams, history = false): string {
  const length = data.length;
  let start = params.has('start') ? Number(params.get('start')) : -4096;
  start = start < 0 ? Math.max(0, length + start) : start;
  let end = params.has('end') ? Number(params.get('end')) : length;
  end = end < 0 ? length + end : end;
  if (history) {
    start = Math.min(start, length);
    end = Math.min(end, length);
    return new TextDecoder().decode(data.subarray(start, Math.max(start, end)));
  }
  const text = new TextDecoder().decode(data.subarray(Math.min(start, length)));
  return text.slice(0, Math.max(0, end - start));
}

describe('YarnDriverLog against YARN’s pages (local server)', function () {
  this.timeout(20_000);
  let yarn: FakeYarn;
  const source = (options: YarnDriverLogOptions = {}, password = 'secret'): YarnDriverLog =>
    new YarnDriverLog(
      { service: 'YARN', baseUrl: new URL(`${yarn.url}/yarnui/`), login: { username: 'admin', password }, timeoutMs: 5_000 },
      APP,
      options,
    );
  const texts = (lines: DriverLogLine[], stream = 'driverStdout'): string[] => lines.filter((l) => l.stream === stream).map((l) => l.text);

  beforeEach(async () => {
    yarn = new FakeYarn();
    await yarn.start();
  });
  afterEach(() => yarn.stop());

  it('reads complete lines by byte offset while the app runs, then the rest from the history server after the 307', async () => {
    const log = source();
    yarn.append('stdout', 'job started\nGrüße, Ελληνικά, 北京 ✓ <&> "q"\n\nhalf a li');
    yarn.append('stderr', '25/11/24 19:00:00 WARN HDInsightTest: logged <&>\n');
    let poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['job started', 'Grüße, Ελληνικά, 北京 ✓ <&> "q"', '']);
    assert.deepEqual(texts(poll.lines, 'driverStderr'), ['25/11/24 19:00:00 WARN HDInsightTest: logged <&>']);
    assert.equal(poll.complete, false);
    yarn.append('stdout', 'ne\n\nafter a blank line\n');
    poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['half a line', '', 'after a blank line']);
    // Nothing new: nothing read twice.
    poll = await log.poll();
    assert.deepEqual(poll.lines, []);
    // The app ends; the last line exists only in the aggregated copy.
    yarn.append('stdout', 'job done\n');
    yarn.state = 'FINISHED';
    yarn.finalStatus = 'SUCCEEDED';
    yarn.aggregation = 'SUCCEEDED';
    yarn.nm = 'redirect';
    poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['job done']);
    const last = await log.poll();
    assert.deepEqual(last.lines, []);
    assert.equal(last.complete, true);
    assert.ok(
      yarn.requests.some((r) =>
        r.startsWith(`/yarnui/jobhistory/logs/${NODE_HOST}/port/${NM_RPC}/${cid(1)}/${cid(1)}/${USER}/stdout?start=`),
      ),
      yarn.requests.join('\n'),
    );
    // Complete: no more requests.
    const before = yarn.requests.length;
    assert.equal((await log.poll()).complete, true);
    assert.equal(yarn.requests.length, before);
    assert.ok(log.stats.requests > 0 && log.stats.bytesReceived > 0);
  });

  it('probes the gateway’s NodeManager forms (with the port, then without) and keeps the one that answered', async () => {
    yarn.form = 'withoutPort';
    yarn.append('stdout', 'one\n');
    yarn.append('stderr', 'two\n');
    const log = source();
    const poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['one']);
    assert.deepEqual(texts(poll.lines, 'driverStderr'), ['two']);
    const pages = yarn.requests.filter((r) => r.includes('/containerlogs/'));
    assert.deepEqual(
      pages.map((r) => r.split('?')[0]),
      [
        `/yarnui/${NODE_HOST}/port/${NM_PORT}/node/containerlogs/${cid(1)}/${USER}/stdout`,
        `/yarnui/${NODE_HOST}/node/containerlogs/${cid(1)}/${USER}/stdout`,
        `/yarnui/${NODE_HOST}/node/containerlogs/${cid(1)}/${USER}/stderr`,
      ],
    );
  });

  it('takes the form from Livy’s driverLogUrl without probing', async () => {
    yarn.form = 'withoutPort';
    yarn.append('stdout', 'one\n');
    const log = source({ driverLogUrl: `${yarn.url}/yarnui/${NODE_HOST}/node/containerlogs/${cid(1)}/${USER}` });
    assert.deepEqual(texts((await log.poll()).lines), ['one']);
    assert.equal(yarn.requests.filter((r) => r.includes('/port/')).length, 0, yarn.requests.join('\n'));
  });

  it('a 403 and a 404 on a log page: a notice, the offset kept, nothing lost', async () => {
    const log = source();
    yarn.append('stdout', 'a\n');
    assert.deepEqual(texts((await log.poll()).lines), ['a']);
    yarn.append('stdout', 'b\n');
    yarn.fault(/\/stdout\?/, 403);
    let poll = await log.poll();
    assert.deepEqual(texts(poll.lines), []);
    assert.match(poll.notice ?? '', /403/);
    yarn.fault(/\/stdout\?/, 404);
    poll = await log.poll();
    assert.match(poll.notice ?? '', /404/);
    yarn.append('stdout', 'c\n');
    poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['b', 'c']);
    assert.equal(poll.notice, undefined);
  });

  it('a 500 on the second page of a poll: the poll throws, the next one returns those lines once', async () => {
    const log = source({ pageBytes: 8 });
    yarn.append('stdout', 'line 1\nline 2\nline 3\n');
    yarn.fault(/\/stdout\?start=8&/, 500);
    await assert.rejects(log.poll(), (err: HDInsightError) => err.code === 'Remote' && /500/.test(err.message));
    const poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['line 1', 'line 2', 'line 3']);
    yarn.append('stdout', 'line 4\n');
    assert.deepEqual(texts((await log.poll()).lines), ['line 4']);
  });

  it('a timeout on any read fails the poll as a whole; the next poll reads it all', async () => {
    yarn.append('stdout', 'x\n');
    yarn.append('stderr', 'y\n');
    const log = new YarnDriverLog(
      { service: 'YARN', baseUrl: new URL(`${yarn.url}/yarnui/`), login: { username: 'admin', password: 'secret' }, timeoutMs: 300 },
      APP,
    );
    const handle = (yarn as unknown as { handle: (req: http.IncomingMessage, res: http.ServerResponse) => void }).handle.bind(yarn);
    let stall = true;
    (yarn as unknown as { server: http.Server }).server.removeAllListeners('request');
    (yarn as unknown as { server: http.Server }).server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (stall && req.url?.includes('/stderr?')) return; // never answers
      handle(req, res);
    });
    await assert.rejects(log.poll(), (err: HDInsightError) => err.code === 'Timeout');
    stall = false;
    const poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['x']);
    assert.deepEqual(texts(poll.lines, 'driverStderr'), ['y']);
  });

  it('a 429 with Retry-After is waited out and asked again within the poll', async () => {
    const log = source();
    yarn.append('stdout', 'ok\n');
    yarn.fault(/\/stdout\?/, 429, 1, { 'retry-after': '1' });
    const started = Date.now();
    const poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['ok']);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    assert.equal(poll.notice, undefined);
  });

  it('a 401: a typed error asking for the cluster login again', async () => {
    const log = source({}, 'wrong');
    await assert.rejects(log.poll(), (err: unknown) => err instanceof GatewayLoginRefusedError && /cluster login/i.test(String(err)));
  });

  it('a final state once seen stays when YARN later answers 404 or 500', async () => {
    const log = source();
    yarn.append('stdout', 'done\n');
    yarn.state = 'FINISHED';
    yarn.finalStatus = 'SUCCEEDED';
    yarn.aggregation = 'RUNNING';
    yarn.history = 'notAggregated';
    await log.poll();
    assert.equal(log.application?.state, 'FINISHED');
    yarn.fault(/\/apps\/application_\d+_\d+$/, 404);
    const poll = await log.poll();
    assert.match(poll.notice ?? '', /404/);
    assert.equal(log.application?.state, 'FINISHED');
    yarn.fault(/\/apps\/application_\d+_\d+$/, 500);
    await assert.rejects(log.poll());
    assert.equal(log.application?.state, 'FINISHED');
  });

  it('the NodeManager’s 200 “Redirecting to log server” page and “Aggregation may not be complete”: a notice, then the rest', async () => {
    const log = source();
    yarn.append('stdout', 'first\n');
    assert.deepEqual(texts((await log.poll()).lines), ['first']);
    yarn.append('stdout', 'last\n');
    yarn.state = 'FINISHED';
    yarn.finalStatus = 'SUCCEEDED';
    yarn.aggregation = 'RUNNING';
    yarn.nm = 'redirectPage';
    yarn.history = 'notAggregated';
    let poll = await log.poll();
    assert.deepEqual(poll.lines, []);
    assert.match(poll.notice ?? '', /aggregation not complete/);
    assert.equal(poll.complete, false);
    yarn.history = 'serve';
    yarn.aggregation = 'SUCCEEDED';
    poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['last']);
    poll = await log.poll();
    assert.equal(poll.complete, true);
  });

  it('a NodeManager that does not know the application yet hands over to the history server: the reader stays', async () => {
    // What Hadoop's NodeManager does for a container it has not started yet (seen on the real one).
    yarn.state = 'ACCEPTED';
    yarn.nm = 'redirect';
    yarn.history = 'notAggregated';
    const log = source();
    let poll = await log.poll();
    assert.deepEqual(poll.lines, []);
    yarn.state = 'RUNNING';
    yarn.nm = 'serve';
    yarn.append('stdout', 'live\n');
    poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['live']);
    assert.equal(poll.notice, undefined);
  });

  it('a new attempt: its log from byte 0, with a notice', async () => {
    const log = source();
    yarn.append('stdout', 'attempt 1\nunfinished');
    assert.deepEqual(texts((await log.poll()).lines), ['attempt 1']);
    yarn.newAttempt();
    yarn.append('stdout', 'attempt 2\n');
    const poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['unfinished', 'attempt 2']);
    assert.match(poll.notice ?? '', /attempt 2/);
    assert.ok(yarn.requests.some((r) => r.includes(`${cid(2)}/${USER}/stdout?start=0&`)));
  });

  it('a new attempt with the REST API: the old container’s quiet listing makes the next poll ask the ResourceManager', async () => {
    yarn.nodeRest = true;
    const log = source();
    yarn.append('stdout', 'attempt 1\n');
    assert.deepEqual(texts((await log.poll()).lines), ['attempt 1']);
    yarn.append('stdout', 'more\nunfinished');
    assert.deepEqual(texts((await log.poll()).lines), ['more']);
    yarn.newAttempt();
    yarn.append('stdout', 'attempt 2\n');
    const lines: DriverLogLine[] = [];
    const notices: string[] = [];
    for (let i = 0; i < 3; i++) {
      const poll = await log.poll();
      lines.push(...poll.lines);
      if (poll.notice) notices.push(poll.notice);
    }
    assert.deepEqual(texts(lines), ['unfinished', 'attempt 2']);
    assert.equal(notices.filter((n) => /attempt 2/.test(n)).length, 1);
  });

  it('a character cut at the file’s end is read whole next time; the last line without a newline comes at the end', async () => {
    const log = source();
    const euro = Buffer.from('€', 'utf8');
    yarn.files.get(cid(1))!.stdout = Buffer.concat([Buffer.from('price: '), euro.subarray(0, 2)]);
    let poll = await log.poll();
    assert.deepEqual(poll.lines, []);
    yarn.files.get(cid(1))!.stdout = Buffer.concat([Buffer.from('price: '), euro, Buffer.from('5\nno newline')]);
    poll = await log.poll();
    assert.deepEqual(texts(poll.lines), ['price: €5']);
    yarn.state = 'FINISHED';
    yarn.aggregation = 'SUCCEEDED';
    yarn.nm = 'redirect';
    const rest: string[] = [];
    for (let i = 0; i < 3 && !poll.complete; i++) {
      poll = await log.poll();
      rest.push(...texts(poll.lines));
    }
    assert.deepEqual(rest, ['no newline']);
    assert.equal(poll.complete, true);
  });

  it('reads a long backlog in bounded pages, never the whole log again', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `row ${i} ${'x'.repeat(40)}`);
    yarn.append('stdout', `${lines.join('\n')}\n`);
    const log = source({ pageBytes: 16 * 1024, maxPagesPerPoll: 2 });
    const got: string[] = [];
    for (let i = 0; i < 10; i++) got.push(...texts((await log.poll()).lines));
    assert.deepEqual(got, lines);
    const size = yarn.files.get(cid(1))!.stdout.length;
    const logBytes = log.stats.bytesReceived;
    // Markup aside, each byte of the log came once.
    assert.ok(logBytes < size * 1.2 + log.stats.requests * 3000, `${logBytes} bytes for a ${size}-byte log`);
  });

  it('log aggregation failed: complete, saying the rest cannot be read', async () => {
    const log = source();
    yarn.append('stdout', 'read live\nlost\n');
    assert.deepEqual(texts((await log.poll()).lines), ['read live', 'lost']);
    yarn.state = 'FINISHED';
    yarn.aggregation = 'FAILED';
    yarn.nm = 'redirect';
    yarn.history = 'notAggregated';
    const poll = await log.poll();
    assert.equal(poll.complete, true);
    assert.match(poll.notice ?? '', /FAILED/);
  });

  it('with the NodeManager’s REST API: a listing per poll, only new bytes as plain text, no page; the same lines', async () => {
    yarn.nodeRest = true;
    const log = source();
    yarn.append('stdout', 'one\ntwo\n');
    yarn.append('stderr', '24/11/24 19:40:05 WARN x: careful\n');
    const first = await log.poll();
    assert.deepEqual(texts(first.lines), ['one', 'two']);
    assert.deepEqual(texts(first.lines, 'driverStderr'), ['24/11/24 19:40:05 WARN x: careful']);
    yarn.requests.length = 0;
    // Nothing new: one listing, nothing else (the ResourceManager is read when a poll was quiet).
    assert.deepEqual((await log.poll()).lines, []);
    assert.deepEqual(
      yarn.requests.filter((r) => r.includes('/node/')).map((r) => r.replace(/container_\w+/, 'C')),
      [`/yarnui/${NODE_HOST}/port/${NM_PORT}/ws/v1/node/containers/C/logs`],
    );
    yarn.append('stdout', 'thr');
    yarn.append('stdout', 'ee · café 北京\nfour\n');
    yarn.requests.length = 0;
    assert.deepEqual(texts((await log.poll()).lines), ['three · café 北京', 'four']);
    const page = /\/node\/containerlogs\/[^?]*\?start=/;
    assert.ok(!yarn.requests.some((r) => page.test(r)), yarn.requests.join('\n'));
    assert.ok(
      yarn.requests.some((r) => /ws\/v1\/node\/containerlogs\/container_\w+\/stdout\?size=-\d+$/.test(r)),
      yarn.requests.join('\n'),
    );
    // While bytes flow the ResourceManager is read every tenth poll only.
    yarn.requests.length = 0;
    for (let i = 0; i < 22; i++) {
      yarn.append('stdout', `line ${i}\n`);
      assert.deepEqual(texts((await log.poll()).lines), [`line ${i}`]);
    }
    assert.equal(yarn.requests.filter((r) => r.endsWith(`/apps/${APP}`)).length, 2, yarn.requests.join('\n'));
    // The end: from the history server, as before.
    yarn.append('stdout', 'last\n');
    yarn.state = 'FINISHED';
    yarn.finalStatus = 'SUCCEEDED';
    yarn.aggregation = 'SUCCEEDED';
    yarn.nm = 'redirect';
    let end = await log.poll();
    const rest = [...end.lines];
    for (let i = 0; i < 3 && !end.complete; i++) rest.push(...(end = await log.poll()).lines);
    assert.ok(end.complete);
    assert.deepEqual(texts(rest), ['last']);
  });

  it('with the REST API: a file that grew between the listing and the read is read from its offset all the same', async () => {
    yarn.nodeRest = true;
    const log = source();
    yarn.append('stdout', 'a\n');
    assert.deepEqual(texts((await log.poll()).lines), ['a']);
    yarn.append('stdout', 'b\n');
    // A little growth fits in what is asked beyond the listed size; a lot makes it ask once more.
    yarn.afterListing = () => {
      yarn.append('stdout', 'c\n');
      yarn.afterListing = undefined;
    };
    assert.deepEqual(texts((await log.poll()).lines), ['b', 'c']);
    yarn.append('stdout', 'd\n');
    yarn.afterListing = () => {
      yarn.append('stdout', `${'x'.repeat(100_000)}\n`);
      yarn.afterListing = undefined;
    };
    yarn.requests.length = 0;
    assert.deepEqual(texts((await log.poll()).lines), ['d', 'x'.repeat(100_000)]);
    // Asked again from the length the first answer gave, still as plain text.
    assert.equal(yarn.requests.filter((r) => r.includes('/ws/v1/node/containerlogs/')).length, 2, yarn.requests.join('\n'));
    assert.ok(!yarn.requests.some((r) => /\?start=/.test(r)), yarn.requests.join('\n'));
    yarn.append('stdout', 'e\n');
    assert.deepEqual(texts((await log.poll()).lines), ['e']);
  });

  it('with the REST API: a character cut at the file’s end is read whole next time', async () => {
    yarn.nodeRest = true;
    const log = source();
    const bytes = Buffer.from('naïve 北\n', 'utf8');
    yarn.append('stdout', 'x\n');
    await log.poll();
    const files = yarn.files.get(cid(1))!;
    files.stdout = Buffer.concat([files.stdout, bytes.subarray(0, 8)]); // 'naïve ' and the first byte of 北
    assert.deepEqual((await log.poll()).lines, []);
    files.stdout = Buffer.concat([files.stdout, bytes.subarray(8)]);
    assert.deepEqual(texts((await log.poll()).lines), ['naïve 北']);
  });

  it('without the REST API behind the gateway (404): the pages, asked once', async () => {
    const log = source();
    yarn.append('stdout', 'one\n');
    assert.deepEqual(texts((await log.poll()).lines), ['one']);
    for (let i = 0; i < 3; i++) {
      yarn.append('stdout', `more ${i}\n`);
      assert.deepEqual(texts((await log.poll()).lines), [`more ${i}`]);
    }
    assert.equal(yarn.requests.filter((r) => r.includes('/ws/v1/node/')).length, 1, yarn.requests.join('\n'));
  });

  it('yarnUiEndpoint: the gateway’s /yarnui/ with the login', () => {
    const endpoint = yarnUiEndpoint('https://spark1.azurehdinsight.net', { username: 'admin', password: 'p' });
    assert.equal(endpoint.baseUrl.href, 'https://spark1.azurehdinsight.net/yarnui/');
    assert.equal(endpoint.login?.username, 'admin');
  });

  it('an application that ended before a container ran is complete without a log', async () => {
    yarn.state = 'KILLED';
    yarn.attempt = 0;
    const log = source();
    const poll = await log.poll();
    assert.equal(poll.complete, true);
    assert.deepEqual(poll.lines, []);
  });
});
