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

// tfjs-core's notices (the "looks like you are running TensorFlow.js in Node.js" banner on every
// cpu-backend run, platform overrides) speak to TF.js developers, not to someone reading one error
// line; PROD gates only tfjs-core's warn/log (flags.ts, log.ts), so nothing else changes.
tf.env().set('PROD', true);

// Resolves at run time, beside the bundle or the sources, whatever the bundler did with `require`.
const runtimeRequire = createRequire(__filename);

let ready: Promise<BackendName> | null = null;
let readyFor: BackendPreference | null = null;
/** Why the backend in use is slower than the one asked for (or wasm, under 'auto'); null when it is not. */
let fallbackReason: string | null = null;

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

/**
 * Why the backend chosen by the last `initBackend` is not the one wanted, e.g. "the WebAssembly
 * backend could not start (…); the CPU backend is several times slower": null when it is, and
 * under 'auto' tfjs-node being absent is no fallback (it is optional and rarely installed).
 */
export function backendFallback(): string | null {
  return fallbackReason;
}

/** The backend executing tensors now; 'cpu' before initBackend has settled. */
export function activeBackend(): BackendName {
  const name = tf.getBackend();
  return name === 'tensorflow' || name === 'wasm' ? name : 'cpu';
}

async function chooseBackend(preference: BackendPreference): Promise<BackendName> {
  const order: BackendName[] = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference, 'wasm', 'cpu'];
  const failures: string[] = [];
  for (const name of [...new Set(order)]) {
    const failure = await tryBackend(name);
    if (failure === null) {
      const wanted = failures.filter((reason) => preference !== 'auto' || !reason.startsWith(TFJS_NODE_MISSING));
      fallbackReason = wanted.length ? `${wanted.join('; ')}; using ${name}${name === 'cpu' ? ', several times slower' : ''}` : null;
      return name;
    }
    failures.push(failure);
  }
  throw new Error(`no TensorFlow.js backend could start: ${failures.join('; ')}`);
}

const TFJS_NODE_MISSING = 'tensorflow: @tensorflow/tfjs-node is not installed';

/** null when `name` is now the active backend, else why not. */
async function tryBackend(name: BackendName): Promise<string | null> {
  if (name === 'tensorflow' && !loadTfjsNode()) return TFJS_NODE_MISSING;
  if (name === 'wasm') {
    const folder = findWasmFolder();
    if (!folder) return `wasm: ${WASM_SIMD_BINARY} not found beside the bundle or in @tensorflow/tfjs-backend-wasm`;
    // A path prefix (not a URL): emscripten reads the binary with fs in Node.
    setWasmPaths(folder.endsWith('/') ? folder : `${folder}/`);
  }
  try {
    if (tf.findBackend(name) === null && tf.findBackendFactory(name) === null) return `${name}: not registered`;
    return (await tf.setBackend(name)) ? null : `${name}: failed to initialise`;
  } catch (error) {
    return `${name}: ${error instanceof Error ? error.message : String(error)}`;
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
