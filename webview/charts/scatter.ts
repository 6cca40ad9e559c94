/**
 * Scatter plot for up to millions of points: D3 scales, axes, zoom and brush in SVG over a canvas
 * whose points are splatted into an ImageData with Uint32Array writes (the fastest path without a
 * GPU: about 16 ms for 1M points; Canvas2D fillRect and SwiftShader WebGL take 0.5–1 s).
 *
 * d3 style: `scatterPlot(container)` returns an object whose state lives in the closure; events go
 * out through `d3.dispatch` (`selecting`, `select`, `hover`, `view`). It never talks to the host.
 */
import * as d3 from 'd3';
import { buildGridIndex, type GridIndex, type LassoSelection, type RectSelection } from './gridIndex';
import { pointMask, type OwnedPointMask, type PointMask } from './pointMask';

export type InteractionMode = 'pan' | 'box' | 'lasso' | 'orbit';

/** Zoom transform plus 3-D orbit angles: what two linked plots share. */
export interface ViewState {
  k: number;
  x: number;
  y: number;
  yaw: number;
  pitch: number;
}

/** Lines from some plotted points to new positions (denoise: where the noisy inputs land). */
export interface Overlay {
  /** Index of the point each marker starts from. */
  from: Int32Array;
  /** from.length × dims positions, in the layout's coordinates. */
  to: Float32Array;
}

export interface ScatterEvents {
  /**
   * A brush or lasso being dragged holds these points now. The set is the gesture's own and the
   * next move rewrites it: read it during the call (setSelection copies it), and ask for its
   * indices only if need be, since at a million points building them costs more than the move.
   */
  selecting: (points: PointMask) => void;
  /** A selection made: a gesture's end (indices ascending) or a click; null when cleared. */
  select: (indices: Int32Array | null) => void;
  /** index -1 when the pointer leaves every point. */
  hover: (index: number, clientX: number, clientY: number) => void;
  view: (view: ViewState) => void;
  /** A new layout arrived; its own extent, for plots that fit a shared region. */
  layout: (extent: Extent) => void;
  /**
   * With probing on: the layout coordinates under the pointer, for decoding that spot. In 3-D the
   * pointer names a line of sight; the spot is where it crosses the plane through the cloud's
   * centre facing the viewer.
   */
  probe: (point: Float32Array) => void;
}

export interface ScatterPlot {
  /** A new layout (n × dims). keepView keeps zoom and rotation: streamed t-SNE/UMAP frames. */
  setPositions(positions: Float32Array, dims: 2 | 3, options?: { keepView?: boolean; axisLabels?: [string, string] }): void;
  /** One packed 0xAABBGGRR colour per point. */
  setColors(colors: Uint32Array): void;
  /** 1 = drawn and selectable; null shows every point. */
  setVisible(mask: Uint8Array | null): void;
  /**
   * Highlights a selection made elsewhere (a list, a linked plot's gesture: its set is copied);
   * clears this plot's brush. A set over another number of points (a layout not yet here) highlights none.
   */
  setSelection(selection: Int32Array | PointMask | null): void;
  /** Rings around a few points (hovered rows, top movers). */
  setEmphasis(indices: Int32Array | null): void;
  setOverlay(overlay: Overlay | null): void;
  /** A polyline through layout positions (m × dims): an interpolation or traversal path. */
  setPath(points: Float32Array | null): void;
  /** Loose markers at layout positions (m × dims): prior samples, cluster centroids. */
  setMarkers(points: Float32Array | null): void;
  /** Emit `probe` events while the pointer moves over the plot. */
  setProbe(enabled: boolean): void;
  setMode(mode: InteractionMode): void;
  getView(): ViewState;
  setView(view: ViewState): void;
  /** Back to the fitted view. */
  resetView(): void;
  /** Fit this region instead of the plot's own points (null: its own), so linked plots share coordinates. */
  setExtent(extent: Extent | null): void;
  /** As d3.dispatch: `type.name` adds a listener beside the others; a name already taken replaces that one. */
  on<K extends keyof ScatterEvents>(type: K | `${K}.${string}`, listener: ScatterEvents[K] | null): ScatterPlot;
  /** Draws now (normally done on the next animation frame); returns milliseconds spent. */
  renderNow(): number;
  /** Milliseconds the last frame took. */
  readonly lastFrameMs: number;
  readonly pointCount: number;
  /**
   * The plot as it looks now, as standalone vector SVG: one circle per drawn point inside the plot
   * area, then the axes and marks with their computed styles written in (the page's CSS does not
   * travel with an exported file).
   */
  toSvg(): SVGSVGElement;
  destroy(): void;
}

