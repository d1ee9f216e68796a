// Starts a real VS Code (code-server: VS Code's server and web workbench) on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ensureCodeServer } from './toolchain';

export interface CodeServerOptions {
  /** Folder for this instance's user data, extensions and logs; created if missing. */
  stateDir: string;
  /** The folder the workbench opens. */
  folder: string;
  port?: number;
  /** Written to User/settings.json before start. */
  settings?: Record<string, unknown>;
  /** Environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Prints code-server's own output (otherwise kept in stateDir/code-server.log). */
  verbose?: boolean;
}

export interface CodeServer {
  readonly port: number;
  readonly origin: string;
  readonly extensionsDir: string;
  /** The workbench URL for `folder`, optionally with a development payload. */
  url(payload?: [string, string][]): string;
  /** A `vscode-remote://` URI for a path on this machine, as the workbench payload wants. */
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
}

export const baseSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.colorTheme': 'Default Dark Modern',
  'git.openRepositoryInParentFolders': 'never',
  // The emulator's self-signed CA is trusted through NODE_EXTRA_CA_CERTS, which VS Code's proxy
  // agent would bypass by passing its own certificate list.
  'http.proxySupport': 'off',
  'http.systemCertificates': false,
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function codeServerCli(args: string[], stateDir: string): Promise<void> {
  const entry = ensureCodeServer();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args, ...dirs(stateDir)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`code-server ${args.join(' ')} failed (${code}):\n${output}`))));
  });
}

function dirs(stateDir: string): string[] {
  return ['--user-data-dir', path.join(stateDir, 'user-data'), '--extensions-dir', path.join(stateDir, 'extensions')];
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const entry = ensureCodeServer();
  const { stateDir, folder } = options;
  const userDir = path.join(stateDir, 'user-data', 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.mkdirSync(path.join(stateDir, 'extensions'), { recursive: true });
  fs.mkdirSync(folder, { recursive: true });
  const settings = JSON.stringify({ ...baseSettings, ...options.settings }, null, 2);
  fs.writeFileSync(path.join(userDir, 'settings.json'), settings);
  // The extension host runs on the "remote" side, which reads machine-scoped settings (such as
  // http.proxySupport) from here.
  const machineDir = path.join(stateDir, 'user-data', 'Machine');
  fs.mkdirSync(machineDir, { recursive: true });
  fs.writeFileSync(path.join(machineDir, 'settings.json'), settings);

  const port = options.port || (await freePort());
  const args = [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...dirs(stateDir),
    folder,
  ];
  const logFile = fs.openSync(path.join(stateDir, 'code-server.log'), 'a');
  const child: ChildProcess = spawn(process.execPath, args, {
    detached: true, // its own process group, so stop() also ends the extension hosts it spawns
    stdio: ['ignore', options.verbose ? 'inherit' : logFile, options.verbose ? 'inherit' : logFile],
    env: { ...process.env, ...options.env },
  });
  fs.closeSync(logFile);
  const origin = `http://127.0.0.1:${port}`;
  let exited: Error | undefined;
  child.once(
    'exit',
    (code, signal) => (exited = new Error(`code-server exited early (${code ?? signal}); see ${stateDir}/code-server.log`)),
  );

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw exited;
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`code-server did not answer on ${origin} within 60 s; see ${stateDir}/code-server.log`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const remoteUri = (absPath: string): string => `vscode-remote://127.0.0.1:${port}${absPath}`;
  return {
    port,
    origin,
    extensionsDir: path.join(stateDir, 'extensions'),
    remoteUri,
    url(payload?: [string, string][]) {
      const query = new URLSearchParams({ folder });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${origin}/?${query.toString()}`;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      killGroup(child);
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
