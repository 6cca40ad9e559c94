/**
 * Progress of a long CLI job (loading, encoding, reconstructing, projecting) on one rewritten
 * stderr line: the stage, its percentage and an ETA. Only on a terminal: piped or redirected
 * stderr gets nothing, so logs and `2>` files hold only warnings and errors, and stdout (the
 * result, or `--json`'s one object) never carries any of it.
 */
import { printable } from '../util/printable';

export interface Progress {
  /** The stage under way and its completed fraction (null when unknown). */
  report(stage: string, fraction: number | null): void;
  /** Clears the line, before the result or an error is printed. */
  clear(): void;
}

interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Redraws at most this often: a UMAP epoch or an encode batch can report thousands of times. */
const REDRAW_MS = 100;
/** An ETA from the first 3 % of a stage would mostly be start-up cost. */
const ETA_AFTER_FRACTION = 0.03;

const SILENT: Progress = { report: () => {}, clear: () => {} };

export function terminalProgress(stream: ProgressStream = process.stderr, now: () => number = () => performance.now()): Progress {
  if (!stream.isTTY) return SILENT;
  let stage = '';
  let stageStarted = 0;
  let startFraction = 0;
  let lastDrawn = -Infinity;
  let shown = false;
  return {
    report(next, fraction) {
      const time = now();
      if (next !== stage) {
        stage = next;
        stageStarted = time;
        startFraction = fraction ?? 0;
      } else if (time - lastDrawn < REDRAW_MS && fraction !== 1) {
        return;
      }
      lastDrawn = time;
      const line = progressLine(stage, fraction, (time - stageStarted) / 1000, startFraction);
      // Cut to the terminal's width: a wrapped line could not be rewritten in place.
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
      stage = '';
    },
  };
}

/**
 * `encoding 2000 samples with mnist-dense 42 % (ETA 3 s)`, or the stage and elapsed time when no
 * fraction is known. The ETA is the rate since the stage was first seen (at `startFraction`).
 */
export function progressLine(stage: string, fraction: number | null, elapsedSeconds: number, startFraction = 0): string {
  const name = printable(stage);
  if (fraction === null) return elapsedSeconds >= 1 ? `${name} (${Math.round(elapsedSeconds)} s)` : `${name}…`;
  const percent = `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)} %`;
  const done = fraction - startFraction;
  if (done < ETA_AFTER_FRACTION || fraction >= 1) return `${name} ${percent}`;
  return `${name} ${percent} (ETA ${duration((elapsedSeconds * (1 - fraction)) / done)})`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
