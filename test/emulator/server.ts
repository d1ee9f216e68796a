// The test emulator: one local HTTP(S) server standing in for what cannot run on this machine
// (Azure Resource Manager, the HDInsight cluster gateway with Ambari and Livy). Later parts
// register their routes on it. It records every request, so tests can check what was sent, and it
// can inject faults the way real services fail.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Named groups of the route pattern. */
  params: Record<string, string>;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; a Buffer is sent byte for byte (a proxied answer). */
  body?: unknown;
}

export type RouteHandler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Fault {
  /** Which requests it hits: a method and a path regular expression. */
  method?: string;
  path?: RegExp;
  /** Delay before answering (or before the other fault). */
  latencyMs?: number;
  /** Answer with this instead of the route. */
  respond?: EmulatorResponse;
  /** Close the connection without answering. */
  drop?: boolean;
  /** How many requests it hits before it goes away; unlimited when absent. */
  times?: number;
}

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TlsMaterial {
  key: string;
  cert: string;
  /** Path of the PEM file to trust it by (NODE_EXTRA_CA_CERTS). */
  caFile: string;
}

export class Emulator {
  private readonly routes: Route[] = [];
  private faults: Fault[] = [];
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  readonly requests: RecordedRequest[] = [];
  /** Base URL once started, without a trailing slash. */
  url = '';

  constructor(private readonly tls?: TlsMaterial) {
    this.route('GET', /^\/health$/, () => ({ status: 200, body: { status: 'ok' } }));
  }

  /** Registers a handler; named groups of `pattern` arrive as `params`. Later routes win. */
  route(method: string, pattern: RegExp, handler: RouteHandler): void {
    this.routes.unshift({ method, pattern, handler });
  }

  /** Switches a fault on; returns a function that switches it off. */
  inject(fault: Fault): () => void {
    this.faults.push(fault);
    return () => (this.faults = this.faults.filter((f) => f !== fault));
  }

  clearFaults(): void {
    this.faults = [];
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.handle(req, res);
    this.server = this.tls ? https.createServer({ key: this.tls.key, cert: this.tls.cert }, listener) : http.createServer(listener);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.url = `${this.tls ? 'https' : 'http'}://${host === '127.0.0.1' && this.tls ? 'localhost' : host}:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname + url.search, headers: req.headers, body });

    const fault = this.faults.find((f) => (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)));
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.respond) return send(res, fault.respond);
    }

    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      try {
        return send(res, await route.handler({ method, url, headers: req.headers, body, params: { ...match.groups } }));
      } catch (err) {
        return send(res, errorResponse(500, 'InternalServerError', err instanceof Error ? err.message : String(err)));
      }
    }
    send(res, errorResponse(404, 'NotFound', `No route for ${method} ${url.pathname}`));
  }
}

/** The error body shape Azure Resource Manager uses. */
export function errorResponse(status: number, code: string, message: string, headers?: Record<string, string>): EmulatorResponse {
  return { status, headers, body: { error: { code, message } } };
}

function send(res: http.ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: string | Buffer | undefined;
  if (Buffer.isBuffer(response.body)) {
    payload = response.body;
  } else if (response.body !== undefined) {
    payload = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    headers['content-type'] ??= typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** A self-signed certificate for localhost and 127.0.0.1, with a PEM file to trust it by. */
export async function createTlsMaterial(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-tls-'))): Promise<TlsMaterial> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const caFile = path.join(dir, 'emulator-ca.pem');
  fs.writeFileSync(caFile, pems.cert);
  return { key: pems.private, cert: pems.cert, caFile };
}
