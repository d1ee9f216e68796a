// Real Apache Spark for the Livy emulator: the `pyspark` package from PyPI (it carries Spark's
// jars, spark-submit and spark-shell) in a virtual environment under the test cache, run with the
// machine's Java 17 in local mode. Installed once; processes start only when jobs come.
// The emulated Livy's Scala interpreter (test/emulator/LivySparkInterpreter.scala) is compiled
// once, with the Scala compiler among pyspark's jars, and kept in the cache by its source's hash.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot, ensureDebianPackages } from './toolchain';

export const SPARK_VERSION = '3.5.3';

export interface SparkInstall {
  /** SPARK_HOME: the pyspark package directory inside the virtual environment. */
  sparkHome: string;
  /** The virtual environment's python (has pyspark importable). */
  python: string;
  /** $SPARK_HOME/bin/spark-submit. */
  sparkSubmit: string;
  /** $SPARK_HOME/bin/spark-shell. */
  sparkShell: string;
  /** Shared ivy directory (spark.jars.ivy): packages from spark.jars.packages are fetched once. */
  ivyDir: string;
  /** SPARK_CONF_DIR with spark-defaults.conf (no UI, driver on loopback, the shared ivy dir). */
  confDir: string;
  /** Environment to run Spark's scripts with (SPARK_HOME, SPARK_CONF_DIR, SPARK_LOCAL_IP, PYSPARK_PYTHON, ...). */
  env: Record<string, string>;
  /** The emulated Livy's Scala interpreter (class livyemulator.LivySparkInterpreter), for the driver's class path. */
  livyReplJar: string;
}

const log = (msg: string): boolean => process.stderr.write(`[spark] ${msg}\n`);

/** Installs pyspark into a virtual environment in the cache (once) and returns where Spark is. */
export function ensureSpark(version = SPARK_VERSION): SparkInstall {
  const dir = path.join(cacheRoot, `pyspark-${version}`);
  const venv = path.join(dir, 'venv');
  const python = path.join(venv, 'bin', 'python');
  const marker = path.join(dir, '.installed');
  if (!fs.existsSync(marker) || !fs.existsSync(python)) {
    try {
      execFileSync('java', ['-version'], { stdio: 'ignore' });
    } catch {
      throw new Error('Java 17 is needed to run Spark (java is not on the PATH).');
    }
    log(`installing pyspark ${version} from PyPI into ${venv} (a few minutes, once)`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    try {
      execFileSync('python3', ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      ensureDebianPackages(['python3-venv'], 'Installing pyspark');
      execFileSync('python3', ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    execFileSync(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', `pyspark==${version}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    fs.writeFileSync(marker, `pyspark==${version}\n`);
  }
  const sitePackages = execFileSync(python, ['-c', 'import pyspark, os; print(os.path.dirname(pyspark.__file__))'], {
    encoding: 'utf8',
  }).trim();
  const sparkHome = sitePackages;
  const ivyDir = path.join(cacheRoot, 'spark-ivy');
  const confDir = path.join(dir, 'conf');
  fs.mkdirSync(ivyDir, { recursive: true });
  fs.mkdirSync(confDir, { recursive: true });
  const defaults = [
    'spark.ui.enabled false',
    `spark.jars.ivy ${ivyDir}`,
    'spark.driver.host 127.0.0.1',
    'spark.driver.bindAddress 127.0.0.1',
    'spark.sql.shuffle.partitions 2',
    'spark.ui.showConsoleProgress false',
    '',
  ].join('\n');
  const defaultsFile = path.join(confDir, 'spark-defaults.conf');
  if (!fs.existsSync(defaultsFile) || fs.readFileSync(defaultsFile, 'utf8') !== defaults) fs.writeFileSync(defaultsFile, defaults);
  return {
    sparkHome,
    livyReplJar: ensureLivyReplJar(dir, sparkHome),
    python,
    sparkSubmit: path.join(sparkHome, 'bin', 'spark-submit'),
    sparkShell: path.join(sparkHome, 'bin', 'spark-shell'),
    ivyDir,
    confDir,
    env: {
      SPARK_HOME: sparkHome,
      SPARK_CONF_DIR: confDir,
      SPARK_LOCAL_IP: '127.0.0.1',
      PYSPARK_PYTHON: python,
      PYSPARK_DRIVER_PYTHON: python,
      PATH: `${path.join(venv, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    },
  };
}

/** Compiles LivySparkInterpreter.scala against Spark's jars unless the cache has this version of it. */
function ensureLivyReplJar(dir: string, sparkHome: string): string {
  const candidates = [
    path.resolve(__dirname, '../emulator/LivySparkInterpreter.scala'),
    path.resolve(__dirname, '../../../test/emulator/LivySparkInterpreter.scala'),
  ];
  const source = candidates.find((p) => fs.existsSync(p));
  if (!source) throw new Error(`LivySparkInterpreter.scala not found (looked in ${candidates.join(', ')})`);
  const hash = crypto.createHash('sha256').update(fs.readFileSync(source)).digest('hex').slice(0, 16);
  const jar = path.join(dir, `livy-repl-${hash}.jar`);
  if (fs.existsSync(jar)) return jar;
  const jars = path.join(sparkHome, 'jars');
  const scalaJar = (name: string): string => {
    const file = fs.readdirSync(jars).find((f) => f.startsWith(`${name}-2.12.`) && f.endsWith('.jar'));
    if (!file) throw new Error(`${name} 2.12 is not among Spark's jars in ${jars}`);
    return path.join(jars, file);
  };
  log(`compiling the emulated Livy's Scala interpreter (${path.basename(jar)}, once)`);
  // Written under another name first: a run in parallel never loads a half-written jar.
  const partial = `${jar}.${process.pid}.partial.jar`;
  try {
    execFileSync(
      'java',
      [
        '-Xmx1g',
        '-cp',
        ['scala-compiler', 'scala-library', 'scala-reflect'].map(scalaJar).join(path.delimiter),
        'scala.tools.nsc.Main',
        '-nowarn',
        '-classpath',
        path.join(jars, '*'),
        '-d',
        partial,
        source,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    fs.renameSync(partial, jar);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return jar;
}
