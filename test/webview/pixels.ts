/** What a plot's canvas shows, read back in the page: shared by the browser tests and the code-server e2e. */
import type { Frame, Page } from 'playwright-core';

/** Alpha histogram of a pane's canvas: opaque and faded (unselected) point pixels. */
export async function pointPixels(page: Page | Frame, selector: string): Promise<{ opaque: number; faded: number }> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let opaque = 0;
    let faded = 0;
    for (let i = 3; i < data.length; i += 4) {
      if (data[i] === 255) opaque++;
      else if (data[i] > 0) faded++;
    }
    return { opaque, faded };
  });
}
