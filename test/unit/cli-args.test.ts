/**
 * The CLI's promise for bad input: one line, no terminal control sequences, the right exit code.
 * Option values (negative numbers included) are checked against their ranges; text read from files
 * reaches the terminal escaped.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { joinNegativeValues, parseInteger, parseNumber } from '../../src/cli/args';
import { printable } from '../../src/util/printable';
import { describeError, toErrorInfo } from '../../src/util/errors';
import { latentExplorer } from './cli-helpers';

const repoRoot = resolve(__dirname, '..', '..');
const model = resolve(repoRoot, 'sample-models', 'mnist-dense');
const data = resolve(repoRoot, 'sample-models', 'data', 'mnist-test-2000');


function hasControlCharacter(text: string): boolean {
  return [...text].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f);
}

/** A .npy whose header is `dict` (padded as numpy pads it) followed by `body` bytes. */
function npy(dict: string, body: number): Buffer {
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const bytes = Buffer.alloc(10 + header.length + body);
  bytes.write('\x93NUMPY', 0, 'latin1');
  bytes[6] = 1;
  bytes.writeUInt16LE(header.length, 8);
  bytes.write(header, 10, 'latin1');
  return bytes;
}

describe('latent-explorer option values', () => {
  const cases: [string[], string][] = [
    [['project', model, data, '--method', 'tsne', '--perplexity', '-5'], 'error: --perplexity: expected a number greater than 0, got -5'],
    [['encode', model, data, '--seed', '-1'], 'error: --seed: expected an integer from 0 to 4294967295, got -1'],
    [['encode', model, data, '--seed=-1'], 'error: --seed: expected an integer from 0 to 4294967295, got -1'],
    [['serve', '--port', '-1'], 'error: --port: expected an integer from 1 to 65535, got -1'],
    [['serve', '--port', '99999'], 'error: --port: expected an integer from 1 to 65535, got 99999'],
    [['encode', model, data, '--limit', '1e3'], 'error: --limit: expected an integer of at least 1, got 1e3'],
    [['project', model, data, '--method', 'umap', '--min-dist', '-0.1'], 'error: --min-dist: expected a number of at least 0, got -0.1'],
    [['anomalies', model, data, '--percentile', '101'], 'error: --percentile: expected a number from 0 to 100, got 101'],
    [['encode', model, data, '--limit', '5\x1b[2J'], 'error: --limit: expected an integer of at least 1, got 5\\x1b[2J'],
  ];
  for (const [args, expected] of cases) {
    test(`${args.slice(args.findIndex((arg) => arg.startsWith('--'))).join(' ')} → exit 2 with one line`, async () => {
      const result = await latentExplorer(...args);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, `${expected}\n`);
    });
  }

  test('a negative value where negatives are valid parses as a value: anomalies --threshold -0.5 flags every sample', async () => {
    const result = await latentExplorer('anomalies', model, data, '--limit', '40', '--threshold', '-0.5', '--json');
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { threshold: number; flaggedCount: number; count: number };
    assert.equal(out.threshold, -0.5);
    assert.equal(out.flaggedCount, out.count);
  });
});

describe('file text reaches the terminal escaped', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'latent-explorer-escape-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('an NPY dtype holding a window-title sequence and a screen clear is printed as \\x1b…, on one line, exit 1', async () => {
    const file = join(scratch, 'title.npy');
    await writeFile(file, npy("{'descr': '<f4\x1b]0;PWNED\x07\x1b[2J\nforged line', 'fortran_order': False, 'shape': (3, 4), }", 48));
    const result = await latentExplorer('data', file);
    assert.equal(result.code, 1);
    assert.ok(!hasControlCharacter(result.stderr.slice(0, -1)), 'no control character but the final newline');
    assert.equal(result.stderr.split('\n').length, 2, 'one line');
    assert.match(result.stderr, /^error: .*title\.npy: .*<f4\\x1b\]0;PWNED\\x07\\x1b\[2J forged line/);
  });

  test('a file name with control characters is escaped in the error naming it', async () => {
    const file = join(scratch, 'a\x1b[31mred\x07.npy');
    await writeFile(file, 'not an npy file');
    const result = await latentExplorer('data', file);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /a\\x1b\[31mred\\x07\.npy/);
    assert.ok(!hasControlCharacter(result.stderr.slice(0, -1)));
  });
});

test('printable: one line, control and invisible characters escaped, idempotent, bounded', () => {
  assert.equal(printable('a\x1b]0;t\x07b'), 'a\\x1b]0;t\\x07b');
  assert.equal(printable('first line\n    second\r\nthird\tend'), 'first line second third end');
  assert.equal(printable('\ufeff{"a":1} \u202eevil \u200b \x9b \x7f'), '\\ufeff{"a":1} \\u202eevil \\u200b \\x9b \\x7f');
  assert.equal(printable(printable('x\x1b[2Jy\nz')), printable('x\x1b[2Jy\nz'));
  assert.equal(printable('é 中文 ✓ — …'), 'é 中文 ✓ — …', 'printable text is left alone');
  assert.equal(printable('abcdef', 4), 'abc…');
});

test('toErrorInfo/describeError: the one place errors are formatted makes them printable, file names included', () => {
  const error = Object.assign(new Error('bad dtype \x1b[2J\nsecond line'), { file: '/tmp/x\x1b.npy', code: 'data-corrupt' });
  assert.deepEqual(toErrorInfo(error), { message: 'bad dtype \\x1b[2J second line', code: 'data-corrupt', file: '/tmp/x\\x1b.npy' });
  assert.equal(describeError(error), '/tmp/x\\x1b.npy: bad dtype \\x1b[2J second line');
  assert.equal(toErrorInfo(new Error('x'.repeat(5000))).message.length, 1000);
});

test('joinNegativeValues: a negative number after a valued option becomes its value; other arguments are untouched', () => {
  const valued = new Set(['seed', 'threshold']);
  assert.deepEqual(joinNegativeValues(['encode', '--seed', '-1', '--threshold', '-.5', '--json'], valued), ['encode', '--seed=-1', '--threshold=-.5', '--json']);
  assert.deepEqual(joinNegativeValues(['--json', '-1', '--seed', '--json'], valued), ['--json', '-1', '--seed', '--json']);
  assert.deepEqual(joinNegativeValues(['--', '--seed', '-1'], valued), ['--', '--seed', '-1']);
});

test('parseInteger/parseNumber take decimal text only and name the range they expected', () => {
  assert.equal(parseInteger('k', '12', { min: 2 }), 12);
  assert.equal(parseInteger('k', '+3', { min: 2 }), 3);
  for (const bad of ['1e3', '0x10', '1.0', ' 5', '', '9007199254740993']) assert.throws(() => parseInteger('limit', bad, { min: 1 }), /--limit: expected an integer of at least 1/);
  assert.equal(parseNumber('min-dist', '1e-3', { min: 0 }), 0.001);
  assert.equal(parseNumber('threshold', '-.25'), -0.25);
  assert.throws(() => parseNumber('perplexity', '0', { above: 0 }), /^Error: --perplexity: expected a number greater than 0, got 0$/);
  for (const bad of ['Infinity', 'NaN', '1,5', '--1']) assert.throws(() => parseNumber('threshold', bad), /--threshold: expected a number, got/);
});
