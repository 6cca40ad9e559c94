/**
 * Runs the Mocha integration suite (out/integration/suite, built by build.mjs) inside
 * code-server's real Node extension host, the way VS Code's own browser integration tests do:
 * the workbench URL's `payload` names the extension under development and the tests as
 * `vscode-remote://` URIs, and the workbench calls `window.codeAutomationExit(code)` when the
 * extension host's test run ends. Exits with that code.
 *
 * Usage: node --import tsx test/integration/runInCodeServer.ts
 */
import { existsSync } from 'node:fs';
import { format } from 'node:util';
import { join } from 'node:path';
import { ARTIFACTS_DIR, CodeServer, REPO_ROOT, codeServerLauncher, launchChromium } from '../e2e/harness/codeServer';

const SUITE_DIR = join(REPO_ROOT, 'out', 'integration', 'suite');
const RUN_TIMEOUT_MS = Number(process.env.INTEGRATION_TIMEOUT_MS ?? 5 * 60_000);

async function main(): Promise<number> {
  if (!existsSync(join(SUITE_DIR, 'index.js'))) throw new Error(`no built suite in ${SUITE_DIR}: run \`node test/integration/build.mjs\``);
  if (!existsSync(join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('no dist/extension.js: run `npm run build`');

  const server = await CodeServer.start(codeServerLauncher(), { name: 'integration', extensionTestsFromPayload: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => console.error(`workbench page error: ${error.message}`));

    const exitCode = new Promise<number>((done) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => done(code));
    });
    // The workbench forwards the extension host's console here, Mocha's reporter included, as
    // printf-style arguments. Offline gallery lookups fail by design: keep them out of the log.
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = format(...args);
      if (type === 'info' || type === 'log') console.log(text);
      else if (!/ENOTFOUND|ERR_NAME_NOT_RESOLVED/.test(text)) console.error(`[${type}] ${text}`);
    });

    const payload = [
      ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', server.remoteUri(SUITE_DIR)],
      ['skipWelcome', 'true'],
    ];
    // No folder: the suite checks what the extension does without a workspace.
    await page.goto(`${server.url}?payload=${encodeURIComponent(JSON.stringify(payload))}`);

    const timeout = new Promise<number>((done) =>
      setTimeout(() => {
        console.error(`integration suite: no result after ${RUN_TIMEOUT_MS / 1000} s`);
        done(124);
      }, RUN_TIMEOUT_MS).unref(),
    );
    const code = await Promise.race([exitCode, timeout]);
    if (code !== 0) {
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'integration-failure.png') }).catch(() => undefined);
      console.error(`integration suite failed (exit code ${code}); code-server log: ${server.logFile}, screenshot: ${join(ARTIFACTS_DIR, 'integration-failure.png')}`);
    }
    return code;
  } finally {
    await browser.close();
    server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
