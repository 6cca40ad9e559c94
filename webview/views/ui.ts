/**
 * Small builders for the controls every view uses, on top of @vscode-elements (the maintained
 * successor of the webview UI toolkit), so views read as layout rather than DOM plumbing.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';

/** Creates an element with classes and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A labelled control: `label` above or beside `control`. */
export function field(label: string, control: HTMLElement, className = 'field'): HTMLLabelElement {
  const wrapper = el('label', className);
  wrapper.append(el('span', 'field-label', label), control);
  return wrapper;
}

export interface Choice<T extends string> {
  value: T;
  label: string;
}

/** A dropdown; `onChange` receives the chosen value. */
export function dropdown<T extends string>(choices: Choice<T>[], value: T, onChange: (value: T) => void, name?: string): VscodeSingleSelect {
  const select = document.createElement('vscode-single-select') as VscodeSingleSelect;
  if (name) select.setAttribute('data-name', name);
  setChoices(select, choices, value);
  select.addEventListener('change', () => onChange(select.value as T));
  return select;
}

/** Replaces a dropdown's options, keeping `value` selected. */
export function setChoices<T extends string>(select: VscodeSingleSelect, choices: Choice<T>[], value: T): void {
  select.replaceChildren(
    ...choices.map((choice) => {
      const option = document.createElement('vscode-option');
      option.setAttribute('value', choice.value);
      if (choice.value === value) option.setAttribute('selected', '');
      option.textContent = choice.label;
      return option;
    }),
  );
  select.value = value;
}

/** A numeric text field; `onChange` gets a finite number within [min, max] or is not called. */
export function numberField(value: number, options: { min: number; max: number; step?: number; name?: string }, onChange: (value: number) => void): VscodeTextfield {
  const input = document.createElement('vscode-textfield') as VscodeTextfield;
  input.type = 'number';
  input.min = options.min;
  input.max = options.max;
  if (options.step !== undefined) input.step = options.step;
  if (options.name) input.setAttribute('data-name', options.name);
  input.value = String(value);
  input.classList.add('number-field');
  input.addEventListener('change', () => {
    const parsed = Number(input.value);
    const valid = input.value.trim() !== '' && Number.isFinite(parsed) && parsed >= options.min && parsed <= options.max;
    input.invalid = !valid;
    if (valid) onChange(parsed);
  });
  return input;
}

/** A button; secondary buttons are the quieter style. */
export function button(label: string, onClick: () => void, options: { secondary?: boolean; title?: string; name?: string } = {}): VscodeButton {
  const element = document.createElement('vscode-button') as VscodeButton;
  element.textContent = label;
  element.secondary = options.secondary ?? false;
  if (options.title) element.title = options.title;
  if (options.name) element.setAttribute('data-name', options.name);
  element.addEventListener('click', onClick);
  return element;
}

/** A row of mutually exclusive toggle buttons (plot tools, 2-D/3-D). */
export function segmented<T extends string>(
  choices: (Choice<T> & { title?: string })[],
  value: T,
  onChange: (value: T) => void,
  name?: string,
): { element: HTMLElement; set(value: T): void; enable(value: T, enabled: boolean): void } {
  const group = el('div', 'segmented');
  if (name) group.setAttribute('data-name', name);
  group.setAttribute('role', 'radiogroup');
  const buttons = new Map<T, HTMLButtonElement>();
  const set = (next: T) => {
    for (const [key, b] of buttons) {
      b.classList.toggle('active', key === next);
      b.setAttribute('aria-checked', String(key === next));
    }
  };
  for (const choice of choices) {
    const b = el('button', 'segment', choice.label);
    b.type = 'button';
    b.setAttribute('role', 'radio');
    b.dataset.value = choice.value;
    if (choice.title) b.title = choice.title;
    b.addEventListener('click', () => {
      set(choice.value);
      onChange(choice.value);
    });
    buttons.set(choice.value, b);
    group.append(b);
  }
  set(value);
  return {
    element: group,
    set,
    enable(key, enabled) {
      const b = buttons.get(key);
      if (b) b.disabled = !enabled;
    },
  };
}

/** Formats a number for tables: 3 significant digits, exponent for very small or large values. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(2);
  return Number(value.toPrecision(3)).toString();
}

/** Formats an integer with thousands separators. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
