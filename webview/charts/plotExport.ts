/**
 * Exported pictures of the plots: the panes side by side (one in the explorer, two in the compare
 * view or beside the baseline), each with its title and legend, as one vector SVG, or that SVG
 * rasterised to PNG at twice the screen resolution.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';
const TITLE_HEIGHT = 22;
const LEGEND_GAP = 16;

/** One pane as the scatter and legend draw it now. */
export interface PlotPicture {
  title: string;
  plot: SVGSVGElement;
  legend: SVGGElement | null;
}

/** Colours the page is drawn in, so the file looks like the screen in either theme. */
export interface PictureTheme {
  background: string;
  ink: string;
  fontFamily: string;
}

export interface ComposedPicture {
  svg: string;
  width: number;
  height: number;
}

/** Lays the panes out left to right and serialises them as a standalone SVG document. */
export function composePlots(pictures: PlotPicture[], theme: PictureTheme): ComposedPicture {
  const root = document.createElementNS(SVG_NS, 'svg');
  root.setAttribute('xmlns', SVG_NS);
  root.setAttribute('font-family', theme.fontFamily);
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('fill', theme.background);
  root.append(background);
  // The legends' sizes are only known once laid out: measure them in the page, off screen.
  root.style.position = 'absolute';
  root.style.left = '-100000px';
  document.body.append(root);
  try {
    let x = 0;
    let height = 0;
    for (const picture of pictures) {
      const width = Number(picture.plot.getAttribute('width'));
      const plotHeight = Number(picture.plot.getAttribute('height'));
      const top = picture.title ? TITLE_HEIGHT : 0;
      if (picture.title) {
        const title = document.createElementNS(SVG_NS, 'text');
        title.setAttribute('x', String(x + 12));
        title.setAttribute('y', '16');
        title.setAttribute('font-size', '13');
        title.setAttribute('font-weight', '600');
        title.setAttribute('fill', theme.ink);
        title.textContent = picture.title;
        root.append(title);
      }
      picture.plot.setAttribute('x', String(x));
      picture.plot.setAttribute('y', String(top));
      root.append(picture.plot);
      x += width;
      let legendHeight = 0;
      if (picture.legend) {
        root.append(picture.legend);
        const box = picture.legend.getBBox();
        picture.legend.setAttribute('transform', `translate(${x + LEGEND_GAP - box.x},${top + 10 - box.y})`);
        x += LEGEND_GAP * 2 + box.width;
        legendHeight = box.height + 20;
      }
      height = Math.max(height, top + Math.max(plotHeight, legendHeight));
    }
    const width = Math.ceil(x);
    height = Math.ceil(height);
    root.removeAttribute('style');
    root.setAttribute('width', String(width));
    root.setAttribute('height', String(height));
    root.setAttribute('viewBox', `0 0 ${width} ${height}`);
    background.setAttribute('width', String(width));
    background.setAttribute('height', String(height));
    return { svg: new XMLSerializer().serializeToString(root), width, height };
  } finally {
    root.remove();
  }
}

/** Rasterises an SVG document to PNG bytes at `scale` × its size. */
export async function svgToPng(picture: ComposedPicture, scale = 2): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([picture.svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(picture.width * scale);
    canvas.height = Math.round(picture.height * scale);
    canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}
