// A real single-node YARN for the tests: Apache Hadoop 3.3.4's ResourceManager, NodeManager and
// JobHistory server (which serves the aggregated container logs), HDInsight 5.1's Hadoop, from the
// jars on Maven Central, run with the machine's Java 17. pyspark's own spark-submit runs drivers in
// it in cluster mode, so a driver's stdout and stderr are read the way a cluster gives them: the
// NodeManager's container-log pages while the application runs, the history server's afterwards.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './codeServer';
import type { SparkInstall } from './spark';
import { cacheRoot, ensureDebianPackages } from './toolchain';

export const HADOOP_VERSION = '3.3.4';

/**
 * The servers and what they need at run time. The timeline service is not used but the
 * ResourceManager does not start without its classes (NoClassDefFoundError TimelineCollectorManager).
 */
const HADOOP_ARTIFACTS = [
  'hadoop-yarn-server-resourcemanager',
  'hadoop-yarn-server-nodemanager',
  'hadoop-yarn-server-web-proxy',
  'hadoop-yarn-server-timelineservice',
  'hadoop-common',
  'hadoop-hdfs-client',
  'hadoop-hdfs',
  'hadoop-mapreduce-client-hs',
];

const log = (msg: string): boolean => process.stderr.write(`[yarn] ${msg}\n`);

/** Resolves Hadoop's servers (and their dependencies) from Maven Central once, into the cache. */
export function ensureHadoopJars(version = HADOOP_VERSION): string {
  const dir = path.join(cacheRoot, `hadoop-${version}`);
  const lib = path.join(dir, 'lib');
  const marker = path.join(dir, '.installed');
  const dependencies = HADOOP_ARTIFACTS.map(
    (a) => `<dependency><groupId>org.apache.hadoop</groupId><artifactId>${a}</artifactId><version>${version}</version></dependency>`,
  ).join('');
  // The marker names the dependencies, so a changed list fetches again.
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === dependencies && fs.existsSync(lib)) return lib;
  if (spawnFails('java', ['-version'])) throw new Error('Java 17 or newer is needed to run YARN (java is not on the PATH).');
  if (spawnFails('mvn', ['-v'])) ensureDebianPackages(['maven'], 'Fetching Hadoop from Maven Central');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>local</groupId><artifactId>yarn-servers</artifactId><version>1</version><dependencies>${dependencies}</dependencies></project>`,
  );
  log(`fetching Hadoop ${version} (ResourceManager, NodeManager, JobHistory server; about 90 MB) from Maven Central (once)`);
  execFileSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${lib}`], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  fs.writeFileSync(marker, dependencies);
  return lib;
}

