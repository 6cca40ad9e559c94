/**
 * What `vsce package` puts in the .vsix, read from `vsce ls --no-dependencies` (the same file list
 * without building a package): only what the extension loads, every large binary once, and a size
 * budget. Checks that need the bundles run when dist/ has been built (`npm run build`; `npm ci` does).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { before, describe, it } from 'node:test';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '..', '..');
const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
const built = existsSync(join(repoRoot, 'dist', 'extension.js'));
const notBuilt = built ? false : 'dist/ is not built (npm run build)';

/** The .vsix must stay under this (deflated, as in the zip), so a stray binary or bundle shows up here. */
const PACKAGE_BUDGET_BYTES = 10.5 * 1024 * 1024; // production .vsix 9.69 MiB, a development dist/ 10.05 MiB
/** A string found only in h5wasm's embedded HDF5 build: the bundle that holds its 4 MB binary. */
const H5WASM_MARKER = 'H5Fopen';

interface Manifest {
  main: string;
  icon: string;
  contributes: { walkthroughs: { steps: { media: { image: string | Record<string, string> } }[] }[] };
}

let files: string[] = [];

before(async () => {
  const { stdout } = await run(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot, timeout: 120_000 });
  files = stdout.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
});

describe('vsce ls: the packaged file list', () => {
  it('holds the manifest, README, CHANGELOG and LICENSE, and no source, test, tooling or source map', () => {
    for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) assert.ok(files.includes(file), `${file} is not packaged`);
    const stray = files.filter((file) => /^(src|test|webview|scripts|bench|node_modules|out)\//.test(file) || /\.(map|ts)$/.test(file) || file.startsWith('.'));
    assert.deepEqual(stray, []);
  });

  it('ships every file package.json names: main, icon, walkthrough pictures', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
    const named = [pkg.main.replace(/^\.\//, ''), pkg.icon];
    for (const walkthrough of pkg.contributes.walkthroughs) {
      for (const { media } of walkthrough.steps) named.push(...(typeof media.image === 'string' ? [media.image] : Object.values(media.image)));
    }
    for (const file of named) assert.ok(files.includes(file), `${file} is named in package.json but not packaged`);
  });

  it('leaves out the CLI bundle, which only the npm package runs', () => {
    assert.ok(!files.includes('dist/cli.js'));
  });

  it('ships every bundle esbuild writes to dist/ except the CLI, and onnxruntime-web and h5wasm once each', { skip: notBuilt }, () => {
    const bundles = readdirSync(join(repoRoot, 'dist')).filter((name) => /\.(js|mjs)$/.test(name) && name !== 'cli.js');
    for (const bundle of bundles) assert.ok(files.includes(`dist/${bundle}`), `dist/${bundle} is built but not packaged: name it in .vscodeignore`);
    assert.deepEqual(files.filter((file) => /ort-.*\.wasm$/.test(file)), ['dist/ort-wasm-simd-threaded.wasm']);
    const withHdf5 = files.filter((file) => file.endsWith('.js') && readFileSync(join(repoRoot, file), 'latin1').includes(H5WASM_MARKER));
    assert.deepEqual(withHdf5, ['dist/h5wasm.js']);
  });

  it(`packs into at most ${PACKAGE_BUDGET_BYTES / 1024 / 1024} MiB`, { skip: notBuilt }, () => {
    let packed = 0;
    for (const file of files) {
      const bytes = readFileSync(join(repoRoot, file));
      packed += Math.min(bytes.length, deflateRawSync(bytes).length);
    }
    const raw = files.reduce((sum, file) => sum + statSync(join(repoRoot, file)).size, 0);
    assert.ok(packed <= PACKAGE_BUDGET_BYTES, `${(packed / 1024 / 1024).toFixed(2)} MiB packed (${(raw / 1024 / 1024).toFixed(2)} MiB raw) is over the budget`);
  });
});
