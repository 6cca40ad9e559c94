/**
 * Cooperative cancellation for long computations: they poll a caller-supplied `shouldStop()`
 * between chunks of work and throw `CancelledError` when it answers true.
 */

/** Thrown by a computation that stopped because its caller asked it to. */
export class CancelledError extends Error {
  /** Matches the protocol's error code for cancelled requests. */
  readonly code = 'cancelled';

  constructor(readonly stage: string) {
    super(`cancelled during ${stage}`);
    this.name = 'CancelledError';
  }
}

/** Throws `CancelledError` naming `stage` when `shouldStop` says so. */
export function throwIfStopped(shouldStop: (() => boolean) | undefined, stage: string): void {
  if (shouldStop !== undefined && shouldStop()) throw new CancelledError(stage);
}
