// The host adapters wired together (activate → commands → pickers → panels → session) against an
// in-memory VS Code (host-fake-vscode.ts) and a recorded session connection. The real VS Code run
// is the e2e suite's; this checks the wiring's decisions quickly and on every run.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/shared/protocol';
import * as vscode from './host-fake-vscode';

const { fake, Uri } = vscode;

class FakeConnection {
  readonly sent: FromWebviewMessage[] = [];
  disposed = false;
  private readonly messageListeners = new Set<(message: ToWebviewMessage) => void>();
  private readonly loadingListeners = new Set<(stage: string, fraction: number | null) => void>();
  resolveOpened!: () => void;
  rejectOpened!: (error: Error) => void;
  readonly opened = new Promise<void>((resolve, reject) => {
    this.resolveOpened = resolve;
    this.rejectOpened = reject;
  });
  constructor(readonly options: Record<string, unknown>) {
    this.opened.catch(() => undefined);
  }
  send(message: FromWebviewMessage): void {
    this.sent.push(message);
  }
  onMessage(listener: (message: ToWebviewMessage) => void) {
    this.messageListeners.add(listener);
    return { dispose: () => this.messageListeners.delete(listener) };
  }
  onLoading(listener: (stage: string, fraction: number | null) => void) {
    this.loadingListeners.add(listener);
    return { dispose: () => this.loadingListeners.delete(listener) };
  }
  emit(message: ToWebviewMessage): void {
    for (const listener of this.messageListeners) listener(message);
  }
  emitLoading(stage: string, fraction: number | null): void {
    for (const listener of this.loadingListeners) listener(stage, fraction);
  }
  dispose(): void {
    this.disposed = true;
  }
}
const connections: FakeConnection[] = [];

// Route `vscode` and the session connection to the fakes before the extension is loaded.
const loader = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest);
};
const cacheModule = (filename: string, exports: unknown) => {
  require.cache[filename] = { id: filename, filename, loaded: true, exports } as NodeJS.Module;
};
cacheModule('vscode', vscode);
cacheModule(require.resolve('../../src/worker/sessionConnection'), {
  startSessionWorker: (options: Record<string, unknown>) => {
    const connection = new FakeConnection(options);
    connections.push(connection);
    return connection;
  },
});
// eslint-disable-next-line @typescript-eslint/no-require-imports -- must load after the fakes above are in place
const extension = require('../../src/extension') as typeof import('../../src/extension');

class MapMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

