/**
 * Chooses the TensorFlow.js backend once per process: tfjs-node (native TensorFlow) when the
 * optional dependency is installed, else WebAssembly (SIMD), else the pure-JS cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BackendName, BackendPreference } from '../../shared/types';

const WASM_SIMD_BINARY = 'tfjs-backend-wasm-simd.wasm';

// Resolves at run time, beside the bundle or the sources, whatever the bundler did with `require`.
const runtimeRequire = createRequire(__filename);

let ready: Promise<BackendName> | null = null;
let readyFor: BackendPreference | null = null;

/**
 * Initialises the backend (idempotent: later calls with the same preference share the first
 * call's promise). 'auto' tries tensorflow → wasm → cpu; a named backend falls back the same way
 * when it cannot start, and `activeBackend()` tells which one won.
 */
export function initBackend(preference: BackendPreference = 'auto'): Promise<BackendName> {
  if (ready && (readyFor === preference || preference === 'auto')) return ready;
  readyFor = preference;
  ready = chooseBackend(preference).catch((error: unknown) => {
    ready = null;
    readyFor = null;
    throw error;
  });
  return ready;
}

/** The backend executing tensors now; 'cpu' before initBackend has settled. */
export function activeBackend(): BackendName {
  const name = tf.getBackend();
  return name === 'tensorflow' || name === 'wasm' ? name : 'cpu';
}

async function chooseBackend(preference: BackendPreference): Promise<BackendName> {
  const order: BackendName[] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference, 'wasm', 'cpu'];
  for (const name of [...new Set(order)]) {
    if (await tryBackend(name)) return name;
  }
  throw new Error(`no TensorFlow.js backend could start (tried ${order.join(', ')})`);
}

async function tryBackend(name: BackendName): Promise<boolean> {
  if (name === 'tensorflow' && !loadTfjsNode()) return false;
  if (name === 'wasm') {
    const folder = findWasmFolder();
    if (!folder) return false;
    // A path prefix (not a URL): emscripten reads the binary with fs in Node.
    setWasmPaths(folder.endsWith('/') ? folder : `${folder}/`);
  }
  try {
    return tf.findBackend(name) !== null || tf.findBackendFactory(name) !== null ? await tf.setBackend(name) : false;
  } catch {
    return false;
  }
}

/** Registers the native backend when `@tensorflow/tfjs-node` is installed; false when it is not. */
function loadTfjsNode(): boolean {
  try {
    // A computed name keeps bundlers from resolving the optional native package at build time.
    runtimeRequire(['@tensorflow', 'tfjs-node'].join('/'));
    return tf.findBackendFactory('tensorflow') !== null;
  } catch {
    return false;
  }
}

/**
 * The folder holding the wasm binaries: `wasm/` beside the bundle (esbuild copies them there), or
 * the package's own `dist/` when running from sources. Threads stay off: tfjs-backend-wasm 4.22
 * disables its threaded binary in Node (tensorflow/tfjs#3830), so SIMD is the fastest variant.
 */
function findWasmFolder(): string | null {
  const candidates = [join(__dirname, 'wasm')];
  try {
    candidates.push(dirname(runtimeRequire.resolve(`@tensorflow/tfjs-backend-wasm/dist/${WASM_SIMD_BINARY}`)));
  } catch {
    // Not resolvable from a bundle shipped without node_modules: the bundled copy is the only one.
  }
  return candidates.find((folder) => existsSync(join(folder, WASM_SIMD_BINARY))) ?? null;
}