/** A region of the layout plane: [x0, x1, y0, y1]. */
export type Extent = [number, number, number, number];

/** The container element once a plot lives in it. */
export type ScatterContainer = HTMLElement & { __scatter?: ScatterPlot };

const MARGIN = { top: 10, right: 12, bottom: 26, left: 44 };
const HOVER_RADIUS_PX = 8;
const DIMMED_ALPHA = 0x30;
const ORBIT_RADIANS_PER_PX = 0.008;

/** Radius in CSS pixels: big dots for a few hundred points, single pixels at a million. */
function baseRadius(n: number): number {
  if (n <= 2_000) return 3;
  if (n <= 20_000) return 2;
  if (n <= 200_000) return 1.2;
  return 0.5;
}

/** Pixel offsets of a disc stamp, row-major; the r² + r threshold keeps small discs round rather than cross-shaped. */
function discStamp(radius: number, rowStride: number): Int32Array {
  const r = Math.max(0.5, radius);
  const reach = Math.floor(r);
  const offsets: number[] = [];
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) if (dx * dx + dy * dy <= r * r + r) offsets.push(dy * rowStride + dx);
  }
  return Int32Array.from(offsets.length ? offsets : [0]);
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const EXPORTED_STYLES = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity', 'font-size', 'font-family', 'font-weight'] as const;

/** Writes each element's computed presentation style onto its clone (same tree shape) as attributes. */
export function inlineStyles(source: Element, clone: Element): void {
  const style = getComputedStyle(source);
  for (const name of EXPORTED_STYLES) {
    const value = style.getPropertyValue(name);
    if (value) clone.setAttribute(name, value);
  }
  for (let k = 0; k < source.children.length; k++) inlineStyles(source.children[k], clone.children[k]);
}

