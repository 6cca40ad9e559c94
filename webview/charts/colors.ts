/**
 * Colour columns → one packed RGBA word per point (the format the scatter splats), plus what the
 * legend needs to explain them. Categorical, continuous (viridis) and diverging (blue–red around 0).
 */
import * as d3 from 'd3';

/** Packs a CSS colour into ImageData's little-endian 0xAABBGGRR word. */
export function packColor(css: string, alpha = 255): number {
  const c = d3.rgb(css);
  return ((alpha << 24) | (Math.round(c.b) << 16) | (Math.round(c.g) << 8) | Math.round(c.r)) >>> 0;
}

/** The same colour with another alpha (0–255). */
export function withAlpha(packed: number, alpha: number): number {
  return ((packed & 0x00ffffff) | (alpha << 24)) >>> 0;
}

/** Up to 20 distinguishable categories; beyond that the palette repeats. */
export const CATEGORY_PALETTE: readonly string[] = [...d3.schemeTableau10, ...d3.schemePastel1, '#8c564b', '#e377c2'];

export function categoryColor(code: number): string {
  return code < 0 ? '#888888' : CATEGORY_PALETTE[code % CATEGORY_PALETTE.length];
}

export type ColorScaleKind = 'categorical' | 'continuous' | 'diverging';

/** What the legend shows for a colouring. */
export type LegendSpec =
  | { kind: 'categorical'; title: string; categories: { code: number; name: string; color: string; count: number }[] }
  | { kind: 'continuous' | 'diverging'; title: string; domain: [number, number]; interpolate: (t: number) => string };

export interface Coloring {
  colors: Uint32Array;
  legend: LegendSpec;
}

const LUT_SIZE = 256;

function lookupTable(interpolate: (t: number) => string): Uint32Array {
  const table = new Uint32Array(LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) table[i] = packColor(interpolate(i / (LUT_SIZE - 1)));
  return table;
}

/** Robust range: the 1st–99th percentile, so one outlier does not wash out the rest. */
function robustDomain(values: Float32Array): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  if (finite.length === 0) return [0, 1];
  const lo = finite[Math.floor((finite.length - 1) * 0.01)];
  const hi = finite[Math.floor((finite.length - 1) * 0.99)];
  return lo === hi ? [lo, lo + 1] : [lo, hi];
}

const MISSING = packColor('#808080', 160);

/** Colours one column; categories names the integer codes of a categorical column. */
export function colorColumn(values: Float32Array, scale: ColorScaleKind, title: string, categories: string[] | null): Coloring {
  const n = values.length;
  const colors = new Uint32Array(n);
  if (scale === 'categorical') {
    const counts = new Map<number, number>();
    const packed = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const code = values[i];
      counts.set(code, (counts.get(code) ?? 0) + 1);
      let color = packed.get(code);
      if (color === undefined) packed.set(code, (color = packColor(categoryColor(code))));
      colors[i] = color;
    }
    const codes = [...counts.keys()].sort((a, b) => a - b);
    return {
      colors,
      legend: {
        kind: 'categorical',
        title,
        categories: codes.map((code) => ({
          code,
          name: code < 0 ? 'unknown' : (categories?.[code] ?? String(code)),
          color: categoryColor(code),
          count: counts.get(code) ?? 0,
        })),
      },
    };
  }
  let [lo, hi] = robustDomain(values);
  const interpolate = scale === 'diverging' ? (t: number) => d3.interpolateRdBu(1 - t) : d3.interpolateViridis;
  if (scale === 'diverging') {
    const extent = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    [lo, hi] = [-extent, extent];
  }
  const table = lookupTable(interpolate);
  const toIndex = (LUT_SIZE - 1) / (hi - lo);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      colors[i] = MISSING;
      continue;
    }
    const index = Math.round((v - lo) * toIndex);
    colors[i] = table[index < 0 ? 0 : index >= LUT_SIZE ? LUT_SIZE - 1 : index];
  }
  return { colors, legend: { kind: scale, title, domain: [lo, hi], interpolate } };
}

/** One colour for every point (before any column has arrived). */
export function uniformColoring(n: number, css: string, title: string): Coloring {
  return { colors: new Uint32Array(n).fill(packColor(css)), legend: { kind: 'categorical', title, categories: [] } };
}
