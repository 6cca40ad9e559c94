// AssemblyScript, compiled to WebAssembly by esbuild.mjs (see ../wasmKernels.ts): the pair loop of
// t-SNE's attractive forces (../tsneAttraction.ts schedules it over threads). In 2-D a point's
// coordinates are one float64x2, so a pair costs one vector subtract, multiply and update each
// way: about twice as fast as the same loop in JS. Every argument that names an array is its byte
// offset in the shared memory.

/**
 * Adds Σ_j p_ij w_ij (y_i − y_j) to out[i] and subtracts it from out[j], w_ij = 1/(1 + |y_i − y_j|²),
 * for each stored pair (i, j) of rows first … last − 1 (rows of columns j > i, values p_ij).
 */
export function attractionRows(positions: usize, rowStart: usize, columns: usize, values: usize, out: usize, first: i32, last: i32, dims: i32): void {
  if (dims == 2) {
    attractionRows2d(positions, rowStart, columns, values, out, first, last);
    return;
  }
  const pointBytes = <usize>dims << 3;
  for (let i = first; i < last; i++) {
    const yi = positions + <usize>i * pointBytes;
    const outI = out + <usize>i * pointBytes;
    const end = load<i32>(rowStart + (<usize>(i + 1) << 2));
    for (let e = load<i32>(rowStart + (<usize>i << 2)); e < end; e++) {
      const j = <usize>load<i32>(columns + (<usize>e << 2)) * pointBytes;
      let squaredDistance: f64 = 0;
      for (let d: usize = 0; d < pointBytes; d += 8) {
        const difference = load<f64>(yi + d) - load<f64>(positions + j + d);
        squaredDistance += difference * difference;
      }
      const pw = load<f64>(values + (<usize>e << 3)) / (1 + squaredDistance);
      for (let d: usize = 0; d < pointBytes; d += 8) {
        const term = pw * (load<f64>(yi + d) - load<f64>(positions + j + d));
        store<f64>(outI + d, load<f64>(outI + d) + term);
        store<f64>(out + j + d, load<f64>(out + j + d) - term);
      }
    }
  }
}

function attractionRows2d(positions: usize, rowStart: usize, columns: usize, values: usize, out: usize, first: i32, last: i32): void {
  for (let i = first; i < last; i++) {
    const yi = v128.load(positions + (<usize>i << 4));
    let force = f64x2.splat(0);
    const end = load<i32>(rowStart + (<usize>(i + 1) << 2));
    for (let e = load<i32>(rowStart + (<usize>i << 2)); e < end; e++) {
      const j = <usize>load<i32>(columns + (<usize>e << 2)) << 4;
      const difference = f64x2.sub(yi, v128.load(positions + j));
      const squares = f64x2.mul(difference, difference);
      const pw = load<f64>(values + (<usize>e << 3)) / (1 + f64x2.extract_lane(squares, 0) + f64x2.extract_lane(squares, 1));
      const term = f64x2.mul(difference, f64x2.splat(pw));
      force = f64x2.add(force, term);
      v128.store(out + j, f64x2.sub(v128.load(out + j), term));
    }
    const outI = out + (<usize>i << 4);
    v128.store(outI, f64x2.add(v128.load(outI), force));
  }
}
