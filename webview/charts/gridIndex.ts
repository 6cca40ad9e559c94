/**
 * A uniform grid over 2-D points: rectangle, polygon (lasso) and nearest-point queries touch only
 * the cells they overlap. Each cell's points are stored contiguously (counting sort, O(n)), ids and
 * coordinates side by side, so cells wholly inside a query are taken without testing their points
 * and only border cells are tested. A brush keeps its selection between moves and revisits only the
 * cells whose membership a move can change.
 */
import { pointMask, type PointMask } from './pointMask';

export interface GridIndex {
  readonly count: number;
  /** Indices of points inside [x0,x1]×[y0,y1], ascending. */
  queryRect(x0: number, y0: number, x1: number, y1: number, visible?: Uint8Array | null): Int32Array;
  /**
   * A rectangle selection that follows a brush: each `update` moves it to a new rectangle,
   * revisiting only the cells between the previous rectangle's edges and the new one's.
   */
  rectSelection(visible?: Uint8Array | null): RectSelection;
  /** Indices of points inside a closed polygon given as [x0,y0,x1,y1,…], ascending. */
  queryPolygon(polygon: Float64Array, visible?: Uint8Array | null): Int32Array;
  /**
   * A polygon selection that follows a lasso being drawn: each `update` takes the whole lasso so
   * far (the previous one with vertices appended). Only the sliver between the old closing edge and
   * the new one is visited.
   */
  lassoSelection(visible?: Uint8Array | null): LassoSelection;
  /** The point nearest (x,y) within maxDistance (Euclidean, same units), or -1. */
  nearest(x: number, y: number, maxDistance: number, visible?: Uint8Array | null): number;
}

/** The (visible) points inside the last update's rectangle. */
export interface RectSelection extends PointMask {
  update(x0: number, y0: number, x1: number, y1: number): void;
}

/** The (visible) points inside the last update's polygon. */
export interface LassoSelection extends PointMask {
  update(polygon: Float64Array): void;
}

/** Points per cell on average: small enough that border cells are cheap, large enough that the grid stays small. */
const POINTS_PER_CELL = 4;
const MAX_CELLS_PER_SIDE = 1024;

/** A cell range [x0..x1]×[y0..y1], inclusive; empty when x0 > x1 or y0 > y1. */
interface CellBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const NO_CELLS: CellBox = { x0: 0, y0: 0, x1: -1, y1: -1 };

