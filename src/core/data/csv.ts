/**
 * CSV and TSV tables: one sample per row, numeric feature columns, and an optional label column
 * (named by the user, else the first header called label, class or target, in any case).
 * The delimiter is a tab for .tsv/.tab files, else whichever of comma, tab, semicolon the header
 * uses most. A header row is present when any cell of the first row is not a number. A leading
 * column with an empty name (pandas' index) is skipped. Quoted cells ("a, b", "say ""hi""") are
 * understood within a line. String labels get codes in sorted order (see labels.ts).
 */
import { MemoryStore, StoredDataset } from './dataset';
import { DataError } from './errors';
import { labelsFromCells } from './labels';
import { readTextDataset } from './limits';
import { ValueBuffer, textItemLayout } from './values';

const AUTO_LABEL_COLUMN = /^(label|class|target)$/i;

/** Options a CSV reader takes from the user or the manifest. */
export interface CsvOptions {
  labelColumn?: string;
  labelNames?: string[];
}

/** Splits one line into cells, honouring double quotes. */
export function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === delimiter) {
      cells.push(cell);
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell);
  return cells;
}

/** Tab for .tsv/.tab files, else whichever of comma, tab, semicolon the header uses most. */
export function chooseDelimiter(path: string, headerLine: string): string {
  if (/\.(tsv|tab)$/i.test(path)) return '\t';
  const counts = [',', '\t', ';'].map((delimiter) => ({ delimiter, count: headerLine.split(delimiter).length - 1 }));
  return counts.reduce((best, next) => (next.count > best.count ? next : best)).delimiter;
}

const isNumberCell = (cell: string): boolean => cell.trim() !== '' && Number.isFinite(Number(cell));

/** Opens a CSV or TSV file (see the module comment). */
export async function openCsv(path: string, options: CsvOptions = {}): Promise<StoredDataset> {
  const text = (await readTextDataset(path, 'convert it to .npy (numpy.save), which is read lazily')).toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  const firstLine = lines.findIndex((line) => line.trim() !== '');
  if (firstLine < 0) throw new DataError(path, 'data-empty', 'the file is empty');
  const delimiter = chooseDelimiter(path, lines[firstLine]);
  const firstCells = splitLine(lines[firstLine], delimiter).map((cell) => cell.trim());
  const hasHeader = !firstCells.every(isNumberCell);
  const header = hasHeader ? firstCells : firstCells.map((_, i) => `column ${i + 1}`);
  const skipIndexColumn = hasHeader && (header[0] === '' || header[0] === 'Unnamed: 0');

  const labelIndex = findLabelColumn(header, hasHeader, options.labelColumn, path);
  const featureIndices = header.map((_, i) => i).filter((i) => i !== labelIndex && !(skipIndexColumn && i === 0));
  if (featureIndices.length === 0) {
    throw new DataError(path, 'data-empty', `no numeric feature columns: the only column is the label column "${header[labelIndex]}"`);
  }

  const values = new ValueBuffer();
  const labelCells: string[] = [];
  let rows = 0;
  for (let lineIndex = hasHeader ? firstLine + 1 : firstLine; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex];
    if (line.trim() === '') continue;
    rows++;
    const cells = splitLine(line, delimiter);
    if (cells.length !== header.length) {
      throw new DataError(
        path,
        'data-inconsistent',
        `row ${rows} (line ${lineIndex + 1}) has ${cells.length} cells but the ${hasHeader ? 'header' : 'first row'} has ${header.length}`,
      );
    }
    for (const column of featureIndices) {
      const cell = cells[column].trim();
      const value = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new DataError(
          path,
          'data-inconsistent',
          `row ${rows} (line ${lineIndex + 1}), column "${header[column]}": ${JSON.stringify(cells[column])} is not a number; ` +
            'feature columns must be numeric (name a text column as the label column, or remove it)',
        );
      }
      values.push(value);
    }
    if (labelIndex >= 0) labelCells.push(cells[labelIndex].trim());
  }
  if (rows === 0) throw new DataError(path, 'data-empty', 'the file has a header row but no data rows');

  const layout = textItemLayout([featureIndices.length], values);
  const labelSet = labelIndex >= 0 ? labelsFromCells(labelCells, path, options.labelNames) : null;
  return new StoredDataset(
    {
      path,
      format: 'csv',
      count: rows,
      itemShape: layout.itemShape,
      sourceDtype: layout.sourceDtype,
      labels: labelSet?.labels ?? null,
      classNames: labelSet?.classNames ?? null,
      columns: featureIndices.map((i) => header[i]),
      display: layout.display,
    },
    new MemoryStore(values.values(), featureIndices.length),
  );
}

function findLabelColumn(header: string[], hasHeader: boolean, wanted: string | undefined, path: string): number {
  if (wanted === undefined) return header.findIndex((name) => hasHeader && AUTO_LABEL_COLUMN.test(name));
  if (!hasHeader) {
    throw new DataError(path, 'data-labels', `the file has no header row, so no column is named "${wanted}"; add a header row`);
  }
  const exact = header.indexOf(wanted);
  if (exact >= 0) return exact;
  const loose = header.findIndex((name) => name.toLowerCase() === wanted.toLowerCase());
  if (loose >= 0) return loose;
  throw new DataError(path, 'data-labels', `no column named "${wanted}"; the columns are ${header.map((name) => JSON.stringify(name)).join(', ')}`);
}

