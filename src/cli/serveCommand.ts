/**
 * `latent-explorer serve`: checks the model(s) and the data first (a typo is one `error:` line and
 * exit 1, as for the other commands, not advice in a page that cannot follow it), then prints the
 * URL as soon as the port is open; the model itself loads when a browser tab connects.
 */
import { resolve } from 'node:path';
import { resolveModelFiles } from '../core/model';
import { readManifestNear } from '../core/manifest';
import { openDataset } from '../core/data';
import { readSessionFile } from '../core/sessionFile';
import type { ExplorerSettings } from '../shared/protocol';
import type { BackendPreference } from '../shared/types';
import { printable } from '../util/printable';
import { serve, type ServeOptions } from './serve';
import { bundledSample } from './samples';
import { embeddingSession, readCodes, type EmbeddingValues } from './embeddings';
import { arity, parseInteger, UsageError } from './args';

export interface ServeValues extends EmbeddingValues {
  codes?: string;
  port?: string;
  session?: string;
  json?: boolean;
  open?: boolean;
  'no-token'?: boolean;
  limit?: string;
  seed?: string;
  'label-column'?: string;
}

/** Seeds are folded into 32 bits by the generator, as for the other commands. */
const MAX_SEED = 2 ** 32 - 1;

export async function serveCommand(args: string[], values: ServeValues, backend: BackendPreference): Promise<number> {
  // Without --port, any free port (0 asks the system for one).
  const port = values.port === undefined ? 0 : parseInteger('port', values.port, { min: 1, max: 65535 });
  const log = (line: string) => process.stderr.write(`${printable(line)}\n`);
  const requireToken = !values['no-token'];
  let options: ServeOptions;
  if (values.session) {
    if (args.length) throw new UsageError('serve --session takes no MODEL or DATA: the session file names them');
    // Checked before the server starts, so a stale session fails here rather than in the page.
    const saved = await readSessionFile(resolve(values.session));
    const { sampleLimit, seed, ui, selection } = saved;
    options = { modelPaths: saved.models, dataPath: saved.data, view: saved.view, restore: { sampleLimit, seed, ui, selection }, port, log, requireToken, backend };
  } else if (values.codes) {
    if (args.length) throw new UsageError('serve --codes FILE takes no MODEL or DATA: the vectors in FILE are the codes');
    // Read here once, so a bad file or metadata is one error line before the server starts.
    await readCodes(values.codes, values);
    options = { modelPaths: [], embeddings: embeddingSession(values.codes, values), settings: sampleSettings(values), port, log, requireToken, backend };
  } else {
    arity('serve', args, 0, 3);
    // MODEL, MODEL DATA, or MODEL_A MODEL_B DATA (the compare view); none: the bundled sample.
    const modelPaths = args.length === 0 ? [bundledSample().model] : args.slice(0, args.length === 3 ? 2 : 1).map((path) => resolve(path));
    const dataPath = args.length === 0 ? bundledSample().data : args.length >= 2 ? resolve(args[args.length - 1]) : undefined;
    options = { modelPaths, dataPath, settings: sampleSettings(values), port, log, requireToken, backend };
  }
  if (!options.embeddings) await checkInputs(options.modelPaths, options.dataPath, values['label-column']);
  if (!requireToken) log('warning: --no-token: any program or web page on this machine can use this explorer, its model and its data; omit --no-token to require the URL\'s token');
  const server = await serve({ ...options, labelColumn: values['label-column'], open: values.open });
  process.stdout.write(values.json ? `${JSON.stringify({ url: server.url })}\n` : `Latent Explorer at ${server.url} (Ctrl+C to stop)\n`);
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** `--limit` and `--seed`, for the sample the page shows ("N of M shown"). */
function sampleSettings(values: ServeValues): Partial<ExplorerSettings> {
  return {
    ...(values.limit !== undefined ? { sampleLimit: parseInteger('limit', values.limit, { min: 1 }) } : {}),
    ...(values.seed !== undefined ? { seed: parseInteger('seed', values.seed, { min: 0, max: MAX_SEED }) } : {}),
  };
}

/**
 * What can be known without loading a model: each model's files are found and recognised, and the
 * dataset (given, or named by the first model's latent-explorer.json, as the session picks it)
 * opens with its format, count and labels read. Both are quick; loading and encoding are not.
 */
async function checkInputs(modelPaths: readonly string[], dataPath: string | undefined, labelColumn: string | undefined): Promise<void> {
  const manifests = [];
  for (const path of modelPaths) manifests.push(await readManifestNear((await resolveModelFiles(path)).primary));
  const manifest = manifests[0];
  const data = dataPath ?? manifest?.datasetPath;
  if (data === undefined) {
    throw new Error(`no DATA given and ${modelPaths[0]} has no latent-explorer.json naming a dataset: give one, latent-explorer serve MODEL DATA`);
  }
  const dataset = await openDataset(data, { labelColumn: labelColumn ?? manifest?.labelColumn, labelsPath: dataPath ? undefined : manifest?.labelsPath, labelNames: manifest?.labelNames });
  await dataset.close();
}
