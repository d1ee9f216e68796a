// The cluster gateway's /yarnui/… paths, mapped onto a real YARN (ResourceManager, NodeManager,
// JobHistory server) the way HDInsight's gateway maps them onto the cluster's head and worker
// nodes. Answers are passed through byte for byte: the internal `localhost:PORT` URLs inside
// them stay as YARN wrote them, and a client has to map them to the gateway's forms itself, as on
// HDInsight. Only the Location of a redirect is rewritten (see publicLocation).
//
// The paths (GATEWAY = https://CLUSTER.azurehdinsight.net):
//   /yarnui/ws/v1/cluster/…                          → RM  /ws/v1/cluster/… (apps, apps/{id}, apps/{id}/appattempts, …)
//   /yarnui/hn/…                                     → RM  /…  (hn/cluster/app/{id}: the app page; hn/proxy/{id}/: the Spark UI)
//   /yarnui/{host}/port/{port}/…                     → the NodeManager whose web address is host:port (node/containerlogs/…)
//   /yarnui/{host}/node/…                            → the NodeManager on host at the default web port (30060 on
//                                                      HDInsight, this NodeManager's web port here); only for a host
//                                                      name without a domain or an IPv4 address, else 404
//   /yarnui/jobhistory/logs/{nmHost}/port/{nmRpc}/…  → history server /jobhistory/logs/{nmHost}:{nmRpc}/…
//   /yarnui/jobhistory/…                             → history server /jobhistory/…
import http from 'node:http';
import type { Emulator, EmulatorRequest, EmulatorResponse } from './server';

/** What of a running YARN the gateway needs (a subset of the harness's Yarn). */
export interface YarnBinding {
  /** http://127.0.0.1:PORT */
  rmWebUrl: string;
  /** host:port of the NodeManager's web pages, as the ResourceManager reports it (localhost:PORT). */
  nmWebUrl: string;
  /** host:RPC port of the NodeManager, as in the history server's log URLs. */
  nodeId: string;
  /** http://127.0.0.1:PORT */
  historyWebUrl: string;
}

/** Headers of YARN's answers that reach the client (hop-by-hop ones and the length are the gateway's own). */
const PASSED_HEADERS = ['content-type', 'cache-control', 'expires', 'pragma', 'last-modified', 'date', 'refresh', 'x-frame-options'];

const notFound = (what: string): EmulatorResponse => ({
  status: 404,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: `404 Not Found: ${what}\n`,
});

/**
 * Registers the /yarnui routes on a gateway's emulator. `yarn` gives the YARN behind it (undefined
 * while none runs: 503); `authorize` answers for requests without the cluster login.
 */
export function mountYarnUi(
  emulator: Emulator,
  yarn: () => YarnBinding | undefined,
  authorize: (req: EmulatorRequest) => EmulatorResponse | undefined,
): void {
  const on = (pattern: RegExp, target: (req: EmulatorRequest, y: YarnBinding) => URL | EmulatorResponse): void => {
    for (const method of ['GET', 'HEAD']) {
      emulator.route(method, pattern, async (req) => {
        const refused = authorize(req);
        if (refused) return refused;
        const y = yarn();
        if (!y) {
          return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'YARN is not running on this cluster.\n' };
        }
        const to = target(req, y);
        if (!(to instanceof URL)) return to;
        return proxy(req, to, y, emulator.url);
      });
    }
  };
  const search = (req: EmulatorRequest): string => req.url.search;

  // The NodeManagers' pages by host and port, then without the port. Registered first: the
  // fixed prefixes below (ws, hn, jobhistory) win over a host of that name.
  on(/^\/yarnui\/(?<host>[^/]+)\/port\/(?<port>\d+)(?<rest>\/.*)?$/, (req, y) => {
    const nm = nodeManager(y);
    if (!sameHost(req.params.host, nm.host) || req.params.port !== nm.port)
      return notFound(`no node ${req.params.host}:${req.params.port}`);
    return new URL(`http://127.0.0.1:${nm.port}${req.params.rest ?? '/'}${search(req)}`);
  });
  on(/^\/yarnui\/(?<host>[^/]+)(?<rest>\/node(?:\/.*)?)$/, (req, y) => {
    // HDInsight's gateway resolves the port-less form only for a bare host name or an IP address
    // at the default NodeManager web port: a fully qualified name answers 404 (IntelliJ toolkit
    // issue #1539, which then probes the /port/ form).
    const host = req.params.host;
    const bare = !host.includes('.') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
    const nm = nodeManager(y);
    if (!bare || !sameHost(host, nm.host)) return notFound(`no node ${host}`);
    return new URL(`http://127.0.0.1:${nm.port}${req.params.rest}${search(req)}`);
  });
  on(/^\/yarnui\/jobhistory(?<rest>\/.*)?$/, (req, y) => new URL(`${y.historyWebUrl}/jobhistory${req.params.rest ?? ''}${search(req)}`));
  on(
    /^\/yarnui\/jobhistory\/logs\/(?<host>[^/]+)\/port\/(?<port>\d+)(?<rest>\/.*)?$/,
    (req, y) => new URL(`${y.historyWebUrl}/jobhistory/logs/${req.params.host}:${req.params.port}${req.params.rest ?? ''}${search(req)}`),
  );
  on(/^\/yarnui\/hn(?<rest>\/.*)?$/, (req, y) => new URL(`${y.rmWebUrl}${req.params.rest ?? '/'}${search(req)}`));
  on(/^\/yarnui\/ws\/v1\/cluster(?<rest>\/.*)?$/, (req, y) => new URL(`${y.rmWebUrl}/ws/v1/cluster${req.params.rest ?? ''}${search(req)}`));
}

