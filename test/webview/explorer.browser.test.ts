/**
 * The explorer in headless Chromium, served by the real `serve` bridge with the harness session
 * behind it. Each check looks at what a user sees: pixels on the canvas, cards in the panels,
 * the banner. A failing test leaves a screenshot in .test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../src/cli/serve';
import { parseSessionFile } from '../../src/core/sessionFile';
import { SESSION_FILE_SUFFIX } from '../../src/shared/sessionFile';
import { check, choose, launchBrowser, openExplorer, pageProblems, screenshot, selectedCount, startHarnessServer } from './browser';
import { pointPixels } from './pixels';
import type { ScatterContainer } from '../../webview/charts/scatter';

/** Pixels of the points canvas: how many are drawn, and how many have exactly one opaque colour. */
async function canvasPixels(page: Page, rgb?: [number, number, number], selector = '.scatter-canvas'): Promise<{ drawn: number; matching: number; hash: number }> {
  return page.$eval(
    selector,
    (canvas, colour) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      let matching = 0;
      let hash = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        drawn++;
        hash = (hash * 31 + i) | 0;
        if (colour && data[i + 3] === 255 && data[i] === colour[0] && data[i + 1] === colour[1] && data[i + 2] === colour[2]) matching++;
      }
      return { drawn, matching, hash };
    },
    rgb,
  );
}


/** The plot's drawing area on the page. */
async function plotBox(page: Page, nth = 0) {
  const box = await page.locator('.plot').nth(nth).boundingBox();
  assert.ok(box);
  return box;
}


const TABLEAU_ORANGE: [number, number, number] = [242, 142, 44]; // class "1" in d3.schemeTableau10

