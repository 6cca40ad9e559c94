/**
 * Budgets that keep a hostile or merely huge dataset from exhausting memory. Sizes are checked
 * against them from headers, before anything is allocated or inflated, and every refusal says
 * what would fit.
 */
import { readFile, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { DataError } from './errors';

const GiB = 2 ** 30;

/**
 * Bytes one dataset may occupy in memory once decoded: 4 GiB, or half the machine's memory when
 * that is less. LATENT_EXPLORER_MEMORY_BUDGET_MB sets another (smaller machines, tests).
 */
export const MEMORY_BUDGET_BYTES = budgetFromEnvironment() ?? Math.min(4 * GiB, Math.floor(totalmem() / 2));

function budgetFromEnvironment(): number | null {
  const megabytes = Number(process.env.LATENT_EXPLORER_MEMORY_BUDGET_MB);
  return Number.isFinite(megabytes) && megabytes > 0 ? megabytes * 2 ** 20 : null;
}

/** Images beyond this many pixels are refused before decoding (libpng's default user limit is 1M×1M; a dataset image is far smaller). */
export const MAX_IMAGE_PIXELS = 2 ** 25;

/** Text formats (CSV, JSON) are parsed whole; past this size V8's string limit and memory make that unsafe. */
export const MAX_TEXT_BYTES = 256 * 2 ** 20;

/** `1.5 GiB`, `12 MiB`: sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * Throws unless `items` items of `bytesPerItem` bytes fit the memory budget; the message says how
 * many would (`what` names the step, e.g. "inflating the gzip stream").
 */
export function checkMemoryBudget(file: string, what: string, items: number, bytesPerItem: number, fix: string): void {
  const bytes = items * bytesPerItem;
  if (bytes <= MEMORY_BUDGET_BYTES) return;
  const fitting = Math.floor(MEMORY_BUDGET_BYTES / Math.max(1, bytesPerItem));
  throw new DataError(
    file,
    'data-unsupported',
    `${what} needs ${formatBytes(bytes)} for ${items} items, more than the ${formatBytes(MEMORY_BUDGET_BYTES)} memory budget; ` +
      `${fix.replace('{fitting}', String(fitting))}`,
  );
}

/** Reads a text dataset (CSV, JSON) whole, after checking it is small enough to parse in memory. */
export async function readTextDataset(path: string, convertTo: string): Promise<Buffer> {
  const { size } = await stat(path);
  if (size > MAX_TEXT_BYTES) {
    throw new DataError(path, 'data-unsupported', `the file is ${formatBytes(size)}; text datasets over ${formatBytes(MAX_TEXT_BYTES)} are not read: ${convertTo}`);
  }
  return readFile(path);
}
