// Bundles the extension with esbuild.
//   node scripts/build.mjs [--production] [--watch]
// dist/extension.js is what VS Code loads at activation. Heavy dependencies load through the entry
// points in src/chunks/, each a few lines re-exporting the code that needs them (the kafkajs service
// in src/kafka/KafkajsService.ts, the Azure SDK client in src/azure/SdkClient.ts and its provisioning
// in src/azure/SdkProvisioning.ts, the ssh2 tunnel in src/ssh/Ssh2Tunnel.ts, @azure/identity in
// src/azure/cliCredential.ts, Livy, the commands): each becomes its own bundle dist/chunks/NAME.js,
// loaded with `await import('../chunks/NAME')` on first use, so activation never pays for them. The
// build fails if a heavy package or a command implementation leaks into the activation bundle, or
// the bundle grows past its budget.
// The webview pages (src/webviews/NAME.ts, each but protocol.ts and dom.ts) become browser scripts
// dist/webviews/NAME.js, which the panels load by nonce; they may hold nothing from outside src/webviews/.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// 47 KB when the commands moved to their chunk (from 92.6 KB): room for the tree to grow, not for
// the command implementations to come back.
export const ACTIVATION_BUDGET_BYTES = 64 * 1024;
const HEAVY_PACKAGES = ['@azure/', 'kafkajs', 'ssh2', 'cpu-features'];
// Command implementations and their panels load from src/chunks/commands.ts on first use; activation
// keeps only the registration (src/commands/index.ts), the error wrapper and the tree's refresh.
const ACTIVATION_COMMAND_FILES = ['src/commands/index.ts', 'src/commands/command.ts', 'src/commands/refresh.ts'];

const chunkDir = path.join(root, 'src', 'chunks');
const chunks = fs.existsSync(chunkDir) ? fs.readdirSync(chunkDir).filter((f) => f.endsWith('.ts')) : [];

/**
 * Keeps imports of src/chunks/* out of the bundle that imports them: they resolve at run time,
 * next to the bundle that asks. `prefix` is where the chunks are from that bundle: ./chunks/ from
 * dist/extension.js, ./ from a chunk in dist/chunks/ (whichever folder of src/ the importing file
 * is in: the Azure client in src/azure/ loads its provisioning chunk from dist/chunks/azure.js).
 */
const lazyChunks = (prefix) => ({
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: /(^|\/)chunks\/[^/]+$/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      if (args.kind !== 'dynamic-import') {
        return { errors: [{ text: `${args.path} is a lazy chunk: import it with await import(), not statically` }] };
      }
      return { path: `${prefix}${path.basename(args.path)}.js`, external: true };
    });
  },
});

/**
 * Every `import * as vscode from 'vscode'` would otherwise become its own `__toESM(require('vscode'))`,
 * and each of those copies all of the API's two hundred or so properties: at 30 modules that was the
 * largest part of the bundle's load time in the extension host. All of them share one module
 * instead, which re-exports `vscode` once per bundle.
 */
