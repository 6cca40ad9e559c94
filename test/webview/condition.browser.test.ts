/**
 * The condition picker in Chromium with the real session worker, on a CVAE pair built here (its
 * decoder takes a one-hot digit beside the code): the picker lists the dataset's classes, and a
 * traversal decoded as another class draws other images; the same class again draws the same.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { bundledSamplesRoot } from '../../src/cli/samples';
import { initBackend } from '../../src/core/model';
import { saveCvaePair } from '../unit/model-helpers';
import { check, choose, openServedExplorer, pageProblems, type ServedExplorer } from './browser';

const TRAVERSAL_FRAMES = '.tool-section:has(vscode-button[data-name="traverse"]) .frames-strip canvas';

/** The traversal's frames as one string of PNG data URLs, once they differ from `previous`. */
async function traversalAfter(page: Page, previous: string): Promise<string> {
  await page.click('vscode-button[data-name="traverse"]');
  const handle = await page.waitForFunction(
    ({ selector, before }) => {
      const drawn = Array.from(document.querySelectorAll<HTMLCanvasElement>(selector), (canvas) => canvas.toDataURL()).join();
      return drawn && drawn !== before ? drawn : null;
    },
    { selector: TRAVERSAL_FRAMES, before: previous },
  );
  return (await handle.jsonValue()) as string;
}

describe('condition picker on a CVAE pair with the real session worker (Chromium)', () => {
  let folder: string;
  let explorer: ServedExplorer;
  let page: Page;

  before(async () => {
    await initBackend();
    folder = await saveCvaePair();
    explorer = await openServedExplorer(folder, join(bundledSamplesRoot(), 'data', 'mnist-test-2000'));
    page = explorer.page;
  });
  after(async () => {
    await explorer?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test("the picker lists the dataset's classes, and a traversal decoded as class 3 differs from class 0", async () => {
    await check(page, 'condition-picker', async () => {
      await page.click('vscode-tab-header[data-tab="tools"]');
      const names = await page.locator('vscode-single-select[data-name="condition"] vscode-option').allTextContents();
      assert.deepEqual(names, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const asZero = await traversalAfter(page, '');
      await choose(page, 'condition', '3');
      const asThree = await traversalAfter(page, asZero);
      assert.notEqual(asThree, asZero);
      await choose(page, 'condition', '0');
      assert.equal(await traversalAfter(page, asThree), asZero, 'class 0 again draws the first frames');
      assert.deepEqual(pageProblems(page), []);
    });
  });
});
