/**
 * A real VS Code for the tests: code-server (VS Code 1.139 in the browser, Node extension host)
 * started on 127.0.0.1 with throwaway user data and extensions folders, and Debian's Chromium
 * driven by playwright-core. Shared by the end-to-end tests and the integration-suite launcher.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** The repository root (this file lives in test/e2e/harness/). */
export const REPO_ROOT = resolve(__dirname, '../../..');
/** Where `npm run package` writes the .vsix the end-to-end tests install. */
export const VSIX_PATH = join(REPO_ROOT, 'out', 'latent-explorer.vsix');
/** Screenshots and logs of failed runs. */
export const ARTIFACTS_DIR = join(REPO_ROOT, '.test-artifacts');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// A quiet, predictable workbench: no trust prompt, no welcome page, no update or telemetry traffic.
const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * The cached code-server launcher: $CODE_SERVER_BIN when set, else what
 * scripts/ci/install-code-server.sh prints (it installs into ~/.cache on first use, ~6 minutes).
 */
export function codeServerLauncher(): string {
  const fromEnv = process.env.CODE_SERVER_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CODE_SERVER_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  const script = join(REPO_ROOT, 'scripts', 'ci', 'install-code-server.sh');
  const result = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`${script} failed with exit status ${result.status}`);
  const launcher = result.stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(launcher)) throw new Error(`${script} printed "${launcher}", which does not exist`);
  return launcher;
}

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port assigned'))));
    });
  });
}

export interface CodeServerOptions {
  /** Names the throwaway folder and the log file (.test-artifacts/code-server-<name>.log). */
  name: string;
  /** A .vsix to install into the fresh extensions folder before starting. */
  vsix?: string;
  /**
   * Lets the workbench honour the URL's `payload` (extensionDevelopmentPath, extensionTestsPath):
   * a built VS Code ignores it unless its server runs with --enable-smoke-test-driver.
   */
  extensionTestsFromPayload?: boolean;
  /** Workspace trust on, without its startup prompt: a folder opens in Restricted Mode. */
  workspaceTrust?: boolean;
}

/** A running code-server with its own user data and extensions folders. */
export class CodeServer {
  private constructor(
    /** Base URL of the workbench, e.g. http://127.0.0.1:41234/ */
    readonly url: string,
    readonly port: number,
    /** Throwaway folder holding user data, extensions and anything a test writes. */
    readonly scratchDir: string,
    readonly extensionsDir: string,
    readonly logFile: string,
    private readonly process: ChildProcess,
  ) {}

  /** Installs `options.vsix` (when given) into a fresh extensions folder and starts the server. */
  static async start(launcher: string, options: CodeServerOptions): Promise<CodeServer> {
    const scratchDir = mkdtempSync(join(tmpdir(), `latent-explorer-${options.name}-`));
    const userDataDir = join(scratchDir, 'user-data');
    const extensionsDir = join(scratchDir, 'extensions');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(extensionsDir, { recursive: true });
    const trust = options.workspaceTrust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...trust }, null, 2));
    // An empty config file keeps code-server from writing one into ~/.config.
    const configFile = join(scratchDir, 'config.yaml');
    writeFileSync(configFile, '');
    const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

    if (options.vsix) {
      if (!existsSync(options.vsix)) throw new Error(`no .vsix at ${options.vsix}: run \`npm run package\` first`);
      const install = spawnSync(launcher, [...common, '--install-extension', options.vsix], { encoding: 'utf8' });
      if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
        throw new Error(`code-server --install-extension ${options.vsix} failed (status ${install.status}):\n${install.stdout}\n${install.stderr}`);
      }
    }

    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const logFile = join(ARTIFACTS_DIR, `code-server-${options.name}.log`);
    const log = createWriteStream(logFile);
    const port = await freePort();
    const child = spawn(
      launcher,
      [
        ...common,
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
        '--disable-getting-started-override',
        '--ignore-last-opened',
        ...(options.extensionTestsFromPayload ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ],
      // Its own process group, so that stop() also ends the extension host and file watchers.
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_PROXY_URI: '' } },
    );
    // Two streams into one log: neither may end it (the other may still write), the child's exit does.
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('close', () => log.end());
    const server = new CodeServer(`http://127.0.0.1:${port}/`, port, scratchDir, extensionsDir, logFile, child);
    try {
      await server.waitUntilListening();
    } catch (error) {
      server.stop();
      throw error;
    }
    return server;
  }

  private waitUntilListening(timeoutMs = 60_000): Promise<void> {
    return new Promise((done, fail) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`code-server did not listen within ${timeoutMs} ms; log: ${this.logFile}\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('HTTP server listening on')) {
          clearTimeout(timer);
          done();
        }
      };
      this.process.stdout?.on('data', onData);
      this.process.stderr?.on('data', onData);
      this.process.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`code-server exited with code ${code} before listening; log: ${this.logFile}\n${output}`));
      });
    });
  }

  /** The `vscode-remote://` URI of a local path, as the workbench's payload parameter wants it. */
  remoteUri(path: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${resolve(path)}`;
  }

  /** Ends code-server and everything it started, and removes the throwaway folder. */
  stop(): void {
    if (this.process.pid !== undefined && this.process.exitCode === null) {
      try {
        process.kill(-this.process.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    rmSync(this.scratchDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Debian's Chromium (or $CHROMIUM_PATH), headless, with the flags a container needs. */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: install Debian's chromium (scripts/ci/install-system-deps.sh) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
