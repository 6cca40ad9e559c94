/**
 * The inline error banner: every failed request ends up here (via the controller), with the file
 * it concerns when there is one. Errors stack until dismissed; the same message is shown once.
 */
import type { ErrorInfo } from '../../src/shared/types';
import { el } from './ui';

export interface ErrorBanner {
  readonly element: HTMLElement;
  show(error: ErrorInfo, context?: string): void;
  clear(): void;
}

export function errorBanner(): ErrorBanner {
  const element = el('div', 'error-banner');
  element.setAttribute('role', 'alert');
  element.hidden = true;
  const shown = new Map<string, HTMLElement>();
  const update = () => {
    element.hidden = shown.size === 0;
  };
  return {
    element,
    show(error, context) {
      const key = `${error.code}\u0000${error.message}`;
      if (shown.has(key)) return;
      const row = el('div', 'error-row');
      row.dataset.code = error.code;
      const text = el('span', 'error-text');
      text.append(el('strong', undefined, context ? `${context} failed: ` : 'Error: '), document.createTextNode(error.message));
      if (error.file) text.append(el('span', 'error-file', ` (${error.file})`));
      const close = el('button', 'error-close', '×');
      close.type = 'button';
      close.title = 'Dismiss';
      close.addEventListener('click', () => {
        row.remove();
        shown.delete(key);
        update();
      });
      row.append(text, close);
      element.append(row);
      shown.set(key, row);
      update();
    },
    clear() {
      element.replaceChildren();
      shown.clear();
      update();
    },
  };
}
