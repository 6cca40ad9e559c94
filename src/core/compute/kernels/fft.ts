// AssemblyScript, compiled to WebAssembly by esbuild.mjs (see ../wasmKernels.ts): the loops of
// ../fft.ts's 2-D transforms, over split real/imaginary float64 grids in the shared memory. Every
// butterfly combines whole rows with one twiddle, so each loop sweeps two columns per float64x2
// operation. Every argument that names an array is its byte offset in the memory; sizes are even.

/** Rows a and b (byte offsets of their first column) swap their first `bytes` bytes, through `buffer`. */
@inline
function swapRows(a: usize, b: usize, bytes: usize, buffer: usize): void {
  memory.copy(buffer, a, bytes);
  memory.copy(a, b, bytes);
  memory.copy(b, buffer, bytes);
}

/** Real and imaginary parts of the complex product (wr + i·wi)(xr + i·xi), two lanes at a time. */
@inline
function productRe(wr: v128, wi: v128, xr: v128, xi: v128): v128 {
  return f64x2.sub(f64x2.mul(wr, xr), f64x2.mul(wi, xi));
}

@inline
function productIm(wr: v128, wi: v128, xr: v128, xi: v128): v128 {
  return f64x2.add(f64x2.mul(wr, xi), f64x2.mul(wi, xr));
}

/**
 * The DFT down each of the first `columns` columns (rounded up to even) of a size × size grid:
 * input rows reordered (`swaps`: pairs of rows that bit reversal exchanges, for power-of-two
 * sizes; `cycles`: for 3·2^m, the permutation's cycles as [length, rows…]), radix-2/4 stages over
 * the powerOfTwo-row transforms, then for 3·2^m the radix-3 step joining three of them.
 * `cos`/`sin` hold cos(2πk/size), sin(2πk/size); `sign` is −1 forward and +1 inverse.
 */
