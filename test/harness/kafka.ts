// A real Kafka broker for the tests and the sandbox: Apache Kafka in KRaft mode (one process that
// is both controller and broker), from the jars on Maven Central, run with the machine's Java 17.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './codeServer';
import { cacheRoot, ensureDebianPackages } from './toolchain';

export const KAFKA_VERSION = process.env.HDINSIGHT_KAFKA_VERSION ?? '3.9.2';

/** Resolves the broker's jars (and their dependencies) from Maven Central once, into the cache. */
export function ensureKafkaJars(version = KAFKA_VERSION): string {
  const dir = path.join(cacheRoot, `kafka-${version}`);
  const lib = path.join(dir, 'lib');
  const marker = path.join(dir, '.installed');
  const major = Number(version.split('.')[0]);
  // Kafka 3.x logs through reload4j; 4.x through log4j2. Kafka 4.x still resolves slf4j-api 1.7.x,
  // which only finds the slf4j 1.x binding (log4j-slf4j-impl); with the slf4j2 one it logs nothing.
  const logging =
    major >= 4
      ? [['org.apache.logging.log4j', 'log4j-slf4j-impl', '2.24.3']]
      : [
          ['org.slf4j', 'slf4j-reload4j', '1.7.36'],
          ['ch.qos.reload4j', 'reload4j', '1.2.25'],
        ];
  const dependencies = [['org.apache.kafka', 'kafka_2.13', version], ...logging]
    .map(([g, a, v]) => `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`)
    .join('');
  const installed = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : undefined;
  // The marker names the dependencies; 3.x caches from before it did (it held a date) stay valid.
  if (installed === dependencies || (installed !== undefined && major < 4)) return lib;
  if (spawnFails('java', ['-version'])) throw new Error('Java 17 or newer is needed to run the Kafka broker (java is not on the PATH).');
  if (spawnFails('mvn', ['-v'])) ensureDebianPackages(['maven'], 'Fetching the Kafka broker from Maven Central');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><groupId>local</groupId><artifactId>kafka-broker</artifactId><version>1</version><dependencies>${dependencies}</dependencies></project>`,
  );
  process.stderr.write(`[kafka] fetching Kafka ${version} and its dependencies from Maven Central (once)\n`);
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

export interface KafkaBroker {
  /** host:port clients bootstrap from. */
  bootstrap: string;
  port: number;
  /** The host name the broker advertises. */
  advertisedHost: string;
  logFile: string;
  stop(): Promise<void>;
  /** Stops and starts the same broker (same data and port), as a restart on a cluster would. */
  restart(): Promise<void>;
}

export interface KafkaOptions {
  /** Advertised host (default 127.0.0.1). A name only some machines resolve tests the SSH tunnel. */
  advertisedHost?: string;
  /** Listener bind address (default 127.0.0.1). */
  bindHost?: string;
  version?: string;
  /** Runs the broker inside a network namespace (the prefix of `ip netns exec NAME`). */
  exec?: string[];
  /**
   * group.initial.rebalance.delay.ms: 0 unless given, so that tests joining groups do not wait;
   * Kafka's default (and HDInsight's) is 3,000.
   */
  groupInitialRebalanceDelayMs?: number;
}

export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const version = options.version ?? KAFKA_VERSION;
  const lib = ensureKafkaJars(version);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-kafka-'));
  // Free on this machine; inside a fresh network namespace every port is free.
  const [port, controllerPort] = [await freePort(), await freePort()];
  const bindHost = options.bindHost ?? '127.0.0.1';
  const advertisedHost = options.advertisedHost ?? '127.0.0.1';
  const config = path.join(dir, 'server.properties');
  fs.writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://${bindHost}:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${advertisedHost}:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${path.join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      `group.initial.rebalance.delay.ms=${options.groupInitialRebalanceDelayMs ?? 0}`,
      'auto.create.topics.enable=false',
      'log.retention.check.interval.ms=60000',
      '',
    ].join('\n'),
  );
  const logFile = path.join(dir, 'kafka.log');
  // Kafka 4.x logs through log4j2, which reads its own configuration format.
  fs.writeFileSync(
    path.join(dir, 'log4j2.properties'),
    [
      'appender.file.type=File',
      'appender.file.name=file',
      `appender.file.fileName=${logFile}`,
      'appender.file.layout.type=PatternLayout',
      'appender.file.layout.pattern=[%d] %p %m (%c)%n',
      'rootLogger.level=WARN',
      'rootLogger.appenderRef.file.ref=file',
      'logger.broker.name=kafka.server.BrokerServer',
      'logger.broker.level=INFO',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, 'log4j.properties'),
    'log4j.rootLogger=WARN, file\nlog4j.appender.file=org.apache.log4j.FileAppender\n' +
      `log4j.appender.file.File=${path.join(dir, 'kafka.log')}\nlog4j.appender.file.layout=org.apache.log4j.PatternLayout\n` +
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n\nlog4j.logger.kafka.server.KafkaServer=INFO\nlog4j.logger.kafka.server.BrokerServer=INFO\n',
  );
  const java = (mainClass: string, args: string[]): string[] => [
    '-Xms256m',
    '-Xmx512m',
    `-Dlog4j.configuration=file:${path.join(dir, 'log4j.properties')}`,
    `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
    '-cp',
    `${lib}/*`,
    mainClass,
    ...args,
  ];
  execFileSync('java', java('kafka.tools.StorageTool', ['format', '-t', 'hdinsight-test-cluster-0001', '-c', config]), { stdio: 'ignore' });

  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const out = fs.openSync(path.join(dir, 'stdout.log'), 'a');
    const [command, ...prefix] = [...(options.exec ?? []), 'java'];
    child = spawn(command, [...prefix, ...java('kafka.Kafka', [config])], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    await waitForPort(bindHost, port, 60_000, () => child?.exitCode !== null, dir);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    bootstrap: `${advertisedHost}:${port}`,
    port,
    advertisedHost,
    logFile,
    stop: async () => {
      await stop();
      if (!process.env.HDINSIGHT_KEEP_STATE) fs.rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await stop();
      await start();
    },
  };
}

async function waitForPort(host: string, port: number, timeoutMs: number, exited: () => boolean, dir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error(`the Kafka broker exited during start; see ${dir}/stdout.log and kafka.log`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`the Kafka broker did not listen on ${port} within ${timeoutMs / 1000} s; see ${dir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
