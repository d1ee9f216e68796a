import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { discoverBrokers } from '../../src/ambari/discovery';
import { HDInsightError, userMessage } from '../../src/core/errors';
import { requestJson } from '../../src/core/http';
import { LivyClient } from '../../src/livy/LivyClient';

interface Received {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** A local HTTP server that records what it receives and answers with `answer`. */
async function server(
  answer: (req: Received, res: http.ServerResponse) => void,
): Promise<{ url: URL; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}`), received, close: () => srv.close() };
}

const login = { username: 'admin', password: 'Redirect-Pw-1!' };
const job = { file: 'wasbs://jobs@contosostore.blob.core.windows.net/job.py', conf: { 'spark.secret.setting': 'conf-value-1' } };

describe('Gateway requests never follow a redirect to another address', () => {
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((close) => close()));

  /** A second server (another port: another origin) and a gateway that answers `status` with a Location on it. */
  async function gatewayRedirectingElsewhere(status: number) {
    const elsewhere = await server((_r, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}'));
    const gateway = await server((r, res) => res.writeHead(status, { location: new URL(r.url, elsewhere.url).href }).end());
    closers.push(elsewhere.close, gateway.close);
    return { gateway, elsewhere };
  }

  for (const status of [307, 308, 302, 301, 303]) {
    it(`refuses a ${status} to another origin: the job and the cluster login are not sent there`, async () => {
      const { gateway, elsewhere } = await gatewayRedirectingElsewhere(status);
      const livy = new LivyClient({ service: 'Livy', baseUrl: new URL('/livy', gateway.url), login });
      await assert.rejects(livy.createBatch(job), (err: unknown) => {
        assert.ok(err instanceof HDInsightError, String(err));
        assert.equal(err.name, 'RedirectRefusedError');
        assert.match(
          userMessage(err),
          new RegExp(`Livy at ${gateway.url.host} redirected the request to ${elsewhere.url.origin}, another address`),
        );
        return true;
      });
      assert.equal(gateway.received.length, 1);
      assert.deepEqual(elsewhere.received, [], 'the other server received nothing');
    });
  }

  it('refuses it for Ambari discovery too', async () => {
    const { gateway, elsewhere } = await gatewayRedirectingElsewhere(307);
    await assert.rejects(discoverBrokers({ baseUrl: gateway.url, login }), /Ambari at .* redirected the request to/);
    assert.deepEqual(elsewhere.received, []);
  });

  it('refuses a redirect to the same host on another scheme or port', async () => {
    const gateway = await server((_r, res) => res.writeHead(307, { location: 'https://127.0.0.1/livy/batches' }).end());
    closers.push(gateway.close);
    const endpoint = { service: 'Livy', baseUrl: new URL('/livy', gateway.url), login };
    await assert.rejects(
      requestJson(endpoint, 'POST', 'batches', { body: job }),
      /redirected the request to https:\/\/127\.0\.0\.1, another address/,
    );
  });

  it('follows a redirect within the same origin, repeating a 307 with its body and login', async () => {
    const gateway = await server((r, res) => {
      if (r.url === '/livy/batches') res.writeHead(307, { location: '/livy/v2/batches' }).end();
      else res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":7,"state":"starting"}');
    });
    closers.push(gateway.close);
    const livy = new LivyClient({ service: 'Livy', baseUrl: new URL('/livy', gateway.url), login });
    assert.deepEqual(await livy.createBatch(job), { id: 7, state: 'starting' });
    assert.deepEqual(
      gateway.received.map((r) => [r.method, r.url, JSON.parse(r.body) as unknown, r.authorization?.startsWith('Basic ')]),
      [
        ['POST', '/livy/batches', job, true],
        ['POST', '/livy/v2/batches', job, true],
      ],
    );
  });

  it('gives up after a few redirects in a loop', async () => {
    const gateway = await server((r, res) => res.writeHead(302, { location: r.url === '/a' ? '/b' : '/a' }).end());
    closers.push(gateway.close);
    await assert.rejects(requestJson({ service: 'Ambari', baseUrl: gateway.url, login }, 'GET', 'a'), /redirected more than 5 times/);
  });
});
