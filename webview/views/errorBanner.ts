/**
 * The inline error banner: every failed request ends up here (via the controller), with the file
 * it concerns when there is one. Errors stack until dismissed; the same message is shown once.
 */
import type { ErrorInfo } from '../../src/shared/types';
import { el } from './ui';

export interface ErrorBanner {
  readonly element: HTMLElement;
  show(error: ErrorInfo, context?: string): void;
  /** Something that works, but worse than it should (e.g. a slower backend): shown like an error, marked as a warning. */
  warn(message: string): void;
  clear(): void;
}

/**
 * `className` tells banners apart (the model's warnings get their own strip, which request errors
 * neither mix with nor push aside); a strip of lasting facts is a `status`, not an `alert`.
 */
export function errorBanner({ className = 'error-banner', role = 'alert' }: { className?: string; role?: 'alert' | 'status' } = {}): ErrorBanner {
  const element = el('div', className);
  element.setAttribute('role', role);
  element.hidden = true;
  const shown = new Map<string, HTMLElement>();
  const update = () => {
    element.hidden = shown.size === 0;
  };
  const addRow = (code: string, lead: string, message: string, file?: string) => {
    const key = `${code}\u0000${message}`;
    if (shown.has(key)) return;
    const row = el('div', 'error-row');
    row.dataset.code = code;
    const text = el('span', 'error-text');
    text.append(el('strong', undefined, lead), document.createTextNode(message));
    if (file) text.append(el('span', 'error-file', ` (${file})`));
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
  };
  return {
    element,
    show(error, context) {
      addRow(error.code, context ? `${context} failed: ` : 'Error: ', error.message, error.file);
    },
    warn(message) {
      addRow('warning', 'Warning: ', message);
    },
    clear() {
      element.replaceChildren();
      shown.clear();
      update();
    },
  };
}
