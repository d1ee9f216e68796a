import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { QueryMonitor } from '../../src/livy/queryMonitor';
import { QueryProgressParser } from '../../src/livy/queryProgress';
import type { QueryWire } from '../../src/webviews/queryProtocol';
import { launchBrowser } from '../harness/browser';

// The monitor's renderer in headless Chromium, under the job output page's CSP (no inline script
// or style; scripts by nonce, styles from the page's own origin), fed with the queries the monitor
// builds from the real driver output in test/fixtures/streamingProgress.
const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test/fixtures/streamingProgress');

function realQueries(ordersBatches: number): QueryWire[] {
  const lines = zlib
    .gunzipSync(fs.readFileSync(path.join(fixtures, 'spark-3.5.3-stderr.log.gz')))
    .toString('utf8')
    .split('\n');
  const parser = new QueryProgressParser();
  const monitor = new QueryMonitor();
  for (const line of lines) {
    for (const p of parser.feed(line)) if (p.name !== 'orders_slow' || p.batchId < ordersBatches) monitor.add(p);
  }
  return monitor.queries();
}

describe('The streaming-query monitor on the page', function () {
  this.timeout(60_000);
  let server: http.Server;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];

  before(async () => {
    const bundle = await build({
      stdin: {
        contents: "import { renderQueries } from './src/webviews/queryMonitor'; Object.assign(window, { renderQueries });",
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
    });
    const files: Record<string, [string, string]> = {
      '/page.js': ['text/javascript', bundle.outputFiles[0].text],
      '/webview.css': ['text/css', fs.readFileSync(path.join(root, 'media/webview.css'), 'utf8')],
      '/queryMonitor.css': ['text/css', fs.readFileSync(path.join(root, 'media/queryMonitor.css'), 'utf8')],
    };
    server = http.createServer((req, res) => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(
          `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${origin}; script-src 'nonce-n0nce'">` +
            `<link rel="stylesheet" href="/webview.css"><link rel="stylesheet" href="/queryMonitor.css"></head>` +
            `<body><section class="queries" id="queries"></section><script nonce="n0nce" src="/page.js"></script></body></html>`,
        );
        return;
      }
      const file = files[req.url ?? ''];
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': file[0] }).end(file[1]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'renderQueries' in window);
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Renders in the page; the queries cross as JSON text, as a message from the panel would. */
  const render = (queries: QueryWire[]): Promise<void> =>
    page.evaluate((json: string) => {
      const w = window as unknown as { renderQueries: (c: HTMLElement, q: unknown) => void };
      w.renderQueries(document.getElementById('queries') as HTMLElement, JSON.parse(json));
    }, JSON.stringify(queries));

  it('draws a card per query with its charts, Kafka partitions and the falling-behind mark', async () => {
    const queries = realQueries(7); // the Kafka query while its backlog grows
    await render(queries);
    const orders = queries.find((q) => q.name === 'orders_slow');
    assert.ok(orders?.fallingBehind);
    const card = page.locator('article.query-card', { hasText: 'orders_slow' });
    assert.equal(await page.locator('article.query-card').count(), 2);
    assert.equal(await card.locator('.query-behind').textContent(), 'Falling behind');
    assert.match((await card.locator('.query-behind').getAttribute('title')) ?? '', /Kafka offsets behind latest grew/);
    assert.equal(await card.locator('.query-batch').textContent(), 'batch 6');
    assert.equal(await card.locator('svg.query-chart').count(), 3, 'rates, batch duration, Kafka offsets behind');
    assert.match(
      (await card.locator('svg.query-chart').nth(2).getAttribute('aria-label')) ?? '',
      /^Kafka offsets behind latest: behind [\d,.\s\u00a0\u202f]+ offsets, over the last 7 batches$/,
    );
    const points = ((await card.locator('polyline.series-input').getAttribute('points')) ?? '').split(' ');
    assert.equal(points.length, orders.series.length);
    assert.equal(await card.locator('polyline.series-processed').count(), 1);
    assert.notEqual(
      await card.locator('polyline.series-input').evaluate((e) => getComputedStyle(e).stroke),
      'none',
      'the stylesheet colours the line',
    );
    // Numbers are shown with the locale's grouping; compared here without it.
    const rows = await card
      .locator('table.query-partitions tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from(tr.children).map((td, i) => (i === 0 ? td.textContent : (td.textContent ?? '').replace(/[,.\s\u00a0\u202f]/g, ''))),
        ),
      );
    const kafka = orders.sources[0].kafka;
    assert.ok(kafka);
    assert.deepEqual(
      rows,
      kafka.partitions.map((p) => [p.topic, String(p.partition), String(p.offset), String(p.latest), String(p.lag)]),
    );
    const rate = page.locator('article.query-card', { hasText: 'rate_windows' });
    assert.equal(await rate.locator('.query-behind').count(), 0);
    assert.match((await rate.textContent()) ?? '', /Watermark2026-11-24T/);
    assert.match((await rate.textContent()) ?? '', /State rows\d+/);
    assert.equal(await rate.locator('table').count(), 0);
    assert.equal(await rate.locator('svg.query-chart').count(), 2);
    fs.mkdirSync(path.join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(root, 'test-artifacts', 'query-monitor.png'), fullPage: true });
  });

  it('redraws live, clears the mark when the query catches up, and hides itself with no queries', async () => {
    await render(realQueries(1000));
    const card = page.locator('article.query-card', { hasText: 'orders_slow' });
    assert.equal(await card.locator('.query-behind').count(), 0);
    assert.equal(await page.locator('article.query-card').count(), 2);
    await render([]);
    assert.equal(await page.locator('#queries').evaluate((e) => (e as HTMLElement).hidden), true);
    assert.deepEqual(violations, [], 'no CSP violation or script error');
  });
});
