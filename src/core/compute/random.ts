/**
 * Seeded pseudo-random numbers for every stochastic step in compute (kNN trees, t-SNE/UMAP
 * initialisation, negative sampling), so that the same seed always gives the same layout.
 * Nothing in compute may use Math.random.
 */

/** A reproducible source of random numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
  /** Standard normal (mean 0, variance 1). */
  nextGaussian(): number;
}

/** Xoshiro128** state plus the raw 32-bit draw that hot loops use directly. */
export interface Rng32 extends Rng {
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
}

const TWO_POW_32 = 4294967296;

/**
 * Creates a xoshiro128** generator whose 128-bit state is expanded from `seed` by splitmix32
 * (so that nearby seeds such as 1 and 2 still give unrelated streams).
 */
export function createRng(seed: number): Rng32 {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // Fold fractional or >32-bit seeds into 32 bits deterministically.
  let splitState = (Math.floor(seed) ^ Math.floor(seed / TWO_POW_32)) >>> 0;
  const splitmix32 = (): number => {
    splitState = (splitState + 0x9e3779b9) | 0;
    let z = splitState;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix32();
  let s1 = splitmix32();
  let s2 = splitmix32();
  let s3 = splitmix32();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  let spareGaussian = NaN;
  const next = (): number => nextUint32() / TWO_POW_32;
  return {
    nextUint32,
    next,
    nextInt(n: number): number {
      if (!(n > 0) || n > TWO_POW_32) throw new RangeError(`nextInt(n) needs 0 < n ≤ 2^32, got ${n}`);
      return Math.floor(next() * n);
    },
    nextGaussian(): number {
      if (!Number.isNaN(spareGaussian)) {
        const value = spareGaussian;
        spareGaussian = NaN;
        return value;
      }
      // Box–Muller: 1 - next() is in (0, 1], so the log is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareGaussian = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

function rotl(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}
