// The programs the tests and the sandbox run, checked (and installed from Debian's packages when
// root) before anything starts, so a fresh machine either gets them or one clear message naming
// each missing program and its package, instead of `spawnSync kcat ENOENT` in the middle of a tier.
import { spawnSync } from 'node:child_process';
import { ensureDebianPackages } from './toolchain';

export type Use = 'unit' | 'integration' | 'ui' | 'sandbox' | 'bench';

export interface Program {
  /** What is run, and how to tell it is there (a command that exits 0). */
  command: string[];
  /** The Debian package that has it. */
  debian: string;
  why: string;
  usedBy: Use[];
}

const all: Use[] = ['unit', 'integration', 'ui', 'sandbox', 'bench'];

/** Every program the harness and the tests start by name. */
export const requiredPrograms: Program[] = [
  {
    command: ['kcat', '-V'],
    debian: 'kcat',
    why: 'the reference Kafka client the tests check against',
    usedBy: ['unit', 'integration', 'ui', 'bench'],
  },
  { command: ['java', '-version'], debian: 'openjdk-17-jre-headless', why: 'the real Kafka broker, Spark and YARN', usedBy: all },
  { command: ['mvn', '-v'], debian: 'maven', why: 'fetching Kafka and Hadoop from Maven Central', usedBy: all },
  { command: ['python3', '--version'], debian: 'python3', why: 'pyspark and the emulated Livy', usedBy: all },
  { command: ['/usr/sbin/sshd', '-V'], debian: 'openssh-server', why: 'the real SSH server of the tunnel tests', usedBy: all },
  { command: ['ssh-keygen', '-?'], debian: 'openssh-client', why: 'the SSH tunnel tests’ keys', usedBy: all },
  { command: ['ip', '-V'], debian: 'iproute2', why: 'the virtual network of the tunnel tests', usedBy: all },
  {
    command: [process.env.CHROMIUM_PATH ?? 'chromium', '--version'],
    debian: 'chromium',
    why: 'headless Chromium driving VS Code',
    usedBy: ['integration', 'ui', 'sandbox', 'bench'],
  },
  {
    command: ['rg', '--version'],
    debian: 'ripgrep',
    why: 'code-server’s search (instead of a download)',
    usedBy: ['integration', 'ui', 'sandbox', 'bench'],
  },
];

/** Whether the command starts at all (some print their version with a non-zero exit). */
function runs(command: string[]): boolean {
  const result = spawnSync(command[0], command.slice(1), { stdio: 'ignore', timeout: 30_000 });
  return !result.error;
}

/**
 * Installs the Debian packages of the programs `uses` need that are missing (as root), then checks
 * again; throws one message naming every program still missing and its package.
 */
export function ensurePrograms(
  uses: string[],
  programs: Program[] = requiredPrograms,
  install: (packages: string[], why: string) => void = ensureDebianPackages,
): void {
  const needed = programs.filter((p) => p.usedBy.some((u) => uses.includes(u)));
  const missing = (): Program[] => needed.filter((p) => !runs(p.command));
  let absent = missing();
  if (absent.length === 0) return;
  try {
    install([...new Set(absent.map((p) => p.debian))], `The tests (${absent.map((p) => `${p.command[0]}: ${p.why}`).join('; ')})`);
  } catch (err) {
    throw new Error(describe(absent), { cause: err });
  }
  absent = missing();
  if (absent.length > 0) throw new Error(describe(absent));
}

function describe(absent: Program[]): string {
  const packages = [...new Set(absent.map((p) => p.debian))];
  return (
    `These programs are missing: ${absent.map((p) => `${p.command[0]} (Debian package ${p.debian}; ${p.why})`).join(', ')}.\n` +
    `Install them with: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`
  );
}
