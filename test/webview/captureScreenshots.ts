/**
 * Captures the README's screenshots with the real session on the bundled samples:
 * explorer (dark and light, UMAP with a brushed selection), the explorer with the raw-input
 * baseline beside the codes, compare (the two checkpoints) and the model inspector. Writes
 * media/screenshots/*.png.
 *
 *   node --import tsx test/webview/captureScreenshots.ts      (needs `npm run build` and /usr/bin/chromium)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serve } from '../../src/cli/serve';
import { bundledSample, bundledSamplesRoot } from '../../src/cli/samples';
import { launchBrowser, openExplorer, repoRoot } from './browser';

const folder = join(repoRoot, 'media', 'screenshots');
const viewport = { width: 1440, height: 880 };

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((value) => localStorage.setItem('latent-explorer-theme', value), theme);
  await page.reload();
  // The restored state may already be running t-SNE/UMAP: any status means the first layout is up.
  await page.waitForFunction(() => (document.querySelector('.pane-status')?.textContent ?? '') !== '');
}

/** Runs t-SNE or UMAP unless the restored state already did; waits for the final layout. */
async function runMethod(page: Page, method: 'umap' | 'tsne'): Promise<void> {
  const name = method === 'umap' ? 'UMAP' : 't-SNE';
  const finished = (label: string) => {
    const statuses = document.querySelectorAll('.pane-status');
    return new RegExp(`${label} 2-D · trustworthiness`).test(statuses[statuses.length - 1]?.textContent ?? '');
  };
  await page.waitForSelector('vscode-button[data-name="run"]:not([disabled])', { timeout: 180_000 });
  if (await page.evaluate(finished, name)) return;
  await page.$eval(
    'vscode-single-select[data-name="method"]',
    (select, value) => {
      (select as HTMLElement & { value: string }).value = value;
      select.dispatchEvent(new Event('change'));
    },
    method,
  );
  await page.click('vscode-button[data-name="run"]');
  await page.waitForFunction(finished, name, { timeout: 180_000 });
}

async function brush(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const box = (await page.locator('.plot').first().boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 6 });
  await page.mouse.up();
  await page.waitForSelector('.sample-card');
  await page.waitForTimeout(400);
}

async function explorer(browser: Browser): Promise<void> {
  const sample = bundledSample();
  const server = await serve({ modelPaths: [sample.model], dataPath: sample.data });
  try {
    const page = await openExplorer(browser, server.url, viewport);
    for (const theme of ['dark', 'light'] as const) {
      await setTheme(page, theme);
      await runMethod(page, 'umap');
      await brush(page, [0.3, 0.3], [0.55, 0.6]);
      await page.mouse.move(10, 10);
      await page.screenshot({ path: join(folder, `explorer-${theme}.png`) });
    }
  } finally {
    await server.close();
  }
}

/** UMAP of the codes beside UMAP of the pixels, with the label separability of both. */
async function baseline(browser: Browser): Promise<void> {
  const sample = bundledSample();
  const server = await serve({ modelPaths: [sample.model], dataPath: sample.data });
  try {
    const page = await openExplorer(browser, server.url, viewport);
    await setTheme(page, 'dark');
    await page.click('vscode-button[data-name="baseline"]');
    await runMethod(page, 'umap');
    await page.waitForSelector('.separability td');
    await page.mouse.move(10, 10);
    await page.screenshot({ path: join(folder, 'explorer-baseline-dark.png') });
  } finally {
    await server.close();
  }
}

async function compare(browser: Browser): Promise<void> {
  const root = bundledSamplesRoot();
  const server = await serve({ modelPaths: [join(root, 'mnist-dense-epoch1'), join(root, 'mnist-dense')], dataPath: bundledSample().data });
  try {
    const page = await openExplorer(browser, server.url, viewport);
    await setTheme(page, 'dark');
    await page.waitForFunction(() => /PCA [23]-D/.test(document.querySelectorAll('.pane-status')[1]?.textContent ?? ''));
    await runMethod(page, 'umap');
    await brush(page, [0.3, 0.3], [0.5, 0.5]);
    await page.mouse.move(10, 10);
    await page.screenshot({ path: join(folder, 'compare-dark.png') });
  } finally {
    await server.close();
  }
}

async function inspect(browser: Browser): Promise<void> {
  const server = await serve({ modelPaths: [bundledSample().model], view: 'inspect' });
  try {
    const page = await browser.newPage({ viewport });
    await page.goto(server.url);
    await page.evaluate(() => localStorage.setItem('latent-explorer-theme', 'dark'));
    await page.reload();
    await page.waitForSelector('.layer-table');
    await page.screenshot({ path: join(folder, 'inspect-dark.png') });
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const browser = await launchBrowser();
  try {
    await explorer(browser);
    await baseline(browser);
    await compare(browser);
    await inspect(browser);
  } finally {
    await browser.close();
  }
  console.log(`screenshots in ${folder}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
