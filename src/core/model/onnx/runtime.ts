/**
 * The ONNX runtime, chosen once per process: onnxruntime-node (native) when that optional
 * package is installed, else onnxruntime-web's WebAssembly build, which ships in the npm package
 * and runs wherever Node does. Sessions are created from bytes, and runtime failures become one
 * line naming the file (and the operator, when one is missing).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ortTypes from 'onnxruntime-web';
import { ModelLoadError } from '../errors';

export type Ort = typeof ortTypes;
export type OrtSession = ortTypes.InferenceSession;
export type OrtTensor = ortTypes.Tensor;

export interface OnnxRuntime {
  ort: Ort;
  /** What ran, for summaries: e.g. "onnxruntime-web 1.30.0 (wasm, 4 threads)". */
  name: string;
}

const WASM_BINARY = 'ort-wasm-simd-threaded.wasm';
/**
 * onnxruntime-web's own worker threads: one per core up to 4 (2 threads encode the latent-radio
 * conv encoder 1.6× faster than 1 on a 2-core machine; more gains little on models this size).
 */
const MAX_THREADS = 4;

// Resolves at run time, beside the bundle or the sources, whatever the bundler did with `require`.
const runtimeRequire = createRequire(__filename);

let ready: Promise<OnnxRuntime> | null = null;

/** The runtime, started on first use and shared by every session. */
export function onnxRuntime(): Promise<OnnxRuntime> {
  ready ??= startRuntime().catch((error: unknown) => {
    ready = null;
    throw error;
  });
  return ready;
}

async function startRuntime(): Promise<OnnxRuntime> {
  const native = nativeRuntime();
  if (native) return native;
  const ort = (await import('onnxruntime-web')) as Ort;
  const folder = wasmFolder();
  // The .mjs loader and .wasm binary are found by this prefix (beside dist/cli.js once bundled).
  if (folder) ort.env.wasm.wasmPaths = `${pathToFileURL(folder).href}/`;
  const threads = Math.max(1, Math.min(MAX_THREADS, cpus().length));
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  return { ort, name: `onnxruntime-web ${ort.env.versions.web ?? ''} (wasm, ${threads} thread${threads > 1 ? 's' : ''})`.replace('  ', ' ') };
}

/** onnxruntime-node when installed (never bundled: it carries a native binary). */
function nativeRuntime(): OnnxRuntime | null {
  try {
    const ort = runtimeRequire('onnxruntime-node') as Ort;
    return { ort, name: `onnxruntime-node ${ort.env.versions.node ?? ''} (native cpu)`.replace('  ', ' ') };
  } catch {
    return null;
  }
}

/** The folder holding onnxruntime-web's .wasm: beside this bundle, else in node_modules. */
function wasmFolder(): string | null {
  if (existsSync(join(__dirname, WASM_BINARY))) return __dirname;
  try {
    return dirname(runtimeRequire.resolve(`onnxruntime-web/${WASM_BINARY}`));
  } catch {
    return null;
  }
}

/** Creates a session; a model the runtime refuses becomes a one-line ModelLoadError. */
export async function createSession(runtime: OnnxRuntime, file: string, bytes: Uint8Array): Promise<OrtSession> {
  try {
    return await runtime.ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  } catch (error) {
    throw runtimeError(runtime, file, error);
  }
}

/** Runs a session; failures (shape refused, operator missing at run time) name the file. */
export async function runSession(
  runtime: OnnxRuntime,
  file: string,
  session: OrtSession,
  feeds: Record<string, OrtTensor>,
  outputs: readonly string[],
): Promise<Record<string, OrtTensor>> {
  try {
    return await session.run(feeds, outputs);
  } catch (error) {
    throw runtimeError(runtime, file, error);
  }
}

function runtimeError(runtime: OnnxRuntime, file: string, error: unknown): ModelLoadError {
  const text = error instanceof Error ? error.message : String(error);
  const operator = /implementation for (\w+)\((\d+)\) node with name '([^']*)'/.exec(text) ?? /(\S+)\((-?\d+)\) is not a registered function\/op/.exec(text);
  if (operator) {
    const [, op, version, node] = operator;
    return new ModelLoadError(
      file,
      'model-unsupported',
      `${file}: the ONNX operator ${op} (${Number(version) > 0 ? `opset ${version}` : 'not a standard operator'}${node ? `, node ${node}` : ''}) is not supported by ${runtime.name}; ` +
        're-export the model without it (a float model instead of a quantized one, or an older opset), or install onnxruntime-node',
    );
  }
  // The runtime's messages run over several lines and carry codes; the first sentence says it.
  const firstLine = text.replace(/^.*ERROR_MESSAGE: /s, '').split('\n')[0]!.trim();
  return new ModelLoadError(file, 'model-invalid', `${file}: ${runtime.name} cannot run this model: ${firstLine}`);
}
