// The pre-flight of a streaming job: before Submit Streaming Job sends anything, what the code and
// its Spark configuration ask for is checked against what the extension knows of the clusters:
// can the Spark cluster reach the Kafka brokers the code names (the same virtual network, the
// tutorial's main pitfall), and does the Kafka connector in the configuration match the cluster's
// Spark and Scala. Pure analysis: text and facts in, findings out. No vscode import, no network.

/** What is known of the Spark cluster the job goes to. */
export interface SparkClusterFacts {
  name: string;
  /** Azure clusters have Resource Manager's facts; a linked cluster's network is unknown. */
  source: 'azure' | 'linked';
  /** Resource id of the virtual network of the cluster's roles; undefined when it has none. */
  virtualNetwork?: string;
  subnet?: string;
  location?: string;
  /** clusterDefinition.componentVersion.Spark, e.g. "3.3". */
  sparkVersion?: string;
  /** properties.clusterVersion, e.g. "5.1.3000.0". */
  clusterVersion?: string;
}

/** A Kafka cluster whose brokers the extension discovered (or was given, for a linked cluster). */
export interface KafkaClusterFacts {
  name: string;
  source: 'azure' | 'linked';
  /** host:port of each broker. */
  brokers: string[];
  virtualNetwork?: string;
  subnet?: string;
  location?: string;
}

export interface PreflightInput {
  language: 'python' | 'scala';
  /** The code as submitted (a file's or a selection's text, a notebook cell's). */
  code?: string;
  /** The submission's Spark configuration (the command's `conf`, or the settings' configuration). */
  conf?: Record<string, string>;
  spark: SparkClusterFacts;
  kafka: KafkaClusterFacts[];
}

export type FindingCode =
  /** The Spark cluster and the Kafka cluster are not in one virtual network. */
  | 'kafka-network'
  /** The bootstrap servers are not host:port pairs. */
  | 'bootstrap-malformed'
  /** Brokers the extension does not know: the network cannot be checked. */
  | 'brokers-unknown'
  /** The bootstrap servers are computed: which cluster they name cannot be told from the text. */
  | 'bootstrap-unresolved'
  /** The job uses Kafka and no Kafka connector is asked for. */
  | 'connector-missing'
  /** The Kafka connector asked for does not fit the cluster's Spark or Scala. */
  | 'connector-mismatch'
  /** The connector is set only in the code's SparkSession builder, too late for Livy. */
  | 'connector-in-code';

export interface PreflightFinding {
  code: FindingCode;
  /** `warning`: the job is likely to fail (asked before submitting); `info`: worth knowing. */
  severity: 'warning' | 'info';
  /** One short sentence, e.g. for a dialog's title. */
  title: string;
  message: string;
  /** What to do about it, as one or two sentences. */
  action?: string;
  /** 1-based line of the code the finding is about. */
  line?: number;
  /** A change of the configuration that fixes it, for this submission. */
  fix?: ConfFix;
}

export interface ConfFix {
  /** The Kafka connector's Maven coordinates, e.g. org.apache.spark:spark-sql-kafka-0-10_2.12:3.3.1 */
  coordinates: string;
  /** The whole `spark.jars.packages` value after the fix (other packages kept). */
  packages: string;
}

export interface PreflightResult {
  findings: PreflightFinding[];
  /** The bootstrap servers the code names, as written. */
  bootstrap: { text: string; line: number; source: 'literal' | 'variable' | 'conf' }[];
  /** The Kafka clusters those servers belong to. */
  kafkaClusters: string[];
  /** The connector the configuration asks for, if any. */
  connector?: string;
  /** The connector that fits the Spark cluster, when its version is known. */
  expectedConnector?: string;
}

/** What the pre-flight of one submission found and did, as `hdinsight.getJob` reports it. */
export interface PreflightReport {
  /** Not run: asked to skip it, or nothing to read (a file already in the cluster's storage). */
  skipped?: boolean;
  findings: PreflightFinding[];
  /** The Kafka clusters the job's bootstrap servers belong to. */
  kafkaClusters: string[];
  /** The fix put in this submission's configuration, when it was accepted. */
  applied?: ConfFix;
  /** Kafka clusters whose network could not be read again in time: checked as last seen. */
  stale?: string[];
}

