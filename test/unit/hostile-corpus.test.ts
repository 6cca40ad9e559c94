/**
 * Issue 16's corpus of hostile inputs, run through the real CLI: every case ends within its time
 * limit, under the memory ceiling, with exit 1 and exactly one `error:` line (no stack trace, no
 * warning lines), or exit 0 for the odd-but-valid ones, and never writes into its folder.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus, type HostileCase } from '../hostile/corpus';
import { changedPaths, runCli, snapshot, type RunResult } from '../hostile/run';

const LIMITS = { timeoutMs: 20_000, heapMb: 384, budgetMb: 256 };
/** Peak RSS a case may reach: the CLI idles near 150 MB; a refused bomb must not add much. */
const RSS_CEILING_MB = 600;
/** Cases run this many at a time (each is one short node process). */
const CONCURRENCY = 3;

describe('hostile corpus (issue 16)', () => {
  let root: string;
  const outcomes = new Map<string, Promise<{ result: RunResult; changed: string[] }>>();
  let cases: HostileCase[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'latent-explorer-hostile-'));
    cases = await generateCorpus(root);
    // Start every run through a small pool, so the tests below only await their own.
    const queue = [...cases];
    const gates = new Map<string, (value: { result: RunResult; changed: string[] }) => void>();
    for (const entry of cases) outcomes.set(entry.name, new Promise((done) => gates.set(entry.name, done)));
    const worker = async (): Promise<void> => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        const before = await snapshot(entry.folder);
        const result = await runCli(entry.args, LIMITS);
        gates.get(entry.name)!({ result, changed: changedPaths(before, await snapshot(entry.folder)) });
      }
    };
    void Promise.all(Array.from({ length: CONCURRENCY }, worker));
  });

  after(async () => {
    await Promise.all(outcomes.values());
    await rm(root, { recursive: true, force: true });
  });

  test('the corpus covers model files and datasets', () => {
    assert.ok(cases.filter((entry) => entry.name.startsWith('model/')).length >= 20);
    assert.ok(cases.filter((entry) => entry.name.startsWith('data/')).length >= 20);
  });

  // Names are known before generation, so each case is its own test.
  for (const name of CASE_NAMES()) {
    test(name, async () => {
      const entry = cases.find((candidate) => candidate.name === name);
      assert.ok(entry, `case ${name} was generated`);
      const { result, changed } = await outcomes.get(name)!;
      const where = `${entry.args.join(' ')}\nstderr: ${result.stderr}`;
      assert.equal(result.timedOut, false, `finished within ${LIMITS.timeoutMs} ms: ${where}`);
      if (result.peakRssMb !== null) assert.ok(result.peakRssMb < RSS_CEILING_MB, `peak RSS ${result.peakRssMb.toFixed(0)} MB < ${RSS_CEILING_MB}: ${where}`);
      assert.deepEqual(changed, [], 'nothing written in the case folder');
      if (entry.expect === 'ok') {
        assert.equal(result.code, 0, where);
        assert.equal(result.stderr, '', 'no warnings');
        return;
      }
      assert.equal(result.code, 1, where);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, `one stderr line: ${where}`);
      assert.match(lines[0]!, /^error: /);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      if (entry.message) assert.match(lines[0]!, entry.message);
      if (entry.secret) assert.ok(!lines[0]!.includes(entry.secret), `the error does not describe the outside file: ${lines[0]}`);
    });
  }
});

/** The case names, listed so node:test can register one test per case before generation runs. */
function CASE_NAMES(): string[] {
  return [
    'model/shard-path-dev-zero',
    'model/shard-path-dev-stdin',
    'model/shard-path-absolute',
    'model/shard-path-outside-file',
    'model/shard-symlink-dev-zero',
    'model/shard-symlink-dev-stdin',
    'model/shard-symlink-outside-file',
    'model/shard-fifo',
    'model/shard-larger-than-declared',
    'model/shard-truncated',
    'model/model-json-symlink-dev-zero',
    'model/model-json-bom',
    'model/model-json-deep',
    'model/manifest-paths-not-list',
    'model/manifest-weights-not-list',
    'model/manifest-shape-not-list',
    'model/manifest-huge-shape',
    'model/graph-cycle',
    'model/graph-self-loop',
    'model/graph-missing-layer',
    'model/graph-bad-call-index',
    'model/units-huge-without-weights',
    'model/fixture-one-byte-in-layer-name',
    'model/units-1000000-with-real-weights',
    'model/nan-weights-encode',
    'model/inf-weights-project',
    'model/constant-codes-project',
    'data/idx-gzip-header-over-budget',
    'data/idx-gzip-inflates-past-header',
    'data/idx-gzip-truncated',
    'data/idx-gzip-damaged',
    'data/idx-zero-items',
    'data/npz-declared-bomb',
    'data/npz-understated-size',
    'data/npz-crc-mismatch',
    'data/npz-no-arrays',
    'data/npz-zero-items',
    'data/npy-zero-items',
    'data/npy-negative-shape',
    'data/npy-escape-in-header',
    'data/json-deep-arrays',
    'data/json-deep-objects',
    'data/labels-json-not-data',
    'data/csv-over-size-limit',
    'data/png-30000x30000',
    'data/jpeg-60000x60000',
    'data/png-folder-over-budget',
    'data/npy-nan-cells-encode',
    'data/npy-shape-mismatch-encode',
    'data/npy-4gb-sparse-mismatch',
    'data/npy-5m-limit-over-budget',
    'data/npy-fortran-uint8',
  ];
}
