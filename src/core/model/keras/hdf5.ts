/**
 * Reads the parts of an HDF5 file Keras writes (attributes, groups, float datasets) with h5wasm,
 * the HDF5 C library compiled to WebAssembly. h5wasm works on files in its own in-memory file
 * system, so the bytes are written there, opened read-only and removed again once read.
 */
import type * as H5 from 'h5wasm';
import { ModelLoadError } from '../errors';

type H5Library = typeof H5;

/** Largest HDF5 file read: h5wasm holds a copy in WebAssembly memory, which cannot exceed 4 GiB. */
export const MAX_HDF5_BYTES = 1024 * 1024 * 1024;

let library: Promise<{ h5: H5Library; fs: NonNullable<typeof H5.FS> }> | null = null;

/** h5wasm is loaded on first use only: its module embeds a 4 MB WebAssembly binary. */
function h5wasm(): Promise<{ h5: H5Library; fs: NonNullable<typeof H5.FS> }> {
  library ??= import('h5wasm').then(async (h5) => {
    const { FS: fs } = await h5.ready;
    silenceDiagnostics(fs);
    return { h5, fs };
  });
  return library;
}

/**
 * HDF5 prints its error stack (dozens of `HDF5-DIAG` lines) to stderr on every failed call; the
 * errors raised here say what is wrong in one line, so that output is dropped at its device.
 */
function silenceDiagnostics(fs: unknown): void {
  const stream = (fs as { getStream?: (fd: number) => { tty?: { ops: object } } | null }).getStream?.(2);
  if (stream?.tty) stream.tty.ops = { ...stream.tty.ops, put_char: () => undefined, fsync: () => undefined };
}

let openCount = 0;

/**
 * A numeric dataset: its shape at once, its values (as float32; float16 and float64 are
 * converted) only when asked, so that nothing is read before its shape has been checked.
 */
export interface Hdf5Array {
  shape: number[];
  read(): Float32Array;
}

/** Read access to one open HDF5 file; paths are absolute inside the file (`/model_weights/dense`). */
export interface Hdf5Reader {
  /** A string attribute of the group at `path`, or null when absent or not a string. */
  stringAttr(path: string, name: string): string | null;
  /** A string-list attribute (e.g. `weight_names`); an empty list when absent. */
  stringListAttr(path: string, name: string): string[];
  /** Names of the children of the group at `path`; empty when it is not a group. */
  children(path: string): string[];
  isGroup(path: string): boolean;
  /** The float dataset at `path`, or null when there is none. */
  dataset(path: string): Hdf5Array | null;
}

/**
 * Opens `bytes` (the contents of `file`, or of a member of it) as HDF5, runs `read` and releases the
 * in-memory copy whatever happens. `what` names the bytes in messages (e.g. "model.weights.h5").
 */
export async function withHdf5<T>(file: string, what: string, bytes: Uint8Array, read: (reader: Hdf5Reader) => T | Promise<T>): Promise<T> {
  if (bytes.byteLength > MAX_HDF5_BYTES) {
    throw new ModelLoadError(file, 'model-invalid', `${file}: ${what} holds ${bytes.byteLength} bytes, more than the ${MAX_HDF5_BYTES} this tool reads`);
  }
  const { h5, fs } = await h5wasm();
  const path = `/latent-explorer-${process.pid}-${++openCount}.h5`;
  fs.writeFile(path, bytes);
  let opened: H5.File | null = null;
  try {
    let candidate: H5.File | null = null;
    try {
      candidate = new h5.File(path, 'r');
    } catch {
      candidate = null;
    }
    // h5wasm mostly reports a failed open with a negative id rather than an exception.
    if (candidate === null || candidate.file_id < 0n) {
      throw new ModelLoadError(file, 'model-invalid', `${file}: ${what} is not a readable HDF5 file (damaged or truncated); copy or save the model again`);
    }
    opened = candidate;
    return await read(reader(h5, opened, file, what));
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    // HDF5 itself failing on a damaged file (a WebAssembly trap, a bad object): still one line.
    throw new ModelLoadError(file, 'model-invalid', `${file}: ${what} could not be read (${(error as Error).message}); the file is damaged`);
  } finally {
    try {
      opened?.close();
    } catch {
      // A damaged file can fail to close too; the error that matters is already on its way.
    }
    fs.unlink(path);
  }
}

function reader(h5: H5Library, root: H5.File, file: string, what: string): Hdf5Reader {
  const entity = (path: string): ReturnType<H5.Group['get']> => {
    try {
      return path === '/' ? root : root.get(path);
    } catch {
      return null;
    }
  };
  const attr = (path: string, name: string): unknown => {
    const found = entity(path);
    return found && 'attrs' in found ? found.attrs[name]?.value : undefined;
  };
  return {
    stringAttr(path, name) {
      const value = attr(path, name);
      return typeof value === 'string' ? value : null;
    },
    stringListAttr(path, name) {
      const value = attr(path, name);
      if (typeof value === 'string') return [value];
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    },
    children(path) {
      const found = entity(path);
      return found instanceof h5.Group ? found.keys() : [];
    },
    isGroup(path) {
      return entity(path) instanceof h5.Group;
    },
    dataset(path) {
      const found = entity(path);
      if (!(found instanceof h5.Dataset)) return null;
      const shape = found.shape ?? [];
      const { type } = found.metadata;
      // HDF5 type classes 0 (integer) and 1 (float) are numbers; anything else is not a weight.
      if (type !== 0 && type !== 1) {
        throw new ModelLoadError(file, 'model-invalid', `${file}: ${what} stores ${path} as a non-numeric dataset; it is not a Keras weight`);
      }
      const read = (): Float32Array => {
        let value: H5.OutputData | null;
        try {
          value = found.value;
        } catch (error) {
          // e.g. float16 weights, which h5wasm refuses ("Float16 not supported").
          throw new ModelLoadError(file, 'model-invalid', `${file}: ${what} has a dataset at ${path} that cannot be read (${(error as Error).message}); save the weights as float32`);
        }
        if (!ArrayBuffer.isView(value) || value instanceof DataView) {
          throw new ModelLoadError(file, 'model-invalid', `${file}: ${what} has an unreadable dataset at ${path}`);
        }
        return value instanceof Float32Array ? value : Float32Array.from(value as ArrayLike<number>, Number);
      };
      return { shape, read };
    },
  };
}
