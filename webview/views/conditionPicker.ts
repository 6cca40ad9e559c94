/**
 * The class a conditional decoder (a CVAE) decodes with in the latent tools: a select over the
 * condition's classes, shown only for a model that takes a condition. Reconstructions need no
 * picker: the host gives each sample its own label.
 */
import type { ConditionedDecode } from '../../src/shared/protocol';
import type { ModelCondition } from '../../src/shared/types';
import { dropdown, el, field } from './ui';

export interface ConditionPicker {
  /** The picker's controls; null for a model without a condition (nothing to show). */
  readonly element: HTMLElement | null;
  /** The request field naming the chosen class; empty for a model without a condition. */
  chosen(): ConditionedDecode;
}

export function conditionPicker(condition: ModelCondition | undefined): ConditionPicker {
  if (!condition) return { element: null, chosen: () => ({}) };
  let chosen = 0;
  // The host names every class; the fallback only guards a host that did not.
  const choices = Array.from({ length: condition.size }, (_, k) => ({ value: String(k), label: condition.classNames?.[k] ?? `class ${k}` }));
  const controls = el('div', 'panel-controls');
  controls.append(field('decode as', dropdown(choices, '0', (value) => (chosen = Number(value)), 'condition')));
  return { element: controls, chosen: () => ({ condition: chosen }) };
}
