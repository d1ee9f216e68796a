// npm run package: the production bundle, then an installable .vsix in dist-vsix/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist-vsix', 'hdinsight-streaming.vsix');
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

run([path.join(root, 'scripts', 'build.mjs'), '--production']);
fs.mkdirSync(path.dirname(out), { recursive: true });
run([
  path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  // README images stay relative: they ship in the .vsix and VS Code resolves them there.
  '--no-rewrite-relative-links',
  '--out',
  out,
]);
process.stderr.write(`[package] ${path.relative(root, out)}: ${(fs.statSync(out).size / 1024).toFixed(1)} KB\n`);