export function transformColumns(
  re: usize,
  im: usize,
  size: i32,
  powerOfTwo: i32,
  sign: f64,
  columns: i32,
  cos: usize,
  sin: usize,
  swaps: usize,
  swapCount: i32,
  cycles: usize,
  cycleLength: i32,
  rowBuffer: usize,
): void {
  const evenColumns = min<i32>(size, (columns + 1) & ~1);
  const rowBytes = <usize>size << 3;
  const columnBytes = <usize>evenColumns << 3;
  for (let s = 0; s < swapCount; s++) {
    const a = <usize>load<i32>(swaps + (<usize>(2 * s) << 2)) * rowBytes;
    const b = <usize>load<i32>(swaps + (<usize>(2 * s + 1) << 2)) * rowBytes;
    swapRows(re + a, re + b, columnBytes, rowBuffer);
    swapRows(im + a, im + b, columnBytes, rowBuffer);
  }
  for (let at = 0; at < cycleLength; at += load<i32>(cycles + (<usize>at << 2)) + 1) {
    permuteCycle(re, cycles + (<usize>at << 2), rowBytes, columnBytes, rowBuffer);
    permuteCycle(im, cycles + (<usize>at << 2), rowBytes, columnBytes, rowBuffer);
  }

  let half = 1;
  if ((ctz<i32>(powerOfTwo) & 1) == 1) {
    // An odd number of stages: one twiddle-free radix-2 stage first.
    for (let row = 0; row < size; row += 2) {
      const a = <usize>row * rowBytes;
      const b = a + rowBytes;
      for (let c: usize = 0; c < columnBytes; c += 16) {
        const x0r = v128.load(re + a + c);
        const x0i = v128.load(im + a + c);
        const x1r = v128.load(re + b + c);
        const x1i = v128.load(im + b + c);
        v128.store(re + a + c, f64x2.add(x0r, x1r));
        v128.store(im + a + c, f64x2.add(x0i, x1i));
        v128.store(re + b + c, f64x2.sub(x0r, x1r));
        v128.store(im + b + c, f64x2.sub(x0i, x1i));
      }
    }
    half = 2;
  }
  // Radix 4: stages `half` and 2·half together on rows k, k + h, k + 2h, k + 3h of each block of 4h.
  for (; half < powerOfTwo; half <<= 2) {
    const quarterTurn = size / (4 * half);
    const quarterBytes = <usize>half * rowBytes;
    for (let k = 0; k < half; k++) {
      const w1r = f64x2.splat(load<f64>(cos + (<usize>(2 * k * quarterTurn) << 3)));
      const w1i = f64x2.splat(sign * load<f64>(sin + (<usize>(2 * k * quarterTurn) << 3)));
      const w2rScalar = load<f64>(cos + (<usize>(k * quarterTurn) << 3));
      const w2iScalar = sign * load<f64>(sin + (<usize>(k * quarterTurn) << 3));
      const w2r = f64x2.splat(w2rScalar);
      const w2i = f64x2.splat(w2iScalar);
      // The second stage's twiddle for rows k + h, k + 3h is w2 · e^(sign·iπ/2).
      const w3r = f64x2.splat(-sign * w2iScalar);
      const w3i = f64x2.splat(sign * w2rScalar);
      for (let row = k; row < size; row += 4 * half) {
        const r0 = <usize>row * rowBytes;
        const r1 = r0 + quarterBytes;
        const r2 = r1 + quarterBytes;
        const r3 = r2 + quarterBytes;
        for (let c: usize = 0; c < columnBytes; c += 16) {
          const x0r = v128.load(re + r0 + c);
          const x0i = v128.load(im + r0 + c);
          const x1r = v128.load(re + r1 + c);
          const x1i = v128.load(im + r1 + c);
          const x2r = v128.load(re + r2 + c);
          const x2i = v128.load(im + r2 + c);
          const x3r = v128.load(re + r3 + c);
          const x3i = v128.load(im + r3 + c);
          const t1r = productRe(w1r, w1i, x1r, x1i);
          const t1i = productIm(w1r, w1i, x1r, x1i);
          const t3r = productRe(w1r, w1i, x3r, x3i);
          const t3i = productIm(w1r, w1i, x3r, x3i);
          const y0r = f64x2.add(x0r, t1r);
          const y0i = f64x2.add(x0i, t1i);
          const y1r = f64x2.sub(x0r, t1r);
          const y1i = f64x2.sub(x0i, t1i);
          const y2r = f64x2.add(x2r, t3r);
          const y2i = f64x2.add(x2i, t3i);
          const y3r = f64x2.sub(x2r, t3r);
          const y3i = f64x2.sub(x2i, t3i);
          const u2r = productRe(w2r, w2i, y2r, y2i);
          const u2i = productIm(w2r, w2i, y2r, y2i);
          const u3r = productRe(w3r, w3i, y3r, y3i);
          const u3i = productIm(w3r, w3i, y3r, y3i);
          v128.store(re + r0 + c, f64x2.add(y0r, u2r));
          v128.store(im + r0 + c, f64x2.add(y0i, u2i));
          v128.store(re + r2 + c, f64x2.sub(y0r, u2r));
          v128.store(im + r2 + c, f64x2.sub(y0i, u2i));
          v128.store(re + r1 + c, f64x2.add(y1r, u3r));
          v128.store(im + r1 + c, f64x2.add(y1i, u3i));
          v128.store(re + r3 + c, f64x2.sub(y1r, u3r));
          v128.store(im + r3 + c, f64x2.sub(y1i, u3i));
        }
      }
    }
  }
  if (powerOfTwo != size) joinThirds(re, im, size, powerOfTwo, sign, columnBytes, cos, sin);
}

/** One cycle of the row permutation ([length, rows…] at `cycle`): each row takes the next one's values, the last the first's. */
function permuteCycle(values: usize, cycle: usize, rowBytes: usize, columnBytes: usize, rowBuffer: usize): void {
  const length = load<i32>(cycle);
  memory.copy(rowBuffer, cycleRow(values, cycle, 0, rowBytes), columnBytes);
  for (let k = 0; k < length - 1; k++) memory.copy(cycleRow(values, cycle, k, rowBytes), cycleRow(values, cycle, k + 1, rowBytes), columnBytes);
  memory.copy(cycleRow(values, cycle, length - 1, rowBytes), rowBuffer, columnBytes);
}