const oneVscodeNamespace = {
  name: 'one-vscode-namespace',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-api' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-api' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

/** The pages' entry points: every module of src/webviews/ but the ones they share. */
const PAGE_SHARED = ['protocol.ts', 'dom.ts', 'queryMonitor.ts', 'queryProtocol.ts'];
const pageDir = path.join(root, 'src', 'webviews');
const pages = fs.existsSync(pageDir) ? fs.readdirSync(pageDir).filter((f) => f.endsWith('.ts') && !PAGE_SHARED.includes(f)) : [];

const pageOptions = {
  absWorkingDir: root,
  entryPoints: pages.map((f) => ({ in: `src/webviews/${f}`, out: path.basename(f, '.ts') })),
  outdir: 'dist/webviews',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: production,
  sourcemap: production ? false : 'linked',
  metafile: true,
  logLevel: 'info',
};

const options = {
  absWorkingDir: root,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Lazy chunks load through require(): the extension host resolves and caches it like the main bundle.
  supported: { 'dynamic-import': false },
  // ssh2's native helpers are optional: it falls back to pure JavaScript when they cannot load.
  external: ['vscode', 'cpu-features', '*.node'],
  minify: production,
  sourcemap: production ? false : 'linked',
  metafile: true,
  logLevel: 'info',
};
// Two builds, so that each knows where its bundles sit: the activation bundle in dist/, the chunks
// in dist/chunks/ (a lazy import resolves relative to the bundle it ends up in).
const activation = {
  ...options,
  entryPoints: [{ in: 'src/extension.ts', out: 'extension' }],
  plugins: [lazyChunks('./chunks/'), oneVscodeNamespace],
};
const lazy = {
  ...options,
  entryPoints: chunks.map((f) => ({ in: `src/chunks/${f}`, out: `chunks/${path.basename(f, '.ts')}` })),
  plugins: [lazyChunks('./'), oneVscodeNamespace],
};

function checkActivationBundle(metafile) {
  const output = metafile.outputs['dist/extension.js'];
  const leaked = Object.keys(output.inputs).filter((input) => HEAVY_PACKAGES.some((p) => input.includes(`node_modules/${p}`)));
  if (leaked.length > 0) throw new Error(`Heavy dependencies leaked into dist/extension.js:\n  ${leaked.join('\n  ')}`);
  const commands = Object.keys(output.inputs).filter(
    (input) => (input.startsWith('src/commands/') && !ACTIVATION_COMMAND_FILES.includes(input)) || input.startsWith('src/panels/'),
  );
  if (commands.length > 0) {
    throw new Error(
      `Command implementations leaked into dist/extension.js (export them from src/chunks/commands.ts and register them with lazy() in src/commands/index.ts):\n  ${commands.join('\n  ')}`,
    );
  }
  if (production && output.bytes > ACTIVATION_BUDGET_BYTES) {
    throw new Error(`dist/extension.js is ${output.bytes} bytes, over the ${ACTIVATION_BUDGET_BYTES}-byte activation budget`);
  }
  return output.bytes;
}

/** A page runs in the webview: nothing of the extension (vscode, Node, services) may reach its bundle. */
function checkPageBundles(metafile) {
  const foreign = Object.values(metafile.outputs)
    .flatMap((output) => Object.keys(output.inputs))
    .filter((input) => !input.startsWith('src/webviews/'));
  if (foreign.length > 0) throw new Error(`Only src/webviews/ may reach a webview page's bundle:\n  ${[...new Set(foreign)].join('\n  ')}`);
}

if (watch) {
  const report = (check) => ({
    name: 'report',
    // onEnd must return nothing or an object, hence the void.
    setup: (b) => b.onEnd((r) => void (r.metafile && r.errors.length === 0 && check(r.metafile))),
  });
  const contexts = await Promise.all([
    esbuild.context({ ...activation, plugins: [...activation.plugins, report(checkActivationBundle)] }),
    esbuild.context(lazy),
    esbuild.context({ ...pageOptions, plugins: [report(checkPageBundles)] }),
  ]);
  await Promise.all(contexts.map((c) => c.watch()));
  process.stderr.write('[build] watching src/ for changes\n');
} else {
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const [activationResult, lazyResult, pageResult] = await Promise.all([
    esbuild.build(activation),
    esbuild.build(lazy),
    esbuild.build(pageOptions),
  ]);
  const metafile = {
    inputs: { ...activationResult.metafile.inputs, ...lazyResult.metafile.inputs },
    outputs: { ...activationResult.metafile.outputs, ...lazyResult.metafile.outputs },
  };
  const bytes = checkActivationBundle(metafile);
  checkPageBundles(pageResult.metafile);
  // For size analysis (esbuild's analyzer reads it); not shipped, .vscodeignore lists what is.
  fs.writeFileSync(path.join(root, 'dist', 'meta.json'), JSON.stringify(metafile));
  process.stderr.write(`[build] dist/extension.js: ${(bytes / 1024).toFixed(1)} KB${production ? ' minified' : ''}\n`);
}
