/* global fetch, AbortSignal */
// `npm run test:vscode` runs the integration suite in a VS Code that @vscode/test-electron
// downloads from Microsoft. Where that host cannot be reached the download would retry for
// minutes; probe it first, briefly, and say what to run instead.
import { existsSync, readdirSync } from 'node:fs';

const PROBE_URL = 'https://update.code.visualstudio.com/api/releases/stable';
const PROBE_TIMEOUT_MS = 5000;

const cacheDir = '.vscode-test';
const cached = existsSync(cacheDir) && readdirSync(cacheDir).some((name) => name.startsWith('vscode-'));
if (cached) process.exit(0);

try {
  const response = await fetch(PROBE_URL, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
} catch (error) {
  const reason = error instanceof Error ? (error.cause?.code ?? error.message) : String(error);
  console.error(
    `error: cannot download VS Code: ${PROBE_URL} could not be reached within ${PROBE_TIMEOUT_MS / 1000} s (${reason}).\n` +
      '  npm run test:vscode needs that download. On this machine run the same Mocha suite inside\n' +
      '  code-server instead: npm run test:integration',
  );
  process.exit(1);
}