let extRoot: string;
let workspaceRoot: string;
let context: { extensionUri: vscode.Uri; subscriptions: { dispose(): void }[]; workspaceState: MapMemento; globalState: MapMemento };
const samples = () => join(extRoot, 'sample-models');
const denseModel = () => join(samples(), 'mnist-dense', 'model.json');
const sampleData = () => join(samples(), 'data', 'mnist-test');
/** Waits for work that goes through the file system (pickers read manifests and folders). */
const waitFor = async (condition: () => boolean, what: string) => {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
const run = (id: string, ...args: unknown[]) => {
  const command = fake.commands.get(id);
  assert.ok(command, `command ${id} is registered`);
  return command(...args) as Promise<unknown>;
};
const rowLabelled = (label: string) => (items: { label: string }[]) => items.find((item) => item.label === label);

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

before(() => {
  extRoot = mkdtempSync(join(tmpdir(), 'host-wiring-ext-'));
  write(denseModel(), '{}');
  write(join(samples(), 'mnist-dense', 'README.md'), '# Dense MNIST autoencoder\n');
  write(join(samples(), 'mnist-dense', 'latent-explorer.json'), JSON.stringify({ dataset: '../data/mnist-test' }));
  write(join(sampleData(), 'README.md'), 'MNIST test digits');
  write(join(samples(), 'data', 'tabular.csv'), 'a,b\n1,2\n');
  workspaceRoot = mkdtempSync(join(tmpdir(), 'host-wiring-ws-'));
  write(join(workspaceRoot, 'runs', 'early', 'model.json'), '{}');
  write(join(workspaceRoot, 'runs', 'final', 'model.json'), '{}');
  write(join(workspaceRoot, 'data', 'digits.npy'), '');
});
after(() => {
  rmSync(extRoot, { recursive: true, force: true });
  rmSync(workspaceRoot, { recursive: true, force: true });
});

beforeEach(() => {
  fake.reset();
  connections.length = 0;
  context = { extensionUri: Uri.file(extRoot), subscriptions: [], workspaceState: new MapMemento(), globalState: new MapMemento() };
  extension.activate(context as unknown as Parameters<typeof extension.activate>[0]);
});
afterEach(() => {
  // The user closes whatever a test opened (deactivation leaves panels open for VS Code to restore).
  for (const panel of fake.panels) panel.dispose();
  for (const item of context.subscriptions.splice(0)) item.dispose();
});

function openWorkspace(): void {
  fake.workspaceFolders = [{ uri: Uri.file(workspaceRoot), name: 'ws', index: 0 }];
  fake.workspaceFiles = ['early', 'final'].map((run) => Uri.file(join(workspaceRoot, 'runs', run, 'model.json')));
}

describe('activate', () => {
  it('activate(context) registers the commands, the model.json inspector and both panel serializers', () => {
    assert.deepEqual([...fake.commands.keys()].sort(), [
      'latentExplorer.compare',
      'latentExplorer.compareWithSelected',
      'latentExplorer.inspect',
      'latentExplorer.open',
      'latentExplorer.openModel',
      'latentExplorer.openSession',
      'latentExplorer.selectForCompare',
    ]);
    assert.deepEqual([...fake.customEditors.keys()], ['latentExplorer.modelInspector']);
    assert.deepEqual([...fake.serializers.keys()].sort(), ['latentExplorer.comparison', 'latentExplorer.explorer']);
    assert.equal(fake.panels.length, 0, 'activation opens nothing');
  });
});

describe('latentExplorer.open', () => {
  it('latentExplorer.open without a workspace opens the bundled mnist-dense sample with its manifest dataset, asking nothing', async () => {
    await run('latentExplorer.open');
    assert.equal(fake.quickPicks.length, 0);
    assert.equal(fake.panels.length, 1);
    const [panel] = fake.panels;
    assert.equal(panel.viewType, 'latentExplorer.explorer');
    assert.equal(panel.title, 'Latent Explorer: mnist-dense');
    assert.deepEqual(connections[0].options, {
      view: 'explorer',
      modelPaths: [denseModel()],
      dataPath: sampleData(),
      settings: { defaultMethod: 'pca', seed: 42, sampleLimit: 5000 },
      backend: 'auto',
    });
  });

  it('the explorer page enables scripts, loads only from dist/ and media/, and carries the session', async () => {
    await run('latentExplorer.open');
    const { webview } = fake.panels[0];
    assert.equal(webview.options.enableScripts, true);
    assert.deepEqual(webview.options.localResourceRoots?.map((uri) => uri.fsPath), [join(extRoot, 'dist'), join(extRoot, 'media')]);
    assert.ok('retainContextWhenHidden' in (fake.panels[0].options as object) === false);
    assert.match(webview.html, /script-src &#39;nonce-[A-Za-z0-9_-]+&#39;/);
    assert.ok(webview.html.includes(`src="https://webview.test${join(extRoot, 'dist', 'webview.js')}"`));
    assert.ok(webview.html.includes('data-session="{&#34;view&#34;:&#34;explorer&#34;'));
  });

  it('latentExplorer.open on an open session reveals its panel instead of opening another', async () => {
    await run('latentExplorer.open');
    await run('latentExplorer.open');
    assert.equal(fake.panels.length, 1);
    assert.equal(fake.panels[0].reveals, 1);
    assert.equal(connections.length, 1);
  });

  it('latentExplorer.open in a workspace asks for a model (workspace and samples) and then a dataset, and remembers it', async () => {
    openWorkspace();
    fake.answerQuickPick = (items, title) =>
      title?.includes('(1/2)') ? rowLabelled('final')(items) : rowLabelled('digits.npy')(items) ?? rowLabelled('tabular.csv')(items);
    await run('latentExplorer.open');
    const [modelPick, dataPick] = fake.quickPicks;
    assert.equal(modelPick.title, 'Open latent explorer (1/2): model');
    assert.deepEqual(modelPick.items.map((item) => item.label), ['Workspace', 'early', 'final', 'Bundled samples', 'mnist-dense']);
    assert.equal(modelPick.items[4].detail, 'Dense MNIST autoencoder');
    assert.equal(dataPick.title, 'Open latent explorer (2/2): data for final');
    assert.deepEqual(dataPick.items.map((item) => item.label), ['mnist-test', 'tabular.csv', 'Choose a folder or file…']);
    const finalModel = join(workspaceRoot, 'runs', 'final', 'model.json');
    assert.deepEqual(connections[0].options.modelPaths, [finalModel]);
    assert.equal(connections[0].options.dataPath, join(samples(), 'data', 'tabular.csv'));
    // The next time, the dataset used last is offered first.
    fake.answerQuickPick = (items, title) => (title?.includes('(1/2)') ? rowLabelled('final')(items) : undefined);
    await run('latentExplorer.open');
    assert.deepEqual(fake.quickPicks[3].items[0], {
      label: 'tabular.csv',
      description: 'last used with this model',
      detail: undefined,
      value: { kind: 'path', path: join(samples(), 'data', 'tabular.csv') },
    });
  });

  it('"Choose a folder or file…" takes the dataset from the open dialog', async () => {
    openWorkspace();
    fake.answerQuickPick = (items, title) => (title?.includes('(1/2)') ? rowLabelled('early')(items) : rowLabelled('Choose a folder or file…')(items));
    fake.openDialogAnswer = [Uri.file(join(workspaceRoot, 'data', 'digits.npy'))];
    await run('latentExplorer.open');
    assert.equal(connections[0].options.dataPath, join(workspaceRoot, 'data', 'digits.npy'));
  });

  it('latentExplorer.openModel on a model.json skips the model pick', async () => {
    fake.answerQuickPick = rowLabelled('mnist-test');
    await run('latentExplorer.openModel', Uri.file(join(workspaceRoot, 'runs', 'early', 'model.json')));
    assert.equal(fake.quickPicks.length, 1);
    assert.deepEqual(connections[0].options.modelPaths, [join(workspaceRoot, 'runs', 'early', 'model.json')]);
    assert.equal(connections[0].options.dataPath, sampleData());
  });

  it('latentExplorer.open with neither a workspace nor a bundled sample says that there is no model', async () => {
    for (const item of context.subscriptions.splice(0)) item.dispose();
    const bare = mkdtempSync(join(tmpdir(), 'host-wiring-bare-'));
    try {
      context = { ...context, extensionUri: Uri.file(bare), subscriptions: [] };
      extension.activate(context as unknown as Parameters<typeof extension.activate>[0]);
      await run('latentExplorer.open');
      assert.deepEqual(fake.infos, ['Latent Explorer found no model (model.json, .onnx, .keras, .h5) in the workspace and no bundled sample.']);
      assert.equal(fake.quickPicks.length, 0);
      assert.equal(fake.panels.length, 0);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('a dismissed pick opens nothing and reports nothing', async () => {
    openWorkspace();
    await run('latentExplorer.open');
    assert.equal(fake.panels.length, 0);
    assert.deepEqual(fake.errors, []);
  });
});

describe('SessionWebview', () => {
  it('relays webview requests to the session and session messages to the webview, typed arrays as they are', async () => {
    await run('latentExplorer.open');
    const [panel] = fake.panels;
    const ready = { kind: 'request', id: 1, type: 'ready', body: {} } as const;
    panel.webview.send(ready);
    assert.deepEqual(connections[0].sent, [ready]);
    const positions = new Float32Array([1, 2, 3, 4]);
    const response = {
      kind: 'response', id: 2, type: 'project', ok: true,
      body: { slot: 'a', method: 'pca', dims: 2, positions, trustworthiness: 0.9, seconds: 0.1, alignment: null },
    } as const;
    connections[0].emit(response);
    assert.equal(panel.webview.posted.at(-1), response);
    assert.equal((panel.webview.posted.at(-1) as typeof response).body.positions, positions);
  });

  it('drops malformed webview messages with a log line', async () => {
    await run('latentExplorer.open');
    fake.panels[0].webview.send({ type: 'ready' });
    assert.deepEqual(connections[0].sent, []);
    assert.ok(fake.logLines.some((line) => line.startsWith('warn ignored a malformed message from the webview')));
  });

  it('shows the loading stages in the notification area until the session has opened', async () => {
    await run('latentExplorer.open');
    const [progress] = fake.progress;
    assert.equal(progress.title, 'Loading Latent Explorer: mnist-dense');
    assert.equal(progress.cancellable, true);
    connections[0].emitLoading('reading the model', 0.25);
    connections[0].emitLoading('encoding', 0.75);
    connections[0].emitLoading('reconstructing', null);
    assert.deepEqual(progress.reports, [{ message: 'reading the model (25%)' }, { message: 'encoding (75%)' }, { message: 'reconstructing' }]);
    connections[0].resolveOpened();
    await progress.done;
    assert.deepEqual(fake.errors, []);
  });

  it('reports a session that cannot open with showErrorMessage and the log', async () => {
    await run('latentExplorer.open');
    connections[0].rejectOpened(Object.assign(new Error('model.json has no weightsManifest'), { file: denseModel() }));
    await fake.progress[0].done;
    assert.deepEqual(fake.errors, [`Could not open Latent Explorer: mnist-dense: model.json has no weightsManifest (${denseModel()})`]);
    assert.ok(fake.logLines.includes(`error Could not open Latent Explorer: mnist-dense: model.json has no weightsManifest (${denseModel()})`));
    assert.equal(fake.panels[0].disposed, false, 'the panel stays to show the error inline');
  });

  it('closing the panel disposes its session and ends the loading notification', async () => {
    await run('latentExplorer.open');
    fake.panels[0].dispose();
    assert.equal(connections[0].disposed, true);
    await fake.progress[0].done;
    fake.panels[0].webview.send({ kind: 'request', id: 1, type: 'ready', body: {} });
    assert.deepEqual(connections[0].sent, []);
  });

  it('cancelling the loading notification closes the panel and its session', async () => {
    await run('latentExplorer.open');
    fake.progress[0].cancel();
    assert.equal(fake.panels[0].disposed, true);
    assert.equal(connections[0].disposed, true);
  });

  it('answers openExplorer itself: the inspect editor opens the explorer and gets one response', async () => {
    const provider = fake.customEditors.get('latentExplorer.modelInspector')?.provider as {
      openCustomDocument(uri: vscode.Uri): { uri: vscode.Uri };
      resolveCustomEditor(document: { uri: vscode.Uri }, panel: vscode.FakeWebviewPanel): void;
    };
    const editorPanel = new vscode.FakeWebviewPanel('latentExplorer.modelInspector', 'model.json', {});
    provider.resolveCustomEditor(provider.openCustomDocument(Uri.file(denseModel())), editorPanel);
    assert.deepEqual(connections[0].options.view, 'inspect');
    assert.equal(connections[0].options.dataPath, undefined);
    fake.answerQuickPick = rowLabelled('tabular.csv');
    editorPanel.webview.send({ kind: 'request', id: 7, type: 'openExplorer', body: { slot: 'a' } });
    await waitFor(() => editorPanel.webview.posted.length === 1, 'the openExplorer response');
    assert.deepEqual(connections[0].sent, [], 'openExplorer is not forwarded to the session');
    assert.deepEqual(editorPanel.webview.posted, [{ kind: 'response', id: 7, type: 'openExplorer', ok: true, body: {} }]);
    assert.equal(fake.panels.at(-1)?.title, 'Latent Explorer: mnist-dense');
    assert.equal(connections[1].options.dataPath, join(samples(), 'data', 'tabular.csv'));
    editorPanel.webview.send({ kind: 'request', id: 8, type: 'openExplorer', body: { slot: 'b' } });
    await waitFor(() => editorPanel.webview.posted.length === 2, 'the second openExplorer response');
    assert.deepEqual(editorPanel.webview.posted[1], {
      kind: 'response', id: 8, type: 'openExplorer', ok: false,
      error: { message: 'openExplorer: no model in slot "b" (this inspect view has 1)', code: 'invalid-argument' },
    });
    editorPanel.dispose();
    assert.equal(connections[0].disposed, true);
  });
});

describe('saveFile', () => {
  const save = (panel: vscode.FakeWebviewPanel, id: number, body: unknown) => {
    const before = panel.webview.posted.length;
    panel.webview.send({ kind: 'request', id, type: 'saveFile', body });
    return waitFor(() => panel.webview.posted.length > before, `the saveFile #${id} response`).then(() => panel.webview.posted.at(-1));
  };

  it('answers saveFile itself: the save dialog starts in the model\'s workspace folder with the proposed name, the bytes go through workspace.fs', async () => {
    const earlyModel = join(workspaceRoot, 'runs', 'early', 'model.json');
    // Two folders, the model in the second: the dialog starts in the model's own.
    fake.workspaceFolders = [
      { uri: Uri.file(extRoot), name: 'ext', index: 0 },
      { uri: Uri.file(workspaceRoot), name: 'ws', index: 1 },
    ];
    fake.answerQuickPick = rowLabelled('mnist-test');
    await run('latentExplorer.openModel', Uri.file(earlyModel));
    const [panel] = fake.panels;
    const bytes = new TextEncoder().encode('index,label,z0\n0,7,0.5\n');
    const target = join(workspaceRoot, 'exports', 'codes.csv');
    fake.saveDialogAnswer = Uri.file(target);
    // Only the name is taken from the webview, never a folder.
    assert.deepEqual(await save(panel, 3, { fileName: '../../early-codes-1.csv', data: bytes }), {
      kind: 'response', id: 3, type: 'saveFile', ok: true, body: { path: target },
    });
    assert.equal(fake.saveDialogs[0].defaultUri?.fsPath, join(workspaceRoot, 'early-codes-1.csv'));
    assert.equal(fake.writtenFiles.get(target), bytes);
    assert.deepEqual(connections[0].sent, [], 'saveFile is not forwarded to the session');

    fake.saveDialogAnswer = undefined;
    assert.deepEqual(await save(panel, 4, { fileName: 'plot.png', data: bytes }), { kind: 'response', id: 4, type: 'saveFile', ok: true, body: { path: null } });
    assert.equal(fake.writtenFiles.size, 1, 'a cancelled dialog writes nothing');

    fake.saveDialogAnswer = Uri.file(target);
    fake.writeError = Object.assign(new Error(`EACCES: permission denied, open '${target}'`), { code: 'NoPermissions' });
    assert.deepEqual(await save(panel, 5, { fileName: 'plot.svg', data: bytes }), {
      kind: 'response', id: 5, type: 'saveFile', ok: false,
      error: { message: `EACCES: permission denied, open '${target}'`, code: 'NoPermissions' },
    });
    assert.ok(fake.logLines.includes(`warn saveFile plot.svg failed [NoPermissions]: EACCES: permission denied, open '${target}'`));

    assert.deepEqual(await save(panel, 6, { fileName: 'plot.svg', data: 'not bytes' }), {
      kind: 'response', id: 6, type: 'saveFile', ok: false,
      error: { message: 'saveFile: the request needs a fileName (string) and data (Uint8Array)', code: 'invalid-argument' },
    });
    assert.equal(fake.saveDialogs.length, 3, 'no dialog for a malformed request');
    assert.deepEqual(connections[0].sent, []);
  });

  it('without a workspace the save dialog starts in the home folder', async () => {
    await run('latentExplorer.open');
    fake.saveDialogAnswer = undefined;
    await save(fake.panels[0], 1, { fileName: 'mnist-dense-pca.svg', data: new Uint8Array([60, 115, 118, 103, 62]) });
    assert.equal(fake.saveDialogs[0].defaultUri?.fsPath, join(homedir(), 'mnist-dense-pca.svg'));
  });
});

describe('panel serializer', () => {
  it('restores a panel from the session the webview stored', async () => {
    const panel = new vscode.FakeWebviewPanel('latentExplorer.explorer', 'old', {});
    const session = { view: 'explorer', modelPaths: [denseModel()], dataPath: sampleData() };
    await fake.serializers.get('latentExplorer.explorer')?.deserializeWebviewPanel(panel, { session, colorBy: 'label' });
    assert.equal(panel.title, 'Latent Explorer: mnist-dense');
    assert.deepEqual(connections[0].options.modelPaths, session.modelPaths);
    assert.equal(connections[0].options.dataPath, session.dataPath);
    assert.match(panel.webview.html, /Content-Security-Policy/);
  });

  it('closes a restored panel whose state holds no session, with a log line', async () => {
    const panel = new vscode.FakeWebviewPanel('latentExplorer.comparison', 'old', {});
    await fake.serializers.get('latentExplorer.comparison')?.deserializeWebviewPanel(panel, { zoom: 2 });
    assert.equal(panel.disposed, true);
    assert.equal(connections.length, 0);
    assert.ok(fake.logLines.some((line) => line.startsWith('warn could not restore a compare panel')));
  });
});

describe('compare commands', () => {
  const early = () => join(workspaceRoot, 'runs', 'early', 'model.json');
  const final = () => join(workspaceRoot, 'runs', 'final', 'model.json');

  it('Select checkpoint for compare then Compare checkpoint with selected opens the comparison A = selected, B = clicked', async () => {
    await run('latentExplorer.selectForCompare', Uri.file(early()));
    assert.deepEqual(fake.executed.at(-1), { id: 'setContext', args: ['latentExplorer.hasCompareSelection', true] });
    fake.answerQuickPick = rowLabelled('mnist-test');
    await run('latentExplorer.compareWithSelected', Uri.file(final()));
    assert.equal(fake.panels[0].viewType, 'latentExplorer.comparison');
    assert.equal(fake.panels[0].title, 'Compare: early ↔ final');
    assert.deepEqual(connections[0].options.modelPaths, [early(), final()]);
    assert.equal(connections[0].options.view, 'compare');
  });

  it('Compare checkpoints asks for model A, then B without A, then the dataset', async () => {
    openWorkspace();
    fake.answerQuickPick = (items, title) =>
      title?.includes('(1/3)') ? rowLabelled('early')(items) : title?.includes('(2/3)') ? rowLabelled('final')(items) : rowLabelled('mnist-test')(items);
    await run('latentExplorer.compare');
    assert.deepEqual(fake.quickPicks.map((pick) => pick.title), [
      'Compare checkpoints (1/3): model A',
      'Compare checkpoints (2/3): model B, compared with early',
      'Compare checkpoints (3/3): data for early ↔ final',
    ]);
    assert.ok(!fake.quickPicks[1].items.some((item) => item.label === 'early'));
    assert.deepEqual(connections[0].options.modelPaths, [early(), final()]);
  });

  it('Compare checkpoint with selected before any selection says what to do', async () => {
    await run('latentExplorer.compareWithSelected', Uri.file(final()));
    assert.deepEqual(fake.infos, ['Choose "Select checkpoint for compare" on a model.json first.']);
    assert.equal(fake.panels.length, 0);
  });
});

describe('latentExplorer.openSession', () => {
  const sessionFile = () => join(workspaceRoot, 'views', 'pair.latent-session.json');
  const saved = () => ({
    format: 'latent-explorer-session',
    version: 1,
    view: 'compare',
    models: ['../runs/early/model.json', join(workspaceRoot, 'runs', 'final', 'model.json')],
    data: '../data/digits.npy',
    sampleLimit: 300,
    seed: 9,
    ui: { method: 'tsne', perplexity: 20, colorBy: 'drift' },
    selection: [4, 2],
  });

  it('reopens a saved comparison with its sample settings, and hands the webview its choices and selection', async () => {
    write(sessionFile(), JSON.stringify(saved()));
    await run('latentExplorer.openSession', Uri.file(sessionFile()));
    assert.deepEqual(fake.errors, []);
    assert.equal(fake.panels[0].viewType, 'latentExplorer.comparison');
    assert.deepEqual(connections[0].options.modelPaths, [join(workspaceRoot, 'runs', 'early', 'model.json'), join(workspaceRoot, 'runs', 'final', 'model.json')]);
    assert.equal(connections[0].options.dataPath, join(workspaceRoot, 'data', 'digits.npy'));
    assert.deepEqual(connections[0].options.settings, { defaultMethod: 'pca', seed: 9, sampleLimit: 300 });
    assert.ok(fake.panels[0].webview.html.includes('&#34;restore&#34;:{&#34;ui&#34;:{&#34;method&#34;:&#34;tsne&#34;'));
    assert.ok(fake.panels[0].webview.html.includes('&#34;selection&#34;:[2,4]'));
  });

  it('replaces an open panel on the same models and data, which shows other choices', async () => {
    write(sessionFile(), JSON.stringify(saved()));
    await run('latentExplorer.openSession', Uri.file(sessionFile()));
    await run('latentExplorer.openSession', Uri.file(sessionFile()));
    assert.equal(fake.panels.length, 2);
    assert.ok(fake.panels[0].disposed && !fake.panels[1].disposed);
    assert.ok(connections[0].disposed && !connections[1].disposed);
  });

  it('a session naming a model that is gone, or a corrupt file, gets an error naming the file; nothing opens', async () => {
    write(sessionFile(), JSON.stringify({ ...saved(), models: ['../runs/deleted/model.json', '../runs/final/model.json'] }));
    await run('latentExplorer.openSession', Uri.file(sessionFile()));
    write(sessionFile(), '{"format": "latent-explorer-sess');
    await run('latentExplorer.openSession', Uri.file(sessionFile()));
    assert.equal(fake.panels.length, 0);
    assert.equal(fake.errors.length, 2);
    assert.equal(fake.errors[0], `Could not open the saved session: ${sessionFile()}: ${join(workspaceRoot, 'runs', 'deleted', 'model.json')} does not exist`);
    assert.match(fake.errors[1], new RegExp(`^Could not open the saved session: ${sessionFile().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
  });
});

describe('error boundary', () => {
  it('a failing command shows an error message instead of throwing into VS Code', async () => {
    await run('latentExplorer.selectForCompare');
    await run('latentExplorer.openModel', Uri.from({ scheme: 'untitled', path: '/x/model.json' }));
    assert.deepEqual(fake.errors, [
      'Could not select the model for compare: "Select checkpoint for compare" needs a model.json from the explorer',
      'Could not open the latent explorer: Latent Explorer reads models and data from local files; untitled:///x/model.json is not one',
    ]);
  });

  it('invalid settings are logged and replaced by defaults', async () => {
    fake.configuration = { sampleLimit: -3, defaultProjection: 'umap' };
    await run('latentExplorer.open');
    assert.deepEqual(connections[0].options.settings, { defaultMethod: 'umap', seed: 42, sampleLimit: 5000 });
    assert.ok(fake.logLines.includes('warn latentExplorer.sampleLimit: -3 is not valid, using 5000'));
  });
});
