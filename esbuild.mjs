// One build for every bundle: the extension host, the CLI, the projection worker and the webview.
// Type-checking is separate (`npm run typecheck`); esbuild only transpiles and bundles.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// tfjs-node is optional and native: never bundle it, load it at run time when present.
const nodeExternals = ['vscode', '@tensorflow/tfjs-node'];

/** @type {esbuild.BuildOptions} */
const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // Without 'module' first esbuild resolves tfjs' CJS entry and silently drops the cpu backend's side-effect import.
  mainFields: ['module', 'main'],
  external: nodeExternals,
  logLevel: 'info',
};

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  {
    ...nodeCommon,
    entryPoints: {
      projectionWorker: 'src/worker/projectionWorker.ts',
      sessionWorker: 'src/worker/sessionWorker.ts',
      computeHelper: 'src/worker/computeHelper.ts',
      encodeWorker: 'src/worker/encodeWorker.ts',
    },
    outdir: 'dist',
  },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    loader: { '.css': 'text' },
    logLevel: 'info',
  },
];

function copyWasmBinaries() {
  const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const target = join('dist', 'wasm');
  mkdirSync(target, { recursive: true });
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    cpSync(join(wasmDist, file), join(target, file));
  }
}

copyWasmBinaries();
if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