function nodeManager(y: YarnBinding): { host: string; port: string } {
  const at = y.nmWebUrl.lastIndexOf(':');
  return { host: y.nmWebUrl.slice(0, at), port: y.nmWebUrl.slice(at + 1) };
}

/** The single node answers to the name YARN gives it and to its address. */
function sameHost(asked: string, nodeHost: string): boolean {
  const a = asked.toLowerCase();
  return a === nodeHost.toLowerCase() || a === '127.0.0.1' || (a === 'localhost' && nodeHost === '127.0.0.1');
}

/**
 * The gateway's public URL for an internal YARN URL: the forms mountYarnUi serves. A URL of no
 * server of this YARN comes back unchanged.
 *   history  http://H:P/jobhistory/logs/{host}:{rpc}/REST → GATEWAY/yarnui/jobhistory/logs/{host}/port/{rpc}/REST
 *            http://H:P/jobhistory/REST                    → GATEWAY/yarnui/jobhistory/REST
 *   RM       http://H:P/ws/v1/cluster/REST                 → GATEWAY/yarnui/ws/v1/cluster/REST
 *            http://H:P/REST                               → GATEWAY/yarnui/hn/REST
 *   NM       http://{host}:{port}/REST                     → GATEWAY/yarnui/{host}/port/{port}/REST
 * The query string is kept as it is.
 */
export function publicYarnUrl(internal: string, y: YarnBinding, gateway: string): string {
  let url: URL;
  try {
    url = new URL(internal);
  } catch {
    return internal;
  }
  const tail = `${url.search}${url.hash}`;
  const is = (base: string): boolean => {
    const b = new URL(base.includes('://') ? base : `http://${base}`);
    return url.port === b.port && sameHost(url.hostname, b.hostname);
  };
  if (is(y.historyWebUrl)) {
    const logs = /^\/jobhistory\/logs\/(?<host>[^/:]+):(?<port>\d+)(?<rest>\/.*)?$/.exec(url.pathname);
    if (logs?.groups)
      return `${gateway}/yarnui/jobhistory/logs/${logs.groups.host}/port/${logs.groups.port}${logs.groups.rest ?? ''}${tail}`;
    return `${gateway}/yarnui${url.pathname.startsWith('/jobhistory') ? '' : '/jobhistory'}${url.pathname}${tail}`;
  }
  if (is(y.rmWebUrl)) {
    if (url.pathname.startsWith('/ws/v1/cluster')) return `${gateway}/yarnui${url.pathname}${tail}`;
    return `${gateway}/yarnui/hn${url.pathname}${tail}`;
  }
  if (is(y.nmWebUrl)) return `${gateway}/yarnui/${url.hostname}/port/${url.port}${url.pathname}${tail}`;
  return internal;
}

/**
 * One request to YARN, its answer returned byte for byte, redirects not followed. Redirects reach
 * the client as they are (a 307 stays a 307) with the Location in the gateway's public form
 * (publicYarnUrl): the NodeManager's 307 to the history server once the application ended becomes
 * `GATEWAY/yarnui/jobhistory/logs/{nmHost}/port/{nmRpcPort}/{cid}/{cid}/{user}/{file}?start=N`.
 * Whether HDInsight's own gateway rewrites the Location so is not documented anywhere we could
 * find; an internal Location would be unreachable from outside the virtual network, so it is
 * rewritten here. (On a real cluster the IntelliJ toolkit once saw this URL answer 403 after the
 * job ended, its issue #1607: tests inject that with a fault.)
 */
async function proxy(req: EmulatorRequest, target: URL, y: YarnBinding, gateway: string): Promise<EmulatorResponse> {
  const headers: http.OutgoingHttpHeaders = {};
  if (req.headers.accept) headers.accept = req.headers.accept;
  try {
    const res = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const out = http.request(target, { method: req.method, headers, timeout: 60_000 }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', reject);
      });
      out.on('timeout', () => out.destroy(new Error('YARN did not answer in 60 s')));
      out.on('error', reject);
      out.end();
    });
    const passed: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = res.headers[name];
      if (value !== undefined) passed[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const location = res.headers.location;
    if (location) passed.location = publicYarnUrl(new URL(location, target).href, y, gateway);
    return { status: res.status, headers: passed, body: req.method === 'HEAD' ? undefined : res.body };
  } catch (err) {
    // The node is down (a NodeManager restarting): the gateway's own answer.
    return {
      status: 502,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: `502 Bad Gateway: ${err instanceof Error ? err.message : String(err)}\n`,
    };
  }
}
