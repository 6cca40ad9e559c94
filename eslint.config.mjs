// Lint rules, and the layering of ARCHITECTURE.md enforced as import restrictions:
// core never imports vscode, nor the worker, host, vscode or cli layers (they import core); cli and
// host never import vscode/ (what serve shares with the extension lives in host/); shared/ and
// core/compute/ import neither Node nor tfjs; the webview imports only shared/.
// test/unit/lint/layering.test.ts proves each rule fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeModules = { group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'], message: 'this layer runs in the webview too: no Node modules' };
const tfjs = { group: ['@tensorflow/*'], message: 'tfjs belongs to core/model only' };
const vscodeApi = { name: 'vscode', message: 'core and shared code must run without VS Code' };
const outerLayers = {
  group: ['**/worker/*', '**/vscode/*', '**/cli/*', '**/host/*'],
  message: 'core runs in plain Node, the CLI and tests: the worker, host, vscode and cli layers import core, never the reverse (inject what core needs, as the projection runner and encode threads are)',
};
const vscodeFolder = { group: ['**/vscode/*'], message: 'the CLI and serve run without VS Code: put what both hosts share in src/host/' };
const cliFolder = { group: ['**/cli/*'], message: 'src/host/ is shared by the extension and the CLI: it imports neither' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.vscode-test/**', 'sample-models/**', '**/*.tmp.ts', 'src/core/compute/kernels/**', '**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/util/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeApi], patterns: [outerLayers] }] },
  },
  {
    files: ['src/cli/**/*.ts', 'src/worker/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeApi], patterns: [vscodeFolder] }] },
  },
  {
    files: ['src/host/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeApi], patterns: [vscodeFolder, cliFolder] }] },
  },
  {
    files: ['src/shared/**/*.ts', 'src/core/compute/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeApi], patterns: [nodeModules, tfjs, outerLayers] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscodeApi],
          patterns: [nodeModules, tfjs, { group: ['../src/core/*', '../src/vscode/*', '../src/cli/*', '../src/worker/*', '../../src/core/*'], message: 'the webview talks to the host only through src/shared/protocol.ts' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', Buffer: 'readonly' } },
  },
);
