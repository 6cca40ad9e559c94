/**
 * End to end in a real VS Code: code-server with the extension installed from the packaged .vsix
 * (out/latent-explorer.vsix, `npm run package`), a throwaway workspace, and Chromium clicking
 * through the workbench as a user would. A failed scenario leaves a screenshot in .test-artifacts/.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Frame } from 'playwright-core';
import { CodeServer, REPO_ROOT, VSIX_PATH, codeServerLauncher, launchChromium } from './harness/codeServer';
import { Workbench, poll } from './harness/workbench';
import { pointPixels } from '../webview/pixels';

const EXTENSION_FOLDER_PREFIX = 'latent-explorer.latent-explorer-';
const SAMPLE_MODELS = join(REPO_ROOT, 'sample-models');
// Third-party models beside the repository (absent on a fresh machine: those scenarios skip).
const FIXTURE_MODELS = resolve(REPO_ROOT, '../shared/fixtures/models');
const FIXTURE_MODEL = 'reiinakano-denoising-conv-ae';
// A PyTorch export holding the whole dense AE in one graph (784 → 3 → 784), from the other formats' fixtures.
const FIXTURE_ONNX = resolve(REPO_ROOT, '../shared/fixtures/models-other/onnx/meanzar-mnist-dense-ae/mnist_autoencoder.onnx');

let server: CodeServer;
let browser: Browser;
let workbench: Workbench;
let workspace: string;
/** The explorer webview opened from the palette; the brushing and panel scenarios continue in it. */
let explorer: Frame | undefined;

