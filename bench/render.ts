// Callbacks handed to page.evaluate run in Chromium, so this file needs the DOM types.
/// <reference lib="dom" />
/**
 * Rendering benchmark: the real webview bundle in headless Chromium (no GPU), served by the real
 * `serve` bridge with a harness session of synthetic clusters. Measures, at 100k and 1M points:
 * a full frame (clear, splat every point, putImageData) at several zoom levels, a frame at the fitted
 * view with and without a highlighted selection (every point on screen), one brush move
 * (d3.brush event → incremental grid query → selection mask → `selecting` listeners; the redraw
 * waits for the next animation frame, as in the UI) and the brush's end (the same, plus the
 * ascending index list for the `select` listeners). The lasso's polygon query is timed on the
 * same grid code in Node (same V8).
 *
 *   node --import tsx bench/render.ts [--json] [--points 1000000]   (needs `node esbuild.mjs` and /usr/bin/chromium)
 */
import { launchBrowser, openExplorer, startHarnessServer } from '../test/webview/browser';
import { buildGridIndex } from '../webview/charts/gridIndex';
import { seededRandom } from '../test/webview/harness';

interface RenderResult {
  points: number;
  frameMs: { median: number; p90: number };
  fittedFrameMs: { median: number; p90: number };
  selectedFrameMs: { median: number; p90: number };
  brushMoveMs: { median: number; p90: number };
  brushEndMs: number;
  selectedByBrush: number;
}

function summary(values: number[]): { median: number; p90: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: Number(at(0.5).toFixed(2)), p90: Number(at(0.9).toFixed(2)) };
}

