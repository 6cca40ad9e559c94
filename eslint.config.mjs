// Lint rules, and the layering of ARCHITECTURE.md enforced as import restrictions:
// core never imports vscode; shared/ and core/compute/ import neither Node nor tfjs; the webview
// imports only shared/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeModules = { group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'], message: 'this layer runs in the webview too: no Node modules' };
const tfjs = { group: ['@tensorflow/*'], message: 'tfjs belongs to core/model only' };
const vscodeApi = { name: 'vscode', message: 'core and shared code must run without VS Code' };

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
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/worker/**/*.ts', 'src/util/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeApi] }] },
  },
  {
    files: ['src/shared/**/*.ts', 'src/core/compute/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeApi], patterns: [nodeModules, tfjs] }] },
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
