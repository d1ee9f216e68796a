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
  stop(): Promise<void>;
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
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const [command, ...prefix] = [...(options.exec ?? []), '/usr/sbin/sshd'];
  const log = fs.openSync(path.join(dir, 'sshd.log'), 'a');
  const child: ChildProcess = spawn(command, [...prefix, '-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited at start; see ${dir}/sshd.log`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, options.listen, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${options.listen}:${port}; see ${dir}/sshd.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: options.listen,
    port,
    username,
    privateKey: fs.readFileSync(path.join(dir, 'client_key'), 'utf8'),
    passwordLogin,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (passwordLogin) spawnSync('userdel', [PASSWORD_USER], { stdio: 'ignore' });
      if (!process.env.HDINSIGHT_KEEP_STATE) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