/** Creates a scatter plot filling `container` (which should have a size and `position: relative`). */
export function scatterPlot(container: HTMLElement): ScatterPlot {
  const dispatch = d3.dispatch('selecting', 'select', 'hover', 'view', 'layout', 'probe');
  const root = d3.select(container).classed('scatter', true);
  const canvas = root.append('canvas').attr('class', 'scatter-canvas').node()!;
  const context = canvas.getContext('2d')!;
  const svg = root.append('svg').attr('class', 'scatter-svg');
  const xAxisG = svg.append('g').attr('class', 'axis axis-x');
  const yAxisG = svg.append('g').attr('class', 'axis axis-y');
  const xLabel = svg.append('text').attr('class', 'axis-label').attr('text-anchor', 'end');
  const yLabel = svg.append('text').attr('class', 'axis-label').attr('text-anchor', 'start');
  const overlayG = svg.append('g').attr('class', 'overlay');
  const emphasisG = svg.append('g').attr('class', 'emphasis');
  const pathG = svg.append('g').attr('class', 'path-overlay');
  const markerG = svg.append('g').attr('class', 'markers');
  const hoverRing = svg.append('circle').attr('class', 'hover-ring').attr('r', 6).classed('hidden', true);
  const brushG = svg.append('g').attr('class', 'brush');
  const lassoPath = svg.append('path').attr('class', 'lasso').classed('hidden', true);

  // Layout state.
  let n = 0;
  let dims: 2 | 3 = 2;
  let positions: Float32Array = new Float32Array(0);
  /** 2-D coordinates the plot draws: the positions themselves in 2-D, the rotated projection in 3-D. */
  let planar: Float32Array = new Float32Array(0);
  let planarStride = 2;
  let colors: Uint32Array = new Uint32Array(0);
  let visible: Uint8Array | null = null;
  /** The highlighted points: the brush's or the lasso's own set, or `ownSelection`; null when none. */
  let selection: PointMask | null = null;
  /** Where selections made elsewhere are written, kept between them; made for the current point count. */
  let ownSelection: OwnedPointMask | null = null;
  let emphasis: Int32Array | null = null;
  let overlay: Overlay | null = null;
  let path: Float32Array | null = null;
  let markers: Float32Array | null = null;
  let probing = false;
  let grid: GridIndex | null = null;
  /** The brush's and the lasso's selections on the current grid, kept between moves; null once anything else selects. */
  let brushSelection: RectSelection | null = null;
  let lassoSelection: LassoSelection | null = null;
  let mode: InteractionMode = 'pan';
  let axisLabels: [string, string] = ['', ''];
  // 3-D normalisation (centre, radius) and orbit angles.
  let center = [0, 0, 0];
  let radius = 1;
  let yaw = 0.6;
  let pitch = 0.35;
  // Screen geometry.
  let width = 0;
  let height = 0;
  let dpr = 1;
  let image: ImageData | null = null;
  let pixels = new Uint32Array(0);
  let transform = d3.zoomIdentity;
  const xBase = d3.scaleLinear();
  const yBase = d3.scaleLinear();
  let brushWorld: [number, number, number, number] | null = null;
  /** Set by a linked plot so both fit the same region (compare view); null fits this plot's own points. */
  let sharedExtent: Extent | null = null;
  let frameRequested = false;
  let lastFrameMs = 0;
  let hovered = -1;
  let destroyed = false;

  /** The layout's own extent on the plane [x0, x1, y0, y1]: the unit square in 3-D (positions are normalised). */
  const dataExtent = (): Extent => {
    if (dims === 3) return [-1, 1, -1, 1];
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = planar[i * 2];
      const y = planar[i * 2 + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    return Number.isFinite(x0) ? [x0, x1, y0, y1] : [-1, 1, -1, 1];
  };

  const fitDomains = () => {
    const [x0, x1, y0, y1] = sharedExtent ?? dataExtent();
    const innerW = Math.max(1, width - MARGIN.left - MARGIN.right);
    const innerH = Math.max(1, height - MARGIN.top - MARGIN.bottom);
    // Equal units on both axes: distances in the layout mean the same in every direction.
    const scale = Math.min(innerW / (x1 - x0 || 1), innerH / (y1 - y0 || 1)) / 1.06;
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    xBase.domain([cx - innerW / 2 / scale, cx + innerW / 2 / scale]).range([MARGIN.left, MARGIN.left + innerW]);
    yBase.domain([cy - innerH / 2 / scale, cy + innerH / 2 / scale]).range([MARGIN.top + innerH, MARGIN.top]);
  };

  const projectPlanar = () => {
    if (dims === 2) {
      planar = positions;
      planarStride = 2;
      return;
    }
    if (planar.length !== n * 2 || planar === positions) planar = new Float32Array(n * 2);
    planarStride = 2;
    const [cosY, sinY, cosP, sinP] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch)];
    const inv = 1 / radius;
    for (let i = 0; i < n; i++) {
      const x = (positions[i * 3] - center[0]) * inv;
      const y = (positions[i * 3 + 1] - center[1]) * inv;
      const z = (positions[i * 3 + 2] - center[2]) * inv;
      const z1 = -sinY * x + cosY * z;
      planar[i * 2] = cosY * x + sinY * z;
      planar[i * 2 + 1] = cosP * y - sinP * z1;
    }
  };

  /** A layout point (dims coordinates) on the plane, for overlays. */
  const toPlanar = (source: Float32Array, i: number): [number, number] => {
    if (dims === 2) return [source[i * 2], source[i * 2 + 1]];
    const inv = 1 / radius;
    const x = (source[i * 3] - center[0]) * inv;
    const y = (source[i * 3 + 1] - center[1]) * inv;
    const z = (source[i * 3 + 2] - center[2]) * inv;
    const z1 = -Math.sin(yaw) * x + Math.cos(yaw) * z;
    return [Math.cos(yaw) * x + Math.sin(yaw) * z, Math.cos(pitch) * y - Math.sin(pitch) * z1];
  };

  /** Inverse of the 3-D view rotation for a plane point at depth 0: back to layout coordinates. */
  const fromPlanar = (px: number, py: number): Float32Array => {
    if (dims === 2) return Float32Array.of(px, py);
    const z1 = -Math.sin(pitch) * py;
    const y = Math.cos(pitch) * py;
    const x = Math.cos(yaw) * px - Math.sin(yaw) * z1;
    const z = Math.sin(yaw) * px + Math.cos(yaw) * z1;
    return Float32Array.of(center[0] + radius * x, center[1] + radius * y, center[2] + radius * z);
  };

  const screenX = (x: number) => transform.applyX(xBase(x));
  const screenY = (y: number) => transform.applyY(yBase(y));
  const worldX = (sx: number) => xBase.invert(transform.invertX(sx));
  const worldY = (sy: number) => yBase.invert(transform.invertY(sy));

  const ensureGrid = (): GridIndex => {
    if (!grid || grid.count !== n) {
      grid = buildGridIndex(planar, n, planarStride);
      brushSelection = null;
      lassoSelection = null;
    }
    return grid;
  };

  // Indexing 1M points takes ~100 ms: done while the page is idle after a layout arrives, so the
  // first hover or brush does not pay for it (streamed t-SNE/UMAP frames keep pushing it back).
  let idleHandle: number | null = null;
  const scheduleGridBuild = () => {
    if (idleHandle !== null) cancelIdleCallback(idleHandle);
    idleHandle = requestIdleCallback(
      () => {
        idleHandle = null;
        if (!destroyed) ensureGrid();
      },
      { timeout: 2000 },
    );
  };

  const requestFrame = () => {
    if (frameRequested || destroyed) return;
    frameRequested = true;
    requestAnimationFrame(() => {
      if (frameRequested) renderNow();
    });
  };

  /** Writes points into the pixel buffer; the loops are written out (no per-point calls) because they run a million times a frame. */
  const splat = (stamp: Int32Array, clip: [number, number, number, number], a: number, b: number, c: number, d: number) => {
    const [left, top, right, bottom] = clip;
    const stride = image!.width;
    const reach = Math.ceil(Math.sqrt(stamp.length) / 2);
    const single = stamp.length === 1;
    const xy = planar;
    const buffer = pixels;
    const mask = visible;
    const selected = selection ? selection.mask : null;
    // Below one point in eight the selection is drawn from its index list (cheap to build when sparse,
    // then kept until it changes); above, by a scan of its mask, so a brush over most of a million
    // points never needs the list, and a single clicked point never costs a scan of a million bytes.
    const list = selection && selection.count * 8 < n ? selection.indices() : null;
    const faded = DIMMED_ALPHA << 24;
    // Unselected points fade back (pass 0); the selection is drawn afterwards (pass 1) so nothing covers it.
    const passes = selected ? 2 : 1;
    for (let pass = 0; pass < passes; pass++) {
      const listed = pass === 1 ? list : null;
      const count = listed ? listed.length : n;
      for (let k = 0; k < count; k++) {
        const i = listed ? listed[k] : k;
        if (mask !== null && mask[i] === 0) continue;
        let color = colors[i];
        if (selected !== null) {
          if (selected[i] !== pass) continue;
          if (pass === 0) color = ((color & 0x00ffffff) | faded) >>> 0;
        }
        const px = (a * xy[i * 2] + b) | 0;
        const py = (c * xy[i * 2 + 1] + d) | 0;
        if (px < left || px >= right || py < top || py >= bottom) continue;
        const at = py * stride + px;
        if (single || px < left + reach || px >= right - reach || py < top + reach || py >= bottom - reach) buffer[at] = color;
        else for (let s = 0; s < stamp.length; s++) buffer[at + stamp[s]] = color;
      }
    }
  };

  const renderNow = (): number => {
    frameRequested = false;
    if (!image || destroyed) return 0;
    const started = performance.now();
    pixels.fill(0);
    // screen (device px) = a·x + b: the base scale, then the zoom, then the device pixel ratio.
    const [dx0, dx1] = xBase.domain();
    const [rx0, rx1] = xBase.range();
    const [dy0, dy1] = yBase.domain();
    const [ry0, ry1] = yBase.range();
    const sx = (rx1 - rx0) / (dx1 - dx0);
    const sy = (ry1 - ry0) / (dy1 - dy0);
    const a = transform.k * sx * dpr;
    const b = (transform.k * (rx0 - sx * dx0) + transform.x) * dpr;
    const c = transform.k * sy * dpr;
    const d = (transform.k * (ry0 - sy * dy0) + transform.y) * dpr;
    const zoomGrowth = Math.min(2.5, Math.max(1, Math.sqrt(transform.k)));
    const stamp = discStamp(baseRadius(n) * zoomGrowth * dpr, image.width);
    const clip: [number, number, number, number] = [
      Math.floor(MARGIN.left * dpr),
      Math.floor(MARGIN.top * dpr),
      Math.floor((width - MARGIN.right) * dpr),
      Math.floor((height - MARGIN.bottom) * dpr),
    ];
    if (n > 0 && colors.length === n) splat(stamp, clip, a, b, c, d);
    context.putImageData(image, 0, 0);
    lastFrameMs = performance.now() - started;
    drawAxes();
    drawSvgMarks();
    return lastFrameMs;
  };

  const drawAxes = () => {
    const show = dims === 2 && n > 0;
    xAxisG.classed('hidden', !show);
    yAxisG.classed('hidden', !show);
    xLabel.classed('hidden', !show);
    yLabel.classed('hidden', !show);
    if (!show) return;
    const x = transform.rescaleX(xBase);
    const y = transform.rescaleY(yBase);
    xAxisG.attr('transform', `translate(0,${height - MARGIN.bottom})`).call(d3.axisBottom(x).ticks(Math.max(2, width / 90)).tickSizeOuter(0));
    yAxisG.attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(Math.max(2, height / 70)).tickSizeOuter(0));
    xLabel.attr('x', width - MARGIN.right).attr('y', height - MARGIN.bottom - 6).text(axisLabels[0]);
    yLabel.attr('x', MARGIN.left + 6).attr('y', MARGIN.top + 10).text(axisLabels[1]);
  };

  const drawSvgMarks = () => {
    const emphasised = emphasis ? Array.from(emphasis).filter((i) => i >= 0 && i < n) : [];
    emphasisG
      .selectAll('circle')
      .data(emphasised)
      .join('circle')
      .attr('r', 7)
      .attr('cx', (i) => screenX(planar[i * 2]))
      .attr('cy', (i) => screenY(planar[i * 2 + 1]));
    const pairs = overlay && overlay.from.length ? Array.from(overlay.from, (from, k) => ({ from, k })) : [];
    overlayG
      .selectAll('line')
      .data(pairs)
      .join('line')
      .each(function ({ from, k }) {
        const [tx, ty] = toPlanar(overlay!.to, k);
        d3.select(this)
          .attr('x1', screenX(planar[from * 2]))
          .attr('y1', screenY(planar[from * 2 + 1]))
          .attr('x2', screenX(tx))
          .attr('y2', screenY(ty));
      });
    overlayG
      .selectAll('path')
      .data(pairs)
      .join('path')
      .attr('d', d3.symbol(d3.symbolCross, 40)())
      .attr('transform', ({ k }) => {
        const [tx, ty] = toPlanar(overlay!.to, k);
        return `translate(${screenX(tx)},${screenY(ty)})`;
      });
    const pathPoints = path ? Array.from({ length: path.length / dims }, (_, k) => toPlanar(path!, k)) : [];
    pathG
      .selectAll('path')
      .data(pathPoints.length > 1 ? [pathPoints] : [])
      .join('path')
      .attr('d', (points) => d3.line()(points.map(([x, y]) => [screenX(x), screenY(y)])));
    pathG
      .selectAll('circle')
      .data(pathPoints)
      .join('circle')
      .attr('r', (_, k) => (k === 0 || k === pathPoints.length - 1 ? 4.5 : 3))
      .attr('cx', ([x]) => screenX(x))
      .attr('cy', ([, y]) => screenY(y));
    const markerPoints = markers ? Array.from({ length: markers.length / dims }, (_, k) => toPlanar(markers!, k)) : [];
    markerG
      .selectAll('path')
      .data(markerPoints)
      .join('path')
      .attr('d', d3.symbol(d3.symbolDiamond, 36)())
      .attr('transform', ([x, y]) => `translate(${screenX(x)},${screenY(y)})`);
    if (hovered >= 0 && hovered < n) {
      hoverRing.classed('hidden', false).attr('cx', screenX(planar[hovered * 2])).attr('cy', screenY(planar[hovered * 2 + 1]));
    } else hoverRing.classed('hidden', true);
    placeBrush();
  };

  // ---- selection -------------------------------------------------------------------------------

  /** Shows `points`: the brush's or the lasso's set as they update it, or one made elsewhere, copied. */
  const applySelection = (points: Int32Array | PointMask | null) => {
    if (points === null || points === brushSelection || points === lassoSelection) {
      selection = points;
    } else if (points instanceof Int32Array || points.mask.length === n) {
      // Rewritten in place, not made anew: a 1M-byte array per brush move in a linked plot is garbage.
      if (ownSelection?.mask.length !== n) ownSelection = pointMask(n);
      if (points instanceof Int32Array) ownSelection.assign(points);
      else ownSelection.copy(points);
      selection = ownSelection;
    } else {
      selection = null;
    }
    requestFrame();
  };

  const emitSelection = (indices: Int32Array | null) => {
    applySelection(indices);
    dispatch.call('select', undefined, indices);
  };

  /** A brush or lasso moved: its set is shown, and announced whole (with its indices) once the gesture ends. */
  const emitGesture = (points: RectSelection | LassoSelection, final: boolean) => {
    applySelection(points);
    if (final) dispatch.call('select', undefined, points.indices());
    else dispatch.call('selecting', undefined, points);
  };

  let brushSilenced = false;
  // Re-applying the brush to its group (after a resize) resets a gesture in progress: wait for its end.
  let brushGesture = false;
  let brushNeedsRefresh = false;
  const refreshBrush = () => {
    if (brushGesture) {
      brushNeedsRefresh = true;
      return;
    }
    brushNeedsRefresh = false;
    brush.extent([
      [MARGIN.left, MARGIN.top],
      [Math.max(MARGIN.left + 1, width - MARGIN.right), Math.max(MARGIN.top + 1, height - MARGIN.bottom)],
    ]);
    brushG.call(brush);
    placeBrush();
  };
  const brush = d3
    .brush()
    .on('start brush end', (event: d3.D3BrushEvent<unknown>) => {
      if (brushSilenced || !event.sourceEvent) return;
      const final = event.type === 'end';
      brushGesture = !final;
      if (final && brushNeedsRefresh) setTimeout(refreshBrush);
      const extent = event.selection as [[number, number], [number, number]] | null;
      if (!extent) {
        brushWorld = null;
        if (final) emitSelection(null);
        return;
      }
      const [[sx0, sy0], [sx1, sy1]] = extent;
      brushWorld = [worldX(sx0), worldY(sy0), worldX(sx1), worldY(sy1)];
      const index = ensureGrid();
      brushSelection ??= index.rectSelection(visible);
      brushSelection.update(brushWorld[0], brushWorld[1], brushWorld[2], brushWorld[3]);
      emitGesture(brushSelection, final);
    });

  /** Keeps the brush rectangle on the same data region while zooming; never re-emits. */
  const placeBrush = () => {
    if (brushGesture) return; // d3.brush owns the rectangle while the user drags it
    brushSilenced = true;
    if (brushWorld && mode === 'box' && dims === 2) {
      brushG.call(brush.move, [
        [screenX(brushWorld[0]), screenY(brushWorld[1])],
        [screenX(brushWorld[2]), screenY(brushWorld[3])],
      ]);
    } else if (!brushWorld) {
      brushG.call(brush.move, null);
    }
    brushSilenced = false;
  };

  // ---- zoom, lasso, orbit --------------------------------------------------------------------------

  const emitView = () => dispatch.call('view', undefined, api.getView());
  const zoom = d3
    .zoom<SVGSVGElement, unknown>()
    .scaleExtent([0.2, 500])
    .filter((event: Event) => event.type === 'wheel' || (mode === 'pan' && !(event as MouseEvent).button))
    .on('zoom', (event: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
      transform = event.transform;
      lassoSelection = null; // a lasso drawn on screen now covers other layout coordinates: recomputed whole
      requestFrame();
      if (event.sourceEvent) emitView();
    });
  svg.call(zoom).on('dblclick.zoom', null);

  let lassoPoints: number[] = [];
  let lassoFrame = false;
  const lassoSelect = (final: boolean) => {
    lassoFrame = false;
    if (lassoPoints.length < 6) return;
    const polygon = new Float64Array(lassoPoints.length);
    for (let k = 0; k < lassoPoints.length; k += 2) {
      polygon[k] = worldX(lassoPoints[k]);
      polygon[k + 1] = worldY(lassoPoints[k + 1]);
    }
    const index = ensureGrid();
    lassoSelection ??= index.lassoSelection(visible);
    lassoSelection.update(polygon);
    emitGesture(lassoSelection, final);
  };
  const drag = d3
    .drag<SVGSVGElement, unknown>()
    .filter((event: MouseEvent) => (mode === 'lasso' || mode === 'orbit') && !event.button)
    .on('start', (event: d3.D3DragEvent<SVGSVGElement, unknown, unknown>) => {
      hoverAt(-1, 0, 0);
      if (mode === 'lasso') {
        lassoPoints = [event.x, event.y];
        lassoSelection = null;
        lassoPath.classed('hidden', false).attr('d', null);
      }
    })
    .on('drag', (event: d3.D3DragEvent<SVGSVGElement, unknown, unknown>) => {
      if (mode === 'orbit') {
        if (dims !== 3) return;
        yaw += event.dx * ORBIT_RADIANS_PER_PX;
        pitch = Math.max(-Math.PI / 2, Math.min(Math.PI / 2, pitch + event.dy * ORBIT_RADIANS_PER_PX));
        reproject();
        emitView();
        return;
      }
      lassoPoints.push(event.x, event.y);
      lassoPath.attr('d', `M${lassoPoints.join(',')}Z`);
      if (!lassoFrame) {
        lassoFrame = true;
        requestAnimationFrame(() => lassoFrame && lassoSelect(false));
      }
    })
    .on('end', () => {
      if (mode !== 'lasso') return;
      lassoPath.classed('hidden', true);
      if (lassoPoints.length < 6) emitSelection(null);
      else lassoSelect(true);
      lassoPoints = [];
    });
  svg.call(drag);

  const reproject = () => {
    projectPlanar();
    grid = null;
    requestFrame();
  };

  // ---- hover --------------------------------------------------------------------------------------

  /** Moves the hover to a point (or none); the event also fires while the pointer moves over one point, for the tooltip. */
  const hoverAt = (index: number, clientX: number, clientY: number) => {
    const changed = index !== hovered;
    if (changed) {
      hovered = index;
      drawSvgMarks();
    }
    if (changed || index >= 0) dispatch.call('hover', undefined, index, clientX, clientY);
  };
  svg.on('pointermove', (event: PointerEvent) => {
    if (event.buttons || n === 0) return;
    const [sx, sy] = d3.pointer(event);
    const worldRadius = HOVER_RADIUS_PX / (transform.k * Math.abs(xBase(1) - xBase(0)) || 1);
    hoverAt(ensureGrid().nearest(worldX(sx), worldY(sy), worldRadius, visible), event.clientX, event.clientY);
    if (probing) dispatch.call('probe', undefined, fromPlanar(worldX(sx), worldY(sy)));
  });
  svg.on('pointerleave', () => hoverAt(-1, 0, 0));
  svg.on('click', (event: MouseEvent) => {
    if (mode !== 'pan' || event.defaultPrevented) return;
    emitSelection(hovered >= 0 ? Int32Array.of(hovered) : null);
  });

  // ---- size ---------------------------------------------------------------------------------------

  const resize = () => {
    const rect = container.getBoundingClientRect();
    const w = Math.max(1, Math.floor(rect.width));
    const h = Math.max(1, Math.floor(rect.height));
    const ratio = window.devicePixelRatio || 1;
    if (w === width && h === height && ratio === dpr && image) return;
    width = w;
    height = h;
    dpr = ratio;
    canvas.width = Math.floor(w * dpr);
    canvas.height = Math.floor(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    svg.attr('width', w).attr('height', h);
    image = context.createImageData(canvas.width, canvas.height);
    pixels = new Uint32Array(image.data.buffer);
    refreshBrush();
    fitDomains();
    renderNow();
  };
  const observer = new ResizeObserver(() => resize());
  observer.observe(container);

  const api: ScatterPlot = {
    setPositions(next, nextDims, options = {}) {
      if (next.length % nextDims !== 0) throw new Error(`positions length ${next.length} is not a multiple of dims ${nextDims}`);
      const count = next.length / nextDims;
      if (count !== n) {
        applySelection(null);
        brushWorld = null;
        visible = visible && visible.length === count ? visible : null;
        emphasis = null;
      }
      // Overlay and path positions were placed in the previous layout; in a new one they would point nowhere.
      overlay = null;
      path = null;
      markers = null;
      n = count;
      dims = nextDims;
      positions = next;
      if (options.axisLabels) axisLabels = options.axisLabels;
      if (dims === 3) {
        const sum = [0, 0, 0];
        for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) sum[c] += positions[i * 3 + c];
        center = sum.map((s) => s / Math.max(1, n));
        let far = 0;
        for (let i = 0; i < n; i++) {
          const dx = positions[i * 3] - center[0];
          const dy = positions[i * 3 + 1] - center[1];
          const dz = positions[i * 3 + 2] - center[2];
          far = Math.max(far, dx * dx + dy * dy + dz * dz);
        }
        radius = Math.sqrt(far) || 1;
      }
      projectPlanar();
      grid = null;
      if (!options.keepView) {
        transform = d3.zoomIdentity;
        svg.call(zoom.transform, d3.zoomIdentity);
        brushWorld = null;
      }
      fitDomains();
      scheduleGridBuild();
      dispatch.call('layout', undefined, dataExtent());
      if (selection && brushWorld) {
        // The brush stays on its region of the plane: it now holds the points the new layout puts there.
        brushSelection = ensureGrid().rectSelection(visible);
        brushSelection.update(brushWorld[0], brushWorld[1], brushWorld[2], brushWorld[3]);
        applySelection(brushSelection);
      }
      requestFrame();
    },
    setColors(next) {
      colors = next;
      requestFrame();
    },
    setVisible(mask) {
      visible = mask;
      // They select among the points visible when they began.
      brushSelection = null;
      lassoSelection = null;
      if (selection && mask) {
        const indices = selection.indices();
        const kept = indices.filter((i) => mask[i]);
        if (kept.length !== indices.length) emitSelection(kept.length ? kept : null);
      }
      requestFrame();
    },
    setSelection(points) {
      brushWorld = null;
      applySelection(points);
    },
    setEmphasis(indices) {
      emphasis = indices;
      drawSvgMarks();
    },
    setOverlay(next) {
      overlay = next;
      drawSvgMarks();
    },
    setPath(points) {
      path = points;
      drawSvgMarks();
    },
    setMarkers(points) {
      markers = points;
      drawSvgMarks();
    },
    setProbe(enabled) {
      probing = enabled;
    },
    setMode(next) {
      mode = next;
      brushG.classed('hidden', mode !== 'box');
      svg.classed('mode-pan', mode === 'pan').classed('mode-box', mode === 'box').classed('mode-lasso', mode === 'lasso').classed('mode-orbit', mode === 'orbit');
      if (mode !== 'box') brushWorld = null;
      placeBrush();
    },
    getView: () => ({ k: transform.k, x: transform.x, y: transform.y, yaw, pitch }),
    setView(view) {
      const changedAngles = view.yaw !== yaw || view.pitch !== pitch;
      yaw = view.yaw;
      pitch = view.pitch;
      if (changedAngles && dims === 3) reproject();
      const next = d3.zoomIdentity.translate(view.x, view.y).scale(view.k);
      transform = next;
      svg.call(zoom.transform, next);
      requestFrame();
    },
    setExtent(extent) {
      sharedExtent = extent;
      fitDomains();
      requestFrame();
    },
    resetView() {
      yaw = 0.6;
      pitch = 0.35;
      if (dims === 3) reproject();
      svg.call(zoom.transform, d3.zoomIdentity);
      emitView();
    },
    on(type, listener) {
      dispatch.on(type, listener as never);
      return api;
    },
    renderNow,
    get lastFrameMs() {
      return lastFrameMs;
    },
    get pointCount() {
      return n;
    },
    toSvg() {
      const out = document.createElementNS(SVG_NS, 'svg');
      out.setAttribute('xmlns', SVG_NS);
      out.setAttribute('width', String(width));
      out.setAttribute('height', String(height));
      out.setAttribute('viewBox', `0 0 ${width} ${height}`);
      const points = document.createElementNS(SVG_NS, 'g');
      points.setAttribute('class', 'points');
      const r = (baseRadius(n) * Math.min(2.5, Math.max(1, Math.sqrt(transform.k)))).toFixed(2);
      const [left, top, right, bottom] = [MARGIN.left, MARGIN.top, width - MARGIN.right, height - MARGIN.bottom];
      // Same order as the canvas: faded unselected points first, the selection on top.
      const all = Array.from({ length: n }, (_, i) => i);
      const selected = selection?.mask;
      const order = selected ? [...all.filter((i) => !selected[i]), ...all.filter((i) => selected[i])] : all;
      for (const i of order) {
        if (visible && !visible[i]) continue;
        const x = screenX(planar[i * 2]);
        const y = screenY(planar[i * 2 + 1]);
        if (!(x >= left && x < right && y >= top && y < bottom)) continue;
        const color = colors[i] ?? 0;
        const alpha = selected && !selected[i] ? DIMMED_ALPHA : color >>> 24;
        const circle = document.createElementNS(SVG_NS, 'circle');
        circle.setAttribute('cx', x.toFixed(1));
        circle.setAttribute('cy', y.toFixed(1));
        circle.setAttribute('r', r);
        circle.setAttribute('fill', `rgb(${color & 0xff},${(color >>> 8) & 0xff},${(color >>> 16) & 0xff})`);
        if (alpha < 255) circle.setAttribute('fill-opacity', (alpha / 255).toFixed(3));
        points.append(circle);
      }
      out.append(points);
      const marks = svg.node()!;
      const copy = marks.cloneNode(true) as SVGSVGElement;
      inlineStyles(marks, copy);
      // Interaction chrome is not part of the picture.
      copy.querySelectorAll('.brush, .lasso, .hover-ring, .hidden').forEach((node) => node.remove());
      out.append(...Array.from(copy.childNodes));
      return out;
    },
    destroy() {
      destroyed = true;
      observer.disconnect();
      root.selectAll('*').remove();
    },
  };
  resize();
  api.setMode('pan');
  // Like d3's own `__zoom` and `__brush`, the chart's state hangs on its node: tests and the render benchmark reach it there.
  (container as ScatterContainer).__scatter = api;
  return api;
}
