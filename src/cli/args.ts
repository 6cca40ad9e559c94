/**
 * Command-line values: negative numbers read as values (not as options), and every number checked
 * against its range with one line saying what was expected and what was given.
 */
import { printable } from '../util/printable';

/** A mistake in how the command was called: exit 2. */
export class UsageError extends Error {}

/** A bad value for one option: exit 2 with one line, without the whole usage text. */
export class OptionValueError extends UsageError {
  constructor(name: string, expected: string, value: string) {
    super(`--${name}: expected ${expected}, got ${printable(value) || '""'}`);
  }
}

/** Positional arguments outside `min`–`max`: a usage error naming the command. */
export function arity(command: string, args: readonly string[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min}–${max}`;
    throw new UsageError(`${command} takes ${expected} argument(s), got ${args.length}`);
  }
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--seed -1` as `--seed=-1`: util.parseArgs refuses a value starting with a dash as ambiguous,
 * though a negative number after an option that takes a value can only be that value. Only the
 * options in `valued` are rewritten; `--` ends the options, as parseArgs treats it.
 */
export function joinNegativeValues(argv: readonly string[], valued: ReadonlySet<string>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      joined.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (arg.startsWith('--') && valued.has(arg.slice(2)) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

export interface Range {
  min?: number;
  max?: number;
}

/** Decimal digits only: `1e3`, `0x10`, `1.0` and ` 5` are not integers someone typed on purpose. */
export function parseInteger(name: string, value: string, { min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER }: Range = {}): number {
  const parsed = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) throw new OptionValueError(name, `an integer ${rangeText(min, max)}`, value);
  return parsed;
}

/** A decimal number (exponents allowed: `1e-3` is a natural way to write a small distance). */
export function parseNumber(name: string, value: string, { min = -Infinity, max = Infinity, above }: Range & { above?: number } = {}): number {
  const parsed = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
  const low = above ?? min;
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (above !== undefined && parsed <= above)) {
    throw new OptionValueError(name, `a number ${above !== undefined ? `greater than ${above}${max < Infinity ? ` and at most ${max}` : ''}` : rangeText(low, max)}`.trimEnd(), value);
  }
  return parsed;
}

function rangeText(min: number, max: number): string {
  const bounded = (limit: number) => Number.isFinite(limit) && Math.abs(limit) < Number.MAX_SAFE_INTEGER;
  if (bounded(min) && bounded(max)) return `from ${min} to ${max}`;
  if (bounded(min)) return `of at least ${min}`;
  if (bounded(max)) return `of at most ${max}`;
  return '';
}
