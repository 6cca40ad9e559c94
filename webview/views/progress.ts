/**
 * Progress of the one long request a view runs at a time (a t-SNE/UMAP projection): stage text,
 * a bar (indeterminate when the fraction is unknown) and a cancel button.
 */
import type { VscodeProgressBar } from '@vscode-elements/elements/dist/vscode-progress-bar/vscode-progress-bar.js';
import { button, el } from './ui';

export interface ProgressView {
  readonly element: HTMLElement;
  /** Shows progress for a task that `cancel` stops. */
  start(label: string, cancel: () => void): void;
  update(stage: string, fraction: number | null): void;
  finish(): void;
}

export function progressView(): ProgressView {
  const element = el('div', 'progress');
  element.hidden = true;
  const text = el('span', 'progress-text');
  const bar = document.createElement('vscode-progress-bar') as VscodeProgressBar;
  bar.max = 1;
  let onCancel: (() => void) | null = null;
  const cancel = button('Cancel', () => onCancel?.(), { secondary: true, name: 'cancel' });
  element.append(text, bar, cancel);
  let label = '';
  return {
    element,
    start(taskLabel, cancelTask) {
      label = taskLabel;
      onCancel = cancelTask;
      text.textContent = `${label}…`;
      bar.value = undefined;
      bar.indeterminate = true;
      element.hidden = false;
    },
    update(stage, fraction) {
      text.textContent = `${label}: ${stage}${fraction === null ? '' : ` ${Math.round(fraction * 100)}%`}`;
      bar.indeterminate = fraction === null;
      bar.value = fraction ?? undefined;
    },
    finish() {
      onCancel = null;
      element.hidden = true;
    },
  };
}
