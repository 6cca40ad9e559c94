/**
 * Legend for a colouring: categorical swatches that toggle their class (double-click isolates one),
 * or a colour ramp with an axis for continuous and diverging columns. Emits `change` with the set
 * of hidden category codes; the view turns it into the scatter's visibility mask.
 */
import * as d3 from 'd3';
import type { LegendSpec } from './colors';

export interface Legend {
  show(spec: LegendSpec, stats?: Record<string, number | null>): void;
  /** Codes currently hidden (categorical legends only). */
  hidden(): ReadonlySet<number>;
  on(type: 'change', listener: ((hidden: ReadonlySet<number>) => void) | null): Legend;
  /** The legend as an SVG group (title, swatches or ramp, statistics) for an exported plot; null before any colouring. */
  toSvg(): SVGGElement | null;
}

/** Mask with 1 for points whose category is not hidden; null when nothing is hidden. */
export function visibilityMask(codes: Float32Array, hidden: ReadonlySet<number>): Uint8Array | null {
  if (hidden.size === 0) return null;
  const mask = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) mask[i] = hidden.has(codes[i]) ? 0 : 1;
  return mask;
}

const RAMP_WIDTH = 180;

function formatStat(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  return Math.abs(value) >= 1000 || (Math.abs(value) < 0.01 && value !== 0) ? value.toExponential(2) : d3.format('.3~f')(value);
}

export function legend(container: HTMLElement): Legend {
  const dispatch = d3.dispatch('change');
  const root = d3.select(container).classed('legend', true);
  let hiddenCodes = new Set<number>();
  let current: LegendSpec | null = null;
  let currentStats: Record<string, number | null> = {};

  const emit = () => dispatch.call('change', undefined, hiddenCodes);

  const render = (stats: Record<string, number | null>) => {
    root.selectAll('*').remove();
    if (!current) return;
    root.append('div').attr('class', 'legend-title').text(current.title);
    if (current.kind === 'categorical') {
      const spec = current;
      const items = root
        .append('ul')
        .attr('class', 'legend-items')
        .selectAll('li')
        .data(spec.categories)
        .join('li')
        .attr('class', 'legend-item')
        .attr('data-code', (d) => d.code)
        .attr('title', 'click: hide or show · double-click: show only this')
        .classed('off', (d) => hiddenCodes.has(d.code))
        .on('click', (_event, d) => {
          if (hiddenCodes.has(d.code)) hiddenCodes.delete(d.code);
          else hiddenCodes.add(d.code);
          items.classed('off', (c) => hiddenCodes.has(c.code));
          emit();
        })
        .on('dblclick', (_event, d) => {
          const onlyThis = hiddenCodes.size === spec.categories.length - 1 && !hiddenCodes.has(d.code);
          hiddenCodes = onlyThis ? new Set() : new Set(spec.categories.filter((c) => c.code !== d.code).map((c) => c.code));
          items.classed('off', (c) => hiddenCodes.has(c.code));
          emit();
        });
      items.append('span').attr('class', 'swatch').style('background', (d) => d.color);
      items.append('span').attr('class', 'legend-name').text((d) => d.name);
      items.append('span').attr('class', 'legend-count').text((d) => d3.format(',')(d.count));
    } else {
      const spec = current;
      const ramp = root.append('div').attr('class', 'legend-ramp');
      const canvas = ramp.append('canvas').attr('width', RAMP_WIDTH).attr('height', 1).node()!;
      const context = canvas.getContext('2d')!;
      for (let x = 0; x < RAMP_WIDTH; x++) {
        context.fillStyle = spec.interpolate(x / (RAMP_WIDTH - 1));
        context.fillRect(x, 0, 1, 1);
      }
      const scale = d3.scaleLinear().domain(spec.domain).range([0, RAMP_WIDTH]);
      ramp
        .append('svg')
        .attr('width', RAMP_WIDTH + 16)
        .attr('height', 20)
        .append('g')
        .attr('transform', 'translate(8,0)')
        .call(d3.axisBottom(scale).ticks(4, '.2~g').tickSize(4));
    }
    const entries = Object.entries(stats);
    if (entries.length) {
      root
        .append('dl')
        .attr('class', 'legend-stats')
        .selectAll('div')
        .data(entries)
        .join('div')
        .call((row) => row.append('dt').text(([name]) => name))
        .call((row) => row.append('dd').text(([, value]) => formatStat(value)));
    }
  };

  const api: Legend = {
    show(spec, stats = {}) {
      const sameCategories =
        current?.kind === 'categorical' && spec.kind === 'categorical' && current.title === spec.title;
      if (!sameCategories && hiddenCodes.size) {
        hiddenCodes = new Set();
        emit();
      }
      current = spec;
      currentStats = stats;
      render(stats);
    },
    hidden: () => hiddenCodes,
    toSvg() {
      if (!current) return null;
      const style = getComputedStyle(container);
      const ink = style.color;
      const muted = getComputedStyle(container.querySelector('.legend-stats dt, .legend-count') ?? container).color;
      const group = d3.create<SVGGElement>('svg:g').attr('class', 'legend').attr('font-family', style.fontFamily).attr('font-size', 12).attr('fill', ink);
      const line = 16;
      let y = 12;
      group.append('text').attr('y', y).attr('font-weight', 600).text(current.title);
      if (current.kind === 'categorical') {
        for (const category of current.categories) {
          y += line;
          const item = group.append('g').attr('transform', `translate(0,${y - 4})`).attr('opacity', hiddenCodes.has(category.code) ? 0.35 : 1);
          item.append('circle').attr('r', 5).attr('cx', 5).attr('fill', category.color);
          item.append('text').attr('x', 16).attr('dy', '0.35em').text(category.name);
          item.append('text').attr('x', RAMP_WIDTH).attr('dy', '0.35em').attr('text-anchor', 'end').attr('fill', muted).text(d3.format(',')(category.count));
        }
      } else {
        const id = `ramp-${Math.random().toString(36).slice(2)}`;
        const gradient = group.append('defs').append('linearGradient').attr('id', id);
        const spec = current;
        for (let t = 0; t <= 1.0001; t += 0.1) gradient.append('stop').attr('offset', t.toFixed(2)).attr('stop-color', spec.interpolate(t));
        y += 6;
        group.append('rect').attr('y', y).attr('width', RAMP_WIDTH).attr('height', 10).attr('rx', 2).attr('fill', `url(#${id})`);
        y += 24;
        const scale = d3.scaleLinear().domain(spec.domain).range([0, RAMP_WIDTH]);
        for (const tick of scale.ticks(4)) {
          group.append('text').attr('x', scale(tick)).attr('y', y).attr('text-anchor', 'middle').attr('font-size', 10).attr('fill', muted).text(d3.format('.2~g')(tick));
        }
      }
      for (const [name, value] of Object.entries(currentStats)) {
        y += line;
        group.append('text').attr('y', y).attr('fill', muted).text(name);
        group.append('text').attr('x', RAMP_WIDTH).attr('y', y).attr('text-anchor', 'end').text(formatStat(value));
      }
      return group.node();
    },
    on(type, listener) {
      dispatch.on(type, listener as never);
      return api;
    },
  };
  return api;
}
