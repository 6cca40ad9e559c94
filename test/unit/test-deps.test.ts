import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const script = resolve(__dirname, '../../scripts/check-test-deps.mjs');

test('npm test stops at once with the install command when chromium is missing', () => {
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' } });
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^error: npm test needs Debian's chromium and code-server: run bash scripts\/ci\/install-system-deps\.sh && bash scripts\/ci\/install-code-server\.sh \(or bash \.ci\/run\)$/);
});

test('npm test stops when code-server is not in its cache', () => {
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, CODE_SERVER_BIN: '', LATENT_EXPLORER_CACHE: '/nonexistent/cache' } });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /install-code-server\.sh/);
});

test('the check passes where CI installed both (a launcher named by CODE_SERVER_BIN)', () => {
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, CHROMIUM_PATH: process.execPath, CODE_SERVER_BIN: process.execPath } });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
});