/** Indexes n points stored as xy pairs with the given stride (2 for x,y rows; 3 for x,y,z rows). */
export function buildGridIndex(xy: Float32Array, n: number, stride = 2): GridIndex {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xy[i * stride];
    const y = xy[i * stride + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (minX > maxX) minX = minY = maxX = maxY = 0;
  const side = Math.max(1, Math.min(MAX_CELLS_PER_SIDE, Math.ceil(Math.sqrt(n / POINTS_PER_CELL))));
  const last = side - 1;
  const cells = side * side;
  const toCellX = side / (maxX - minX || 1);
  const toCellY = side / (maxY - minY || 1);
  // Monotone in x (and y), so a point's cell column lies strictly between two query columns only if
  // the point lies strictly between their coordinates: interior cells need no test, whatever the rounding.
  const cellX = (x: number) => Math.min(last, Math.max(0, Math.floor((x - minX) * toCellX)));
  const cellY = (y: number) => Math.min(last, Math.max(0, Math.floor((y - minY) * toCellY)));

  // Bucket `cells` holds points with a non-finite coordinate: no query visits it.
  const cellOf = new Int32Array(n);
  const cellStart = new Int32Array(cells + 2);
  for (let i = 0; i < n; i++) {
    const x = xy[i * stride];
    const y = xy[i * stride + 1];
    const c = Number.isFinite(x) && Number.isFinite(y) ? cellY(y) * side + cellX(x) : cells;
    cellOf[i] = c;
    cellStart[c + 1]++;
  }
  for (let c = 0; c <= cells; c++) cellStart[c + 1] += cellStart[c];
  const fill = cellStart.slice(0, cells + 1);
  const ids = new Int32Array(n);
  const cellXY = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const k = fill[cellOf[i]]++;
    ids[k] = i;
    cellXY[2 * k] = xy[i * stride];
    cellXY[2 * k + 1] = xy[i * stride + 1];
  }

  /** Cells that may hold points of [ax,bx]×[ay,by] (a ≤ b), and those whose points all lie inside it. */
  const rectCells = (ax: number, ay: number, bx: number, by: number): { touched: CellBox; inside: CellBox } => {
    if (n === 0 || bx < minX || ax > maxX || by < minY || ay > maxY) return { touched: NO_CELLS, inside: NO_CELLS };
    const touched = { x0: cellX(ax), y0: cellY(ay), x1: cellX(bx), y1: cellY(by) };
    const inside = {
      x0: ax <= minX ? 0 : touched.x0 + 1,
      y0: ay <= minY ? 0 : touched.y0 + 1,
      x1: bx >= maxX ? last : touched.x1 - 1,
      y1: by >= maxY ? last : touched.y1 - 1,
    };
    return { touched, inside };
  };

  const rectSelection = (visibleOrAll?: Uint8Array | null): RectSelection => {
    const visible = visibleOrAll ?? null;
    const held = pointMask(n);
    const { mask } = held;
    let touched = NO_CELLS;
    let inside = NO_CELLS;
    // Added onto the set itself, not spread into a new object: its count is a getter that must stay live.
    return Object.assign(held, {
      update(x0: number, y0: number, x1: number, y1: number) {
        const [ax, bx] = x0 <= x1 ? [x0, x1] : [x1, x0];
        const [ay, by] = y0 <= y1 ? [y0, y1] : [y1, y0];
        const next = rectCells(ax, ay, bx, by);
        // Cells inside both rectangles keep their points; the rest of either rectangle's cells are redone.
        const keptX0 = Math.max(inside.x0, next.inside.x0);
        const keptX1 = Math.min(inside.x1, next.inside.x1);
        const keptY0 = Math.max(inside.y0, next.inside.y0);
        const keptY1 = Math.min(inside.y1, next.inside.y1);
        const visit = [touched, next.touched].filter((box) => box.x0 <= box.x1 && box.y0 <= box.y1);
        const spanX0 = Math.min(...visit.map((box) => box.x0));
        const spanX1 = Math.max(...visit.map((box) => box.x1));
        const spanY0 = Math.min(...visit.map((box) => box.y0));
        const spanY1 = Math.max(...visit.map((box) => box.y1));
        const { touched: nt, inside: ni } = next;
        let change = 0;
        for (let cy = spanY0; cy <= spanY1; cy++) {
          const rowKept = cy >= keptY0 && cy <= keptY1 && keptX0 <= keptX1;
          const rowTouched = cy >= nt.y0 && cy <= nt.y1;
          const rowInside = cy >= ni.y0 && cy <= ni.y1;
          for (let cx = spanX0; cx <= spanX1; cx++) {
            if (rowKept && cx === keptX0) {
              cx = keptX1;
              continue;
            }
            // 0: every point leaves, 1: every (visible) point is in, 2: each point is tested.
            const kind = !rowTouched || cx < nt.x0 || cx > nt.x1 ? 0 : rowInside && cx >= ni.x0 && cx <= ni.x1 ? 1 : 2;
            const c = cy * side + cx;
            for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
              const i = ids[k];
              let want = kind;
              if (kind === 2) {
                const x = cellXY[2 * k];
                const y = cellXY[2 * k + 1];
                want = x >= ax && x <= bx && y >= ay && y <= by ? 1 : 0;
              }
              if (visible !== null && visible[i] === 0) want = 0;
              change += want - mask[i];
              mask[i] = want;
            }
          }
        }
        touched = nt;
        inside = ni;
        held.changed(change);
      },
    });
  };

  /**
   * Flips the mask bytes of the (visible) points inside a polygon; returns how the count of set
   * bytes changed. Inside means an odd number of edges cross the ray to +x, so the crossings of two
   * polygons add: flipping by the sliver between two lassos turns one's mask into the other's.
   */
  const flipInside = (polygon: Float64Array, mask: Uint8Array, visible: Uint8Array | null): number => {
    const vertices = polygon.length / 2;
    if (vertices < 3 || n === 0) return 0;
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
    if (px1 < minX || px0 > maxX || py1 < minY || py0 > maxY) return 0;
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
        // Each edge is taken from its lower end, so an edge shared by two polygons (in either
        // direction) gives the same crossing in both, to the last bit.
        const [low, high] = polygon[2 * v + 1] <= polygon[2 * w + 1] ? [v, w] : [w, v];
        const xl = polygon[2 * low];
        const yl = polygon[2 * low + 1];
        const xh = polygon[2 * high];
        const yh = polygon[2 * high + 1];
        if (yl <= y && y < yh && x < ((xh - xl) * (y - yl)) / (yh - yl) + xl) inside = !inside;
      }
      return inside;
    };
    let change = 0;
    for (let cy = gy0; cy <= gy1; cy++) {
      const rowY = rowTop(cy) + 0.5 / toCellY;
      // No edge crosses a run of non-boundary cells, so one test at the run's first cell settles all of it.
      let runInside = false;
      for (let cx = gx0; cx <= gx1; cx++) {
        const onBoundary = boundary[(cy - gy0) * spanX + (cx - gx0)] === 1;
        if (!onBoundary && (cx === gx0 || boundary[(cy - gy0) * spanX + (cx - gx0) - 1] === 1)) {
          runInside = insideInRow(cy, minX + (cx + 0.5) / toCellX, rowY);
        }
        if (!onBoundary && !runInside) continue;
        const c = cy * side + cx;
        for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
          const i = ids[k];
          if (visible !== null && visible[i] === 0) continue;
          if (onBoundary && !insideInRow(cy, cellXY[2 * k], cellXY[2 * k + 1])) continue;
          change += 1 - 2 * mask[i];
          mask[i] ^= 1;
        }
      }
    }
    return change;
  };

  const lassoSelection = (visibleOrAll?: Uint8Array | null): LassoSelection => {
    const visible = visibleOrAll ?? null;
    const held = pointMask(n);
    let drawn = 0;
    return Object.assign(held, {
      update(polygon: Float64Array) {
        const vertices = polygon.length / 2;
        // The sliver: from the last vertex already drawn through the new ones, closed at the first.
        const from = Math.max(0, drawn - 1);
        const sliver = new Float64Array(2 * (vertices - from + (drawn > 0 ? 1 : 0)));
        sliver.set(polygon.subarray(2 * from));
        if (drawn > 0) sliver.set(polygon.subarray(0, 2), sliver.length - 2);
        held.changed(flipInside(sliver, held.mask, visible));
        drawn = vertices;
      },
    });
  };

  return {
    count: n,
    queryRect(x0, y0, x1, y1, visible) {
      const selection = rectSelection(visible);
      selection.update(x0, y0, x1, y1);
      return selection.indices();
    },
    rectSelection,
    queryPolygon(polygon, visible) {
      const selection = lassoSelection(visible);
      selection.update(polygon);
      return selection.indices();
    },
    lassoSelection,
    nearest(x, y, maxDistance, visible) {
      if (n === 0) return -1;
      const cx = Math.floor((x - minX) * toCellX);
      const cy = Math.floor((y - minY) * toCellY);
      const reachX = Math.ceil(maxDistance * toCellX);
      const reachY = Math.ceil(maxDistance * toCellY);
      let best = -1;
      let bestDistance = maxDistance * maxDistance;
      for (let gy = Math.max(0, cy - reachY); gy <= Math.min(last, cy + reachY); gy++) {
        for (let gx = Math.max(0, cx - reachX); gx <= Math.min(last, cx + reachX); gx++) {
          const c = gy * side + gx;
          for (let k = cellStart[c]; k < cellStart[c + 1]; k++) {
            const i = ids[k];
            if (visible && !visible[i]) continue;
            const dx = cellXY[2 * k] - x;
            const dy = cellXY[2 * k + 1] - y;
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
