import assert from 'node:assert/strict';
import https from 'node:https';
import { createTlsMaterial, Emulator, errorResponse } from '../emulator/server';

describe('The test emulator', () => {
  let emulator: Emulator;
  afterEach(() => emulator?.stop());

  it('answers its health check and records requests', async () => {
    emulator = new Emulator();
    const url = await emulator.start();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/health`, { headers: { 'x-test': '1' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    assert.equal(emulator.requests.length, 1);
    assert.equal(emulator.requests[0].path, '/health');
    assert.equal(emulator.requests[0].headers['x-test'], '1');
  });

  it('routes with named parameters and answers unknown paths with an ARM-shaped 404', async () => {
    emulator = new Emulator();
    emulator.route('GET', /^\/clusters\/(?<name>[^/]+)$/, (req) => ({ status: 200, body: { name: req.params.name } }));
    const url = await emulator.start();
    assert.deepEqual(await (await fetch(`${url}/clusters/kafka1`)).json(), { name: 'kafka1' });
    const missing = await fetch(`${url}/nothing`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: { code: 'NotFound', message: 'No route for GET /nothing' } });
  });

  it('injects throttling, latency and dropped connections, then recovers', async () => {
    emulator = new Emulator();
    const url = await emulator.start();
    emulator.inject({ path: /^\/health$/, times: 1, respond: errorResponse(429, 'TooManyRequests', 'Slow down', { 'retry-after': '1' }) });
    const throttled = await fetch(`${url}/health`);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '1');
    assert.equal((await fetch(`${url}/health`)).status, 200, 'a fault with times: 1 hits once');

    const off = emulator.inject({ latencyMs: 300 });
    const started = Date.now();
    await fetch(`${url}/health`);
    assert.ok(Date.now() - started >= 250, 'latency was injected');
    off();

    emulator.inject({ drop: true, times: 1 });
    await assert.rejects(fetch(`${url}/health`));
    assert.equal((await fetch(`${url}/health`)).status, 200);
  });

  it('serves HTTPS with a certificate that clients can verify', async function () {
    this.timeout(30_000);
    const tls = await createTlsMaterial();
    emulator = new Emulator(tls);
    const url = await emulator.start();
    assert.match(url, /^https:\/\/localhost:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${url}/health`, { ca: tls.cert }, (res) => {
          let data = '';
          res.on('data', (d: Buffer) => (data += d.toString()));
          res.on('end', () => resolve(data));
        })
        .on('error', reject);
    });
    assert.deepEqual(JSON.parse(body), { status: 'ok' });
    await assert.rejects(fetch(`${url}/health`), 'an untrusted certificate is refused');
  });
});
