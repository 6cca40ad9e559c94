/**
 * ONNX against TF.js on the same dense autoencoder, 784-1024-512-32-512-1024-784 (2.7M float32
 * weights, a 10 MB .onnx; seeded Glorot weights: speed does not depend on training), written
 * here once as a TF.js model.json and once as an ONNX graph of Gemm/Relu/Sigmoid nodes holding the
 * same weights:
 * - `loadAutoencoder` on the .onnx (target ≤ 1 s): the first call, which also starts the
 *   onnxruntime-web WebAssembly module, then warm calls (each one probes and splits the graph);
 * - encode throughput on 10k MNIST images, onnxruntime-web (its own threads) against
 *   tfjs-backend-wasm (one instance, as `encodeThreads: 1`); target: ONNX at least as fast;
 * - the largest difference between the two sets of codes (the same weights must give the same codes).
 * The machine is shared: every run is reported, the best is the measurement.
 * Run: `nice -n 10 node --import tsx bench/onnx.ts [--json]`
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { onnx } from 'onnx-proto';
import { type Autoencoder, activeBackend, initBackend, loadAutoencoder } from '../src/core/model';
import { saveModel } from '../scripts/train/loop';
import { mnistImages } from './mnist';

const json = process.argv.includes('--json');
const INPUT = 784;
const UNITS = [1024, 512, 32, 512, 1024, 784];
const CODE_LAYER = 2;
const SAMPLES = 10_000;
const RUNS = 3;

const activationOf = (index: number) => (index === UNITS.length - 1 ? 'sigmoid' : index === CODE_LAYER ? 'linear' : 'relu');

function tfjsModel(): tfl.Sequential {
  return tfl.sequential({
    name: 'bench_dense_ae',
    layers: UNITS.map((units, index) =>
      tfl.layers.dense({
        units,
        name: index === CODE_LAYER ? 'code' : `dense_${index}`,
        activation: activationOf(index),
        inputShape: index === 0 ? [INPUT] : undefined,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: index + 1 }),
      }),
    ),
  });
}

/** The same layers as an ONNX graph: Gemm (kernel [in, out] as tfjs stores it) then the activation. */
function onnxModel(model: tfl.Sequential): Uint8Array {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let previous = 'input';
  model.layers.forEach((layer, index) => {
    const [kernel, bias] = layer.getWeights();
    const weight = (name: string, values: Float32Array, dims: number[]) => initializers.push({ name, dataType: FLOAT, dims, rawData: new Uint8Array(values.buffer.slice(0)) });
    weight(`w${index}`, kernel!.dataSync() as Float32Array, kernel!.shape);
    weight(`b${index}`, bias!.dataSync() as Float32Array, bias!.shape);
    const activation = activationOf(index);
    const gemm = activation === 'linear' ? (index === UNITS.length - 1 ? 'output' : `code_${index}`) : `gemm_${index}`;
    nodes.push({ opType: 'Gemm', input: [previous, `w${index}`, `b${index}`], output: [gemm], name: `Gemm_${index}` });
    previous = gemm;
    if (activation !== 'linear') {
      const out = index === UNITS.length - 1 ? 'output' : `${activation}_${index}`;
      nodes.push({ opType: activation === 'relu' ? 'Relu' : 'Sigmoid', input: [gemm], output: [out], name: `${activation}_${index}` });
      previous = out;
    }
  });
  const tensor = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: INPUT }] } } } });
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'latent-explorer-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'bench_dense_ae', node: nodes, initializer: initializers, input: [tensor('input')], output: [tensor('output')] },
  });
  return onnx.ModelProto.encode(proto).finish();
}

async function seconds<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await work();
  return { value, seconds: Number(((performance.now() - start) / 1000).toFixed(4)) };
}

async function encodeRuns(model: Autoencoder, images: Float32Array): Promise<{ codes: Float32Array; runsSeconds: number[]; samplesPerSecond: number }> {
  await model.encode(images.subarray(0, 100 * INPUT), 100);
  const runsSeconds: number[] = [];
  let codes: Float32Array = new Float32Array(0);
  for (let run = 0; run < RUNS; run++) {
    const timed = await seconds(() => model.encode(images, SAMPLES));
    codes = timed.value;
    runsSeconds.push(timed.seconds);
  }
  return { codes, runsSeconds, samplesPerSecond: Math.round(SAMPLES / Math.min(...runsSeconds)) };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'le-bench-onnx-'));
  try {
    await initBackend('wasm');
    const built = tfjsModel();
    await saveModel(built, join(folder, 'tfjs'));
    const onnxFile = join(folder, 'autoencoder.onnx');
    writeFileSync(onnxFile, onnxModel(built));
    built.dispose();

    const first = await seconds(() => loadAutoencoder(onnxFile));
    const runtime = first.value.summary.runtime;
    first.value.dispose();
    const warm: number[] = [];
    for (let run = 0; run < 5; run++) {
      const timed = await seconds(() => loadAutoencoder(onnxFile));
      warm.push(timed.seconds);
      timed.value.dispose();
    }

    const images = mnistImages(SAMPLES);
    const [onnxModelLoaded, tfjsLoaded] = [await loadAutoencoder(onnxFile), await loadAutoencoder(join(folder, 'tfjs'), { encodeThreads: 1 })];
    const onnxEncode = await encodeRuns(onnxModelLoaded, images);
    const tfjsEncode = await encodeRuns(tfjsLoaded, images);
    onnxModelLoaded.dispose();
    tfjsLoaded.dispose();
    const codeDifference = onnxEncode.codes.reduce((worst, value, i) => Math.max(worst, Math.abs(value - tfjsEncode.codes[i]!)), 0);

    const result = {
      runtime,
      tfjsBackend: activeBackend(),
      fileMB: Number((statSync(onnxFile).size / 2 ** 20).toFixed(2)),
      load: { firstSeconds: first.seconds, warmSeconds: warm, bestWarmSeconds: Math.min(...warm), targetSeconds: 1 },
      encode: {
        samples: SAMPLES,
        onnx: { runsSeconds: onnxEncode.runsSeconds, samplesPerSecond: onnxEncode.samplesPerSecond },
        tfjsWasm: { runsSeconds: tfjsEncode.runsSeconds, samplesPerSecond: tfjsEncode.samplesPerSecond },
        onnxOverTfjs: Number((onnxEncode.samplesPerSecond / tfjsEncode.samplesPerSecond).toFixed(2)),
        maxCodeDifference: codeDifference,
      },
      meetsTargets: Math.min(...warm) <= 1 && onnxEncode.samplesPerSecond >= tfjsEncode.samplesPerSecond,
    };
    process.stdout.write(json ? JSON.stringify(result) + '\n' : JSON.stringify(result, null, 2) + '\n');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();
