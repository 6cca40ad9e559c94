/**
 * `serve --codes`: embeddings with no model (Fashion-MNIST pixels in a Parquet table with class
 * names, brightness, captions, dates), in headless Chromium with the real session worker. The
 * colour picker offers every colourable metadata column; colouring by one draws its legend.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serve, type RunningServer } from '../../src/cli/serve';
import { CLASSES, fashionParquet, fashionTable } from '../unit/embeddingTables';
import { check, choose, launchBrowser, openExplorer, pageProblems } from './browser';

describe('explorer on embeddings without a model (serve --codes, Chromium)', () => {
  let folder: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'browser-embeddings-'));
    const codesPath = join(folder, 'fashion.parquet');
    await writeFile(codesPath, fashionParquet(fashionTable()));
    server = await serve({ modelPaths: [], embeddings: { codesPath } });
    browser = await launchBrowser();
    page = await openExplorer(browser, server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(folder, { recursive: true, force: true });
  });

  test('the colour picker lists the label, clusters and the colourable metadata columns, not text or decoder columns', async () => {
    await check(page, 'embeddings-picker', async () => {
      const options = await page.$$eval('vscode-single-select[data-name="colorBy"] vscode-option', (items) => items.map((item) => item.getAttribute('value')));
      assert.deepEqual(options, ['label', 'cluster', 'latent', 'faithfulness', 'metadata:label', 'metadata:brightness', 'metadata:top', 'metadata:taken']);
    });
  });

  test('colouring by the label column draws a legend of the ten class names with 20 garments each', async () => {
    await check(page, 'embeddings-label', async () => {
      await choose(page, 'colorBy', 'metadata:label');
      await page.waitForFunction(() => document.querySelectorAll('.legend-item').length === 10);
      const names = await page.$$eval('.legend-item', (items) => items.map((item) => item.textContent ?? ''));
      for (const name of CLASSES) assert.ok(names.some((text) => text.startsWith(name)), `${name} in ${names.join(' | ')}`);
      assert.ok(names.every((text) => text.endsWith('20')), names.join(' | '));
    });
  });

  test('colouring by a boolean column gives false and true with their counts; no page errors', async () => {
    await check(page, 'embeddings-boolean', async () => {
      await choose(page, 'colorBy', 'metadata:top');
      await page.waitForFunction(() => [...document.querySelectorAll('.legend-item')].some((item) => item.textContent?.startsWith('true')));
      const names = await page.$$eval('.legend-item', (items) => items.map((item) => item.textContent ?? ''));
      assert.deepEqual(names.filter((text) => !text.startsWith('(missing)')), ['false120', 'true80']);
      assert.deepEqual(pageProblems(page), []);
    });
  });
});
