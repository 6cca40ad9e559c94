/**
 * End to end in Chromium with the real session worker: `serve` on the bundled MNIST sample, so
 * the model, the data, PCA, UMAP (streamed through progress positions), reconstructions and
 * cancellation are the product's own. A failing test leaves a screenshot in .test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { bundledSample } from '../../src/cli/samples';
import { check, choose, openServedExplorer, pageProblems, type ServedExplorer } from './browser';

async function canvasHash(page: Page): Promise<number> {
  return page.$eval('.scatter-canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let hash = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]) hash = (hash * 31 + i) | 0;
    return hash;
  });
}


describe('explorer on the bundled sample with the real session worker (Chromium)', () => {
  let explorer: ServedExplorer;
  let page: Page;

  before(async () => {
    const sample = bundledSample();
    explorer = await openServedExplorer(sample.model, sample.data);
    page = explorer.page;
  });
  after(async () => {
    await explorer?.close();
  });

  test('PCA is drawn first; UMAP then streams intermediate layouts into the plot and ends with its trustworthiness', async () => {
    await check(page, 'session-umap', async () => {
      const pcaHash = await canvasHash(page);
      await choose(page, 'method', 'umap');
      await page.click('vscode-button[data-name="run"]');
      await page.waitForSelector('.progress:not([hidden])');
      const seen = new Set<number>();
      while (await page.locator('.progress:not([hidden])').count()) {
        seen.add(await canvasHash(page));
        await page.waitForTimeout(150);
      }
      await page.waitForFunction(() => /UMAP 2-D · trustworthiness 0\.\d+/.test(document.querySelector('.pane-status')?.textContent ?? ''));
      seen.delete(pcaHash);
      assert.ok(seen.size >= 2, `the plot changed ${seen.size} times while UMAP ran`);
      assert.notEqual(await canvasHash(page), pcaHash);
    });
  });

  test("brushing shows the model's own reconstructions with per-sample errors", async () => {
    await check(page, 'session-brush', async () => {
      const box = (await page.locator('.plot').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.8, { steps: 5 });
      await page.mouse.up();
      await page.waitForSelector('.sample-card');
      const errors = (await page.locator('.card-error').allTextContents()).map(Number);
      assert.ok(errors.length > 0 && errors.every((e) => e > 0 && e < 1), `errors ${errors.slice(0, 5)}`);
    });
  });

  test('latent tools: neighbours, a traversal, decoding under the cursor and exporting the selected codes', async () => {
    await check(page, 'session-tools', async () => {
      await page.click('vscode-tab-header[data-tab="tools"]');
      await page.click('vscode-button[data-name="neighbors"]');
      await page.waitForSelector('.frame.query');
      assert.equal(await page.locator('.tools-panel .frames-strip').first().locator('.frame').count(), 13, 'the sample and its 12 neighbours');
      await page.click('vscode-button[data-name="traverse"]');
      await page.waitForFunction(() => document.querySelectorAll('.tools-panel .frames-strip').length >= 2);
      assert.ok((await page.locator('.path-overlay circle').count()) >= 9, 'the traversal is drawn on the plot');
      const download = page.waitForEvent('download');
      await page.click('vscode-button[data-name="export"]');
      assert.match((await download).suggestedFilename(), /^mnist-dense-codes-\d+\.csv$/);
      await page.click('vscode-button[data-name="probe"]');
      const box = (await page.locator('.plot').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 2 });
      await page.waitForFunction(() => /distance to data/.test(document.querySelector('.decode-out')?.textContent ?? ''), undefined, { timeout: 30_000 });
      assert.equal(await page.locator('.decode-out canvas').count(), 1);
      await page.click('vscode-button[data-name="probe"]');
      await page.click('vscode-tab-header[data-tab="selection"]');
    });
  });

  test('colouring by reconstruction error shows a continuous legend with its statistics', async () => {
    await check(page, 'session-colour', async () => {
      await page.$eval('vscode-single-select[data-name="colorBy"]', (select) => {
        (select as HTMLElement & { value: string }).value = 'error';
        select.dispatchEvent(new Event('change'));
      });
      await page.waitForSelector('.legend-ramp');
      assert.match((await page.textContent('.legend')) ?? '', /reconstruction error.*mean/);
    });
  });

  test('cancelling a running t-SNE ends it, keeps the last layout and shows no error', async () => {
    await check(page, 'session-cancel', async () => {
      await choose(page, 'method', 'tsne');
      await page.click('vscode-button[data-name="run"]');
      await page.waitForSelector('.progress:not([hidden])');
      await page.click('.progress vscode-button[data-name="cancel"]');
      await page.waitForSelector('.progress[hidden]', { state: 'attached' });
      await page.waitForFunction(() => /cancelled/.test(document.querySelector('.pane-status')?.textContent ?? ''));
      assert.equal(await page.locator('.error-banner:not([hidden])').count(), 0);
      assert.deepEqual(pageProblems(page), []);
    });
  });
});
