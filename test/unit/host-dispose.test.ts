import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Disposable, disposeAll, toDisposable } from '../../src/util/dispose';

class Owner extends Disposable {
  own<T extends { dispose(): void }>(item: T): T {
    return this._register(item);
  }
  get wasDisposed(): boolean {
    return this.isDisposed;
  }
}

describe('dispose', () => {
  it('toDisposable(cleanup) runs the cleanup once however often it is disposed', () => {
    let runs = 0;
    const item = toDisposable(() => runs++);
    item.dispose();
    item.dispose();
    assert.equal(runs, 1);
  });

  it('Disposable.dispose() releases registered items newest first, once', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own(toDisposable(() => order.push('worker')));
    owner.own(toDisposable(() => order.push('listener')));
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['listener', 'worker']);
    assert.equal(owner.wasDisposed, true);
  });

  it('Disposable._register(item) after dispose() disposes the item at once', () => {
    const owner = new Owner();
    owner.dispose();
    let released = false;
    owner.own(toDisposable(() => (released = true)));
    assert.equal(released, true);
  });

  it('disposeAll(items) disposes every item even when some throw, then rethrows the failure', () => {
    const released: number[] = [];
    const failing = (n: number) => ({ dispose: () => { released.push(n); throw new Error(`fail ${n}`); } });
    const fine = (n: number) => toDisposable(() => released.push(n));
    assert.throws(() => disposeAll([fine(1), failing(2), fine(3)]), { message: 'fail 2' });
    assert.deepEqual(released, [1, 2, 3]);
    assert.throws(() => disposeAll([failing(4), failing(5)]), (error: unknown) => {
      assert.ok(error instanceof AggregateError);
      assert.equal(error.message, '2 disposables failed to dispose');
      assert.deepEqual(error.errors.map((e: Error) => e.message), ['fail 4', 'fail 5']);
      return true;
    });
  });
});