describe('explorer page served by `serve` (harness session, Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startHarnessServer();
    browser = await launchBrowser();
    page = await openExplorer(browser, server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the page loads, says how many samples are shown, and draws the PCA layout on the canvas', async () => {
    await check(page, 'load', async () => {
      assert.match((await page.textContent('.brand-notes')) ?? '', /2,000 of 10,000 shown/);
      await page.waitForFunction(() => document.querySelectorAll('.legend-item').length === 10);
      const pixels = await canvasPixels(page, TABLEAU_ORANGE);
      assert.ok(pixels.drawn > 2000, `only ${pixels.drawn} pixels drawn`);
      assert.ok(pixels.matching > 100, 'class 1 is drawn in its legend colour');
      assert.match((await page.textContent('.pane-status')) ?? '', /PCA 2-D/);
      assert.deepEqual(pageProblems(page), [], 'no page errors, console errors or CSP violations');
    });
  });

  test('the model\'s warnings are shown in a strip of their own, apart from the error banner', async () => {
    await check(page, 'model-warnings', async () => {
      await page.waitForSelector('.model-warnings:not([hidden]) .error-row[data-code="warning"]');
      assert.equal(await page.textContent('.model-warnings .error-text'), 'Warning: linear autoencoder fitted by the test harness (PCA); not a trained network');
      assert.equal(await page.locator('.error-banner:not([hidden])').count(), 0);
    });
  });

  test('clicking a legend entry hides that class on the canvas; clicking again shows it', async () => {
    await check(page, 'legend', async () => {
      await page.click('.legend-item[data-code="1"]');
      await page.waitForTimeout(100);
      assert.equal((await canvasPixels(page, TABLEAU_ORANGE)).matching, 0);
      assert.equal(await page.locator('.legend-item.off').count(), 1);
      await page.click('.legend-item[data-code="1"]');
      await page.waitForTimeout(100);
      assert.ok((await canvasPixels(page, TABLEAU_ORANGE)).matching > 100);
    });
  });

  test('brushing a rectangle selects points and shows their originals beside reconstructions with errors', async () => {
    await check(page, 'brush', async () => {
      const box = await plotBox(page);
      const x0 = box.x + box.width * 0.3;
      const y0 = box.y + box.height * 0.3;
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      await page.mouse.move(x0 + box.width * 0.25, y0 + box.height * 0.3, { steps: 6 });
      await page.mouse.up();
      const count = await selectedCount(page);
      assert.ok(count > 10, `brush selected ${count}`);
      await page.waitForSelector('.sample-card');
      const cards = await page.locator('.sample-card').count();
      assert.equal(cards, Math.min(count, 48));
      assert.equal(await page.locator('.sample-card').first().locator('canvas').count(), 2, 'original and reconstruction');
      const errors = await page.locator('.card-error').allTextContents();
      const values = errors.map(Number);
      assert.ok(values.every((v) => v > 0), `errors ${errors.slice(0, 5)}`);
      assert.deepEqual(values, [...values].sort((a, b) => b - a), 'sorted by error, largest first');
      await screenshot(page, 'explorer-brushed');
    });
  });

  test('a lasso drawn along the same rectangle selects the same points as the box', async () => {
    await check(page, 'lasso', async () => {
      const box = await plotBox(page);
      const x0 = box.x + box.width * 0.3;
      const y0 = box.y + box.height * 0.3;
      const x1 = x0 + box.width * 0.25;
      const y1 = y0 + box.height * 0.3;
      const boxCount = await selectedCount(page);
      await page.click('[data-name="tools"] [data-value="lasso"]');
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      for (const [x, y] of [
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ]) {
        await page.mouse.move(x, y, { steps: 8 });
      }
      await page.mouse.up();
      await page.waitForTimeout(300);
      assert.equal(await selectedCount(page), boxCount);
      // A smaller lasso inside selects fewer.
      await page.mouse.move(x0 + 5, y0 + 5);
      await page.mouse.down();
      await page.mouse.move((x0 + x1) / 2, y0 + 5, { steps: 5 });
      await page.mouse.move(x0 + 5, (y0 + y1) / 2, { steps: 5 });
      await page.mouse.up();
      await page.waitForTimeout(300);
      const smaller = await selectedCount(page);
      assert.ok(smaller < boxCount && smaller > 0, `triangle selected ${smaller} of ${boxCount}`);
      await page.click('[data-name="tools"] [data-value="box"]');
    });
  });

  test('Save session writes the models, data, sample, projection, colouring and selection as a file that parses back', async () => {
    await check(page, 'save-session', async () => {
      const selected = await selectedCount(page);
      assert.ok(selected > 0, 'the lasso left a selection');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('vscode-button[data-name="save-session"]')]);
      assert.equal(download.suggestedFilename(), `pca-16${SESSION_FILE_SUFFIX}`);
      const file = await download.path();
      const session = parseSessionFile(readFileSync(file, 'utf8'), file);
      assert.equal(session.view, 'explorer');
      assert.deepEqual(session.models.map((path) => basename(dirname(path)) + '/' + basename(path)), ['harness/model.json']);
      assert.equal(session.sampleLimit, 2000);
      assert.equal(session.seed, 42);
      assert.equal(session.ui.method, 'pca');
      assert.equal(session.ui.colorBy, 'label');
      assert.equal(session.selection.length, selected);
    });
  });

  test('a page opened from a saved session shows its projection, colouring and selection', async () => {
    const selection = Array.from({ length: 50 }, (_, i) => i * 7);
    const restored = await startHarnessServer({}, ['harness/model.json'], { ui: { method: 'pca', components: [1, 2], colorBy: 'error' }, selection, sampleLimit: 2000, seed: 42 });
    const other = await openExplorer(browser, restored.url);
    try {
      await check(other, 'restored-session', async () => {
        await other.waitForFunction(() => /^50 selected/.test(document.querySelector('.selection-summary')?.textContent ?? ''));
        assert.equal(await other.locator('.sample-card').count() > 0, true);
        assert.match((await other.textContent('.legend')) ?? '', /reconstruction error/);
        assert.equal(await other.$eval('vscode-textfield[data-name="pc-x"]', (input) => (input as HTMLElement & { value: string }).value), '2');
      });
    } finally {
      await other.close();
      await restored.close();
    }
  });

  test('hovering a point shows a tooltip with its thumbnail', async () => {
    await check(page, 'tooltip', async () => {
      const box = await plotBox(page);
      for (let attempt = 0; attempt < 40; attempt++) {
        await page.mouse.move(box.x + box.width * (0.35 + (attempt % 8) * 0.04), box.y + box.height * (0.4 + Math.floor(attempt / 8) * 0.04));
        if (await page.locator('.tooltip:not([hidden])').count()) break;
      }
      await page.waitForSelector('.tooltip:not([hidden]) canvas.sample-image');
      assert.match((await page.textContent('.tooltip')) ?? '', /#\d+/);
    });
  });

  test('denoise shows clean, noisy and reconstructed samples with both errors, and marks noisy positions in the plot', async () => {
    await check(page, 'denoise', async () => {
      await page.click('vscode-tab-header[data-tab="denoise"]');
      await page.click('vscode-button[data-name="denoise"]');
      await page.waitForSelector('.denoise-row:not(.denoise-head)');
      const row = page.locator('.denoise-row:not(.denoise-head)').first();
      assert.equal(await row.locator('canvas').count(), 3);
      assert.match((await row.locator('.denoise-errors').textContent()) ?? '', /^[\d.e-]+ → [\d.e-]+$/);
      assert.ok((await page.locator('.overlay path').count()) > 0, 'crosses at the noisy positions');
    });
  });

  test('the activations panel draws the code layer as a heatmap with unit statistics', async () => {
    await check(page, 'activations', async () => {
      await page.click('vscode-tab-header[data-tab="activations"]');
      await page.waitForSelector('.activation-body .heatmap');
      assert.match((await page.textContent('.activation-stats')) ?? '', /shape\[16\]/);
      assert.match((await page.textContent('.activation-stats')) ?? '', /dead units/);
    });
  });

  test('a failing request shows the inline error banner, and the plot keeps its layout', async () => {
    await check(page, 'error-banner', async () => {
      const before = await canvasPixels(page);
      await choose(page, 'method', 'tsne');
      await page.click('vscode-button[data-name="run"]');
      await page.waitForSelector('.error-banner:not([hidden]) .error-row');
      assert.match((await page.textContent('.error-banner')) ?? '', /Projection failed: the test harness projects with PCA only, not tsne/);
      assert.equal((await canvasPixels(page)).drawn > 0, before.drawn > 0);
      await page.click('.error-close');
      assert.equal(await page.locator('.error-banner:not([hidden])').count(), 0);
      await choose(page, 'method', 'pca');
    });
  });

  test('a 3-D layout rotates when dragged with the orbit tool', async () => {
    await check(page, 'orbit', async () => {
      await page.click('[data-name="dims"] [data-value="3"]');
      await page.click('vscode-button[data-name="run"]');
      await page.waitForFunction(() => document.querySelector('.pane-status')?.textContent?.includes('PCA 3-D'));
      await page.click('[data-name="tools"] [data-value="orbit"]');
      await page.waitForTimeout(100);
      const before = await canvasPixels(page);
      const box = await plotBox(page);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 30, { steps: 6 });
      await page.mouse.up();
      await page.waitForTimeout(100);
      const after = await canvasPixels(page);
      assert.ok(after.drawn > 1000);
      assert.notEqual(after.hash, before.hash, 'the projection changed');
      await page.click('[data-name="dims"] [data-value="2"]');
    });
  });

  test('a reload restores the UI choices (colouring, side tab, projection parameters) from the persisted state', async () => {
    await check(page, 'reload', async () => {
      await page.$eval('vscode-single-select[data-name="colorBy"]', (select) => {
        (select as HTMLElement & { value: string }).value = 'error';
        select.dispatchEvent(new Event('change'));
      });
      await page.waitForSelector('.legend-ramp');
      await page.click('vscode-tab-header[data-tab="denoise"]');
      await choose(page, 'method', 'umap');
      await page.reload();
      await page.waitForFunction(() => /PCA [23]-D/.test(document.querySelector('.pane-status')?.textContent ?? ''));
      await page.waitForSelector('.legend-ramp');
      assert.match((await page.textContent('.legend-title')) ?? '', /reconstruction error/);
      assert.equal(await page.$eval('vscode-tabs', (tabs) => (tabs as HTMLElement & { selectedIndex: number }).selectedIndex), 1);
      assert.equal(await page.$eval('vscode-single-select[data-name="method"]', (select) => (select as HTMLElement & { value: string }).value), 'umap');
      assert.equal(await page.locator('vscode-textfield[data-name="nNeighbors"]').count(), 1);
    });
  });

  test('no page errors, console errors or CSP violations were reported during the whole session', () => {
    assert.deepEqual(pageProblems(page), []);
  });
});

