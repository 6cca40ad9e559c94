/**
 * The Barnes–Hut space-partitioning tree of t-SNE (a quadtree in 2-D, an octree in 3-D) in flat
 * typed arrays, rebuilt every iteration. Points are partitioned in place (a counting sort per
 * level), so each cell's points are one contiguous run of `order` and no per-node objects exist.
 */

/** A leaf stops splitting at this many points: tiny leaves cost more in node visits than they save in pair terms. */
const LEAF_CAPACITY = 8;
/** Cells narrower than this (relative to the root) are leaves whatever they hold, so duplicate points terminate. */
const MIN_RELATIVE_WIDTH = 1e-12;

/** A reusable Barnes–Hut tree for `n` points in `dims` (2 or 3) dimensions. */
export class BarnesHutTree {
  private readonly childCount: number;
  /** Point indices, grouped so that every cell's points are contiguous. */
  readonly order: Int32Array;
  /** Positions copied in `order` order, so a leaf's points are adjacent in memory. */
  private readonly orderedPositions: Float64Array;
  private readonly scratch: Int32Array;
  /** Per point, the child cell it falls in at the level being split. */
  private readonly cellCode: Uint8Array;
  private capacity = 0;
  private nodeTotal = 0;
  private pointCount = new Int32Array(0);
  private firstPoint = new Int32Array(0);
  /** Index of the first of `childCount` consecutive children, or -1 for a leaf. */
  private firstChild = new Int32Array(0);
  private centreOfMass = new Float64Array(0);
  private squaredWidth = new Float64Array(0);
  private stack = new Int32Array(0);

  constructor(
    private readonly n: number,
    private readonly dims: 2 | 3,
  ) {
    this.childCount = 1 << dims;
    this.order = new Int32Array(n);
    this.orderedPositions = new Float64Array(n * dims);
    this.scratch = new Int32Array(n);
    this.cellCode = new Uint8Array(n);
    this.ensureCapacity(Math.max(16, (2 * n) | 0));
  }