function spawnFails(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

/** JAVA_HOME of the `java` on the PATH (YARN starts containers with $JAVA_HOME/bin/java). */
export function javaHome(): string {
  if (process.env.JAVA_HOME && fs.existsSync(path.join(process.env.JAVA_HOME, 'bin', 'java'))) return process.env.JAVA_HOME;
  const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
  return path.dirname(path.dirname(fs.realpathSync(java)));
}

export interface Yarn {
  /** The ResourceManager's web and REST address, http://127.0.0.1:PORT. */
  rmWebUrl: string;
  /** host:port of the NodeManager's web pages (container logs), as the RM reports it. */
  nmWebUrl: string;
  /** The NodeManager's id (host:RPC port), as in history-server log URLs. */
  nodeId: string;
  nmRpcAddress: string;
  /** The JobHistory server's web address, http://127.0.0.1:PORT (aggregated logs under /jobhistory/logs). */
  historyWebUrl: string;
  /** HADOOP_CONF_DIR: core-site, yarn-site, capacity-scheduler and mapred-site. */
  confDir: string;
  /** The user containers run as and that owns their logs (the URL's user segment). */
  user: string;
  /** rm.log, nm.log and history.log (each server's own output) live here. */
  logDir: string;
  /** The temp directory everything of this YARN lives in. */
  dir: string;
  /** Stops the three servers and every process they started (containers), and removes the temp dir. */
  stop(): Promise<void>;
  /**
   * Stops and starts the NodeManager (same ports and directories), as a restart on a cluster would.
   * NM recovery is on and supervised, as on HDInsight: the running containers live on and the new
   * NodeManager takes them back. Resolves when the new NodeManager answers and the RM lists it.
   */
  restartNodeManager(): Promise<void>;
  /** yarn.nodemanager.remote-app-log-dir: where the NodeManager aggregates the logs. */
  remoteAppLogDir: string;
  /**
   * Hides the aggregated logs from the history server (it looks into an empty store) or shows
   * them again: aggregation late, or its files lost, as the history server sees it.
   */
  hideAggregatedLogs(hidden: boolean): void;
}

export interface YarnOptions {
  /** How long the servers may take to come up (default 180 s: two busy cores start them in about a minute). */
  startTimeoutMs?: number;
  /** Memory the NodeManager offers (default 8192 MB) and its vcores (default 4). */
  memoryMb?: number;
  vcores?: number;
}

interface Server {
  name: 'rm' | 'nm' | 'history';
  mainClass: string;
  heap: string;
  /** Its own configuration directory, when not the shared one. */
  confDir?: string;
  child?: ChildProcess;
}

const ADD_OPENS = [
  'java.lang',
  'java.lang.reflect',
  'java.lang.invoke',
  'java.util',
  'java.util.concurrent',
  'java.io',
  'java.net',
  'java.nio',
  'sun.nio.ch',
  'sun.net.util',
  'sun.security.action',
].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

function siteXml(properties: Record<string, string | number | boolean>): string {
  const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = Object.entries(properties)
    .map(([k, v]) => `  <property><name>${escape(k)}</name><value>${escape(String(v))}</value></property>`)
    .join('\n');
  return `<?xml version="1.0"?>\n<configuration>\n${body}\n</configuration>\n`;
}

export async function startYarn(options: YarnOptions = {}): Promise<Yarn> {
  const lib = ensureHadoopJars();
  const java = path.join(javaHome(), 'bin', 'java');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-yarn-'));
  const sub = (name: string): string => {
    const p = path.join(dir, name);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const confDir = sub('conf');
  const logDir = sub('logs');
  const tmpDir = sub('tmp');
  const user = os.userInfo().username;
  const [rm, rmScheduler, rmTracker, rmAdmin, rmWeb, nmRpc, nmLocalizer, nmWeb, hsRpc, hsWeb, hsAdmin] = await freePorts(11);
  const host = '127.0.0.1';
  const historyWebUrl = `http://${host}:${hsWeb}`;
  const rmWebUrl = `http://${host}:${rmWeb}`;

  fs.writeFileSync(
    path.join(confDir, 'core-site.xml'),
    siteXml({ 'fs.defaultFS': 'file:///', 'hadoop.tmp.dir': path.join(dir, 'hadoop-tmp') }),
  );
  fs.writeFileSync(
    path.join(confDir, 'yarn-site.xml'),
    siteXml({
      'yarn.resourcemanager.hostname': host,
      'yarn.resourcemanager.address': `${host}:${rm}`,
      'yarn.resourcemanager.scheduler.address': `${host}:${rmScheduler}`,
      'yarn.resourcemanager.resource-tracker.address': `${host}:${rmTracker}`,
      'yarn.resourcemanager.admin.address': `${host}:${rmAdmin}`,
      'yarn.resourcemanager.webapp.address': `${host}:${rmWeb}`,
      'yarn.resourcemanager.recovery.enabled': false,
      'yarn.resourcemanager.system-metrics-publisher.enabled': false,
      'yarn.nodemanager.hostname': host,
      'yarn.nodemanager.address': `${host}:${nmRpc}`,
      'yarn.nodemanager.localizer.address': `${host}:${nmLocalizer}`,
      'yarn.nodemanager.webapp.address': `${host}:${nmWeb}`,
      // HDInsight's NodeManagers recover their containers across a restart (work-preserving):
      // under supervision a stopping NodeManager leaves them running and does not unregister.
      'yarn.nodemanager.recovery.enabled': true,
      'yarn.nodemanager.recovery.supervised': true,
      'yarn.nodemanager.recovery.dir': sub('nm-recovery'),
      'yarn.nodemanager.resource.memory-mb': options.memoryMb ?? 8192,
      'yarn.nodemanager.resource.cpu-vcores': options.vcores ?? 4,
      'yarn.scheduler.minimum-allocation-mb': 256,
      'yarn.scheduler.maximum-allocation-mb': options.memoryMb ?? 8192,
      'yarn.nodemanager.vmem-check-enabled': false,
      'yarn.nodemanager.pmem-check-enabled': false,
      'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': 99,
      'yarn.nodemanager.local-dirs': sub('nm-local'),
      'yarn.nodemanager.log-dirs': sub('nm-logs'),
      'yarn.log-aggregation-enable': true,
      // A NodeManager that never reports an application's aggregation makes the RM say TIME_OUT
      // after this (10 minutes by default; short here so a test sees it).
      'yarn.log-aggregation-status.time-out.ms': 30_000,
      'yarn.nodemanager.remote-app-log-dir': `file://${sub('app-logs')}`,
      'yarn.log.server.url': `${historyWebUrl}/jobhistory/logs`,
      'yarn.node-attribute.fs-store.root-dir': `file://${sub('node-attributes')}`,
      'yarn.timeline-service.enabled': false,
    }),
  );
  fs.writeFileSync(
    path.join(confDir, 'capacity-scheduler.xml'),
    siteXml({
      'yarn.scheduler.capacity.root.queues': 'default',
      'yarn.scheduler.capacity.root.default.capacity': 100,
      'yarn.scheduler.capacity.root.default.maximum-capacity': 100,
      'yarn.scheduler.capacity.maximum-am-resource-percent': 1.0,
      'yarn.scheduler.capacity.root.default.maximum-am-resource-percent': 1.0,
    }),
  );
  fs.writeFileSync(
    path.join(confDir, 'mapred-site.xml'),
    siteXml({
      'mapreduce.framework.name': 'yarn',
      'mapreduce.jobhistory.address': `${host}:${hsRpc}`,
      'mapreduce.jobhistory.webapp.address': `${host}:${hsWeb}`,
      'mapreduce.jobhistory.admin.address': `${host}:${hsAdmin}`,
      'mapreduce.jobhistory.done-dir': sub('history/done'),
      'mapreduce.jobhistory.intermediate-done-dir': sub('history/intermediate'),
      'yarn.app.mapreduce.am.staging-dir': sub('staging'),
    }),
  );
  fs.writeFileSync(
    path.join(confDir, 'log4j.properties'),
    [
      'log4j.rootLogger=INFO,console',
      'log4j.appender.console=org.apache.log4j.ConsoleAppender',
      'log4j.appender.console.target=System.err',
      'log4j.appender.console.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n',
      // Per-request and per-heartbeat chatter.
      'log4j.logger.org.apache.hadoop.ipc=WARN',
      'log4j.logger.org.eclipse.jetty=WARN',
      'log4j.logger.org.apache.hadoop.yarn.server.nodemanager.containermanager.monitor=WARN',
      '',
    ].join('\n'),
  );

  // The history server finds the aggregated logs through a link the tests can point elsewhere,
  // as a store that has not got (or lost) the files looks to it (hideAggregatedLogs).
  const appLogs = path.join(dir, 'app-logs');
  const appLogsView = path.join(dir, 'app-logs-view');
  const emptyLogs = sub('app-logs-empty');
  fs.symlinkSync(appLogs, appLogsView);
  const historyConfDir = sub('conf-history');
  for (const file of fs.readdirSync(confDir)) {
    const text = fs.readFileSync(path.join(confDir, file), 'utf8');
    fs.writeFileSync(path.join(historyConfDir, file), text.split(`file://${appLogs}<`).join(`file://${appLogsView}<`));
  }

  const servers: Record<Server['name'], Server> = {
    rm: { name: 'rm', mainClass: 'org.apache.hadoop.yarn.server.resourcemanager.ResourceManager', heap: '512m' },
    nm: { name: 'nm', mainClass: 'org.apache.hadoop.yarn.server.nodemanager.NodeManager', heap: '512m' },
    history: {
      name: 'history',
      mainClass: 'org.apache.hadoop.mapreduce.v2.hs.JobHistoryServer',
      heap: '384m',
      confDir: historyConfDir,
    },
  };
  const env = {
    ...process.env,
    JAVA_HOME: javaHome(),
    HADOOP_CONF_DIR: confDir,
    HADOOP_LOG_DIR: logDir,
    HADOOP_USER_NAME: user,
  };
  const logFile = (s: Server): string => path.join(logDir, `${s.name}.log`);
  const launch = (s: Server): void => {
    const out = fs.openSync(logFile(s), 'a');
    s.child = spawn(
      java,
      [
        `-Xmx${s.heap}`,
        '-XX:+UseSerialGC',
        ...ADD_OPENS,
        `-Dhadoop.log.dir=${logDir}`,
        `-Dyarn.log.dir=${logDir}`,
        `-Dhadoop.home.dir=${dir}`,
        `-Djava.io.tmpdir=${tmpDir}`,
        '-cp',
        `${s.confDir ?? confDir}:${lib}/*`,
        s.mainClass,
      ],
      // Its own process group: stop() signals the group. Containers run in their own sessions
      // (the NodeManager starts them with setsid) and are found by their directory instead.
      { cwd: dir, env: { ...env, HADOOP_CONF_DIR: s.confDir ?? confDir }, detached: true, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
  };
  const logs = (): string => Object.values(servers).map(logFile).join(', ');
  const timeoutMs = options.startTimeoutMs ?? 180_000;

  /**
   * Stops a server with its whole process group, or (`alone`) only the server's own process, as
   * a service manager stops a daemon by its pid: the NodeManager's container launchers, in its
   * group, then live on.
   */
  const stopServer = async (s: Server, alone = false): Promise<void> => {
    const child = s.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const signal = alone ? signalPid : signalGroup;
    signal(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signal(child.pid!, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    if (!alone) signalGroup(child.pid, 'SIGKILL');
  };
  const stopAll = async (removeDir: boolean): Promise<void> => {
    // The NodeManager first: on a clean stop it kills its containers itself.
    await stopServer(servers.nm);
    await Promise.all([stopServer(servers.rm), stopServer(servers.history)]);
    await killLeftovers(dir);
    process.removeListener('exit', onExit);
    if (removeDir && !process.env.HDINSIGHT_KEEP_STATE) fs.rmSync(dir, { recursive: true, force: true });
  };

  // A test run that ends without stop() (a crash, process.exit) must not leave the JVMs running.
  const onExit = (): void => {
    for (const s of Object.values(servers)) if (s.child?.pid && s.child.exitCode === null) signalGroup(s.child.pid, 'SIGKILL');
    for (const pid of processesUnder(dir)) signalPid(pid, 'SIGKILL');
  };
  process.once('exit', onExit);

  const started = Date.now();
  try {
    for (const s of Object.values(servers)) launch(s);
    const deadline = started + timeoutMs;
    const node = await waitFor(
      'the ResourceManager to report one RUNNING NodeManager',
      deadline,
      servers,
      logs,
      async () => (await runningNodes(rmWebUrl))[0],
    );
    await waitFor('the JobHistory server to answer', deadline, servers, logs, async () => {
      const res = await fetch(`${historyWebUrl}/ws/v1/history/info`, { headers: { Accept: 'application/json' } });
      return res.ok ? true : undefined;
    });
    log(`ResourceManager, NodeManager and JobHistory server up in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`);
    return {
      rmWebUrl,
      nmWebUrl: node.nodeHTTPAddress,
      nodeId: node.id,
      nmRpcAddress: node.id,
      historyWebUrl,
      confDir,
      user,
      logDir,
      dir,
      stop: () => stopAll(true),
      restartNodeManager: async () => {
        const before = await nodeManagerStartedAt(`${host}:${nmWeb}`);
        await stopServer(servers.nm, true);
        launch(servers.nm);
        // Under supervision the stopped NodeManager did not unregister: the RM's list still says
        // RUNNING. The new one is known by its start time, then by the RM hearing from it again.
        const deadline = Date.now() + timeoutMs;
        await waitFor('the restarted NodeManager to answer', deadline, servers, logs, async () => {
          const started = await nodeManagerStartedAt(`${host}:${nmWeb}`);
          return started !== undefined && started !== before ? true : undefined;
        });
        await waitFor('the restarted NodeManager to register', deadline, servers, logs, async () => (await runningNodes(rmWebUrl))[0]);
      },
      remoteAppLogDir: appLogs,
      hideAggregatedLogs: (hidden: boolean) => {
        const tmp = `${appLogsView}.${process.pid}`;
        fs.symlinkSync(hidden ? emptyLogs : appLogs, tmp);
        fs.renameSync(tmp, appLogsView);
      },
    };
  } catch (err) {
    // The processes go; the logs the message names stay.
    await stopAll(false);
    throw err;
  }
}

interface NodeInfo {
  id: string;
  state: string;
  nodeHTTPAddress: string;
}

/** The NodeManager's start time (ms) from its own REST API; undefined while it does not answer. */
async function nodeManagerStartedAt(nmWebAddress: string): Promise<number | undefined> {
  try {
    const res = await fetch(`http://${nmWebAddress}/ws/v1/node/info`, {
      headers: { Accept: 'application/json' },
    });
    if (!res.ok) return undefined;
    return ((await res.json()) as { nodeInfo?: { nmStartupTime?: number } }).nodeInfo?.nmStartupTime;
  } catch {
    return undefined;
  }
}

async function runningNodes(rmWebUrl: string): Promise<NodeInfo[]> {
  const res = await fetch(`${rmWebUrl}/ws/v1/cluster/nodes`, { headers: { Accept: 'application/json' } });
  if (!res.ok) return [];
  const body = (await res.json()) as { nodes: { node?: NodeInfo[] } | null };
  return (body.nodes?.node ?? []).filter((n) => n.state === 'RUNNING');
}

/** Polls until `probe` gives a value; fails on a server's exit or the deadline, naming the logs. */
async function waitFor<T>(
  what: string,
  deadline: number,
  /** The servers that must stay up meanwhile. */
  servers: Partial<Record<string, Server>>,
  logs: () => string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    const dead = Object.values(servers).find((s) => s?.child && (s.child.exitCode !== null || s.child.signalCode !== null));
    if (dead) {
      const how = dead.child?.exitCode ?? dead.child?.signalCode;
      throw new Error(`YARN: the ${dead.name} server exited (${how}) while waiting for ${what}; see ${logs()}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`YARN: timed out waiting for ${what}; see ${logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Processes still running out of `dir`: containers (their working directory is in the NodeManager's
 * local dirs), the Python processes of drivers and executors, spark-submit started with cwd in it.
 */
export function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(dir)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

async function killLeftovers(dir: string): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const pids = processesUnder(dir);
    if (pids.length === 0) return;
    for (const pid of pids) signalPid(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`processes of ${dir} still running after SIGKILL: ${processesUnder(dir).join(', ')}`);
}

export interface SparkSubmitYarn {
  /** $SPARK_HOME/bin/spark-submit. */
  command: string;
  /** Options up to (not including) the application file. */
  args: string[];
  env: Record<string, string>;
}

export interface SparkSubmitYarnOptions {
  name?: string;
  /** spark.yarn.tags, as Livy tags its applications (livy-batch-N-XXXXXXXX). */
  tags?: string[];
  /** More --conf entries (they win over the defaults). */
  conf?: Record<string, string>;
}

/**
 * spark-submit in `--master yarn --deploy-mode cluster` against this YARN: the driver runs in the
 * ApplicationMaster's container, Spark's jars come from pyspark's own folder (no upload), and
 * spark-submit returns right after the submission, as under Livy.
 */
export function sparkSubmitYarn(
  spark: SparkInstall,
  yarn: Pick<Yarn, 'confDir' | 'dir'>,
  options: SparkSubmitYarnOptions = {},
): SparkSubmitYarn {
  const java = javaHome();
  const containerEnv = { PYSPARK_PYTHON: spark.python, JAVA_HOME: java, SPARK_LOCAL_IP: '127.0.0.1' };
  const conf: Record<string, string> = {
    'spark.yarn.jars': `local:${spark.sparkHome}/jars/*`,
    // The default is the submitter's home on fs.defaultFS (here the local disk).
    'spark.yarn.stagingDir': `file://${path.join(yarn.dir, 'spark-staging')}`,
    ...Object.fromEntries(
      Object.entries(containerEnv).flatMap(([k, v]) => [
        [`spark.yarn.appMasterEnv.${k}`, v],
        [`spark.executorEnv.${k}`, v],
      ]),
    ),
    'spark.driver.memory': '512m',
    'spark.executor.memory': '512m',
    'spark.executor.instances': '1',
    'spark.executor.cores': '1',
    'spark.yarn.submit.waitAppCompletion': 'false',
    ...(options.tags?.length ? { 'spark.yarn.tags': options.tags.join(',') } : {}),
    ...options.conf,
  };
  const args = ['--master', 'yarn', '--deploy-mode', 'cluster'];
  if (options.name) args.push('--name', options.name);
  for (const [k, v] of Object.entries(conf)) args.push('--conf', `${k}=${v}`);
  return {
    command: spark.sparkSubmit,
    args,
    env: { ...spark.env, HADOOP_CONF_DIR: yarn.confDir, YARN_CONF_DIR: yarn.confDir, JAVA_HOME: java },
  };
}
