/**
 * Errors for dataset input. Every one names the file it concerns and carries a stable `code`,
 * so the CLI can print `error: <file>: <problem>` and the webview can show it inline.
 */

/** Stable machine-readable codes of dataset errors. */
export type DataErrorCode =
  /** The path does not exist or cannot be read. */
  | 'data-not-found'
  /** The file is not in the format it claims or was detected as (bad magic, bad header, bad syntax). */
  | 'data-corrupt'
  /** The file ends before the data its header promises. */
  | 'data-truncated'
  /** A valid file that holds something this reader does not handle (a dtype, a layout, a file kind). */
  | 'data-unsupported'
  /** A folder or file with no samples in it. */
  | 'data-empty'
  /** Samples that disagree with each other (image sizes, ragged rows, non-numeric cells). */
  | 'data-inconsistent'
  /** Labels that are missing, unreadable or do not match the samples. */
  | 'data-labels'
  /** A dataset whose items cannot be reshaped or converted to the model's input. */
  | 'data-fit';

/** A problem with a dataset file; `file` is the offending file (or folder). */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly code: DataErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** The dataset's items do not fit the model's input; the message names both shapes and a fix. */
export class DataFitError extends DataError {
  constructor(file: string, message: string) {
    super(file, 'data-fit', message);
    this.name = 'DataFitError';
  }
}
