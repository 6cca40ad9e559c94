/**
 * Drives code-server's workbench the way a user does: the command palette (F1), quick picks, the
 * explorer's context menu, notifications, and the content of webviews (nested iframes).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { ARTIFACTS_DIR, type CodeServer } from './codeServer';

/** Escapes text for use inside a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Resolves with `probe`'s first non-null answer; fails naming `what` after `timeoutMs`. */
export async function poll<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** One browser tab showing the workbench on a folder. */
export class Workbench {
  private constructor(readonly page: Page) {}

  /** Opens the workbench on `folder` and waits until the explorer shows it. */
  static async open(browser: Browser, server: CodeServer, folder: string): Promise<Workbench> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}?folder=${encodeURIComponent(folder)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return new Workbench(page);
  }

  /** Runs a command by its palette title, e.g. "Latent Explorer: Open latent explorer". */
  async runCommand(title: string, timeoutMs = 60_000): Promise<void> {
    await this.choose(`>${title}`, title, { exact: true }, timeoutMs);
  }

  /** Opens a workspace file by its relative path through Quick Open. */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split('/');
    const name = parts.pop() ?? relativePath;
    // Without the leading '>' the palette is Quick Open. Several files share a name (every model
    // is a model.json): the row's description is its folder.
    await this.choose(relativePath, name, { rowText: parts.join('/') }, 60_000);
  }

  private get quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /**
   * Opens the palette (F1), types `query` and picks the row matching `label`, starting over until
   * `timeoutMs`: the palette lists an extension's commands only once the remote extension host has
   * scanned it, and a quick input closes when it loses focus, which a webview editor opened just
   * before takes when its page has loaded.
   */
  private async choose(query: string, label: string, options: { exact?: boolean; rowText?: string }, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.page.keyboard.press('F1');
        await this.quickInputBox.waitFor({ state: 'visible', timeout: 5_000 });
        await this.quickInputBox.fill(query);
        await this.pickQuickItem(label, { ...options, timeoutMs: 10_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the palette never offered "${label}" for "${query}" within ${timeoutMs} ms`, { cause: error });
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /**
   * Waits for a quick pick row whose label contains `label` (starts with it when `exact`) and,
   * when given, whose whole text (label, description, detail) contains `rowText`; chooses it.
   */
  async pickQuickItem(label: string | RegExp, options: { exact?: boolean; rowText?: string; timeoutMs?: number } = {}): Promise<void> {
    const pattern = typeof label === 'string' ? new RegExp(options.exact ? `^${escapeRegExp(label)}` : escapeRegExp(label)) : label;
    let row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({
      has: this.page.locator('.quick-input-list-label .label-name, .monaco-highlighted-label', { hasText: pattern }),
    });
    if (options.rowText) row = row.filter({ hasText: options.rowText });
    await row.first().waitFor({ state: 'visible', timeout: options.timeoutMs ?? 30_000 });
    await row.first().click();
  }

  /**
   * Waits for a save dialog to propose a path ending in `fileName`, accepts it and returns it.
   * code-server's save dialog is VS Code's "simple file dialog": a quick input that shows the
   * folder first and the whole path once it has read the folder; Enter accepts.
   */
  async acceptSaveDialog(fileName: string, timeoutMs = 30_000): Promise<string> {
    await this.quickInputBox.waitFor({ state: 'visible', timeout: timeoutMs });
    let shown = '';
    const path = await poll(
      `the save dialog to propose …/${fileName}`,
      async () => {
        shown = await this.quickInputBox.inputValue();
        return shown.endsWith(`/${fileName}`) ? shown : null;
      },
      timeoutMs,
    ).catch((error: unknown) => {
      throw new Error(`the save dialog shows "${shown}"`, { cause: error });
    });
    await this.page.keyboard.press('Enter');
    return path;
  }

  /**
   * Opens `relativePath` in a text editor, reveals it in the explorer and right-clicks its row,
   * then chooses `menuItem` from the context menu.
   */
  async explorerContextMenu(relativePath: string, menuItem: string): Promise<void> {
    await this.openFile(relativePath);
    await this.runCommand('File: Reveal Active File in Explorer View');
    const name = relativePath.split('/').pop() ?? relativePath;
    const row = this.page.locator('.explorer-folders-view .monaco-list-row.selected', { hasText: name });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    // Context menus render in a shadow root; Playwright's CSS engine pierces open shadow roots.
    const item = this.page.locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: new RegExp(`^${escapeRegExp(menuItem)}$`) });
    // On a loaded machine a click on the item sometimes comes to nothing: the menu stays open with
    // the item highlighted. Running the item closes the menu; until it has, open the menu afresh.
    const deadline = Date.now() + 45_000;
    for (;;) {
      await row.first().click({ button: 'right' });
      try {
        await item.first().click({ timeout: 15_000 });
        await item.first().waitFor({ state: 'hidden', timeout: 5_000 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the context menu of ${relativePath} never ran "${menuItem}"`, { cause: error });
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** The frame of a webview whose document matches `selector` (webviews are nested iframes). */
  webviewFrame(selector: string, timeoutMs = 60_000): Promise<Frame> {
    return poll(
      `a webview frame with ${selector}`,
      async () => {
        for (const frame of this.page.frames()) {
          if (frame === this.page.mainFrame()) continue;
          const count = await frame.locator(selector).count().catch(() => 0);
          if (count > 0) return frame;
        }
        return null;
      },
      timeoutMs,
    );
  }

  /** Texts of the elements matching `selector` in every webview frame. */
  async webviewTexts(selector: string): Promise<string[]> {
    const texts: string[] = [];
    for (const frame of this.page.frames()) {
      if (frame === this.page.mainFrame()) continue;
      texts.push(...(await frame.locator(selector).allInnerTexts().catch(() => [])));
    }
    return texts;
  }

  /** Texts of the visible notification toasts. */
  async notificationTexts(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** Closes every editor (and the webview panels in them). */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
  }

  /** Saves a screenshot to .test-artifacts/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
