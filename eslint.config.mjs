// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders of service code: they talk to Azure, Ambari, Kafka, Livy and SSH, never to VS Code. */
const serviceFolders = ['core', 'azure', 'ambari', 'kafka', 'livy', 'ssh', 'chunks', 'snippets'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-vsix/', 'out/', '.sandbox/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Diagnostics go to the one LogOutputChannel.
      'no-console': 'error',
    },
  },
  {
    files: serviceFolders.map((f) => `src/${f}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message: 'Service code must not import vscode: return plain data and throw typed errors; the VS Code layer shows them.',
            },
          ],
        },
      ],
    },
  },
  {
    // The middle layer: plain domain code that the VS Code layer hands to the tree and the commands.
    // It may name vscode's types (Disposable, Event) but never calls the API.
    files: ['src/clusters/**/*.ts', 'src/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              allowTypeImports: true,
              message: 'clusters/ and jobs/ use no VS Code API (type imports only): the tree and the commands show and ask.',
            },
          ],
        },
      ],
    },
  },
  {
    // The webview pages: browser scripts (src/webviews/tsconfig.json gives them the DOM), bundled
    // on their own by scripts/build.mjs. They reach the extension only through messages.
    files: ['src/webviews/**/*.ts'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', acquireVsCodeApi: 'readonly' } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'A webview page runs in the browser: it talks to its panel with the messages of protocol.ts.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'A webview page runs in the browser, without Node.' },
            { group: ['../*'], message: 'A webview page is bundled on its own: it imports only from src/webviews/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