export const PACKAGES_KEY = 'spark.jars.packages';
const CONNECTOR = /^org\.apache\.spark:spark-sql-kafka-0-10_(\d+\.\d+):(\S+)$/;

/** Runs every check; never throws on odd input (it becomes a finding or nothing). */
export function analyseStreamingJob(input: PreflightInput): PreflightResult {
  const code = input.code ?? '';
  const configure = parseConfigureMagic(code);
  const conf = { ...configure?.conf, ...input.conf };
  const findings: PreflightFinding[] = [];
  const bootstrap = findBootstrapServers(code, input.language);
  for (const [key, value] of Object.entries(conf)) {
    if (/(^|\.)bootstrap\.servers$/i.test(key)) bootstrap.push({ text: value, line: 0, source: 'conf' });
  }
  const kafkaClusters = new Set<string>();
  for (const found of bootstrap) {
    if (found.unresolved !== undefined) {
      findings.push({
        code: 'bootstrap-unresolved',
        title: 'Which Kafka cluster the job reads cannot be told.',
        severity: 'info',
        line: found.line || undefined,
        message: `The Kafka bootstrap servers at line ${found.line} are computed (${found.unresolved}), so the pre-flight cannot tell which Kafka cluster they name.`,
        action: 'Write them as a string, or in a variable holding the string, to have the network checked.',
      });
      continue;
    }
    const parsed = parseBootstrapServers(found.text);
    const where = found.source === 'conf' ? 'in the configuration' : `at line ${found.line}`;
    if ('error' in parsed) {
      findings.push({
        code: 'bootstrap-malformed',
        title: 'The Kafka bootstrap servers are malformed.',
        severity: 'warning',
        line: found.line || undefined,
        message: `The Kafka bootstrap servers ${where} are not host:port pairs separated by commas: ${parsed.error}`,
        action: 'Write them as host:port,host:port, e.g. the list Discover Kafka Brokers gives.',
      });
      continue;
    }
    const owners = input.kafka.filter((k) => parsed.servers.some((s) => k.brokers.some((b) => sameBroker(s, b))));
    if (owners.length === 0) {
      findings.push({
        code: 'brokers-unknown',
        title: 'The Kafka brokers are not known to the extension.',
        severity: 'info',
        line: found.line || undefined,
        message: `The Kafka brokers ${where} (${parsed.servers.map((s) => s.host).join(', ')}) are not among the brokers the extension discovered, so whether ${input.spark.name} can reach them is not checked.`,
        action: "Expand the Kafka cluster's Brokers in the HDInsight view (or run Discover Kafka Brokers) to have the network checked.",
      });
      continue;
    }
    for (const owner of owners) kafkaClusters.add(owner.name);
    const network = networkFinding(input.spark, owners);
    if (network) findings.push({ ...network, line: found.line || undefined });
  }
  const usesKafka = bootstrap.length > 0 || /\.format\(\s*["']kafka["']\s*\)|\.format\(\s*"kafka"\s*\)/.test(code);
  const connectorResult = connectorFindings(input, conf, code, usesKafka);
  findings.push(...connectorResult.findings);
  return {
    findings: dedupe(findings),
    bootstrap: bootstrap.map(({ text, line, source }) => ({ text, line, source })),
    kafkaClusters: [...kafkaClusters],
    connector: connectorResult.connector,
    expectedConnector: connectorResult.expected,
  };
}

// ---- bootstrap servers in the code ----

interface FoundBootstrap {
  text: string;
  line: number;
  source: 'literal' | 'variable' | 'conf';
  /** The expression, when it is not a string the pre-flight can read. */
  unresolved?: string;
}

const STRING = String.raw`(?:[rRbBuUfFsS]{0,2})(?:"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')`;
const KEY = /(["'])kafka\.bootstrap\.servers\1\s*(?:,|:|->|=)\s*/g;

/**
 * Where the code names Kafka's bootstrap servers: `.option("kafka.bootstrap.servers", …)`,
 * `{"kafka.bootstrap.servers": …}`, `Map("kafka.bootstrap.servers" -> …)`, with a string or a
 * variable assigned a string in the same code (its last assignment before the use).
 */
export function findBootstrapServers(code: string, language: 'python' | 'scala'): FoundBootstrap[] {
  const found: FoundBootstrap[] = [];
  const stripped = blankComments(code, language);
  for (const match of stripped.matchAll(KEY)) {
    const start = match.index + match[0].length;
    const line = lineOf(code, match.index);
    const rest = stripped.slice(start);
    const literal = new RegExp(`^${STRING}`).exec(rest);
    if (literal) {
      const value = stringValue(literal[0]);
      if (value === undefined) found.push({ text: literal[0], line, source: 'literal', unresolved: literal[0] });
      else found.push({ text: value, line, source: 'literal' });
      continue;
    }
    const identifier = /^[A-Za-z_][\w.]*/.exec(rest);
    const expression = /^[^),\n}]*/.exec(rest)![0].trim();
    if (identifier && identifier[0] === expression) {
      const assigned = lastAssignment(stripped.slice(0, match.index), identifier[0]) ?? lastAssignment(stripped, identifier[0]);
      if (assigned !== undefined) {
        const value = stringValue(assigned);
        if (value !== undefined) {
          found.push({ text: value, line, source: 'variable' });
          continue;
        }
      }
    }
    found.push({ text: expression, line, source: 'literal', unresolved: expression || '…' });
  }
  return found;
}

/** Every broker the code names where it sets kafka.bootstrap.servers (the ones it can read), each once. */
export function brokersNamedIn(code: string, language: 'python' | 'scala'): BrokerAddress[] {
  const seen = new Map<string, BrokerAddress>();
  for (const found of findBootstrapServers(code, language)) {
    if (found.unresolved !== undefined) continue;
    const parsed = parseBootstrapServers(found.text);
    if ('servers' in parsed) for (const s of parsed.servers) seen.set(`${s.host}:${s.port}`, s);
  }
  return [...seen.values()];
}

/** The string literal last assigned to `name` (Python `x = "…"`, Scala `val x: String = "…"`). */
function lastAssignment(code: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(
    String.raw`(?:^|[\s;])(?:(?:val|var|final\s+val|private\s+val)\s+)?${escaped}\s*(?::\s*String\s*)?=(?!=)\s*(${STRING})`,
    'gm',
  );
  let last: string | undefined;
  for (const m of code.matchAll(re)) last = m[1];
  return last;
}

/** The text of a string literal; undefined for interpolated ones (f"…{x}", s"…$x"). */
function stringValue(literal: string): string | undefined {
  const prefix = /^[rRbBuUfFsS]*/.exec(literal)![0];
  const quoted = literal.slice(prefix.length);
  const quote = quoted.startsWith('"""') || quoted.startsWith("'''") ? quoted.slice(0, 3) : quoted[0];
  const body = quoted.slice(quote.length, quoted.length - quote.length);
  if (/[fF]/.test(prefix) && /\{[^}]*\}/.test(body)) return undefined;
  if (/[sS]/.test(prefix) && /\$/.test(body)) return undefined;
  return /[rR]/.test(prefix) ? body : body.replace(/\\(.)/g, '$1');
}

/** Comments replaced by spaces (offsets and lines kept), so commented-out options are not read. */
function blankComments(code: string, language: 'python' | 'scala'): string {
  const comment = language === 'python' ? /#[^\n]*/g : /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
  // Strings first, so a '#' inside a string is not a comment.
  const tokens = new RegExp(`${STRING}|${comment.source}`, 'g');
  return code.replace(tokens, (t) => (/^[rRbBuUfFsS]{0,2}["']/.test(t) ? t : t.replace(/[^\n]/g, ' ')));
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export interface BrokerAddress {
  host: string;
  port: number;
}

/** `host:port,host:port` as Kafka clients take it, or what is wrong with it. */
export function parseBootstrapServers(text: string): { servers: BrokerAddress[] } | { error: string } {
  const shown = text.length > 80 ? `${text.slice(0, 77)}…` : text;
  if (!text.trim()) return { error: 'the string is empty.' };
  const servers: BrokerAddress[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) return { error: `"${shown}" has an empty entry (two commas, or a comma at an end).` };
    if (/\s/.test(entry)) return { error: `"${entry}" has a space in it.` };
    const withoutScheme = entry.replace(/^[A-Z_]+:\/\//i, '');
    const match = /^(\[[0-9a-f:]+\]|[^:/[\]]+):(\d+)$/i.exec(withoutScheme);
    if (!match) {
      return /^[^:]+$/.test(withoutScheme)
        ? { error: `"${entry}" has no port (Kafka on HDInsight listens on 9092: ${entry}:9092).` }
        : { error: `"${entry}" is not host:port.` };
    }
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return { error: `"${entry}": ${match[2]} is not a port (1 to 65535).` };
    if (!/^(\[[0-9a-f:]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/i.test(match[1])) {
      return { error: `"${match[1]}" is not a host name.` };
    }
    servers.push({ host: match[1].toLowerCase(), port });
  }
  return { servers };
}

/** A broker as the code names it and one the extension discovered: same host (or its short name). */
export function sameBroker(named: BrokerAddress, discovered: string): boolean {
  const host = discovered.replace(/:\d+$/, '').toLowerCase();
  return named.host === host || host.startsWith(`${named.host}.`);
}

// ---- the network ----

function networkName(id: string | undefined): string {
  return id ? (id.split('/').filter(Boolean).at(-1) ?? id) : '';
}

function networkFinding(spark: SparkClusterFacts, owners: KafkaClusterFacts[]): PreflightFinding | undefined {
  // Only Resource Manager's facts say where a cluster is; a linked cluster's network is unknown.
  if (spark.source !== 'azure') return undefined;
  const azureOwners = owners.filter((k) => k.source === 'azure');
  if (azureOwners.length === 0) return undefined;
  const same = (k: KafkaClusterFacts): boolean =>
    !!spark.virtualNetwork && !!k.virtualNetwork && spark.virtualNetwork.toLowerCase() === k.virtualNetwork.toLowerCase();
  if (azureOwners.some(same)) return undefined;
  const kafka = azureOwners[0];
  const where = (name: string, vnet: string | undefined): string =>
    vnet ? `${name} is in the virtual network ${networkName(vnet)}` : `${name} is in no virtual network of yours`;
  const detail =
    !spark.virtualNetwork && !kafka.virtualNetwork
      ? `Neither ${spark.name} nor ${kafka.name} was created in a virtual network of yours: each has its own, and the brokers' names (${shortHosts(kafka)}) resolve and route only inside ${kafka.name}'s.`
      : `${where(spark.name, spark.virtualNetwork)}, ${where(kafka.name, kafka.virtualNetwork)}: the brokers' names (${shortHosts(kafka)}) resolve and route only inside ${kafka.name}'s network.`;
  return {
    code: 'kafka-network',
    title: `${spark.name} probably cannot reach the Kafka brokers of ${kafka.name}.`,
    severity: 'warning',
    message: `${spark.name} probably cannot reach the Kafka brokers of ${kafka.name}. ${detail} The job would wait for the brokers and fail with timeouts.`,
    action:
      `Put both clusters in one virtual network (Create Spark + Kafka Pair does), or peer the two networks and give the Spark cluster ` +
      `a DNS that resolves the brokers' names (or Kafka's IP advertising), then submit again.`,
  };
}

function shortHosts(kafka: KafkaClusterFacts): string {
  const hosts = kafka.brokers.map((b) => b.replace(/:\d+$/, ''));
  return hosts.length > 2 ? `${hosts.slice(0, 2).join(', ')}, …` : hosts.join(', ');
}

// ---- the Kafka connector ----

/** Spark and Scala of HDInsight's Spark versions (HDInsight 4.0: 2.4.4; 5.0: 3.1.3; 5.1: 3.3.1). */
const HDINSIGHT_SPARK: Record<string, { spark: string; scala: string }> = {
  '2.4': { spark: '2.4.4', scala: '2.11' },
  '3.1': { spark: '3.1.3', scala: '2.12' },
  '3.3': { spark: '3.3.1', scala: '2.12' },
};

/** The Spark release and Scala version of a cluster, from its Spark component version. */
export function sparkRuntime(sparkVersion: string | undefined): { spark: string; scala: string } | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(sparkVersion?.trim() ?? '');
  if (!match) return undefined;
  const minor = `${match[1]}.${match[2]}`;
  const known = HDINSIGHT_SPARK[minor];
  if (known) return match[3] === undefined ? known : { ...known, spark: match[0] };
  // Spark's own defaults: Scala 2.11 up to 2.4, 2.12 for 3.x, 2.13 from 4.0.
  const major = Number(match[1]);
  const scala = major >= 4 ? '2.13' : major === 3 ? '2.12' : '2.11';
  return { spark: match[3] === undefined ? `${minor}.0` : match[0], scala };
}

/** The Maven coordinates of Spark's Kafka connector for a Spark release. */
export function kafkaConnector(runtime: { spark: string; scala: string }): string {
  return `org.apache.spark:spark-sql-kafka-0-10_${runtime.scala}:${runtime.spark}`;
}

function connectorFindings(
  input: PreflightInput,
  conf: Record<string, string>,
  code: string,
  usesKafka: boolean,
): { findings: PreflightFinding[]; connector?: string; expected?: string } {
  const packages = (conf[PACKAGES_KEY] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const connector = packages.find((p) => /^org\.apache\.spark:spark-sql-kafka-0-10_/.test(p));
  const jarConnector = (conf['spark.jars'] ?? '').split(',').find((j) => /spark-sql-kafka-0-10/.test(j));
  const runtime = sparkRuntime(input.spark.sparkVersion);
  const expected = runtime ? kafkaConnector(runtime) : undefined;
  const sparkText = runtime ? `Spark ${runtime.spark} with Scala ${runtime.scala}` : 'its Spark';
  const clusterText = `${input.spark.name} runs ${sparkText}${hdinsightVersion(input.spark.clusterVersion)}`;
  const fix = expected ? { coordinates: expected, packages: replaceConnector(packages, expected) } : undefined;
  const findings: PreflightFinding[] = [];
  if (connector) {
    const match = CONNECTOR.exec(connector);
    if (!match) {
      findings.push({
        code: 'connector-mismatch',
        severity: 'warning',
        title: 'The Kafka connector is not Maven coordinates.',
        message: `The Kafka connector "${connector}" in ${PACKAGES_KEY} is not groupId:artifactId:version.`,
        action: expected
          ? `Use ${expected}: ${clusterText}.`
          : 'Write it as org.apache.spark:spark-sql-kafka-0-10_<scala>:<spark version>.',
        fix,
      });
    } else if (runtime) {
      const [, scala, version] = match;
      const minor = (v: string): string => v.split('.').slice(0, 2).join('.');
      if (scala !== runtime.scala || minor(version) !== minor(runtime.spark)) {
        const wrong = [
          scala !== runtime.scala ? `Scala ${scala}` : undefined,
          minor(version) !== minor(runtime.spark) ? `Spark ${version}` : undefined,
        ].filter(Boolean);
        findings.push({
          code: 'connector-mismatch',
          severity: 'warning',
          title: `The Kafka connector does not fit ${input.spark.name}'s Spark.`,
          message:
            `The Kafka connector ${connector} is built for ${wrong.join(' and ')}, but ${clusterText}. ` +
            `The job would fail when it starts reading Kafka (NoSuchMethodError, ClassNotFoundException or "Failed to find data source: kafka").`,
          action: `Use ${expected}.`,
          fix,
        });
      } else if (version !== runtime.spark) {
        findings.push({
          code: 'connector-mismatch',
          severity: 'info',
          title: `The Kafka connector is of another patch release than ${input.spark.name}'s Spark.`,
          message: `The Kafka connector ${connector} is for Spark ${version}; ${clusterText}. Patch releases usually work together.`,
          action: `${expected} matches exactly.`,
          fix,
        });
      }
    }
  } else if (usesKafka && !jarConnector) {
    const inBuilder = /\.config\(\s*["']spark\.jars\.packages["']\s*,\s*["'][^"']*spark-sql-kafka/.exec(
      blankComments(code, input.language),
    );
    if (inBuilder) {
      findings.push({
        code: 'connector-in-code',
        title: 'The Kafka connector is set in the code, where Livy never loads it.',
        severity: 'warning',
        line: lineOf(code, inBuilder.index),
        message:
          `The Kafka connector is set in the code's SparkSession builder (line ${lineOf(code, inBuilder.index)}). On the cluster Livy starts ` +
          `the driver before the code runs, so packages set there are never loaded ("Failed to find data source: kafka").`,
        action: expected
          ? `Put ${expected} in the submission's ${PACKAGES_KEY}.`
          : `Put the connector in the submission's ${PACKAGES_KEY}.`,
        fix,
      });
    } else {
      findings.push({
        code: 'connector-missing',
        title: 'The job asks for no Kafka connector.',
        severity: 'warning',
        message:
          `The job uses Kafka, but its configuration asks for no Kafka connector (${PACKAGES_KEY}); HDInsight's Spark does not ` +
          `ship it, so the job would fail with "Failed to find data source: kafka".`,
        action: expected
          ? `Add ${expected}: ${clusterText}.`
          : `Add org.apache.spark:spark-sql-kafka-0-10 for the cluster's Spark and Scala.`,
        fix,
      });
    }
  }
  return { findings, connector: connector ?? jarConnector, expected };
}

function hdinsightVersion(clusterVersion: string | undefined): string {
  const match = /^(\d+\.\d+)/.exec(clusterVersion ?? '');
  return match ? ` (HDInsight ${match[1]})` : '';
}

/** The packages with every Kafka connector replaced by `coordinates` (added when there was none). */
function replaceConnector(packages: string[], coordinates: string): string {
  const others = packages.filter((p) => !/^org\.apache\.spark:spark-sql-kafka-0-10_/.test(p));
  return [...others, coordinates].join(',');
}

/** The configuration with the fix applied: `spark.jars.packages` as the fix has it. */
export function applyFix(conf: Record<string, string> | undefined, fix: ConfFix): Record<string, string> {
  return { ...conf, [PACKAGES_KEY]: fix.packages };
}

function dedupe(findings: PreflightFinding[]): PreflightFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code} ${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- %%configure ----

export interface ConfigureMagic {
  conf: Record<string, string>;
  /** Where the magic and its JSON are in the code (offsets), to take them out or rewrite them. */
  start: number;
  end: number;
}

/**
 * sparkmagic's `%%configure [-f]` followed by a JSON object (as in a notebook cell): its `conf`.
 * Undefined when the code has none or its JSON does not parse.
 */
export function parseConfigureMagic(code: string): ConfigureMagic | undefined {
  const match = /^[ \t]*%%configure(?:[ \t]+-f)?[ \t]*\r?\n?/m.exec(code);
  if (!match) return undefined;
  const jsonStart = code.indexOf('{', match.index + match[0].length);
  if (jsonStart < 0 || code.slice(match.index + match[0].length, jsonStart).trim()) return undefined;
  const jsonEnd = matchingBrace(code, jsonStart);
  if (jsonEnd < 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(code.slice(jsonStart, jsonEnd + 1));
  } catch {
    return undefined;
  }
  const conf = (body as { conf?: unknown } | null)?.conf;
  const entries = typeof conf === 'object' && conf !== null ? Object.entries(conf as Record<string, unknown>) : [];
  return {
    conf: Object.fromEntries(entries.filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]) => [k, String(v)])),
    start: match.index,
    end: jsonEnd + 1,
  };
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * The code without its `%%configure` cell magic (replaced by as many empty lines, so line numbers
 * stay), and the magic's `conf`, which the submission carries as Livy configuration instead.
 */
export function splitConfigureMagic(code: string): { code: string; conf?: Record<string, string> } {
  const magic = parseConfigureMagic(code);
  if (!magic) return { code };
  const lines = code.slice(magic.start, magic.end).split('\n').length - 1;
  return { code: code.slice(0, magic.start) + '\n'.repeat(lines) + code.slice(magic.end), conf: magic.conf };
}

/** The code with the `%%configure` magic's `spark.jars.packages` set to the fix's (kept as JSON). */
export function fixConfigureMagic(code: string, fix: ConfFix): string | undefined {
  const magic = parseConfigureMagic(code);
  if (!magic) return undefined;
  const text = code.slice(magic.start, magic.end);
  const jsonStart = text.indexOf('{');
  const body = JSON.parse(text.slice(jsonStart)) as { conf?: Record<string, unknown> };
  body.conf = { ...body.conf, [PACKAGES_KEY]: fix.packages };
  return code.slice(0, magic.start) + text.slice(0, jsonStart) + JSON.stringify(body, null, 4) + code.slice(magic.end);
}
