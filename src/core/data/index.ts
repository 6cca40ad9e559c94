/** Dataset input: open any supported file or folder, fit it to a model, sample it, corrupt it. */
export type { Dataset } from './dataset';
export type { SourceDtype } from './elements';
export { openDataset, describeDataset, type OpenDatasetOptions } from './detect';
export { planFit, applyFit, type FitPlan, type ChannelConversion } from './fit';
export { stratifiedSample } from './sample';
export { addNoise } from './noise';
export { DataError, DataFitError, type DataErrorCode } from './errors';
