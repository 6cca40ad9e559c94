/**
 * The explorer's latent tools in Chromium with the real session worker on the bundled samples:
 * the raw-input baseline beside the codes (linked selection, separability of both), the plot
 * saved as SVG and PNG, the anomaly threshold slider, the sensitivity ranking, k-means centroids,
 * faithfulness colouring, legend counts, and a VAE's KL and prior overlay. Every number on the
 * page is checked against the same session opened in this process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bundledSample, bundledSamplesRoot } from '../../src/cli/samples';
import { ExplorerSession } from '../../src/core/session';
import { InProcessProjectionRunner } from '../../src/core/projection';
import { check, choose, drag, openServedExplorer, pageProblems, selectedCount, type ServedExplorer } from './browser';
import { pointPixels } from './pixels';

const noProgress = { signal: new AbortController().signal, progress: () => {} };
/** What `serve` opens with: the default settings, so every sample of the 2,000 is shown. */
const N = 2000;

/** The page's three-significant-digit rendering (ui.ts formatNumber) of a number the test computed. */
function shown(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

async function openTools(page: Page): Promise<void> {
  await page.click('vscode-tab-header[data-tab="tools"]');
}

describe('latent tools on mnist-dense with the real session worker (Chromium)', () => {
  let explorer: ServedExplorer;
  let page: Page;
  let reference: ExplorerSession;

  before(async () => {
    const sample = bundledSample();
    reference = await ExplorerSession.open({ view: 'explorer', modelPaths: [sample.model], dataPath: sample.data, runner: new InProcessProjectionRunner() });
    assert.equal(reference.shown.length, N);
    explorer = await openServedExplorer(sample.model, sample.data);
    page = explorer.page;
  });
  after(async () => {
    await explorer?.close();
    reference?.dispose();
  });

  test('the plot saves as SVG with one circle per sample and its legend, and as PNG at twice the screen size', async () => {
    await check(page, 'tools-save', async () => {
      await page.waitForSelector('.legend-item');
      const svgDownload = page.waitForEvent('download');
      await page.click('vscode-button[data-name="save-svg"]');
      const svgFile = await svgDownload;
      assert.match(svgFile.suggestedFilename(), /^mnist-dense-pca\.svg$/);
      const svg = await readFile((await svgFile.path())!, 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.equal((svg.match(/<g class="points">(.*?)<\/g>/s)?.[1].match(/<circle /g) ?? []).length, N, 'every sample is a circle');
      assert.equal((svg.match(/<g class="axis axis-x"/g) ?? []).length, 1);
      for (let digit = 0; digit <= 9; digit++) assert.ok(svg.includes(`>${digit}</text>`), `legend entry ${digit}`);
      const width = Number(svg.match(/^<svg[^>]* width="(\d+)"/)?.[1]);
      const height = Number(svg.match(/^<svg[^>]* height="(\d+)"/)?.[1]);
      assert.ok(width > 400 && height > 300, `${width}×${height}`);

      const pngDownload = page.waitForEvent('download');
      await page.click('vscode-button[data-name="save-png"]');
      const pngFile = await pngDownload;
      assert.equal(pngFile.suggestedFilename(), 'mnist-dense-pca.png');
      const png = await readFile((await pngFile.path())!);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.equal(png.readUInt32BE(16), width * 2);
      assert.equal(png.readUInt32BE(20), height * 2);
    });
  });

  test('the raw-input baseline appears beside the codes with the separability the session computes for pixels and codes', async () => {
    await check(page, 'tools-baseline', async () => {
      await page.click('vscode-button[data-name="baseline"]');
      await page.waitForFunction(
        () => /raw inputs: PCA 2-D · trustworthiness 0\.\d+/.test(document.querySelector('.plot-pane[data-source="inputs"] .pane-status')?.textContent ?? ''),
        undefined,
        { timeout: 120_000 },
      );
      const expected = await reference.handle('baseline', { slot: 'a', method: 'pca', dims: 2, seed: 42, params: { components: [0, 1] } }, noProgress);
      const cell = async (row: number, space: string) => page.locator(`.separability tr:nth-child(${row}) td[data-space="${space}"]`).textContent();
      assert.equal(await cell(2, 'raw'), shown(expected.raw!.knnAccuracy));
      assert.equal(await cell(2, 'latent'), shown(expected.latent!.knnAccuracy));
      assert.equal(await cell(3, 'raw'), shown(expected.raw!.silhouette));
      assert.equal(await cell(3, 'latent'), shown(expected.latent!.silhouette));
      assert.match((await page.textContent('.plot-pane[data-source="inputs"] .pane-status')) ?? '', new RegExp(`trustworthiness ${shown(expected.trustworthiness).replace('.', '\\.')}`));
      assert.match((await page.textContent('.separability-box')) ?? '', /Better separated in the (codes|raw inputs|neither) by 10-NN accuracy/);
      assert.equal(await page.locator('.pane-pair .plot-pane').count(), 2);
    });
  });

  test('brushing the baseline selects the same samples in the latent plot and lists them; both panes share the colouring', async () => {
    await check(page, 'tools-linked', async () => {
      const before = await pointPixels(page, '.plot-pane[data-source="codes"] .scatter-canvas');
      assert.equal(before.faded, 0);
      await drag(page, '.plot-pane[data-source="inputs"] .plot', [0.3, 0.3], [0.6, 0.65]);
      const count = await selectedCount(page);
      assert.ok(count > 10 && count < N, `brush selected ${count}`);
      await page.waitForTimeout(100);
      const after = await pointPixels(page, '.plot-pane[data-source="codes"] .scatter-canvas');
      assert.ok(after.faded > 0 && after.opaque > 0, `latent plot: ${JSON.stringify(after)}`);
      const svgDownload = page.waitForEvent('download');
      await page.click('vscode-button[data-name="save-svg"]');
      const svg = await readFile((await (await svgDownload).path())!, 'utf8');
      assert.equal((svg.match(/<g class="points">/g) ?? []).length, 2, 'both panes are in the picture');
      assert.ok(svg.includes('Raw inputs (784 values per sample)'));
      // Both panes colour by the same column: neither request supersedes the other.
      await choose(page, 'colorBy', 'error');
      await page.waitForFunction(() => document.querySelectorAll('.plot-pane .legend-ramp').length === 2);
      assert.match((await page.locator('.plot-pane[data-source="inputs"] .legend').textContent()) ?? '', /reconstruction error.*anomalyThreshold/);
      await choose(page, 'colorBy', 'label');
      await page.waitForFunction(() => document.querySelectorAll('.plot-pane .legend-item[data-code="9"]').length === 2);
      await page.click('vscode-button[data-name="baseline"]');
      assert.equal(await page.locator('.plot-pane[data-source="inputs"]:not([hidden])').count(), 0);
    });
  });

  test('anomalies start at mean + 3σ with the session’s count, and the slider moves the threshold and the selection', async () => {
    await check(page, 'tools-anomalies', async () => {
      const expected = await reference.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: null, limit: 0 });
      await openTools(page);
      await page.click('vscode-button[data-name="anomalies"]');
      await page.waitForFunction(() => /flagged above/.test(document.querySelector('.anomaly-text')?.textContent ?? ''));
      const text = (await page.textContent('.anomaly-text')) ?? '';
      assert.ok(text.startsWith(`${expected.flaggedCount} of 2,000 flagged above ${shown(expected.threshold)} (mean + 3σ`), text);
      assert.equal(await selectedCount(page), expected.flaggedCount);
      const sorted = Float32Array.from(reference.errors('a')).sort();
      const tenth = sorted[Math.floor(N * 0.9)];
      await page.$eval(
        'input[data-name="anomaly-threshold"]',
        (input, value) => {
          (input as HTMLInputElement).value = String(value);
          input.dispatchEvent(new Event('input'));
        },
        tenth,
      );
      const slid = await reference.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: Number(await page.$eval('input[data-name="anomaly-threshold"]', (i) => (i as HTMLInputElement).value)), limit: 0 });
      await page.waitForFunction((count) => (document.querySelector('.anomaly-text')?.textContent ?? '').startsWith(`${count} of 2,000`), slid.flaggedCount);
      assert.ok(slid.flaggedCount > expected.flaggedCount && slid.flaggedCount <= 210, `${slid.flaggedCount} flagged at the slider`);
      assert.equal(await selectedCount(page), slid.flaggedCount);

      // A percentile sets the threshold directly: 97.5 flags the top 2.5 %, and the slider follows.
      const byPercentile = await reference.handle('rank', { column: { kind: 'reconstructionError', slot: 'a' }, threshold: { percentile: 97.5 }, limit: 0 });
      assert.equal(byPercentile.flaggedCount, 50);
      await page.$eval('vscode-textfield[data-name="anomaly-percentile"]', (input) => {
        (input as HTMLElement & { value: string }).value = '97.5';
      });
      await page.click('vscode-button[data-name="anomalies-percentile"]');
      await page.waitForFunction(() => (document.querySelector('.anomaly-text')?.textContent ?? '').startsWith('50 of 2,000'));
      assert.match((await page.textContent('.anomaly-text')) ?? '', /97\.5th percentile/);
      assert.equal(await selectedCount(page), 50);
      const sliderValue = Number(await page.$eval('input[data-name="anomaly-threshold"]', (i) => (i as HTMLInputElement).value));
      assert.ok(Math.abs(sliderValue - byPercentile.threshold) <= (byPercentile.max - byPercentile.min) / 1000, `slider at ${sliderValue}, threshold ${byPercentile.threshold}`);
    });
  });

  test('the sensitivity ranking shows the most sensitive samples with the session’s ‖J‖ values', async () => {
    await check(page, 'tools-sensitivity', async () => {
      await page.click('vscode-button[data-name="sensitivity"]');
      await page.waitForSelector('.frames-strip.sensitive .frame', { timeout: 120_000 });
      const expected = await reference.handle('rank', { column: { kind: 'sensitivity', slot: 'a' }, threshold: null, limit: 12 });
      const indices = await page.locator('.frames-strip.sensitive .frame').evaluateAll((cells) => cells.map((c) => Number((c as HTMLElement).dataset.index)));
      assert.deepEqual(indices, Array.from(expected.indices));
      const values = await page.locator('.frames-strip.sensitive .frame span').allTextContents();
      assert.deepEqual(values, Array.from(expected.values, shown));
    });
  });

  test('decoded k-means centroids: k clusters whose sizes and purity are the session’s, marked on the plot', async () => {
    await check(page, 'tools-clusters', async () => {
      await page.$eval('vscode-textfield[data-name="cluster-k"]', (input) => {
        (input as HTMLElement & { value: string }).value = '4';
        input.dispatchEvent(new Event('change'));
      });
      await page.click('vscode-button[data-name="clusters"]');
      await page.waitForFunction(() => /k = 4 · silhouette/.test(document.querySelector('.tools-panel')?.textContent ?? ''));
      const expected = await reference.handle('clusterCentroids', { slot: 'a', k: 4 });
      const captions = await page.locator('.tool-section:has-text("Clusters") .frame span').allTextContents();
      assert.deepEqual(captions, Array.from(expected.sizes, (size, c) => `${c + 1}: ${size.toLocaleString('en-US')}`));
      assert.match((await page.textContent('.tools-panel')) ?? '', new RegExp(`purity ${shown(expected.purity!).replace('.', '\\.')}`));
      assert.equal(await page.locator('.plot-pane[data-source="codes"] .markers path').count(), 4);
    });
  });

  test('colouring by faithfulness shows the session’s per-point neighbourhood preservation; hiding a class says how many remain', async () => {
    await check(page, 'tools-faithfulness', async () => {
      await reference.handle('project', { slot: 'a', method: 'pca', dims: 2, seed: 42, params: { components: [0, 1] } }, noProgress);
      const expected = await reference.handle('column', { column: { kind: 'faithfulness', slot: 'a' } });
      await choose(page, 'colorBy', 'faithfulness');
      await page.waitForFunction(() => /layout faithfulness/.test(document.querySelector('.legend-title')?.textContent ?? ''));
      const mean = await page.locator('.legend-stats div:has(dt:text-is("mean")) dd').textContent();
      assert.ok(Math.abs(Number(mean) - expected.stats.mean!) < 1e-3, `${mean} vs ${expected.stats.mean}`);

      await choose(page, 'colorBy', 'label');
      await page.waitForSelector('.legend-item[data-code="1"]');
      await page.click('.legend-item[data-code="1"]');
      const ones = (await reference.handle('ready', {})).labels!.filter((label) => label === 1).length;
      await page.waitForFunction((text) => (document.querySelector('.pane-status')?.textContent ?? '').includes(text), `${(N - ones).toLocaleString('en-US')} of 2,000 visible`);
      await page.click('.legend-item[data-code="1"]');
      await page.waitForFunction(() => !/visible/.test(document.querySelector('.pane-status')?.textContent ?? ''));
      assert.deepEqual(pageProblems(page), []);
    });
  });

  test('decoding under the cursor works in 3-D: the middle of the view is the centre of the PCA cloud, decoded by the exact PCA inverse', async () => {
    await check(page, 'tools-decode-3d', async () => {
      await page.click('.segmented[data-name="dims"] button[data-value="3"]');
      await page.click('vscode-button[data-name="run"]');
      await page.waitForFunction(() => /PCA 3-D/.test(document.querySelector('.pane-status')?.textContent ?? ''));
      await openTools(page);
      await page.click('vscode-button[data-name="probe"]');
      const box = (await page.locator('.plot-pane[data-source="codes"] .plot').boundingBox())!;
      // The middle of the drawing area (inside the axis margins): the cloud's centre, where PCA coordinates are 0.
      await page.mouse.move(box.x + 44 + (box.width - 56) / 2 - 3, box.y + 10 + (box.height - 36) / 2 - 3);
      await page.mouse.move(box.x + 44 + (box.width - 56) / 2, box.y + 10 + (box.height - 36) / 2, { steps: 2 });
      await page.waitForFunction(() => /exact PCA inverse/.test(document.querySelector('.decode-at')?.textContent ?? ''), undefined, { timeout: 30_000 });
      const coordinates = ((await page.textContent('.decode-at')) ?? '').match(/at \(([^)]*)\)/)![1].split(', ').map(Number);
      assert.equal(coordinates.length, 3);
      for (const c of coordinates) assert.ok(Math.abs(c) < 1, `PCA coordinates ${coordinates}`);
      assert.equal(await page.locator('.decode-out canvas').count(), 1);
      await page.click('vscode-button[data-name="probe"]');
      await page.click('.segmented[data-name="dims"] button[data-value="2"]');
    });
  });
});

