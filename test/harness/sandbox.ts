// The local sandbox: the emulator and a real VS Code (code-server) with the packaged extension
// installed and its settings pointing at the emulator, so the extension can be tried in a browser
// without an Azure account.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { codeServerCli, freePort, startCodeServer } from './codeServer';
import { repoRoot } from './extensionHost';
import { startTestEnvironment } from './testEnvironment';

export const vsixPath = path.join(repoRoot, 'dist-vsix', 'hdinsight-streaming.vsix');

export interface Sandbox {
  url: string;
  emulatorUrl: string;
  stop(): Promise<void>;
}

export async function startSandbox(options: { port?: number; stateDir?: string } = {}): Promise<Sandbox> {
  if (!fs.existsSync(vsixPath)) throw new Error(`${vsixPath} is missing: run "npm run package" first (npm run sandbox does).`);
  const stateDir = options.stateDir ?? process.env.HDINSIGHT_SANDBOX_DIR ?? path.join(repoRoot, '.sandbox');
  // A fresh VS Code profile each time; the workspace folder is kept between runs.
  fs.rmSync(path.join(stateDir, 'user-data'), { recursive: true, force: true });
  fs.rmSync(path.join(stateDir, 'extensions'), { recursive: true, force: true });
  const folder = path.join(stateDir, 'workspace');
  fs.mkdirSync(folder, { recursive: true });

  const environment = await startTestEnvironment({ vnet: 'optional' });
  const emulatorUrl = environment.url;
  process.stderr.write(`[sandbox] emulator (Azure Resource Manager) listening on ${emulatorUrl}\n`);
  process.stderr.write(`[sandbox] emulator CA certificate: ${environment.env.NODE_EXTRA_CA_CERTS}\n`);
  process.stderr.write(`[sandbox] Kafka broker (real, KRaft): ${environment.kafka.bootstrap}\n`);
  process.stderr.write(
    environment.env.HDINSIGHT_SPARK_ON_YARN
      ? '[sandbox] Livy runs batches on a real YARN in cluster mode, as on HDInsight (YARN starts with the first batch)\n'
      : '[sandbox] Livy runs Spark in local mode, for speed: unlike a real cluster, a batch’s Livy log holds the driver’s own output. ' +
          'HDINSIGHT_SPARK_ON_YARN=1 runs batches on a real YARN as on HDInsight.\n',
  );
  // The emulated Reader-role subscription cannot read cluster logins, so a user trying that flow types them.
  const readerOnly = new Set(environment.seed.readerOnly.map((id) => id.toLowerCase()));
  const logins = environment.seed.clusters
    .filter((c) => readerOnly.has(c.subscriptionId.toLowerCase()))
    .map((c) => `${c.name}: ${c.gatewayUsername} / ${c.gatewayPassword}`);
  process.stderr.write(`[sandbox] emulated logins of the Reader-role clusters (made up for the sandbox):\n  ${logins.join('\n  ')}\n`);

  try {
    await codeServerCli(['--install-extension', vsixPath, '--force'], stateDir);
    let port = options.port ?? 8080;
    if (port !== 0 && !(await isFree(port))) {
      process.stderr.write(`[sandbox] port ${port} is taken; using a free one\n`);
      port = 0;
    }
    const server = await startCodeServer({
      stateDir,
      folder,
      port: port || (await freePort()),
      env: environment.env,
      settings: {
        'hdinsight.azure.resourceManagerEndpoint': emulatorUrl,
        // A local Kafka linked by its address: the real broker the emulated Kafka clusters also name.
        'hdinsight.linkedClusters': [{ name: 'local-kafka', kafkaBootstrap: environment.kafka.bootstrap }],
      },
    });
    return {
      url: server.url(),
      emulatorUrl,
      async stop() {
        await server.stop();
        await environment.stop();
      },
    };
  } catch (err) {
    await environment.stop();
    throw err;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
