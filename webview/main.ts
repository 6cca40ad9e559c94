/**
 * Webview entry: applies the stylesheet, connects to the host (VS Code or the `serve` bridge),
 * performs the ready handshake and hands the page to the view the host asked for.
 */
import css from './styles.css';
import { assertNever, type ReadyResponse, type RequestType } from '../src/shared/protocol';
import { connectTransport } from './transport';
import { createController } from './controller';
import { errorBanner, type ErrorBanner } from './views/errorBanner';
import { applyBrowserTheme, createShell } from './views/shell';
import { explorerView } from './views/explorerView';
import { compareView } from './views/compareView';
import { inspectView } from './views/inspectView';
import type { SessionRestore } from '../src/shared/sessionFile';
import type { UiState, ViewContext } from './views/context';
import { el } from './views/ui';

/** What each request is called in an error message. */
const REQUEST_NAMES: Record<RequestType, string> = {
  ready: 'Opening the session',
  project: 'Projection',
  column: 'Colouring',
  samples: 'Loading samples',
  denoise: 'Denoising',
  activations: 'Activations',
  compareStats: 'Comparison',
  cancel: 'Cancelling',
  openExplorer: 'Opening the explorer',
  decodeAt: 'Decoding',
  interpolate: 'Interpolation',
  traverse: 'Traversal',
  priorSamples: 'Sampling the prior',
  latentHealth: 'Latent statistics',
  baseline: 'Baseline projection',
  neighbors: 'Neighbours',
  exportCodes: 'Export',
  rank: 'Ranking',
  clusterCentroids: 'Cluster centroids',
  saveFile: 'Saving',
};

/** Persisted state: the session the page shows (for VS Code's panel serializer) and the UI choices. */
interface PersistedState {
  session?: unknown;
  ui?: UiState;
}

function applyStylesheet(): void {
  // A constructed stylesheet needs no inline <style> element, so the page's CSP stays strict.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

async function start(): Promise<void> {
  applyStylesheet();
  const root = document.getElementById('app') ?? document.body.appendChild(el('div'));
  root.classList.add('app');
  const transport = connectTransport();
  const inBrowser = transport.kind === 'websocket';
  if (inBrowser) applyBrowserTheme();
  const banner = errorBanner();
  const controller = createController(transport, (error, type) => banner.show(error, type ? REQUEST_NAMES[type] : undefined));

  const stored = transport.loadState<PersistedState>() ?? {};
  const sessionAttribute = document.body.dataset.session;
  const session = sessionAttribute ? (JSON.parse(sessionAttribute) as unknown) : stored.session;
  // A panel opened from a saved session starts from its choices; later changes persist as usual.
  const restore = (session as { restore?: SessionRestore } | undefined)?.restore;
  const ui: UiState = { ...(stored.ui ?? restore?.ui) };
  const saveUi = (patch: Partial<UiState>) => {
    Object.assign(ui, patch);
    transport.saveState({ session, ui } satisfies PersistedState);
  };
  saveUi({});

  const loading = el('div', 'loading');
  const loadingText = el('div', 'loading-text', 'Opening the session…');
  loading.append(el('div', 'loading-mark', '◈'), loadingText, banner.element);
  root.replaceChildren(loading);

  let ready;
  try {
    ready = await controller.request('ready', {}, {
      onProgress: (p) => (loadingText.textContent = `${p.stage}${p.fraction === null ? '…' : ` ${Math.round(p.fraction * 100)}%`}`),
    });
  } catch {
    loadingText.textContent = 'The session could not open.';
    return;
  }
  const shell = createShell(root, [banner, modelWarnings(ready)], inBrowser);
  if (ready.backendFallback) banner.warn(`TensorFlow.js backend: ${ready.backendFallback}.`);
  document.body.dataset.view = ready.view;
  const restoredSelection = restore?.selection.length ? Int32Array.from(restore.selection.filter((i) => i < (ready.dataset?.shownCount ?? 0))) : null;
  const context: ViewContext = { controller, host: inBrowser ? 'browser' : 'vscode', ready, banner, ui, saveUi, restoredSelection };
  switch (ready.view) {
    case 'explorer':
      explorerView(context, shell);
      break;
    case 'compare':
      compareView(context, shell);
      break;
    case 'inspect':
      inspectView(context, shell);
      break;
    default:
      assertNever(ready.view);
  }
}

/**
 * What the loader said of each model (a collapsed encoder, a sampling stand-in, which of several
 * files it opened), in a strip of its own; the inspector lists them on its page instead.
 */
function modelWarnings(ready: ReadyResponse): ErrorBanner {
  const strip = errorBanner({ className: 'model-warnings', role: 'status' });
  if (ready.view === 'inspect') return strip;
  for (const model of ready.models) {
    for (const warning of model.summary.warnings) strip.warn(ready.models.length > 1 ? `${model.label}: ${warning}` : warning);
  }
  return strip;
}

void start();