describe('compare view served by `serve` (two harness models, Chromium)', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startHarnessServer({ source: { kind: 'mnist', shown: 1000 } }, ['harness/a/model.json', 'harness/b/model.json']);
    browser = await launchBrowser();
    page = await openExplorer(browser, server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('brushing plot A highlights the same samples in plot B while dragging and once done, and the panel shows both reconstructions', async () => {
    await check(page, 'compare', async () => {
      await page.waitForFunction(() => /PCA [23]-D/.test(document.querySelectorAll('.pane-status')[1]?.textContent ?? ''));
      // What plot A tells its listeners: the set each move holds, and the indices once the brush is let go.
      await page.evaluate(() => {
        const seen = { moves: 0, held: [] as number[], selected: null as number[] | null };
        Object.assign(window, { brushSeen: seen });
        const a = (document.querySelector('.plot') as ScatterContainer).__scatter!;
        a.on('selecting.test', (points) => {
          seen.moves++;
          seen.held = Array.from(points.indices());
        });
        a.on('select.test', (indices) => (seen.selected = indices && Array.from(indices)));
      });
      const brushSeen = () => page.evaluate(() => (window as unknown as { brushSeen: { moves: number; held: number[]; selected: number[] | null } }).brushSeen);
      const box = await plotBox(page, 0);
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 6 });
      await page.evaluate(() => new Promise(requestAnimationFrame));
      const held = await brushSeen();
      assert.ok(held.moves >= 6 && held.held.length > 0, `moves ${held.moves}, holding ${held.held.length}`);
      assert.equal(held.selected, null, 'no selection is made while the brush is held');
      const live = await pointPixels(page, '.scatter-canvas >> nth=1');
      assert.ok(live.opaque > 0 && live.faded > 0, `B shows the brush while it is dragged (${live.opaque} opaque, ${live.faded} faded pixels)`);
      await page.mouse.up();
      const count = await selectedCount(page);
      assert.ok(count > 0);
      const done = await brushSeen();
      assert.deepEqual(done.selected, held.held, 'the brush let go where it was selects what it held, ascending');
      assert.equal(count, held.held.length);
      await page.waitForSelector('.sample-card');
      assert.equal(await page.locator('.sample-card').first().locator('canvas').count(), 3, 'input, A and B');
      // B dims what is not selected: fewer fully opaque pixels than drawn pixels.
      const b = await pointPixels(page, '.scatter-canvas >> nth=1');
      assert.ok(b.opaque > 0 && b.faded > 0, `B shows the selection (${b.opaque} opaque, ${b.faded} faded pixels)`);
      await page.click('vscode-tab-header[data-tab="summary"]');
      await page.waitForSelector('.compare-stats');
      assert.match((await page.textContent('.compare-stats')) ?? '', /reconstruction MSE/);
      assert.ok((await page.locator('.mover').count()) > 0);
      // B keeps 4 of A's 16 principal components, so it reconstructs every sample worse: the list of
      // errors that got worse is sorted, the other says none got better, and a click selects the sample in both plots.
      const worse = (await page.locator('.mover-list.worse .mover-drift').allTextContents()).map(Number);
      assert.ok(worse.length === 20 && worse.every((d, i) => d > 0 && (i === 0 || worse[i - 1] >= d)), `worse: ${worse}`);
      assert.equal(await page.locator('.mover-list.better').count(), 0);
      assert.match((await page.textContent('.movers-panel')) ?? '', /no sample reconstructs better in B/);
      await page.locator('.mover-list.worse .mover').first().click();
      await page.waitForFunction(() => /^1 selected/.test(document.querySelector('.selection-summary')?.textContent ?? ''));
      await screenshot(page, 'compare');
    });
  });
});

