/**
 * `latent-explorer serve` as a user starts it: the real CLI in a child process checks its model and
 * data before listening, prints the URL before any model loads, opens the compare view for two
 * models, and gives the page the sample `--limit` and `--seed` asked for.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '../../src/shared/wire';
import type { ReadyResponse } from '../../src/shared/protocol';

const repoRoot = resolve(__dirname, '..', '..');
const cli = resolve(repoRoot, 'src', 'cli', 'main.ts');
const samples = resolve(repoRoot, 'sample-models');
const data = resolve(samples, 'data', 'mnist-test-2000');
const thirdParty = resolve(repoRoot, '..', 'shared', 'fixtures', 'models', 'codingtrain-dense-ae', 'autoencoder');

interface Started {
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawning the process to the URL on stdout. */
  afterMs: number;
  stderr: () => string;
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', ...args, '--json'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no URL in 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((each) => each.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      done({ child, url: (JSON.parse(line) as { url: string }).url, afterMs: performance.now() - began, stderr: () => stderr });
    });
    child.once('exit', (code) => fail(new Error(`serve exited (${code}) before printing its URL: ${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** What a page's first `ready` request answers, over the page's own WebSocket. */
async function ready(url: string): Promise<ReadyResponse> {
  const { origin, searchParams } = new URL(url);
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/ws?token=${searchParams.get('token')}`, { origin });
  await once(socket, 'open');
  socket.send(encodeFrame({ kind: 'request', id: 1, type: 'ready', body: {} }));
  try {
    return await new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error('no ready response in 60 s')), 60_000);
      socket.on('message', (raw: Buffer) => {
        const message = decodeFrame<{ kind: string; id?: number; ok?: boolean; body?: ReadyResponse; error?: { message: string } }>(new Uint8Array(raw));
        if (message.kind !== 'response' || message.id !== 1) return;
        clearTimeout(timer);
        if (message.ok && message.body) done(message.body);
        else fail(new Error(message.error?.message ?? 'ready failed'));
      });
    });
  } finally {
    socket.close();
  }
}

/** Runs `serve` expecting it to refuse: its exit code, stdout and stderr. */
function refused(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return once(child, 'exit').then(([code]) => {
    clearTimeout(timer);
    return { code: code as number | null, stdout, stderr, ms: performance.now() - began };
  });
}

describe('latent-explorer serve', () => {
  test('a model path with a typo is one error line and exit 1, before any server starts', async () => {
    const result = await refused([resolve(samples, 'mnist-dnese'), data]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.deepEqual(result.stderr.trim().split('\n'), [`error: ${resolve(samples, 'mnist-dnese')}: no such file or folder`]);
  });

  test('a data path with a typo is refused the same way', async () => {
    const result = await refused([resolve(samples, 'mnist-dense'), `${data}-typo`]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.deepEqual(result.stderr.trim().split('\n'), [`error: ${data}-typo: no such file or folder`]);
  });

  test('a model without DATA and without a manifest naming a dataset says to give DATA', async () => {
    const result = await refused([thirdParty]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^error: no DATA given and .*codingtrain-dense-ae.* has no latent-explorer\.json naming a dataset: give one, latent-explorer serve MODEL DATA$/);
  });

  test('serve A B DATA opens the compare view, with --limit and --seed honoured; the URL comes before any model loads', async () => {
    const a = resolve(samples, 'mnist-dense-epoch1');
    const b = resolve(samples, 'mnist-dense');
    const served = await start([a, b, data, '--limit', '300', '--seed', '7']);
    try {
      // The URL comes before the models load: nothing loaded has been logged yet.
      assert.doesNotMatch(served.stderr(), /session ready/);
      console.log(`serve printed its URL ${Math.round(served.afterMs)} ms after starting (tsx, from source)`);
      const page = await ready(served.url);
      assert.equal(page.view, 'compare');
      assert.deepEqual(page.models.map((m) => m.label), ['mnist-dense-epoch1', 'mnist-dense']);
      assert.equal(page.dataset?.shownCount, 300);
      assert.equal(page.dataset?.count, 2000);
      assert.equal(page.settings.sampleLimit, 300);
      assert.equal(page.settings.seed, 7);
    } finally {
      await stop(served.child);
    }
  });

  test('--open without a display says so on stderr and still serves', async () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.BROWSER;
    const served = await start([resolve(samples, 'mnist-dense'), data, '--open'], env);
    try {
      assert.match(served.stderr(), /--open: no display to show a browser on .*; open http:\/\/127\.0\.0\.1:\d+\/\?token=\S+ yourself/);
      const page = await ready(served.url);
      assert.equal(page.view, 'explorer');
    } finally {
      await stop(served.child);
    }
  });
});