/** A test body that saves a screenshot when it fails, and names it in the error. */
function scenario(name: string, body: (t: TestContext) => Promise<void>): void {
  it(name, async (t) => {
    try {
      await body(t);
    } catch (error) {
      const shot = await workbench?.screenshot(`e2e-${name}`).catch(() => 'none (the page is gone)');
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\nscreenshot: ${shot}; code-server log: ${server?.logFile}`, { cause: error });
    }
  });
}

/** The workspace a user would have: the bundled samples, a third-party model, and room for a corrupt one. */
function prepareWorkspace(root: string): string {
  const folder = join(root, 'workspace');
  mkdirSync(folder, { recursive: true });
  if (existsSync(SAMPLE_MODELS)) cpSync(SAMPLE_MODELS, join(folder, 'sample-models'), { recursive: true });
  if (existsSync(join(FIXTURE_MODELS, FIXTURE_MODEL))) cpSync(join(FIXTURE_MODELS, FIXTURE_MODEL), join(folder, 'fixtures', FIXTURE_MODEL), { recursive: true });
  if (existsSync(FIXTURE_ONNX)) cpSync(FIXTURE_ONNX, join(folder, 'fixtures', 'onnx', 'mnist_autoencoder.onnx'));
  return folder;
}

describe('Latent Explorer in code-server, installed from the .vsix', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    assert.ok(existsSync(VSIX_PATH), `no .vsix at ${VSIX_PATH}: run \`npm run package\` first`);
    server = await CodeServer.start(codeServerLauncher(), { name: 'e2e', vsix: VSIX_PATH });
    workspace = prepareWorkspace(server.scratchDir);
    browser = await launchChromium();
    workbench = await Workbench.open(browser, server, workspace);
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  scenario('code-server --install-extension puts the bundles, the wasm binaries and the samples in place', async () => {
    const installed = readdirSync(server.extensionsDir).filter((name) => name.startsWith(EXTENSION_FOLDER_PREFIX));
    assert.equal(installed.length, 1, `expected one ${EXTENSION_FOLDER_PREFIX}* folder in ${server.extensionsDir}, found ${readdirSync(server.extensionsDir).join(', ')}`);
    const root = join(server.extensionsDir, installed[0]!);
    // onnxruntime-web's loader and binary sit beside the bundles, where src/core/model/onnx/runtime.ts looks.
    for (const file of ['package.json', 'dist/extension.js', 'dist/webview.js', 'dist/ort-wasm-simd-threaded.mjs', 'dist/ort-wasm-simd-threaded.wasm']) {
      assert.ok(existsSync(join(root, file)), `${file} missing from the installed extension`);
    }
    const wasmFolder = join(root, 'dist', 'wasm');
    const wasm = existsSync(wasmFolder) ? readdirSync(wasmFolder).filter((name) => name.endsWith('.wasm')) : [];
    assert.ok(wasm.includes('tfjs-backend-wasm.wasm') && wasm.includes('tfjs-backend-wasm-simd.wasm'), `dist/wasm holds only: ${wasm.join(', ') || 'nothing'}`);
    assert.ok(existsSync(join(root, 'sample-models')), 'sample-models/ missing from the installed extension');
    for (const source of ['src', 'test', 'node_modules', 'webview']) {
      assert.ok(!existsSync(join(root, source)), `${source}/ should not be packaged`);
    }
  });

  scenario('"Latent Explorer: Open latent explorer" from the command palette shows the explorer webview', async () => {
    await workbench.runCommand('Latent Explorer: Open latent explorer');
    // Step 1 picks the model (the workspace's model.json files first, then the bundled samples),
    // step 2 the data (the model's default first).
    await workbench.pickQuickItem(/^mnist-dense$/);
    await workbench.pickQuickItem(/./);
    explorer = await workbench.webviewFrame('body[data-view="explorer"] .plot', 120_000);
    await explorer.locator('.legend-item').first().waitFor({ state: 'visible', timeout: 120_000 });
    // The status says "PCA running…" until the layout arrives, and only then are there points to brush.
    const status = explorer.locator('.pane-status', { hasText: /^PCA 2-D · trustworthiness \d/ });
    await status.first().waitFor({ state: 'visible', timeout: 120_000 });
    const trustworthiness = Number(/trustworthiness ([\d.]+)/.exec(await status.first().innerText())?.[1]);
    assert.ok(trustworthiness > 0.5 && trustworthiness <= 1, `PCA trustworthiness ${trustworthiness}`);
    // The installed extension has no node_modules (no tfjs-node): wasm is the best backend it can
    // have, and a fallback to cpu means the packaged wasm binaries are missing or do not load.
    assert.match(await explorer.locator('.brand-notes').innerText(), /backend wasm/);
  });

  scenario('brushing points in the explorer shows originals beside their reconstructions, with errors', async () => {
    assert.ok(explorer, 'the explorer did not open');
    const plot = await explorer.locator('.plot').first().boundingBox();
    assert.ok(plot, 'the plot has no size');
    // Frame elements report page coordinates, so the page's mouse can brush inside the webview.
    const { page } = workbench;
    await page.mouse.move(plot.x + plot.width * 0.2, plot.y + plot.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.8, plot.y + plot.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await explorer.locator('.sample-card').first().waitFor({ state: 'visible', timeout: 60_000 });
    const summary = await explorer.locator('.selection-summary').innerText();
    const selected = Number(summary.split(' ')[0]?.replace(/,/g, ''));
    assert.ok(selected > 0, `selection summary: ${summary}`);
    assert.equal(await explorer.locator('.sample-card').first().locator('canvas').count(), 2, 'an original and its reconstruction');
    const errors = (await explorer.locator('.card-error').allInnerTexts()).map(Number);
    assert.ok(errors.length > 0 && errors.every((e) => Number.isFinite(e) && e > 0), `reconstruction errors: ${errors.slice(0, 5)}`);
  });

  scenario('the denoise panel shows clean, noisy and reconstructed samples with their errors', async () => {
    assert.ok(explorer, 'the explorer did not open');
    await explorer.locator('vscode-tab-header[data-tab="denoise"]').click();
    await explorer.locator('vscode-button[data-name="denoise"]').click();
    const row = explorer.locator('.denoise-row:not(.denoise-head)').first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    const errors = await explorer.locator('.denoise-errors').first().innerText();
    const numbers = errors.match(/[\d.]+(?:e-?\d+)?/g)?.map(Number) ?? [];
    assert.equal(numbers.length, 2, `"noisy → reconstructed" errors: ${errors}`);
    assert.ok(numbers.every((n) => Number.isFinite(n) && n > 0), `errors: ${errors}`);
  });

  scenario('the activations panel shows a heatmap and per-unit statistics', async () => {
    assert.ok(explorer, 'the explorer did not open');
    await explorer.locator('vscode-tab-header[data-tab="activations"]').click();
    await explorer.locator('.heatmap').first().waitFor({ state: 'visible', timeout: 60_000 });
    const stats = await explorer.locator('.activation-stats .stat-value').allInnerTexts();
    assert.ok(stats.length > 0, 'no activation statistics');
    assert.ok(stats.some((value) => /\d/.test(value)), `statistics: ${stats.join(', ')}`);
  });

  scenario('exporting the selection\'s codes from Tools writes them where VS Code\'s save dialog says', async () => {
    assert.ok(explorer, 'the explorer did not open');
    const selected = Number((await explorer.locator('.selection-summary').innerText()).split(' ')[0]?.replace(/,/g, ''));
    assert.ok(selected > 0, 'the brushing scenario left a selection');
    await explorer.locator('vscode-tab-header[data-tab="tools"]').click();
    await explorer.locator('vscode-button[data-name="export"]').click();
    // The host proposes the session's file name in the model's workspace folder.
    const file = await workbench.acceptSaveDialog(`mnist-dense-codes-${selected}.csv`);
    assert.equal(file, join(workspace, `mnist-dense-codes-${selected}.csv`));
    const text = await poll(`${file} to be written`, async () => (existsSync(file) ? readFileSync(file, 'utf8') : null), 30_000);
    const [header, ...rows] = text.trimEnd().split('\n');
    assert.equal(header, ['index', 'label', 'reconstruction_error', ...Array.from({ length: 16 }, (_, c) => `z${c}`)].join(','));
    assert.equal(rows.length, selected, 'one row per selected sample');
    for (const row of rows) {
      const [index, label, error, ...code] = row.split(',').map(Number);
      assert.ok(Number.isInteger(index) && Number.isInteger(label) && error! > 0, `row: ${row}`);
      assert.ok(code.length === 16 && code.every(Number.isFinite) && code.some((z) => z !== 0), `codes: ${row}`);
    }
  });

  scenario('"Save session" writes a .latent-session.json, and right-click → "Open saved session" reopens the view with its selection', async () => {
    assert.ok(explorer, 'the explorer did not open');
    const summary = await explorer.locator('.selection-summary').innerText();
    const selected = Number(summary.split(' ')[0]?.replace(/,/g, ''));
    assert.ok(selected > 0, 'the brushing scenario left a selection');
    await explorer.locator('vscode-button[data-name="save-session"]').click();
    const file = await workbench.acceptSaveDialog('mnist-dense.latent-session.json');
    const saved = JSON.parse(await poll(`${file} to be written`, async () => (existsSync(file) ? readFileSync(file, 'utf8') : null), 30_000)) as Record<string, unknown>;
    assert.equal(saved.view, 'explorer');
    assert.equal((saved.selection as number[]).length, selected);
    assert.equal((saved.ui as { method: string }).method, 'pca');

    await workbench.closeAllEditors();
    await workbench.explorerContextMenu('mnist-dense.latent-session.json', 'Open saved session');
    const reopened = await workbench.webviewFrame('body[data-view="explorer"] .plot', 120_000);
    await reopened.locator('.sample-card').first().waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await reopened.locator('.selection-summary').innerText(), summary.replace(/ · loading…$/, ''));
    explorer = reopened;
  });

  scenario('UMAP runs in the extension host\'s projection worker (the WebAssembly kernels on shared memory) and ends with its trustworthiness', async () => {
    assert.ok(explorer, 'the explorer did not open');
    await explorer.locator('vscode-single-select[data-name="method"]').evaluate((select) => {
      (select as HTMLElement & { value: string }).value = 'umap';
      select.dispatchEvent(new Event('change'));
    });
    await explorer.locator('vscode-button[data-name="run"]').click();
    const status = explorer.locator('.pane-status', { hasText: /^UMAP 2-D · trustworthiness \d/ });
    await status.first().waitFor({ state: 'visible', timeout: 120_000 });
    const trustworthiness = Number(/trustworthiness ([\d.]+)/.exec(await status.first().innerText())?.[1]);
    // 2,000 MNIST test images' codes: a working UMAP keeps nearly all their neighbourhoods.
    assert.ok(trustworthiness > 0.9 && trustworthiness <= 1, `UMAP trustworthiness ${trustworthiness}`);
  });

  scenario('right-click model.json → "Inspect autoencoder" shows the layer table', async () => {
    await workbench.closeAllEditors();
    await workbench.explorerContextMenu('sample-models/mnist-dense/model.json', 'Inspect autoencoder');
    const inspector = await workbench.webviewFrame('table.layer-table tbody tr', 90_000);
    const rows = await inspector.locator('table.layer-table tbody tr').count();
    assert.ok(rows >= 3, `the layer table shows ${rows} rows`);
    const split = await inspector.locator('.split').innerText();
    assert.match(split, /code/);
  });

  scenario('"Inspect autoencoder" on a third-party TF.js model shows its layers', async (t) => {
    if (!existsSync(join(workspace, 'fixtures', FIXTURE_MODEL))) {
      t.skip(`fixture ${FIXTURE_MODEL} not found beside the repository (${FIXTURE_MODELS})`);
      return;
    }
    await workbench.closeAllEditors();
    await workbench.explorerContextMenu(`fixtures/${FIXTURE_MODEL}/model.json`, 'Inspect autoencoder');
    const inspector = await workbench.webviewFrame('table.layer-table tbody tr', 90_000);
    assert.match(await inspector.locator('table.layer-table').innerText(), /Conv2D/);
  });

  scenario('right-click an .onnx file → "Inspect autoencoder" shows its code size and the ONNX runtime that ran it', async (t) => {
    if (!existsSync(join(workspace, 'fixtures', 'onnx'))) {
      t.skip(`fixture ${FIXTURE_ONNX} not found beside the repository`);
      return;
    }
    await workbench.closeAllEditors();
    await workbench.explorerContextMenu('fixtures/onnx/mnist_autoencoder.onnx', 'Inspect autoencoder');
    const inspector = await workbench.webviewFrame('body[data-view="inspect"] .split', 90_000);
    assert.match(await inspector.locator('.split-code').innerText(), /· 3 dims \[3\]/);
    // The installed extension has no onnxruntime-node: the WebAssembly runtime shipped in dist/ runs it.
    assert.match(await inspector.locator('.brand-notes').innerText(), /runtime onnxruntime-web \d/);
  });

  scenario('"Latent Explorer: Compare checkpoints" shows both checkpoints side by side with drift and summary numbers', async () => {
    await workbench.closeAllEditors();
    await workbench.runCommand('Latent Explorer: Compare checkpoints');
    await workbench.pickQuickItem(/^mnist-dense-epoch1$/);
    await workbench.pickQuickItem(/^mnist-dense$/);
    await workbench.pickQuickItem(/./);
    const compare = await workbench.webviewFrame('body[data-view="compare"] .plot', 120_000);
    // The side panel opens on the selection; the summary numbers and top movers are on their own tab.
    await compare.locator('vscode-tab-header[data-tab="summary"]').click();
    await compare.locator('.mover').first().waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await compare.locator('.plot').count(), 2, 'two panes');
    const stats = await compare.locator('table.compare-stats').innerText();
    assert.match(stats, /\d\.\d/, `summary numbers: ${stats}`);
    const drift = await compare.locator('.mover-drift').first().innerText();
    assert.match(drift, /drift \d/, drift);
    // Training from epoch 1 to the end made some digits reconstruct better: they are listed, largest gain first.
    const gains = (await compare.locator('.mover-list.better .mover-drift').allInnerTexts()).map(Number);
    assert.ok(gains.length > 0 && gains.every((d, i) => d < 0 && (i === 0 || gains[i - 1] <= d)), `better in B: ${gains}`);

    // Linked selection both ways: a brush in either pane selects the samples in both (the other
    // pane fades what is not selected) and lists them as input | reconstruction A | B.
    await compare.locator('vscode-tab-header[data-tab="selection"]').click();
    // The summary can arrive before the layouts; only once both panes have points is there anything to brush.
    const laidOut = compare.locator('.pane-status', { hasText: /^PCA 2-D · trustworthiness \d/ });
    await poll('both panes laid out', async () => ((await laidOut.count()) === 2 ? true : null), 120_000);
    const { page } = workbench;
    const pointAlphas = (pane: number) => pointPixels(compare, `.scatter-canvas >> nth=${pane}`);
    for (const [brushed, linked] of [[1, 0], [0, 1]] as const) {
      assert.equal((await pointAlphas(linked)).faded, 0, `pane ${linked} fades nothing before the brush`);
      const box = await compare.locator('.plot').nth(brushed).boundingBox();
      assert.ok(box, `pane ${brushed} has no size`);
      // From the lower left, inside the axes (the brush does not start in their margins), up to the
      // centre: the legend sits in the upper part and takes the mouse there.
      await page.mouse.move(box.x + 60, box.y + box.height - 60);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.45, { steps: 8 });
      await page.mouse.up();
      await compare.locator('.sample-card').first().waitFor({ state: 'visible', timeout: 60_000 });
      const summary = await compare.locator('.selection-summary').innerText();
      assert.ok(Number(summary.split(' ')[0]?.replace(/,/g, '')) > 0, `brush in pane ${brushed}: ${summary}`);
      assert.equal(await compare.locator('.sample-card').first().locator('canvas').count(), 3, 'input, A and B');
      const linkedPixels = await pointAlphas(linked);
      assert.ok(linkedPixels.opaque > 0 && linkedPixels.faded > 0, `pane ${linked} shows the selection from pane ${brushed}: ${JSON.stringify(linkedPixels)}`);

      // A click outside the rectangle clears the selection in both panes.
      await page.mouse.click(box.x + box.width - 20, box.y + box.height - 40);
      await compare.locator('.sample-card').first().waitFor({ state: 'detached', timeout: 30_000 });
      await poll(`pane ${linked} to drop the selection`, async () => ((await pointAlphas(linked)).faded === 0 ? true : null), 10_000);
    }
  });

  scenario('a corrupt model.json shows a clear error and VS Code keeps working', async () => {
    await workbench.closeAllEditors();
    mkdirSync(join(workspace, 'broken'), { recursive: true });
    // Written into the throwaway workspace only: truncated JSON, as an interrupted save leaves it.
    writeFileSync(join(workspace, 'broken', 'model.json'), '{"format": "layers-model", "modelTopology": {"class_name": "Sequ');
    await workbench.explorerContextMenu('broken/model.json', 'Inspect autoencoder');
    // The error may be shown inline in the inspector, as a notification, or both.
    const message = await poll(
      'an error about broken/model.json',
      async () => {
        const notices = await workbench.notificationTexts();
        const inline = await workbench.webviewTexts('.error-banner .error-row');
        return [...inline, ...notices].find((text) => /model\.json/.test(text)) ?? null;
      },
      90_000,
    );
    assert.match(message, /JSON|parse|invalid|corrupt|unexpected|truncated/i, `the error does not say what is wrong: ${message}`);

    // The workbench still answers: the good model inspects as before.
    await workbench.closeAllEditors();
    await workbench.explorerContextMenu('sample-models/mnist-dense/model.json', 'Inspect autoencoder');
    await workbench.webviewFrame('table.layer-table tbody tr', 90_000);
  });
});