describe('inspect view served by `serve` (Chromium)', () => {
  test('shows the layer table with roles, the detected split and an Open explorer button', async () => {
    const server = await startHarnessServer({ view: 'inspect' });
    const browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    try {
      await check(page, 'inspect', async () => {
        await page.goto(server.url);
        await page.waitForSelector('.layer-table');
        assert.equal(await page.locator('.layer-table tbody tr').count(), 6);
        assert.match((await page.textContent('.split')) ?? '', /code.*encoder\/code · 16 dims/);
        assert.equal(await page.locator('vscode-button[data-name="open-explorer"]').count(), 1);
        assert.match((await page.textContent('.warnings')) ?? '', /linear autoencoder/);
      });
    } finally {
      await browser.close();
      await server.close();
    }
  });

  test('the runtime that ran an ONNX model is in the inspector and explorer titles where the TF.js backend would be', async () => {
    const runtime = 'onnxruntime-web 1.23.0 (wasm, 1 thread)';
    const browser = await launchBrowser();
    try {
      for (const view of ['inspect', 'explorer'] as const) {
        const server = await startHarnessServer({ view, runtime });
        const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
        try {
          await check(page, `runtime-${view}`, async () => {
            await page.goto(server.url);
            await page.waitForFunction(() => (document.querySelector('.brand-notes')?.textContent ?? '').includes('runtime'), undefined, { timeout: 20_000 });
            const notes = (await page.textContent('.brand-notes')) ?? '';
            assert.ok(notes.endsWith(`runtime ${runtime}`), notes);
            assert.doesNotMatch(notes, /backend/);
          });
        } finally {
          await page.close();
          await server.close();
        }
      }
    } finally {
      await browser.close();
    }
  });

  test('a backend fallback is shown as a dismissable warning, not hidden in the title', async () => {
    const reason = 'wasm: tfjs-backend-wasm-simd.wasm not found beside the bundle; using cpu, several times slower';
    const server = await startHarnessServer({ view: 'inspect', backendFallback: reason });
    const browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    try {
      await check(page, 'backend-fallback', async () => {
        await page.goto(server.url);
        await page.waitForSelector('.error-banner:not([hidden]) .error-row[data-code="warning"]');
        assert.equal(await page.textContent('.error-row[data-code="warning"] .error-text'), `Warning: TensorFlow.js backend: ${reason}.`);
        await page.click('.error-row[data-code="warning"] .error-close');
        await page.waitForSelector('.error-banner[hidden]', { state: 'attached' });
      });
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
