// Bundles the integration suite into out/integration/suite/ for both launchers: one JS file per
// *.test.ts (what @vscode/test-cli's `files` glob picks up) plus index.js (code-server's entry).
// `vscode` comes from the extension host and mocha from node_modules at run time.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const suiteDir = join(here, 'suite');
const entryPoints = readdirSync(suiteDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(suiteDir, name));

await esbuild.build({
  entryPoints,
  outdir: join(here, '..', '..', 'out', 'integration', 'suite'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