async function measureInBrowser(points: number): Promise<RenderResult> {
  const server = await startHarnessServer({ source: { kind: 'synthetic', count: points, dim: 8 } });
  const browser = await launchBrowser();
  try {
    const page = await openExplorer(browser, server.url, { width: 1400, height: 860 });
    await page.waitForFunction(() => document.querySelectorAll('.legend-item').length === 10, undefined, { timeout: 60_000 });
    const measured = await page.evaluate(() => {
      type Scatter = { pointCount: number; renderNow(): number; setView(v: object): void; getView(): { k: number; x: number; y: number; yaw: number; pitch: number }; setSelection(i: Int32Array | null): void; on(t: string, l: unknown): void };
      const plot = document.querySelector('.plot') as HTMLElement & { __scatter: Scatter };
      const scatter = plot.__scatter;
      const frames: number[] = [];
      const fittedFrames: number[] = [];
      const selectedFrames: number[] = [];
      const start = scatter.getView();
      for (let i = 0; i < 30; i++) {
        const k = 1 + (i % 10) * 0.3;
        scatter.setView({ ...start, k, x: -(k - 1) * 400, y: -(k - 1) * 300 });
        frames.push(scatter.renderNow());
      }
      scatter.setView(start);
      for (let i = 0; i < 20; i++) fittedFrames.push(scatter.renderNow());
      const count = scatter.pointCount;
      const selection = Int32Array.from({ length: Math.floor(count / 10) }, (_, i) => i * 10);
      scatter.setSelection(selection);
      for (let i = 0; i < 20; i++) selectedFrames.push(scatter.renderNow());
      scatter.setSelection(null);

      // Brush: synthetic pointer events through d3.brush, timed from the move to the 'select' event.
      const overlay = document.querySelector('.brush .overlay') as SVGRectElement;
      const box = overlay.getBoundingClientRect();
      const moves: number[] = [];
      let holding = 0;
      let selected = 0;
      scatter.on('selecting.bench', (points: { count: number }) => (holding = points.count));
      scatter.on('select.bench', (indices: Int32Array | null) => (selected = indices ? indices.length : 0));
      const x0 = box.left + box.width * 0.2;
      const y0 = box.top + box.height * 0.2;
      overlay.dispatchEvent(new MouseEvent('mousedown', { clientX: x0, clientY: y0, bubbles: true, view: window, button: 0 }));
      for (let i = 1; i <= 30; i++) {
        const event = new MouseEvent('mousemove', { clientX: x0 + i * box.width * 0.02, clientY: y0 + i * box.height * 0.02, bubbles: true, view: window });
        const t0 = performance.now();
        window.dispatchEvent(event);
        moves.push(performance.now() - t0);
      }
      const end = new MouseEvent('mouseup', { clientX: x0 + box.width * 0.6, clientY: y0 + box.height * 0.6, bubbles: true, view: window });
      const t0 = performance.now();
      window.dispatchEvent(end);
      const endMs = performance.now() - t0;
      if (selected !== holding) throw new Error(`the brush ended with ${selected} selected after holding ${holding}`);
      return { frames, fittedFrames, selectedFrames, moves, endMs, selected };
    });
    return {
      points,
      frameMs: summary(measured.frames),
      fittedFrameMs: summary(measured.fittedFrames),
      selectedFrameMs: summary(measured.selectedFrames),
      brushMoveMs: summary(measured.moves),
      brushEndMs: Number(measured.endMs.toFixed(2)),
      selectedByBrush: measured.selected,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Lasso and rectangle queries, a brush growing step by step and a lasso drawn ten vertices per
 * frame (the moves the UI makes), on the grid index at 1M points, in Node.
 */
function measureGridQueries(points: number) {
  const random = seededRandom(3);
  const xy = Float32Array.from({ length: points * 2 }, () => (random() + random() + random() - 1.5) * 4);
  let started = performance.now();
  const grid = buildGridIndex(xy, points);
  const buildMs = performance.now() - started;
  const lasso = Float64Array.from({ length: 600 }, (_, k) => {
    const angle = ((k >> 1) / 300) * 2 * Math.PI;
    return (k % 2 === 0 ? Math.cos(angle) : Math.sin(angle)) * 2 * (1 + 0.2 * Math.sin(7 * angle));
  });
  const lassoTimes: number[] = [];
  const rectTimes: number[] = [];
  const brushTimes: number[] = [];
  const lassoMoveTimes: number[] = [];
  let lassoSelected = 0;
  for (let i = 0; i < 20; i++) {
    started = performance.now();
    lassoSelected = grid.queryPolygon(lasso).length;
    lassoTimes.push(performance.now() - started);
    started = performance.now();
    grid.queryRect(-1 - i * 0.05, -1, 1 + i * 0.05, 1.5);
    rectTimes.push(performance.now() - started);
  }
  const brush = grid.rectSelection();
  for (let i = 0; i < 40; i++) {
    started = performance.now();
    brush.update(-1 - i * 0.05, -1, 1 + i * 0.05, 1.5);
    brushTimes.push(performance.now() - started);
  }
  const drawing = grid.lassoSelection();
  for (let vertices = 10; vertices <= lasso.length / 2; vertices += 10) {
    started = performance.now();
    drawing.update(lasso.subarray(0, 2 * vertices));
    lassoMoveTimes.push(performance.now() - started);
  }
  return {
    points,
    buildMs: Number(buildMs.toFixed(2)),
    lassoMs: summary(lassoTimes),
    lassoSelected,
    rectMs: summary(rectTimes),
    brushUpdateMs: summary(brushTimes),
    lassoMoveMs: summary(lassoMoveTimes),
  };
}

async function main() {
  const json = process.argv.includes('--json');
  const pointsFlag = process.argv.indexOf('--points');
  const sizes = pointsFlag > 0 ? [Number(process.argv[pointsFlag + 1])] : [100_000, 1_000_000];
  const render = [];
  for (const points of sizes) render.push(await measureInBrowser(points));
  const grid = measureGridQueries(1_000_000);
  const result = { machine: `${process.platform} ${process.arch}, Chromium headless --disable-gpu`, date: new Date().toISOString(), render, grid };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  for (const r of render) {
    console.log(
      `${r.points.toLocaleString('en-US').padStart(9)} points: frame ${r.frameMs.median} ms (p90 ${r.frameMs.p90}), fitted view ${r.fittedFrameMs.median} ms, with selection ${r.selectedFrameMs.median} ms (p90 ${r.selectedFrameMs.p90}), brush move ${r.brushMoveMs.median} ms (p90 ${r.brushMoveMs.p90}), brush end ${r.brushEndMs} ms (${r.selectedByBrush} selected)`,
    );
  }
  console.log(`grid at 1M (Node): build ${grid.buildMs} ms, lasso query ${grid.lassoMs.median} ms (${grid.lassoSelected} inside), rectangle query ${grid.rectMs.median} ms, brush update ${grid.brushUpdateMs.median} ms, lasso move ${grid.lassoMoveMs.median} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