describe('VAE views on mnist-vae with the real session worker (Chromium)', () => {
  let explorer: ServedExplorer;
  let page: Page;
  let reference: ExplorerSession;
  const model = join(bundledSamplesRoot(), 'mnist-vae');
  const data = join(bundledSamplesRoot(), 'data', 'mnist-test-2000');

  before(async () => {
    reference = await ExplorerSession.open({ view: 'explorer', modelPaths: [model], dataPath: data, runner: new InProcessProjectionRunner() });
    explorer = await openServedExplorer(model, data);
    page = explorer.page;
  });
  after(async () => {
    await explorer?.close();
    reference?.dispose();
  });

  test('unit health shows the KL per unit, its total and the collapsed units as the session computes them', async () => {
    await check(page, 'vae-health', async () => {
      const expected = await reference.handle('latentHealth', { slot: 'a' });
      await openTools(page);
      await page.click('vscode-button[data-name="health"]');
      await page.waitForSelector('.kl-per-unit');
      assert.equal(await page.textContent('.kl-per-unit'), Array.from(expected.klPerUnit!, (v, unit) => `z${unit} ${shown(v)}`).join(' · '));
      const stats = (await page.textContent('.tools-panel .activation-stats')) ?? '';
      assert.ok(stats.includes(`${shown(expected.klTotal!)} nats`), stats);
      assert.ok(stats.includes(`collapsed units (KL < 0.01)${expected.collapsedUnits} of 2`), stats);
      assert.equal(await page.locator('.tools-panel canvas.class-means').count(), 1);
      // One histogram per unit, a line per digit class in the plot's class colours.
      assert.equal(await page.locator('.unit-histogram').count(), 2);
      assert.match((await page.textContent('.unit-histogram[data-unit="1"] figcaption')) ?? '', /^z1 {2}-?\d/);
      const colours = await page.$eval('.unit-histogram[data-unit="0"] canvas', (canvas) => {
        const c = canvas as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] === 255) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        return seen.size;
      });
      assert.ok(colours >= 5, `${colours} opaque colours: the classes' lines`);
    });
  });

  test('prior samples are decoded in a grid and all 400 are overlaid on the projection', async () => {
    await check(page, 'vae-prior', async () => {
      await page.click('vscode-button[data-name="prior"]');
      await page.waitForFunction(() => document.querySelectorAll('.plot-pane .markers path').length > 0);
      assert.equal(await page.locator('.plot-pane .markers path').count(), 400);
      assert.equal(await page.locator('.tool-section:has-text("Latent unit health") .frames-strip .frame').count(), 16);
      assert.deepEqual(pageProblems(page), []);
    });
  });
});
