/** The model half of the core engine: load TF.js autoencoders from disk and run them over typed arrays. */
export * as tf from '@tensorflow/tfjs-core';
export { initBackend, activeBackend, backendFallback } from './backend';
export { loadAutoencoder, summarizeModel } from './autoencoder';
export { detectModelFormat, resolveModelFiles, type DetectedFormat, type ModelFileFormat, type ResolvedModel } from './resolve';
export type { Autoencoder, BatchOptions, LayerActivation, LoadAutoencoderOptions } from './autoencoder';
export { ModelLoadError, type ModelErrorCode } from './errors';
export { requireEncoder } from './requireEncoder';
export { conditionClassNames, labelConditions, oneHot } from './condition';
export { fileIOHandler, readModelArtifacts, readModelJson } from './fileIO';
export { loadModelFile, type LoadedModel, type LoadModelOptions } from './load';
export { detectDialect, normalizeModelJson } from './normalize';
