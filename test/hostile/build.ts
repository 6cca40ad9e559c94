/**
 * Small builders for hostile files: a tiny functional TF.js model, NPY/IDX/zip/PNG/JPEG bytes.
 * Everything is generated at test time, so the corpus needs no binary files in the repository.
 */
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

type Json = Record<string, unknown>;

/** Input(4) → Dense(2, "code") → Dense(4): the smallest functional autoencoder tfjs builds. */
export function tinyFunctionalModel(weightsFile = 'weights.bin'): { json: Json; weights: Float32Array } {
  const dense = (name: string, units: number, from: string): Json => ({
    class_name: 'Dense',
    name,
    config: { name, units, activation: 'linear', use_bias: true, trainable: true },
    inbound_nodes: [[[from, 0, 0, {}]]],
  });
  const json: Json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    modelTopology: {
      class_name: 'Model',
      config: {
        name: 'tiny',
        layers: [
          { class_name: 'InputLayer', name: 'input_1', config: { name: 'input_1', batch_input_shape: [null, 4], dtype: 'float32' }, inbound_nodes: [] },
          dense('code', 2, 'input_1'),
          dense('output', 4, 'code'),
        ],
        input_layers: [['input_1', 0, 0]],
        output_layers: [['output', 0, 0]],
      },
      keras_version: '2.15.0',
      backend: 'tensorflow',
    },
    weightsManifest: [
      {
        paths: [weightsFile],
        weights: [
          { name: 'code/kernel', shape: [4, 2], dtype: 'float32' },
          { name: 'code/bias', shape: [2], dtype: 'float32' },
          { name: 'output/kernel', shape: [2, 4], dtype: 'float32' },
          { name: 'output/bias', shape: [4], dtype: 'float32' },
        ],
      },
    ],
  };
  const weights = Float32Array.from({ length: 8 + 2 + 8 + 4 }, (_, i) => ((i * 37) % 11) / 11 - 0.5);
  return { json, weights };
}

/** The layer specs of the tiny model, for mutation. */
export function layersOf(json: Json): Json[] {
  return ((json.modelTopology as Json).config as Json).layers as Json[];
}

/** A C-order `.npy` file (version 1) with a raw header dict, so headers can be made hostile too. */
export function npyBytes(descr: string, shape: number[], body: Uint8Array, headerExtra = ''): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, ${headerExtra}}`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  preamble.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  preamble.writeUInt16LE(header.length, 8);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), body]);
}

/** Float32 little-endian bytes. */
export function f32(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** An IDX header (uint8 data) for the given dimensions. */
export function idxHeader(dims: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.set([0, 0, 0x08, dims.length]);
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return header;
}

/** A gzip stream of `header` followed by `zeros` zero bytes, deflated chunk by chunk (so a bomb costs little to make). */
export function gzipBomb(header: Buffer, zeros: number): Buffer {
  return gzipSync(Buffer.concat([header, Buffer.alloc(zeros)]), { level: 9 });
}

interface ZipMember {
  name: string;
  data: Uint8Array;
  deflate: boolean;
  /** Overrides the uncompressed size written in both headers. */
  declaredSize?: number;
  /** Overrides the CRC-32 written in both headers. */
  crc?: number;
}

/** A zip archive written by hand, so sizes and CRCs can lie. */
export function zipBytes(members: ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name);
    const stored = member.deflate ? deflateRawSync(member.data) : Buffer.from(member.data);
    const crc = member.crc ?? crc32(member.data);
    const size = member.declaredSize ?? member.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(member.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(member.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += 30 + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A real 2×2 grey PNG whose IHDR then claims `width`×`height` (with a valid chunk CRC). */
export function pngClaiming(width: number, height: number): Buffer {
  const png = new PNG({ width: 2, height: 2 });
  png.data.fill(128);
  const bytes = PNG.sync.write(png);
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)) >>> 0, 29);
  return bytes;
}

/** A real 8×8 JPEG whose frame header then claims `width`×`height`. */
export function jpegClaiming(width: number, height: number): Buffer {
  const data = Buffer.alloc(8 * 8 * 4, 100);
  const bytes = Buffer.from(jpeg.encode({ data, width: 8, height: 8 }, 90).data);
  for (let i = 2; i + 9 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xc0) {
      bytes.writeUInt16BE(height, i + 5);
      bytes.writeUInt16BE(width, i + 7);
      break;
    }
  }
  return bytes;
}
