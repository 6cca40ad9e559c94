import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine, terminalProgress } from '../../src/cli/progress';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, columns: 60, written, write: (text: string) => written.push(text) };
}

test('progress writes nothing when stderr is not a terminal', () => {
  const stream = fakeStream(false);
  const progress = terminalProgress(stream, () => 0);
  progress.report('encoding 2000 samples', 0.5);
  progress.clear();
  assert.deepEqual(stream.written, []);
});

test('on a terminal: one rewritten line with the percentage, an ETA from the stage\'s own rate, at most 10 redraws a second', () => {
  const stream = fakeStream(true);
  let now = 0;
  const progress = terminalProgress(stream, () => now);
  progress.report('encoding 2000 samples', 0);
  now = 2000;
  progress.report('encoding 2000 samples', 0.25);
  now = 2050;
  progress.report('encoding 2000 samples', 0.3);
  now = 2200;
  progress.report('optimize', 0.5);
  progress.clear();
  assert.deepEqual(stream.written, ['\r\x1b[Kencoding 2000 samples 0 %', '\r\x1b[Kencoding 2000 samples 25 % (ETA 6 s)', '\r\x1b[Koptimize 50 %', '\r\x1b[K']);
});

test('progressLine: elapsed time without a fraction, minutes in long ETAs, long stages cut to the terminal', () => {
  assert.equal(progressLine('reading data', null, 0.2), 'reading data…');
  assert.equal(progressLine('measuring trustworthiness', null, 3.4), 'measuring trustworthiness (3 s)');
  assert.equal(progressLine('optimize', 0.1, 30), 'optimize 10 % (ETA 4 min 30 s)');
  assert.equal(progressLine('optimize', 1, 30), 'optimize 100 %');
  const stream = fakeStream(true);
  terminalProgress(stream, () => 0).report('x'.repeat(200), null);
  assert.equal(stream.written[0].length, '\r\x1b[K'.length + 59);
  assert.ok(stream.written[0].endsWith('…'));
});