  /** Rebuilds the tree over positions (n × dims, row-major). */
  build(positions: Float64Array): void {
    const { n, dims } = this;
    const low = new Float64Array(dims).fill(Infinity);
    const high = new Float64Array(dims).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      this.order[i] = i;
      for (let d = 0; d < dims; d++) {
        const value = positions[i * dims + d];
        if (value < low[d]) low[d] = value;
        if (value > high[d]) high[d] = value;
      }
    }
    let width = 0;
    for (let d = 0; d < dims; d++) width = Math.max(width, high[d] - low[d]);
    // A hair wider than the data so the maximum lands strictly inside the root cell.
    width = width * (1 + 1e-9) + 1e-300;
    this.nodeTotal = 1;
    this.buildNode(positions, 0, 0, n, low, width, width * MIN_RELATIVE_WIDTH);
    for (let p = 0; p < n; p++) {
      const source = this.order[p] * dims;
      for (let d = 0; d < dims; d++) this.orderedPositions[p * dims + d] = positions[source + d];
    }
    this.stack = this.stack.length >= this.nodeTotal ? this.stack : new Int32Array(this.nodeTotal);
  }

  /**
   * Accumulates point i's repulsive force Σ_j w_ij² (y_i − y_j) into `force` (length dims, added to)
   * and returns its share Σ_j w_ij of the normaliser Z, with w = 1 / (1 + ‖y_i − y_j‖²); cells with
   * width / distance < θ stand in for their points.
   */
  repulsion(positions: Float64Array, i: number, squaredTheta: number, force: Float64Array): number {
    const { dims, childCount, order, orderedPositions, pointCount, firstPoint, firstChild, centreOfMass, squaredWidth, stack } = this;
    const x = positions[i * dims];
    const y = positions[i * dims + 1];
    const z = dims === 3 ? positions[i * dims + 2] : 0;
    let fx = 0;
    let fy = 0;
    let fz = 0;
    let sumW = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const node = stack[--top];
      const count = pointCount[node];
      const child = firstChild[node];
      if (child < 0) {
        const end = firstPoint[node] + count;
        for (let p = firstPoint[node]; p < end; p++) {
          if (order[p] === i) continue;
          const q = p * dims;
          const dx = x - orderedPositions[q];
          const dy = y - orderedPositions[q + 1];
          const dz = dims === 3 ? z - orderedPositions[q + 2] : 0;
          const w = 1 / (1 + dx * dx + dy * dy + dz * dz);
          sumW += w;
          const w2 = w * w;
          fx += w2 * dx;
          fy += w2 * dy;
          fz += w2 * dz;
        }
        continue;
      }
      const dx = x - centreOfMass[node * 3];
      const dy = y - centreOfMass[node * 3 + 1];
      const dz = dims === 3 ? z - centreOfMass[node * 3 + 2] : 0;
      const squaredDistance = dx * dx + dy * dy + dz * dz;
      if (squaredWidth[node] < squaredTheta * squaredDistance) {
        const w = 1 / (1 + squaredDistance);
        const weighted = count * w;
        sumW += weighted;
        const forceScale = weighted * w;
        fx += forceScale * dx;
        fy += forceScale * dy;
        fz += forceScale * dz;
      } else {
        for (let c = 0; c < childCount; c++) if (pointCount[child + c] > 0) stack[top++] = child + c;
      }
    }
    force[0] += fx;
    force[1] += fy;
    if (dims === 3) force[2] += fz;
    return sumW;
  }

  private buildNode(positions: Float64Array, node: number, start: number, end: number, low: Float64Array, width: number, minWidth: number): void {
    const { dims, childCount, order, scratch, cellCode } = this;
    const count = end - start;
    this.pointCount[node] = count;
    this.firstPoint[node] = start;
    this.squaredWidth[node] = width * width;
    let cx = 0;
    let cy = 0;
    let cz = 0;
    for (let p = start; p < end; p++) {
      const j = order[p] * dims;
      cx += positions[j];
      cy += positions[j + 1];
      if (dims === 3) cz += positions[j + 2];
    }
    this.centreOfMass[node * 3] = count > 0 ? cx / count : 0;
    this.centreOfMass[node * 3 + 1] = count > 0 ? cy / count : 0;
    this.centreOfMass[node * 3 + 2] = count > 0 ? cz / count : 0;
    if (count <= LEAF_CAPACITY || width <= minWidth) {
      this.firstChild[node] = -1;
      return;
    }
    const half = width / 2;
    const midX = low[0] + half;
    const midY = low[1] + half;
    const midZ = dims === 3 ? low[2] + half : 0;
    // Counting sort of the run into child cells; bit d of the cell code is set when coordinate d ≥ the midpoint.
    const counts = new Int32Array(childCount + 1);
    for (let p = start; p < end; p++) {
      const j = order[p] * dims;
      let code = positions[j] >= midX ? 1 : 0;
      if (positions[j + 1] >= midY) code |= 2;
      if (dims === 3 && positions[j + 2] >= midZ) code |= 4;
      cellCode[p] = code;
      counts[code + 1]++;
    }
    for (let c = 0; c < childCount; c++) counts[c + 1] += counts[c];
    const cursor = counts.slice(0, childCount);
    for (let p = start; p < end; p++) scratch[start + cursor[cellCode[p]]++] = order[p];
    order.set(scratch.subarray(start, end), start);

    this.ensureCapacity(this.nodeTotal + childCount);
    const child = this.nodeTotal;
    this.nodeTotal += childCount;
    this.firstChild[node] = child;
    const childLow = new Float64Array(dims);
    for (let c = 0; c < childCount; c++) {
      for (let d = 0; d < dims; d++) childLow[d] = low[d] + ((c >> d) & 1 ? half : 0);
      this.buildNode(positions, child + c, start + counts[c], start + counts[c + 1], childLow, half, minWidth);
    }
  }

  private ensureCapacity(nodes: number): void {
    if (nodes <= this.capacity) return;
    const capacity = Math.max(nodes, this.capacity * 2);
    const grow = <T extends Int32Array | Float64Array>(old: T, make: (length: number) => T, perNode: number): T => {
      const next = make(capacity * perNode);
      next.set(old);
      return next;
    };
    this.pointCount = grow(this.pointCount, (l) => new Int32Array(l), 1);
    this.firstPoint = grow(this.firstPoint, (l) => new Int32Array(l), 1);
    this.firstChild = grow(this.firstChild, (l) => new Int32Array(l), 1);
    this.centreOfMass = grow(this.centreOfMass, (l) => new Float64Array(l), 3);
    this.squaredWidth = grow(this.squaredWidth, (l) => new Float64Array(l), 1);
    this.capacity = capacity;
  }
}