@inline
function cycleRow(values: usize, cycle: usize, k: i32, rowBytes: usize): usize {
  return values + <usize>load<i32>(cycle + (<usize>(k + 1) << 2)) * rowBytes;
}

/**
 * The radix-3 step: rows k, P + k, 2P + k hold the three power-of-two transforms Y0, Y1, Y2 (of
 * rows ≡ 0, 1, 2 mod 3) at k; X[k + qP] = Σ_j ω^(jq) · W^(jk) · Yj[k] with ω the cube root of unity.
 */
function joinThirds(re: usize, im: usize, size: i32, third: i32, sign: f64, columnBytes: usize, cos: usize, sin: usize): void {
  const rowBytes = <usize>size << 3;
  const thirdBytes = <usize>third * rowBytes;
  const rotation = f64x2.splat((sign * Math.sqrt(3)) / 2);
  const halfOf = f64x2.splat(0.5);
  for (let k = 0; k < third; k++) {
    const w1r = f64x2.splat(load<f64>(cos + (<usize>k << 3)));
    const w1i = f64x2.splat(sign * load<f64>(sin + (<usize>k << 3)));
    const w2r = f64x2.splat(load<f64>(cos + (<usize>(2 * k) << 3)));
    const w2i = f64x2.splat(sign * load<f64>(sin + (<usize>(2 * k) << 3)));
    const r0 = <usize>k * rowBytes;
    const r1 = r0 + thirdBytes;
    const r2 = r1 + thirdBytes;
    for (let c: usize = 0; c < columnBytes; c += 16) {
      const x1r = v128.load(re + r1 + c);
      const x1i = v128.load(im + r1 + c);
      const x2r = v128.load(re + r2 + c);
      const x2i = v128.load(im + r2 + c);
      const t1r = productRe(w1r, w1i, x1r, x1i);
      const t1i = productIm(w1r, w1i, x1r, x1i);
      const t2r = productRe(w2r, w2i, x2r, x2i);
      const t2i = productIm(w2r, w2i, x2r, x2i);
      const sr = f64x2.add(t1r, t2r);
      const si = f64x2.add(t1i, t2i);
      // ω·t1 + ω²·t2 = −(t1 + t2)/2 + i·sign·(√3/2)·(t1 − t2), and its conjugate pair for ω².
      const dr = f64x2.mul(rotation, f64x2.sub(t1r, t2r));
      const di = f64x2.mul(rotation, f64x2.sub(t1i, t2i));
      const x0r = v128.load(re + r0 + c);
      const x0i = v128.load(im + r0 + c);
      const mr = f64x2.sub(x0r, f64x2.mul(sr, halfOf));
      const mi = f64x2.sub(x0i, f64x2.mul(si, halfOf));
      v128.store(re + r0 + c, f64x2.add(x0r, sr));
      v128.store(im + r0 + c, f64x2.add(x0i, si));
      v128.store(re + r1 + c, f64x2.sub(mr, di));
      v128.store(im + r1 + c, f64x2.add(mi, dr));
      v128.store(re + r2 + c, f64x2.add(mr, di));
      v128.store(im + r2 + c, f64x2.sub(mi, dr));
    }
  }
}

/** In-place transpose of a size × size float64 grid, in tiles so that both sides stay in cache. */
export function transpose(values: usize, size: i32): void {
  const tile = 32;
  for (let r0 = 0; r0 < size; r0 += tile) {
    for (let c0 = r0; c0 < size; c0 += tile) {
      const rEnd = min<i32>(r0 + tile, size);
      const cEnd = min<i32>(c0 + tile, size);
      for (let r = r0; r < rEnd; r++) {
        for (let c = c0 == r0 ? r + 1 : c0; c < cEnd; c++) {
          const a = values + ((<usize>r * <usize>size + <usize>c) << 3);
          const b = values + ((<usize>c * <usize>size + <usize>r) << 3);
          const t = load<f64>(a);
          store<f64>(a, load<f64>(b));
          store<f64>(b, t);
        }
      }
    }
  }
}
