/**
 * A set of points held as one byte per point (1 = in) and its size: what a brush or lasso rewrites
 * in place on every move, what the plot draws from and what linked plots copy. The ascending index
 * list, which listeners need once a gesture ends but a move does not, is built from the bytes only
 * when asked for: at a million points building it costs more than the move itself.
 */

/** A set of points; only its owner writes it. */
export interface PointMask {
  /** One byte per point, 1 = in. The owner rewrites it in place: copy what you keep past the call that handed it over. */
  readonly mask: Uint8Array;
  /** How many bytes are 1. */
  readonly count: number;
  /** The points: as assigned, else ascending; built on the first call after a change, then the same array until the next. */
  indices(): Int32Array;
}

/** The owner's side of a PointMask. */
export interface OwnedPointMask extends PointMask {
  /** The owner changed bytes of `mask` in place, and `delta` more of them are now 1. */
  changed(delta: number): void;
  /**
   * Exactly these points (those outside 0…n−1 dropped). `indices()` then hands back this very list,
   * in its order (a ranking stays a ranking), unless it held repeats or dropped points.
   */
  assign(indices: Int32Array): void;
  /** The points of another set over as many points. */
  copy(from: PointMask): void;
}

/**
 * The set bytes of a mask (read as words) as ascending indices, `count` of them. Branch-free writes:
 * a selection of a dense layout is scattered over the index range, where a branch per point would
 * mispredict. Each point's index is written before it is known to count, so the list gets one slot
 * more than it returns.
 */
function maskIndices(words: Uint32Array, count: number): Int32Array {
  if (count === 0) return new Int32Array(0);
  const out = new Int32Array(count + 1);
  // Below one point in eight most words are empty: skipping them is then the cheap path.
  const sparse = count * 2 < words.length;
  let k = 0;
  for (let w = 0; w < words.length; w++) {
    const bytes = words[w];
    if (sparse && bytes === 0) continue;
    const i = w << 2;
    out[k] = i;
    k += bytes & 1;
    out[k] = i + 1;
    k += (bytes >>> 8) & 1;
    out[k] = i + 2;
    k += (bytes >>> 16) & 1;
    out[k] = i + 3;
    k += bytes >>> 24;
  }
  return out.subarray(0, count);
}

/** An empty set over n points. */
export function pointMask(n: number): OwnedPointMask {
  // Whole 32-bit words behind the bytes, so the index list can read four points at a time.
  const words = new Uint32Array(Math.ceil(n / 4));
  const mask = new Uint8Array(words.buffer, 0, n);
  let count = 0;
  let indices: Int32Array | null = null;
  return {
    mask,
    get count() {
      return count;
    },
    indices: () => (indices ??= maskIndices(words, count)),
    changed(delta) {
      count += delta;
      indices = null;
    },
    assign(list) {
      mask.fill(0);
      count = 0;
      for (let k = 0; k < list.length; k++) {
        const i = list[k];
        if (i < 0 || i >= n) continue;
        count += 1 - mask[i];
        mask[i] = 1;
      }
      indices = count === list.length ? list : null;
    },
    copy(from) {
      if (from.mask.length !== n) throw new Error(`cannot copy a set over ${from.mask.length} points into one over ${n}`);
      mask.set(from.mask);
      count = from.count;
      indices = null;
    },
  };
}
