// The streaming-query monitor on the job output page: per query a compact card with its batch,
// input against processed rows/s, batch duration and Kafka offsets behind as small live line charts (inline SVG built
// with createElementNS), watermark, state rows, per Kafka source the partitions' offsets against
// the topic's latest (lag), and a "falling behind" mark. Elements and attributes only: no markup
// strings, no inline styles (the page's CSP allows the stylesheet alone; see media/queryMonitor.css).
import { el } from './dom';
import type { PartitionLagWire, QuerySeriesPointWire, QueryWire, SourceWire } from './queryProtocol';

const SVG = 'http://www.w3.org/2000/svg';
const CHART_W = 240;
const CHART_H = 48;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  children: Node[] = [],
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const rate = (n: number | undefined): string => (n === undefined ? '–' : numberFormat.format(n));
const count = (n: number | undefined): string => (n === undefined ? '–' : integerFormat.format(n));

export interface ChartLine {
  /** Class of the polyline (its colour comes from the stylesheet). */
  className: string;
  label: string;
  values: (number | undefined)[];
}

/**
 * A small line chart: one polyline per line, broken where a value is missing, scaled from 0 to
 * the largest value. Its accessible name says each line's last value.
 */
export function lineChart(title: string, lines: ChartLine[], unit: string): SVGSVGElement {
  const n = Math.max(0, ...lines.map((l) => l.values.length));
  const max = Math.max(0, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== undefined && Number.isFinite(v))));
  const top = max > 0 ? max * 1.1 : 1;
  const x = (i: number): number => (n <= 1 ? CHART_W : (i / (n - 1)) * CHART_W);
  const y = (v: number): number => CHART_H - (v / top) * CHART_H;
  const lastValues = lines.map((l) => `${l.label} ${rate([...l.values].reverse().find((v) => v !== undefined))} ${unit}`).join(', ');
  const chart = svg('svg', {
    class: 'query-chart',
    viewBox: `0 0 ${CHART_W} ${CHART_H}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `${title}: ${lastValues}, over the last ${n} batches`,
  });
  chart.append(svg('title', {}, [document.createTextNode(`${title}: ${lastValues}`)]));
  chart.append(svg('line', { class: 'query-chart-axis', x1: '0', y1: String(CHART_H), x2: String(CHART_W), y2: String(CHART_H) }));
  for (const line of lines) {
    let segment: string[] = [];
    const flush = (): void => {
      if (segment.length === 1) {
        const [cx, cy] = segment[0].split(',');
        chart.append(svg('circle', { class: `query-chart-dot ${line.className}`, cx, cy, r: '1.5' }));
      } else if (segment.length > 1) {
        chart.append(
          svg('polyline', {
            class: `query-chart-line ${line.className}`,
            points: segment.join(' '),
            'vector-effect': 'non-scaling-stroke',
          }),
        );
      }
      segment = [];
    };
    line.values.forEach((v, i) => {
      if (v === undefined || !Number.isFinite(v)) flush();
      else segment.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    flush();
  }
  const scale = svg('text', { class: 'query-chart-scale', x: '2', y: '9' }, [document.createTextNode(numberFormat.format(max))]);
  chart.append(scale);
  return chart;
}

function legend(lines: { className: string; label: string }[]): HTMLElement {
  return el(
    'div',
    { class: 'query-legend' },
    lines.map((l) =>
      el('span', { class: `query-legend-item ${l.className}` }, [el('span', { class: 'query-swatch', 'aria-hidden': 'true' }), l.label]),
    ),
  );
}

function stat(label: string, value: string, title?: string): HTMLElement {
  return el('span', { class: 'query-stat', title }, [
    el('span', { class: 'query-stat-label', text: label }),
    el('span', { class: 'query-stat-value', text: value }),
  ]);
}

function partitionRow(p: PartitionLagWire): HTMLTableRowElement {
  const latestTitle =
    p.latestFrom === 'topic'
      ? 'Read from the topic'
      : p.latestFrom === 'batch'
        ? 'As the source saw it when planning the batch'
        : undefined;
  return el('tr', {}, [
    el('td', { text: p.topic }),
    el('td', { class: 'num', text: String(p.partition) }),
    el('td', { class: 'num', text: count(p.offset) }),
    el('td', { class: 'num', text: count(p.latest), title: latestTitle }),
    el('td', { class: p.lag !== undefined && p.lag > 0 ? 'num query-lag' : 'num', text: count(p.lag) }),
  ]);
}

function sourceBlock(source: SourceWire): HTMLElement {
  const head = el('div', { class: 'query-source-head' }, [
    el('span', { class: 'query-source-name', text: source.description, title: source.description }),
    el('span', { class: 'query-source-rows', text: `${count(source.numInputRows)} rows` }),
  ]);
  if (!source.kafka) return el('div', { class: 'query-source' }, [head]);
  const total = source.kafka.totalLag;
  const table = el('table', { class: 'query-partitions' }, [
    el('caption', { text: total === undefined ? 'Kafka partitions' : `Kafka partitions: lag ${count(total)}` }),
    el('thead', {}, [
      el('tr', {}, [
        el('th', { scope: 'col', text: 'Topic' }),
        el('th', { scope: 'col', text: 'Partition' }),
        el('th', { scope: 'col', text: 'Offset' }),
        el('th', { scope: 'col', text: 'Latest' }),
        el('th', { scope: 'col', text: 'Lag' }),
      ]),
    ]),
    el('tbody', {}, source.kafka.partitions.map(partitionRow)),
  ]);
  return el('div', { class: 'query-source' }, [head, table]);
}

const values = (series: QuerySeriesPointWire[], pick: (p: QuerySeriesPointWire) => number | undefined): (number | undefined)[] =>
  series.map(pick);

/** One query's card. */
export function queryCard(query: QueryWire): HTMLElement {
  const title = query.name ?? query.id;
  const heading = el('div', { class: 'query-head' }, [
    el('h3', { class: 'query-name', text: title, title: `id ${query.id}\nrun ${query.runId}` }),
    el('span', { class: 'query-batch', text: `batch ${query.batchId}` }),
  ]);
  if (query.fallingBehind) {
    heading.append(el('span', { class: 'query-behind', role: 'status', text: 'Falling behind', title: query.fallingBehindReason ?? '' }));
  }
  const stats = el('div', { class: 'query-stats' }, [
    stat('Input', `${rate(query.inputRowsPerSecond)} rows/s`),
    stat('Processed', `${rate(query.processedRowsPerSecond)} rows/s`),
    stat('Batch', `${count(query.durationMs.triggerExecution)} ms`, 'triggerExecution'),
  ]);
  if (query.watermark !== undefined) stats.append(stat('Watermark', query.watermark));
  if (query.stateRows !== undefined) stats.append(stat('State rows', count(query.stateRows)));
  const rateLines = [
    { className: 'series-input', label: 'input', values: values(query.series, (p) => p.inputRowsPerSecond) },
    { className: 'series-processed', label: 'processed', values: values(query.series, (p) => p.processedRowsPerSecond) },
  ];
  const durationLines = [{ className: 'series-duration', label: 'batch', values: values(query.series, (p) => p.triggerExecutionMs) }];
  const charts = el('div', { class: 'query-charts' }, [
    el('figure', { class: 'query-figure' }, [lineChart('Rows per second', rateLines, 'rows/s'), legend(rateLines)]),
    el('figure', { class: 'query-figure' }, [
      lineChart('Batch duration', durationLines, 'ms'),
      legend([{ className: 'series-duration', label: 'batch ms' }]),
    ]),
  ]);
  if (query.series.some((p) => p.kafkaOffsetsBehind !== undefined)) {
    const lagLines = [{ className: 'series-lag', label: 'behind', values: values(query.series, (p) => p.kafkaOffsetsBehind) }];
    charts.append(
      el('figure', { class: 'query-figure' }, [
        lineChart('Kafka offsets behind latest', lagLines, 'offsets'),
        legend([{ className: 'series-lag', label: 'offsets behind' }]),
      ]),
    );
  }
  const classes = query.fallingBehind ? 'query-card behind' : 'query-card';
  return el('article', { class: classes, 'aria-label': `Streaming query ${title}`, 'data-query-id': query.id }, [
    heading,
    stats,
    charts,
    ...query.sources.map(sourceBlock),
  ]);
}

/** Draws the queries into `container`, replacing what it held; nothing (and no heading) when there are none. */
export function renderQueries(container: HTMLElement, queries: readonly QueryWire[]): void {
  if (queries.length === 0) {
    container.replaceChildren();
    container.hidden = true;
    return;
  }
  container.hidden = false;
  container.replaceChildren(
    el('h2', { class: 'query-title', text: queries.length === 1 ? 'Streaming query' : `Streaming queries (${queries.length})` }),
    ...queries.map(queryCard),
  );
}
