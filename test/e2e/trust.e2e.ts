/**
 * Workspace trust in a real VS Code: code-server with trust on and its prompt off, so a fresh
 * folder opens in Restricted Mode. The extension declares `untrustedWorkspaces: limited` (it reads
 * models as data), so its commands and its inspector still work on a folder nobody trusted.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CodeServer, REPO_ROOT, VSIX_PATH, codeServerLauncher, launchChromium } from './harness/codeServer';
import { Workbench } from './harness/workbench';

let server: CodeServer;
let browser: Browser;
let workbench: Workbench;

describe('Latent Explorer in an untrusted folder (Restricted Mode)', { timeout: 10 * 60_000 }, () => {
  before(async () => {
    assert.ok(existsSync(VSIX_PATH), `no .vsix at ${VSIX_PATH}: run \`npm run package\` first`);
    server = await CodeServer.start(codeServerLauncher(), { name: 'trust', vsix: VSIX_PATH, workspaceTrust: true });
    const folder = join(server.scratchDir, 'untrusted');
    mkdirSync(folder, { recursive: true });
    // The sample with the dataset its latent-explorer.json names (../data/mnist-test-2000).
    for (const part of ['mnist-dense', 'data/mnist-test-2000']) cpSync(join(REPO_ROOT, 'sample-models', part), join(folder, part), { recursive: true });
    browser = await launchChromium();
    workbench = await Workbench.open(browser, server, folder);
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  it('the folder opens in Restricted Mode, and right-click model.json → "Inspect autoencoder" shows the layer table', async () => {
    try {
      await workbench.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
      await workbench.explorerContextMenu('mnist-dense/model.json', 'Inspect autoencoder');
      const inspector = await workbench.webviewFrame('table.layer-table tbody tr', 120_000);
      assert.ok((await inspector.locator('table.layer-table tbody tr').count()) >= 6);
    } catch (error) {
      const shot = await workbench?.screenshot('e2e-trust').catch(() => 'none');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nscreenshot: ${shot}; code-server log: ${server?.logFile}`, { cause: error });
    }
  });
});
