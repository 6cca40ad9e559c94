/**
 * A uniform grid over 2-D points: rectangle, polygon (lasso) and nearest-point queries touch only
 * the cells they overlap, so a brush move over 1M points costs the points near its edge, not all of them.
 * Built once per layout (counting sort, O(n)); queries take an optional visibility mask.
 */

export interface GridIndex {
  readonly count: number;
  /** Indices of points inside [x0,x1]×[y0,y1], ascending. */
  queryRect(x0: number, y0: number, x1: number, y1: number, visible?: Uint8Array | null): Int32Array;
  /** Indices of points inside a closed polygon given as [x0,y0,x1,y1,…], ascending. */
  queryPolygon(polygon: Float64Array, visible?: Uint8Array | null): Int32Array;
  /** The point nearest (x,y) within maxDistance (Euclidean, same units), or -1. */
  nearest(x: number, y: number, maxDistance: number, visible?: Uint8Array | null): number;
}

/** Points per cell on average: small enough that border cells are cheap, large enough that the grid stays small. */
const POINTS_PER_CELL = 4;
const MAX_CELLS_PER_SIDE = 1024;

/** Indexes n points stored as xy pairs with the given stride (2 for x,y rows; 3 for x,y,z rows). */
export function buildGridIndex(xy: Float32Array, n: number, stride = 2): GridIndex {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xy[i * stride];
    const y = xy[i * stride + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (n === 0) minX = minY = maxX = maxY = 0;
  const side = Math.max(1, Math.min(MAX_CELLS_PER_SIDE, Math.ceil(Math.sqrt(n / POINTS_PER_CELL))));
  const width = maxX - minX || 1;
  const height = maxY - minY || 1;
  const toCellX = side / width;
  const toCellY = side / height;
  const cellX = (x: number) => Math.min(side - 1, Math.max(0, Math.floor((x - minX) * toCellX)));
  const cellY = (y: number) => Math.min(side - 1, Math.max(0, Math.floor((y - minY) * toCellY)));

  const cellOf = new Int32Array(n);
  const cellStart = new Int32Array(side * side + 1);
  for (let i = 0; i < n; i++) {
    const c = cellY(xy[i * stride + 1]) * side + cellX(xy[i * stride]);
    cellOf[i] = c;
    cellStart[c + 1]++;
  }
  for (let c = 0; c < side * side; c++) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, side * side);
  const items = new Int32Array(n);
  for (let i = 0; i < n; i++) items[fill[cellOf[i]]++] = i;
  const scratch = cellOf; // no longer needed once items is filled: reused as the query buffer
  const marks = new Uint8Array(n);

  const collect = (
    cx0: number,
    cy0: number,
    cx1: number,
    cy1: number,
    classify: (cx: number, cy: number) => 'inside' | 'outside' | 'test',
    test: (x: number, y: number) => boolean,
    visible: Uint8Array | null | undefined,
  ): Int32Array => {
    let count = 0;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const kind = classify(cx, cy);
        if (kind === 'outside') continue;
        const c = cy * side + cx;
        for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
          const i = items[k];
          if (visible && !visible[i]) continue;
          if (kind === 'inside' || test(xy[i * stride], xy[i * stride + 1])) scratch[count++] = i;
        }
      }
    }
    return ascending(scratch, count, n, marks);
  };

  const cellBounds = (cx: number, cy: number): [number, number, number, number] => [
    minX + cx / toCellX,
    minY + cy / toCellY,
    minX + (cx + 1) / toCellX,
    minY + (cy + 1) / toCellY,
  ];

  return {
    count: n,
    queryRect(x0, y0, x1, y1, visible) {
      const [ax, bx] = x0 <= x1 ? [x0, x1] : [x1, x0];
      const [ay, by] = y0 <= y1 ? [y0, y1] : [y1, y0];
      if (bx < minX || ax > maxX || by < minY || ay > maxY || n === 0) return new Int32Array(0);
      return collect(
        cellX(ax),
        cellY(ay),
        cellX(bx),
        cellY(by),
        (cx, cy) => {
          const [l, t, r, b] = cellBounds(cx, cy);
          return l >= ax && r <= bx && t >= ay && b <= by ? 'inside' : 'test';
        },
        (x, y) => x >= ax && x <= bx && y >= ay && y <= by,
        visible,
      );
    },
    queryPolygon(polygon, visible) {
      const vertices = polygon.length / 2;
      if (vertices < 3 || n === 0) return new Int32Array(0);
      let px0 = Infinity;
      let py0 = Infinity;
      let px1 = -Infinity;
      let py1 = -Infinity;
      for (let v = 0; v < vertices; v++) {
        px0 = Math.min(px0, polygon[2 * v]);
        px1 = Math.max(px1, polygon[2 * v]);
        py0 = Math.min(py0, polygon[2 * v + 1]);
        py1 = Math.max(py1, polygon[2 * v + 1]);
      }
      if (px1 < minX || px0 > maxX || py1 < minY || py0 > maxY) return new Int32Array(0);
      const gx0 = cellX(px0);
      const gy0 = cellY(py0);
      const gx1 = cellX(px1);
      const gy1 = cellY(py1);
      const rows = gy1 - gy0 + 1;
      const spanX = gx1 - gx0 + 1;
      const rowTop = (row: number) => minY + row / toCellY;
      // Each grid row keeps the edges whose y-range touches it: a crossing test at any y in the row
      // needs only those (lasso edges are short, so a row holds a handful), not all of the polygon.
      const edgeRows = (v: number): [number, number] => {
        const w = (v + 1) % vertices;
        return [cellY(Math.min(polygon[2 * v + 1], polygon[2 * w + 1])), cellY(Math.max(polygon[2 * v + 1], polygon[2 * w + 1]))];
      };
      const rowStart = new Int32Array(rows + 1);
      for (let v = 0; v < vertices; v++) {
        const [r0, r1] = edgeRows(v);
        for (let r = r0; r <= r1; r++) rowStart[r - gy0 + 1]++;
      }
      for (let r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
      const rowEdges = new Int32Array(rowStart[rows]);
      const rowFill = rowStart.slice(0, rows);
      // Cells an edge passes through need a per-point test; the others are wholly in or out.
      const boundary = new Uint8Array(spanX * rows);
      for (let v = 0; v < vertices; v++) {
        const w = (v + 1) % vertices;
        const [xa, ya, xb, yb] = [polygon[2 * v], polygon[2 * v + 1], polygon[2 * w], polygon[2 * w + 1]];
        const [r0, r1] = edgeRows(v);
        for (let r = r0; r <= r1; r++) {
          rowEdges[rowFill[r - gy0]++] = v;
          // The part of the edge inside this row's band, as an x-range: exactly the cells it crosses.
          let xLow = Math.min(xa, xb);
          let xHigh = Math.max(xa, xb);
          if (ya !== yb) {
            const t0 = Math.min(1, Math.max(0, (rowTop(r) - ya) / (yb - ya)));
            const t1 = Math.min(1, Math.max(0, (rowTop(r + 1) - ya) / (yb - ya)));
            const xt0 = xa + t0 * (xb - xa);
            const xt1 = xa + t1 * (xb - xa);
            xLow = Math.min(xt0, xt1);
            xHigh = Math.max(xt0, xt1);
          }
          const base = (r - gy0) * spanX - gx0;
          for (let cx = cellX(xLow); cx <= cellX(xHigh); cx++) boundary[base + cx] = 1;
        }
      }
      const insideInRow = (row: number, x: number, y: number) => {
        let inside = false;
        for (let k = rowStart[row - gy0]; k < rowStart[row - gy0 + 1]; k++) {
          const v = rowEdges[k];
          const w = (v + 1) % vertices;
          const xv = polygon[2 * v];
          const yv = polygon[2 * v + 1];
          const xw = polygon[2 * w];
          const yw = polygon[2 * w + 1];
          if (yv > y !== yw > y && x < ((xw - xv) * (y - yv)) / (yw - yv) + xv) inside = !inside;
        }
        return inside;
      };
      return collect(
        gx0,
        gy0,
        gx1,
        gy1,
        (cx, cy) => {
          if (boundary[(cy - gy0) * spanX + (cx - gx0)]) return 'test';
          const [l, t, r, b] = cellBounds(cx, cy);
          return insideInRow(cy, (l + r) / 2, (t + b) / 2) ? 'inside' : 'outside';
        },
        (x, y) => insideInRow(cellY(y), x, y),
        visible,
      );
    },
    nearest(x, y, maxDistance, visible) {
      if (n === 0) return -1;
      const cx = Math.floor((x - minX) * toCellX);
      const cy = Math.floor((y - minY) * toCellY);
      const reachX = Math.ceil(maxDistance * toCellX);
      const reachY = Math.ceil(maxDistance * toCellY);
      let best = -1;
      let bestDistance = maxDistance * maxDistance;
      for (let gy = Math.max(0, cy - reachY); gy <= Math.min(side - 1, cy + reachY); gy++) {
        for (let gx = Math.max(0, cx - reachX); gx <= Math.min(side - 1, cx + reachX); gx++) {
          const c = gy * side + gx;
          for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
            const i = items[k];
            if (visible && !visible[i]) continue;
            const dx = xy[i * stride] - x;
            const dy = xy[i * stride + 1] - y;
            const d = dx * dx + dy * dy;
            if (d <= bestDistance) {
              bestDistance = d;
              best = i;
            }
          }
        }
      }
      return best;
    },
  };
}

/**
 * The first `count` entries of `found` in ascending order. Large results are ordered by a marking
 * pass over all n (linear), small ones by sorting (n log n of a few): both well under a millisecond.
 */
function ascending(found: Int32Array, count: number, n: number, marks: Uint8Array): Int32Array {
  if (count * 16 < n) return found.slice(0, count).sort();
  for (let k = 0; k < count; k++) marks[found[k]] = 1;
  const result = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) {
    if (marks[i]) {
      result[k++] = i;
      marks[i] = 0;
    }
  }
  return result;
}
