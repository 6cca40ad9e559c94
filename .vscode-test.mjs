// @vscode/test-cli configuration for `npm run test:vscode`: the Mocha integration suite in a VS Code
// downloaded by @vscode/test-electron. The same bundled suite runs inside code-server through
// `npm run test:integration` (test/integration/runInCodeServer.ts) where VS Code cannot be downloaded.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/integration/suite/*.test.js',
  version: 'stable',
  // No workspace folder: the suite checks what the extension does in an empty window.
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'bdd', timeout: 120_000 },
});
