// Scans what a run left behind (VS Code's logs, including the extension's own "HDInsight" log,
// code-server's log and the settings files) for passwords and tokens.
import fs from 'node:fs';
import path from 'node:path';
import type { TierResult } from './mochaRun';

export interface SecretScan {
  files: string[];
  findings: { file: string; what: string }[];
}

/** Each secret as it could appear: itself, and inside an HTTP Basic header for a user. */
export function secretForms(secrets: { label: string; value: string; username?: string }[]): { label: string; text: string }[] {
  return secrets.flatMap(({ label, value, username }) => [
    { label, text: value },
    ...(username ? [{ label: `${label} (Basic header)`, text: Buffer.from(`${username}:${value}`).toString('base64') }] : []),
  ]);
}

export function scanForSecrets(roots: string[], forms: { label: string; text: string }[]): SecretScan {
  const files = roots.flatMap((root) => (fs.existsSync(root) ? listScannable(root) : []));
  const findings: SecretScan['findings'] = [];
  for (const file of files) {
    const content = fs.readFileSync(file, 'latin1');
    for (const form of forms) if (content.includes(form.text)) findings.push({ file, what: form.label });
  }
  return { files, findings };
}

function listScannable(root: string): string[] {
  if (fs.statSync(root).isFile()) return [root];
  return fs
    .readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && (/\.(log|json|txt)$/.test(e.name) || e.parentPath.includes(`${path.sep}logs`)))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Reports a scan the way mocha reports a test, and counts it. */
export function reportScan(title: string, scan: SecretScan, mustInclude: RegExp): TierResult {
  const problems = scan.findings.map((f) => `${f.what} in ${f.file}`);
  if (!scan.files.some((f) => mustInclude.test(f)))
    problems.push(`no file matching ${mustInclude} was scanned: the scan would prove nothing`);
  if (problems.length === 0) {
    process.stdout.write(`  ✔ ${title} (${scan.files.length} files)\n`);
    return { passed: 1, failed: 0, skipped: 0 };
  }
  process.stdout.write(`  ✖ ${title}:\n    ${problems.join('\n    ')}\n`);
  return { passed: 0, failed: 1, skipped: 0 };
}
