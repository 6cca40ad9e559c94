// Callbacks handed to page.evaluate run in Chromium, so this file needs the DOM types.
/// <reference lib="dom" />
/**
 * Shared set-up for the browser tests and the render benchmark: the real `serve` bridge with the
 * harness session behind it, and headless Debian Chromium driven by playwright-core.
 */
import type { SessionRestore } from '../../src/shared/sessionFile';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve, type RunningServer } from '../../src/cli/serve';
import { startHarnessSession, type HarnessOptions } from './harness';

export const repoRoot = resolve(__dirname, '../..');
export const artifacts = join(repoRoot, '.test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** `serve` on a free port with a harness session per browser tab. */
export async function startHarnessServer(harness: HarnessOptions = {}, modelPaths = ['harness/model.json'], restore?: SessionRestore): Promise<RunningServer> {
  return serve({
    modelPaths,
    dataPath: 'harness/mnist',
    view: harness.view,
    restore,
    startSession: (options) => startHarnessSession(harness, options),
  });
}

/** Opens the page and waits until the first layout is drawn. */
export async function openExplorer(browser: Browser, url: string, viewport = { width: 1400, height: 860 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(url);
  await page.waitForSelector('.scatter-canvas', { timeout: 20_000 });
  await page.waitForFunction(() => /PCA [23]-D/.test(document.querySelector('.pane-status')?.textContent ?? ''), undefined, { timeout: 20_000 });
  return page;
}

/** The explorer on a real model and dataset: `serve` with the product's session worker, and a page on it. */
export interface ServedExplorer {
  page: Page;
  close(): Promise<void>;
}

export async function openServedExplorer(modelPath: string, dataPath: string): Promise<ServedExplorer> {
  const server = await serve({ modelPaths: [modelPath], dataPath });
  const browser = await launchBrowser();
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    return { page: await openExplorer(browser, server.url), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Problems (page errors, console errors, CSP violations) the page reported so far. */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/** Saves a screenshot under .test-artifacts/ (on failure, and for the README). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Runs a check; on failure saves a screenshot named `failed-<name>` before rethrowing. */
export async function check(page: Page, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    await screenshot(page, `failed-${name}`).catch(() => {});
    throw error;
  }
}

/** Picks a value in a named dropdown (`data-name`), as a user's choice would. */
export async function choose(page: Page, name: string, value: string): Promise<void> {
  await page.$eval(
    `vscode-single-select[data-name="${name}"]`,
    (select, chosen) => {
      (select as HTMLElement & { value: string }).value = chosen;
      select.dispatchEvent(new Event('change'));
    },
    value,
  );
}

/** The count the selection panel reports once a selection has arrived. */
export async function selectedCount(page: Page): Promise<number> {
  await page.waitForFunction(() => /^\d[\d,]* selected/.test(document.querySelector('.selection-summary')?.textContent ?? ''));
  const text = (await page.textContent('.selection-summary')) ?? '';
  return Number(text.split(' ')[0].replace(/,/g, ''));
}

/** Drags the mouse across an element, between fractions of its box. */
export async function drag(page: Page, selector: string, from: [number, number], to: [number, number]): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 6 });
  await page.mouse.up();
}
