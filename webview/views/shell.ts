/**
 * The page frame every view fills: a top bar (title, view-specific controls, theme toggle in the
 * browser), the error banner and the model's warnings, and the content area.
 */
import type { ReadyResponse } from '../../src/shared/protocol';
import type { ErrorBanner } from './errorBanner';
import { el } from './ui';

export interface Shell {
  readonly toolbar: HTMLElement;
  readonly content: HTMLElement;
  setTitle(title: string, notes: string[]): void;
}

/**
 * What runs the models, for a title: "runtime onnxruntime-web 1.x (wasm, 1 thread)" for an ONNX
 * model, "backend wasm" (TensorFlow.js) for the others; each once when a comparison mixes them.
 */
export function runnerNotes(ready: ReadyResponse): string[] {
  const notes = ready.models.map((model) => (model.summary.runtime ? `runtime ${model.summary.runtime}` : `backend ${ready.backend}`));
  return [...new Set(notes)];
}

const THEME_KEY = 'latent-explorer-theme';

/** In a browser there is no VS Code theme: follow the system unless the user chose one; applied before the first paint. */
export function applyBrowserTheme(): 'light' | 'dark' {
  const stored = localStorage.getItem(THEME_KEY);
  const prefersLight = window.matchMedia?.('(prefers-color-scheme: light)').matches ?? false;
  const theme = stored === 'light' || stored === 'dark' ? stored : prefersLight ? 'light' : 'dark';
  document.body.dataset.host = 'browser';
  document.body.dataset.theme = theme;
  return theme;
}

/** Flips the browser theme and remembers the choice. */
function themeToggle(): HTMLElement {
  let theme = applyBrowserTheme();
  const toggle = el('button', 'theme-toggle');
  toggle.type = 'button';
  toggle.dataset.name = 'theme';
  const apply = () => {
    document.body.dataset.theme = theme;
    toggle.textContent = theme === 'dark' ? '☀ Light' : '☾ Dark';
    toggle.title = `Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`;
  };
  toggle.addEventListener('click', () => {
    theme = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, theme);
    apply();
  });
  apply();
  return toggle;
}

/** `banners` go between the top bar and the content, in this order. */
export function createShell(root: HTMLElement, banners: readonly ErrorBanner[], inBrowser: boolean): Shell {
  const header = el('header', 'topbar');
  const brand = el('div', 'brand');
  const titleText = el('span', 'brand-title');
  const notesText = el('span', 'brand-notes');
  brand.append(el('span', 'brand-mark', '◈'), titleText, notesText);
  const toolbar = el('div', 'toolbar');
  header.append(brand, toolbar);
  if (inBrowser) header.append(themeToggle());
  const content = el('div', 'content');
  root.replaceChildren(header, ...banners.map((banner) => banner.element), content);
  return {
    toolbar,
    content,
    setTitle(title, notes) {
      titleText.textContent = title;
      notesText.textContent = notes.filter(Boolean).join(' · ');
      document.title = `Latent Explorer: ${title}`;
    },
  };
}
