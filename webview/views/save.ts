/**
 * Saving what the user asked for: bytes the host made (exported codes) or the webview drew (the
 * plot as PNG or SVG). VS Code answers `saveFile` with its save dialog; `serve` pages download.
 */
import { composePlots, svgToPng } from '../charts/plotExport';
import { SESSION_FILE_FORMAT, SESSION_FILE_SUFFIX, SESSION_FILE_VERSION, type SessionFile } from '../../src/shared/sessionFile';
import type { ViewContext } from './context';
import type { PlotPane } from './plotPane';
import type { ProjectionChoice } from './projectionControls';
import { button, el } from './ui';

/**
 * Saves bytes: a download in the browser, VS Code's save dialog in a webview. Resolves to where
 * they went (the path, or the download's name), or null when the user cancelled the dialog.
 */
export async function saveBytes(context: ViewContext, fileName: string, mime: string, data: Uint8Array): Promise<string | null> {
  if (context.host === 'vscode') return (await context.controller.request('saveFile', { fileName, data })).path;
  const url = URL.createObjectURL(new Blob([data.slice()], { type: mime }));
  const link = el('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return fileName;
}

/** The panes shown now, side by side, as an SVG or PNG file named after `baseName`. */
export async function savePlot(context: ViewContext, panes: readonly PlotPane[], format: 'png' | 'svg', baseName: string): Promise<void> {
  const page = getComputedStyle(document.body);
  const surface = getComputedStyle(panes[0].element);
  const picture = composePlots(
    panes.map((pane) => pane.picture()),
    { background: surface.backgroundColor, ink: page.color, fontFamily: page.fontFamily },
  );
  const fileName = `${baseName}.${format}`;
  if (format === 'svg') await saveBytes(context, fileName, 'image/svg+xml', new TextEncoder().encode(picture.svg));
  else await saveBytes(context, fileName, 'image/png', await svgToPng(picture));
}

/** "Save plot: PNG · SVG" buttons for a view's plot bar; `panes` is read when clicked. */
export function savePlotButtons(context: ViewContext, panes: () => readonly PlotPane[], baseName: () => string): HTMLElement {
  const element = el('span', 'save-plot');
  const save = (format: 'png' | 'svg') => () => {
    savePlot(context, panes(), format, baseName()).catch((error: unknown) =>
      context.banner.show({ message: error instanceof Error ? error.message : String(error), code: 'export-failed' }, 'Saving the plot'),
    );
  };
  element.append(
    el('span', 'field-label', 'save plot'),
    button('PNG', save('png'), { secondary: true, name: 'save-png', title: 'the plot as shown, at twice the screen resolution' }),
    button('SVG', save('svg'), { secondary: true, name: 'save-svg', title: 'the plot as vector graphics: one circle per point' }),
  );
  return element;
}

/** The view as a session file: what reopening it needs to show the same samples, choices and selection. */
export function sessionFile(context: ViewContext, choice: ProjectionChoice, selection: Int32Array | null): SessionFile {
  const { ready, ui } = context;
  if (!ready.dataset || (ready.view !== 'explorer' && ready.view !== 'compare')) throw new Error('only the explorer and compare views can be saved as a session');
  const { perplexity, nNeighbors, minDist, components } = choice.params;
  return {
    format: SESSION_FILE_FORMAT,
    version: SESSION_FILE_VERSION,
    view: ready.view,
    models: ready.models.map((model) => model.path),
    data: ready.dataset.path,
    sampleLimit: ready.settings.sampleLimit,
    seed: ready.settings.seed,
    ui: { method: choice.method, dims: choice.dims, seed: choice.seed, perplexity, nNeighbors, minDist, components, colorBy: ui.colorBy, baseline: ui.baseline },
    selection: selection ? Array.from(selection) : [],
    savedAt: new Date().toISOString(),
  };
}

/** "Save session" for a view's plot bar; the choice and the selection are read when clicked. */
export function saveSessionButton(context: ViewContext, choice: () => ProjectionChoice, selection: () => Int32Array | null): HTMLElement {
  const baseName = context.ready.models.map((model) => model.label).join('-vs-');
  const save = () => {
    Promise.resolve()
      .then(() => saveBytes(context, `${baseName}${SESSION_FILE_SUFFIX}`, 'application/json', new TextEncoder().encode(`${JSON.stringify(sessionFile(context, choice(), selection()), null, 2)}\n`)))
      .catch((error: unknown) =>
        context.banner.show({ message: error instanceof Error ? error.message : String(error), code: 'export-failed' }, 'Saving the session'),
      );
  };
  return button('Save session', save, {
    secondary: true,
    name: 'save-session',
    title: `the models, data, projection, colouring and selection as a ${SESSION_FILE_SUFFIX} file; "Latent Explorer: Open saved session" reopens it`,
  });
}
