/** The bundled sample models, found relative to this file whether it runs bundled (dist/) or from sources. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The folder holding the bundled sample models and their data. */
export function bundledSamplesRoot(): string {
  for (const candidate of [resolve(__dirname, '..', 'sample-models'), resolve(__dirname, '..', '..', 'sample-models')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`the bundled sample-models/ folder is missing next to ${__dirname}`);
}

/** The default sample: the dense MNIST autoencoder and its bundled test images. */
export function bundledSample(): { model: string; data: string } {
  const root = bundledSamplesRoot();
  return { model: join(root, 'mnist-dense'), data: join(root, 'data', 'mnist-test-2000') };
}
