/**
 * The training backend: TF.js WebAssembly (SIMD) with three kernels replaced, else pure-JS cpu.
 *
 * tfjs 4.22's wasm backend is ~6x faster than cpu for dense layers, but it cannot train the
 * sample models as shipped, so we patch it (measured on this 2-core machine, batch 128):
 * - it has no Conv2DBackpropFilter kernel at all, so no Conv2D layer can train on it; its
 *   Conv3DBackpropFilterV2 gives wrong results for strides > 1 and takes ~380 ms for one 14x14x16
 *   layer, so we compute the filter gradient as im2col + matrix product instead;
 * - its Conv2DBackpropInput is a naive loop (~190 ms for the same layer, against 16 ms for the
 *   XNNPACK forward conv); for stride 1 and 'same' padding the input gradient is a forward conv
 *   of dy with the flipped, channel-transposed filter, so we run that;
 * - its BatchMatMul is 15-20x slower with a transposed operand (16 ms plain, 222 ms with
 *   transposeB for 256x784 operands) and every dense layer's backward pass takes that path, so
 *   we transpose the operand explicitly first (a linear-time copy).
 * The cpu backend trains a small conv AE ~100x slower, which would not fit the time budget.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type {
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { resolve } from 'node:path';

const WASM_DIST = resolve(__dirname, '../../node_modules/@tensorflow/tfjs-backend-wasm/dist');

function wasmKernel(name: string): KernelConfig {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel;
}

function stridesOf(strides: [number, number] | number): [number, number] {
  return typeof strides === 'number' ? [strides, strides] : strides;
}

/** Top/left zero padding of a stride-1 'same' or 'valid' convolution. */
function leadingPadding(pad: 'same' | 'valid', filterHeight: number, filterWidth: number): [number, number] {
  return pad === 'same' ? [Math.floor((filterHeight - 1) / 2), Math.floor((filterWidth - 1) / 2)] : [0, 0];
}

/** dW[i, j, c, o] = Σ_{n,y,x} x[n, y+i−padTop, x+j−padLeft, c] · dy[n, y, x, o], as patchesᵀ · dy. */
const conv2dBackpropFilterByIm2col: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const [strideHeight, strideWidth] = stridesOf(strides);
  if (dataFormat !== 'NHWC' || strideHeight !== 1 || strideWidth !== 1 || (pad !== 'same' && pad !== 'valid')) {
    throw new Error(
      `Conv2DBackpropFilter on wasm supports NHWC, stride 1 and 'same'/'valid' padding only, got ${dataFormat}, strides ${JSON.stringify(strides)}, pad ${JSON.stringify(pad)}`,
    );
  }
  const [batch, height, width, channels] = x.shape;
  const [, outHeight, outWidth, outChannels] = dy.shape;
  const [filterHeight, filterWidth] = filterShape;
  const [padTop, padLeft] = leadingPadding(pad, filterHeight, filterWidth);
  const positions = batch * outHeight * outWidth;
  const patchSize = filterHeight * filterWidth * channels;
  // Allocate before taking heap views: an allocation may grow (and detach) the wasm heap.
  const patchesT = wasm.makeOutput([1, patchSize, positions], 'float32');
  const columns = wasm.typedArrayFromHeap(patchesT) as Float32Array;
  const xValues = wasm.readSync(x.dataId) as Float32Array;
  for (let n = 0, position = 0; n < batch; n++) {
    for (let y = 0; y < outHeight; y++) {
      for (let xo = 0; xo < outWidth; xo++, position++) {
        for (let i = 0; i < filterHeight; i++) {
          const inY = y + i - padTop;
          for (let j = 0; j < filterWidth; j++) {
            const inX = xo + j - padLeft;
            const row = (i * filterWidth + j) * channels;
            const inside = inY >= 0 && inY < height && inX >= 0 && inX < width;
            const source = ((n * height + inY) * width + inX) * channels;
            for (let c = 0; c < channels; c++) columns[(row + c) * positions + position] = inside ? xValues[source + c] : 0;
          }
        }
      }
    }
  }
  const product = wasmKernel('BatchMatMul').kernelFunc({
    inputs: { a: patchesT, b: { dataId: dy.dataId, shape: [1, positions, outChannels], dtype: dy.dtype } },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
  wasm.disposeData(patchesT.dataId);
  return { dataId: product.dataId, shape: filterShape, dtype: product.dtype };
};

/** For stride 1, 'same' padding and odd filters: dx = conv2d(dy, W flipped in space, in/out channels swapped). */
function conv2dBackpropInputByForwardConv(original: KernelConfig): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat } = attrs as unknown as Conv2DBackpropInputAttrs;
    const [strideHeight, strideWidth] = stridesOf(strides);
    const [filterHeight, filterWidth, inChannels, outChannels] = filter.shape;
    const applies = dataFormat === 'NHWC' && strideHeight === 1 && strideWidth === 1 && pad === 'same' && filterHeight % 2 === 1 && filterWidth % 2 === 1;
    if (!applies) return original.kernelFunc({ inputs, backend, attrs });
    const flipped = wasm.makeOutput([filterHeight, filterWidth, outChannels, inChannels], 'float32');
    const target = wasm.typedArrayFromHeap(flipped) as Float32Array;
    const source = wasm.readSync(filter.dataId) as Float32Array;
    for (let i = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++) {
        const from = ((filterHeight - 1 - i) * filterWidth + (filterWidth - 1 - j)) * inChannels * outChannels;
        const to = (i * filterWidth + j) * outChannels * inChannels;
        for (let c = 0; c < inChannels; c++) {
          for (let o = 0; o < outChannels; o++) target[to + o * inChannels + c] = source[from + c * outChannels + o];
        }
      }
    }
    const dx = wasmKernel('Conv2D').kernelFunc({
      inputs: { x: dy, filter: flipped },
      backend,
      attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] },
    }) as TensorInfo;
    wasm.disposeData(flipped.dataId);
    return dx;
  };
}

/** BatchMatMul that transposes operands explicitly, then multiplies untransposed (the fast path). */
function matMulWithExplicitTransposes(original: KernelConfig): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
    const copies: TensorInfo[] = [];
    const swapLastTwoAxes = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, axis) => axis);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      const copy = wasmKernel('Transpose').kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
      copies.push(copy);
      return copy;
    };
    const out = original.kernelFunc({
      inputs: { a: transposeA ? swapLastTwoAxes(a) : a, b: transposeB ? swapLastTwoAxes(b) : b },
      backend,
      attrs: { transposeA: false, transposeB: false },
    });
    for (const copy of copies) (backend as BackendWasm).disposeData(copy.dataId);
    return out;
  };
}

let patched = false;

function patchWasmKernels(): void {
  if (patched) return;
  patched = true;
  const replace = (name: string, kernelFunc: KernelFunc): void => {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  };
  replace('BatchMatMul', matMulWithExplicitTransposes(wasmKernel('BatchMatMul')));
  replace('Conv2DBackpropInput', conv2dBackpropInputByForwardConv(wasmKernel('Conv2DBackpropInput')));
  replace('Conv2DBackpropFilter', conv2dBackpropFilterByIm2col);
}

/** Selects wasm (with the patched kernels) or, failing that, cpu; returns the backend's name. */
export async function useFastestTrainingBackend(): Promise<string> {
  try {
    setWasmPaths(`${WASM_DIST}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    patchWasmKernels();
  } catch (error) {
    console.warn(`wasm backend unavailable (${(error as Error).message}); training on cpu`);
    await tf.setBackend('cpu');
  }
  await tf.ready();
  return tf.getBackend();
}
