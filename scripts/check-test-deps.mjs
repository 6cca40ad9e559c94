// First step of `npm test`: the browser and end-to-end suites need Debian's chromium and a cached
// code-server. Without them the suite would run for minutes and then fail deep inside Playwright
// (or start a 6-minute code-server build), so stop at once with the one command that fixes it.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The version install-code-server.sh installs, read from it so the two cannot drift apart. */
function codeServerVersion() {
  const script = readFileSync(join(root, 'scripts', 'ci', 'install-code-server.sh'), 'utf8');
  return /^CODE_SERVER_VERSION=(\S+)$/m.exec(script)?.[1];
}

/** Where install-code-server.sh leaves a finished install (the same cache root it computes). */
function codeServerInstalled() {
  if (process.env.CODE_SERVER_BIN) return existsSync(process.env.CODE_SERVER_BIN);
  const cacheRoot = process.env.LATENT_EXPLORER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'latent-explorer');
  const installDir = join(cacheRoot, `code-server-${codeServerVersion()}`);
  return existsSync(join(installDir, '.install-complete')) && existsSync(join(installDir, 'bin', 'code-server'));
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium) || !codeServerInstalled()) {
  process.stderr.write(
    "error: npm test needs Debian's chromium and code-server: run bash scripts/ci/install-system-deps.sh && bash scripts/ci/install-code-server.sh (or bash .ci/run)\n",
  );
  process.exit(1);
}
