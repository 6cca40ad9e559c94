/**
 * A small in-memory stand-in for the parts of the `vscode` API the host adapters use, so their
 * wiring (commands → pickers → panels → session) runs under Node's test runner. It records what
 * the extension asked VS Code to do; tests answer quick picks through `fake.answerQuickPick`.
 */
import { isAbsolute, join, relative } from 'node:path';

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static from(parts: { scheme: string; path: string }): Uri {
    return new Uri(parts.scheme, parts.path);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, join(base.fsPath, ...segments));
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export class Disposable {
  constructor(private readonly cleanup: () => void) {}
  dispose(): void {
    this.cleanup();
  }
}

export enum ViewColumn {
  Active = -1,
  One = 1,
}
export enum ProgressLocation {
  Notification = 15,
}
export enum QuickPickItemKind {
  Separator = -1,
  Default = 0,
}

export class FakeWebview {
  options: { enableScripts?: boolean; localResourceRoots?: Uri[] } = {};
  html = '';
  readonly cspSource = 'https://webview.test';
  readonly posted: unknown[] = [];
  private readonly received = new Emitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: Uri): Uri {
    return Uri.from({ scheme: 'https', path: `webview.test${uri.fsPath}` });
  }
  postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return Promise.resolve(true);
  }
  /** Simulates the webview script posting `message` to the host. */
  send(message: unknown): void {
    this.received.fire(message);
  }
}

