// A real OpenSSH server (Debian's openssh-server) for the tunnel tests, with a throw-away host key
// and a client key it accepts. It runs wherever `exec` puts it (a network namespace).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureDebianPackages } from './toolchain';

export interface SshServer {
  host: string;
  port: number;
  username: string;
  /** OpenSSH private key (PEM) the server accepts for `username`. */
  privateKey: string;
  /** With `passwordLogin`: a throw-away system user that logs in with a password. */
  passwordLogin?: { username: string; password: string };
  /** The server's host public key (OpenSSH format) and its fingerprint as `ssh-keygen -lf` prints it. */
  hostKey: { publicKeyFile: string; sha256: string; algorithm: string };
  /** sshd's log (LogLevel DEBUG1: every authentication attempt is in it). */
  log(): string;
  /** Restarts sshd with a new host key, as a re-created cluster (or another server at its address) would have. */
  replaceHostKey(): Promise<void>;
  stop(): Promise<void>;
}

/** `SHA256:…` and the key type, as OpenSSH's own `ssh-keygen -lf` computes them. */
export function opensshFingerprint(publicKeyFile: string): { sha256: string; algorithm: string } {
  // e.g. "256 SHA256:Vy4Y…Kc root@host (ED25519)"
  const line = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile], { encoding: 'utf8' }).trim();
  const match = /^\d+ (SHA256:\S+) .*\((\w+)\)$/.exec(line);
  if (!match) throw new Error(`ssh-keygen -lf printed ${line}`);
  const type = fs.readFileSync(publicKeyFile, 'utf8').split(' ')[0];
  return { sha256: match[1], algorithm: type };
}

const PASSWORD_USER = 'hdinsight-ssh-test';

export async function startSshServer(options: {
  listen: string;
  port?: number;
  exec?: string[];
  /** Also accept a password login (creates a system user for the run; needs root). */
  passwordLogin?: boolean;
}): Promise<SshServer> {
  ensureDebianPackages(['openssh-server', 'openssh-client'], 'The SSH tunnel tests');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdinsight-sshd-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client_key')]);
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  fs.mkdirSync('/run/sshd', { recursive: true }); // privilege separation directory
  const port = options.port ?? 2222;
  const username = os.userInfo().username;
  let passwordLogin: SshServer['passwordLogin'];
  if (options.passwordLogin) {
    passwordLogin = { username: PASSWORD_USER, password: `pw-${crypto.randomBytes(12).toString('base64url')}` };
    if (spawnSync('id', [PASSWORD_USER], { stdio: 'ignore' }).status !== 0) {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PASSWORD_USER]);
    }
    execFileSync('chpasswd', { input: `${PASSWORD_USER}:${passwordLogin.password}\n` });
  }
  fs.writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      `ListenAddress ${options.listen}`,
      `HostKey ${path.join(dir, 'host_key')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      `PasswordAuthentication ${options.passwordLogin ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'AllowTcpForwarding yes',
      'LogLevel DEBUG1',
      '',
    ].join('\n'),
  );
  const [command, ...prefix] = [...(options.exec ?? []), '/usr/sbin/sshd'];
  const logFile = path.join(dir, 'sshd.log');
  const start = async (): Promise<ChildProcess> => {
    const log = fs.openSync(logFile, 'a');
    const child = spawn(command, [...prefix, '-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`sshd exited at start; see ${logFile}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, options.listen, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (open) return child;
      if (Date.now() > deadline) throw new Error(`sshd did not listen on ${options.listen}:${port}; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stopChild = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  let child = await start();
  const hostKey = { publicKeyFile: path.join(dir, 'host_key.pub'), ...opensshFingerprint(path.join(dir, 'host_key.pub')) };
  return {
    host: options.listen,
    port,
    username,
    privateKey: fs.readFileSync(path.join(dir, 'client_key'), 'utf8'),
    passwordLogin,
    hostKey,
    log: () => fs.readFileSync(logFile, 'utf8'),
    replaceHostKey: async () => {
      await stopChild();
      for (const file of ['host_key', 'host_key.pub']) fs.rmSync(path.join(dir, file));
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
      Object.assign(hostKey, opensshFingerprint(hostKey.publicKeyFile));
      child = await start();
    },
    stop: async () => {
      await stopChild();
      if (passwordLogin) spawnSync('userdel', [PASSWORD_USER], { stdio: 'ignore' });
      if (!process.env.HDINSIGHT_KEEP_STATE) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
