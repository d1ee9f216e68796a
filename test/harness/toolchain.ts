// Installs and locates what the integration and UI tests need and npm cannot give us:
// Debian's Chromium (driven by playwright-core) and code-server (a real VS Code, server + web
// workbench). Both are cached outside the work tree, so fresh clones on the same machine reuse them.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3'; // ships VS Code 1.100.3; the newest that runs on Node 20
export const VSCODE_VERSION = '1.100.3';
// @vscode/ripgrep version that code-server 4.100.3's lock file pins, and the rg release it fetches.
const RIPGREP_PKG = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const cacheRoot =
  process.env.HDINSIGHT_TEST_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'hdinsight-streaming-test');

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;
const log = (msg: string): boolean => process.stderr.write(`[toolchain] ${msg}\n`);

/** Installs Debian packages that are missing, or explains exactly what to install. */
export function ensureDebianPackages(packages: string[], why: string): void {
  const missing = packages.filter(
    (p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed') !== true,
  );
  if (missing.length === 0) return;
  if (!isRoot()) {
    throw new Error(
      `${why} needs the Debian packages ${missing.join(', ')}, which are not installed, and this is not root.\n` +
        `Install them once with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')} (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]): Buffer => execFileSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  try {
    apt(['install', '-y', '-q', '--no-install-recommends', ...missing]);
  } catch {
    apt(['update', '-q']);
    apt(['install', '-y', '-q', '--no-install-recommends', ...missing]);
  }
}

export function ensureChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  let found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    ensureDebianPackages(['chromium'], 'The UI and integration tests (headless Chromium)');
    found = '/usr/bin/chromium';
  }
  return found;
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Returns the path of the code-server launcher, installing code-server into the cache if needed. */
export function ensureCodeServer(): string {
  const dir = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
  const bin = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const marker = path.join(dir, '.installed');
  if (fs.existsSync(marker) && fs.existsSync(bin)) return bin;

  // Native modules of code-server need gssapi headers; @vscode/ripgrep wants to download rg.
  ensureDebianPackages(['libkrb5-dev', 'ripgrep', 'python3', 'make', 'g++'], 'Installing code-server');
  const tmp = process.env.TMPDIR ?? os.tmpdir();
  const rgCacheDir = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PKG}`);
  const rgArchive = path.join(rgCacheDir, RIPGREP_ASSET);
  if (!fs.existsSync(rgArchive)) {
    fs.mkdirSync(rgCacheDir, { recursive: true });
    const stage = fs.mkdtempSync(path.join(tmp, 'rg-'));
    fs.copyFileSync('/usr/bin/rg', path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    execFileSync('tar', ['-czf', rgArchive, '-C', stage, 'rg']);
    fs.rmSync(stage, { recursive: true, force: true });
  }

  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (about a minute, once)`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  execFileSync('npm', ['install', '--no-save', '--unsafe-perm', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      npm_config_yes: 'true', // its post-install runs `npx node-gyp`, which would stop at a prompt
      npm_config_update_notifier: 'false',
      // npm 11 skips dependencies' install scripts unless allowed; code-server's post-install
      // (and the nested installs it runs in lib/vscode) build the native modules it needs.
      npm_config_dangerously_allow_all_scripts: 'true',
    },
  });
  // The post-install is what installs VS Code's own modules; without them code-server cannot start.
  const vscodeModules = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  if (!fs.existsSync(bin) || !fs.existsSync(vscodeModules)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} did not install completely (see the npm output above)`);
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return bin;
}