export class FakeWebviewPanel {
  readonly webview = new FakeWebview();
  disposed = false;
  reveals = 0;
  private readonly disposeEmitter = new Emitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  constructor(
    readonly viewType: string,
    public title: string,
    readonly options: unknown,
  ) {
    fake.panels.push(this);
  }
  reveal(): void {
    this.reveals++;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
}

export interface RecordedProgress {
  title: string;
  cancellable: boolean;
  reports: { message?: string; increment?: number }[];
  cancel(): void;
  done: Promise<unknown>;
}

interface QuickPickItem {
  label: string;
  kind?: QuickPickItemKind;
  description?: string;
  detail?: string;
}

/** What the extension did, and how the "user" answers. */
export const fake = {
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  executed: [] as { id: string; args: unknown[] }[],
  serializers: new Map<string, { deserializeWebviewPanel(panel: FakeWebviewPanel, state: unknown): Promise<void> }>(),
  customEditors: new Map<string, { provider: unknown; options: unknown }>(),
  /** Every panel made, by the extension or by a test (restored panels, custom editors). */
  panels: [] as FakeWebviewPanel[],
  progress: [] as RecordedProgress[],
  errors: [] as string[],
  infos: [] as string[],
  logLines: [] as string[],
  quickPicks: [] as { title?: string; items: QuickPickItem[] }[],
  /** Chooses a row of each quick pick; undefined dismisses it. */
  answerQuickPick: (_items: QuickPickItem[], _title?: string): QuickPickItem | undefined => undefined,
  openDialogAnswer: undefined as Uri[] | undefined,
  /** The save dialogs shown (their options); each answers saveDialogAnswer, undefined = cancelled. */
  saveDialogs: [] as { defaultUri?: Uri; title?: string }[],
  saveDialogAnswer: undefined as Uri | undefined,
  /** Files written through workspace.fs, by path; writeError makes the next writes fail instead. */
  writtenFiles: new Map<string, Uint8Array>(),
  writeError: undefined as Error | undefined,
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  workspaceFiles: [] as Uri[],
  configuration: {} as Record<string, unknown>,
  reset(): void {
    this.commands.clear();
    this.executed.length = 0;
    this.serializers.clear();
    this.customEditors.clear();
    this.panels.length = 0;
    this.progress.length = 0;
    this.errors.length = 0;
    this.infos.length = 0;
    this.logLines.length = 0;
    this.quickPicks.length = 0;
    this.answerQuickPick = () => undefined;
    this.openDialogAnswer = undefined;
    this.saveDialogs.length = 0;
    this.saveDialogAnswer = undefined;
    this.writtenFiles.clear();
    this.writeError = undefined;
    this.workspaceFolders = undefined;
    this.workspaceFiles = [];
    this.configuration = {};
  },
};

function logChannel(name: string) {
  const line = (level: string) => (message: string) => fake.logLines.push(`${level} ${message}`);
  return {
    name,
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    show: () => undefined,
    dispose: () => undefined,
  };
}

export const window = {
  activeTextEditor: undefined,
  createOutputChannel: logChannel,
  createWebviewPanel(viewType: string, title: string, _column: ViewColumn, options: unknown): FakeWebviewPanel {
    return new FakeWebviewPanel(viewType, title, options);
  },
  withProgress<R>(
    options: { title: string; cancellable: boolean },
    task: (
      progress: { report(value: { message?: string; increment?: number }): void },
      token: { onCancellationRequested: Emitter<void>['event'] },
    ) => Promise<R>,
  ): Promise<R> {
    const cancelled = new Emitter<void>();
    const record: RecordedProgress = {
      title: options.title,
      cancellable: options.cancellable,
      reports: [],
      cancel: () => cancelled.fire(),
      done: Promise.resolve(),
    };
    fake.progress.push(record);
    const result = task({ report: (value) => record.reports.push(value) }, { onCancellationRequested: cancelled.event });
    record.done = result;
    return result;
  },
  showErrorMessage(message: string): Promise<undefined> {
    fake.errors.push(message);
    return Promise.resolve(undefined);
  },
  showInformationMessage(message: string): Promise<undefined> {
    fake.infos.push(message);
    return Promise.resolve(undefined);
  },
  setStatusBarMessage(message: string): Disposable {
    fake.infos.push(message);
    return new Disposable(() => undefined);
  },
  async showQuickPick(items: QuickPickItem[] | Promise<QuickPickItem[]>, options: { title?: string }): Promise<QuickPickItem | undefined> {
    const list = await items;
    fake.quickPicks.push({ title: options.title, items: list });
    return fake.answerQuickPick(list, options.title);
  },
  async showOpenDialog(): Promise<Uri[] | undefined> {
    return fake.openDialogAnswer;
  },
  async showSaveDialog(options: { defaultUri?: Uri; title?: string }): Promise<Uri | undefined> {
    fake.saveDialogs.push(options);
    return fake.saveDialogAnswer;
  },
  registerWebviewPanelSerializer(
    viewType: string,
    serializer: { deserializeWebviewPanel(panel: FakeWebviewPanel, state: unknown): Promise<void> },
  ): Disposable {
    fake.serializers.set(viewType, serializer);
    return new Disposable(() => fake.serializers.delete(viewType));
  },
  registerCustomEditorProvider(viewType: string, provider: unknown, options: unknown): Disposable {
    fake.customEditors.set(viewType, { provider, options });
    return new Disposable(() => fake.customEditors.delete(viewType));
  },
};

export const workspace = {
  fs: {
    async writeFile(uri: Uri, content: Uint8Array): Promise<void> {
      if (fake.writeError) throw fake.writeError;
      fake.writtenFiles.set(uri.fsPath, content);
    },
  },
  get workspaceFolders() {
    return fake.workspaceFolders;
  },
  async findFiles(): Promise<Uri[]> {
    return fake.workspaceFiles;
  },
  getConfiguration() {
    return { get: (key: string) => fake.configuration[key] };
  },
  getWorkspaceFolder(uri: Uri) {
    return fake.workspaceFolders?.find((folder) => {
      const rel = relative(folder.uri.fsPath, uri.fsPath);
      return !rel.startsWith('..') && !isAbsolute(rel);
    });
  },
};

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable {
    fake.commands.set(id, handler);
    return new Disposable(() => fake.commands.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    fake.executed.push({ id, args });
    return fake.commands.get(id)?.(...args);
  },
};
