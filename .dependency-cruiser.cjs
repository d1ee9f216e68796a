// @ts-check
// The import rules of src/, checked by `npm run lint` (depcruise). Layers from the ground up: a file
// may import from its own layer or one below it, never from one above, and never in a circle (type
// imports count: they tie the code together as much as the others do).
//   npx depcruise src --config .dependency-cruiser.cjs --output-type text   lists every import it sees.

/** The layers, lowest first. src/chunks/NAME.ts only re-exports, so it sits with what it re-exports. */
const layers = [
  { name: 'core', paths: ['^src/core/'] },
  {
    name: 'services',
    paths: [
      '^src/(azure|ambari|kafka|livy|sparkmagic|ssh|snippets|preflight)/',
      '^src/logger[.]ts$',
      '^src/chunks/(ambari|armProvisioning|azure|identity|kafka|livy|ssh|preflight)[.]ts$',
    ],
  },
  { name: 'settings', paths: ['^src/settings[.]ts$'] },
  { name: 'auth', paths: ['^src/auth/'] },
  { name: 'clusters', paths: ['^src/clusters/'] },
  { name: 'jobs', paths: ['^src/jobs/'] },
  { name: 'secrets', paths: ['^src/secrets/'] },
  { name: 'views', paths: ['^src/(tree|panels|webviews|notebook)/', '^src/chunks/notebook[.]ts$'] },
  { name: 'commands', paths: ['^src/commands/', '^src/chunks/commands[.]ts$'] },
  { name: 'extension', paths: ['^src/extension[.]ts$'] },
];

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const upwards = layers.slice(0, -1).map((layer, i) => ({
  name: `no-import-up-from-${layer.name}`,
  comment: `${layer.name} may import only from ${layers
    .slice(0, i + 1)
    .map((l) => l.name)
    .join(', ')}: move the shared code down, or pass it in.`,
  severity: 'error',
  from: { path: layer.paths },
  to: { path: layers.slice(i + 1).flatMap((l) => l.paths) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files that import each other in a loop: move what they share into a file both import.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upwards,
    {
      name: 'every-file-in-a-layer',
      comment: 'A file of src/ outside every layer: add its folder to the layers in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: layers.flatMap((l) => l.paths) },
      to: {},
    },
    {
      name: 'webviews-stand-alone',
      comment: 'Webview pages run in the browser: they import only each other (types of the protocol included).',
      severity: 'error',
      from: { path: '^src/webviews/' },
      to: { pathNot: '^src/webviews/' },
    },
    {
      name: 'chunks-only-re-export',
      comment: 'src/chunks/NAME.ts re-exports from the folder NAME (identity and armProvisioning from azure/): the code lives there.',
      severity: 'error',
      from: { path: '^src/chunks/([^/]+)[.]ts$' },
      to: { pathNot: ['^src/$1/', '^src/chunks/$1[.]ts$', '^src/azure/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
