/**
 * Ownership of resources: every listener, panel, worker or channel is registered with exactly one
 * owner and released when that owner is disposed. Structural, so it works with VS Code's
 * disposables, our own, and plain cleanup functions, without importing `vscode`.
 */

/** Anything with a `dispose()`: VS Code's Disposable, a session connection, a Disposable below. */
export interface DisposableLike {
  dispose(): void;
}

/** Wraps a cleanup function so it runs at most once. */
export function toDisposable(cleanup: () => void): DisposableLike {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      cleanup();
    },
  };
}

/**
 * Disposes every item, continuing past failures so one bad disposer cannot leak the rest;
 * rethrows the first failure (or an AggregateError when several failed) afterwards.
 */
export function disposeAll(items: Iterable<DisposableLike>): void {
  const failures: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} disposables failed to dispose`);
}

/** Base class for owners: `_register` what you create, `dispose()` releases it all in reverse order. */
export abstract class Disposable implements DisposableLike {
  private readonly owned: DisposableLike[] = [];
  private disposed = false;

  /** True once dispose() has run. */
  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Takes ownership of `item`; registering on a disposed owner disposes the item at once, so nothing leaks. */
  protected _register<T extends DisposableLike>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.owned.push(item);
    }
    return item;
  }

  /** Releases everything registered, newest first (listeners go before the things they listen to). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.owned.splice(0).reverse());
  }
}
