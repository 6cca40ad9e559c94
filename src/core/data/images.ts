/**
 * Folders of PNG and JPEG images. Sub-folders are classes (their names, sorted numerically when
 * all are integers, else alphabetically); images directly in the folder are an unlabelled set.
 * Alpha is dropped; the dataset is grey (H×W) when every pixel of every image has R = G = B,
 * else RGB (H×W×3). All images must share one size.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MemoryStore, StoredDataset } from './dataset';
import { DataError } from './errors';
import { renameClasses, sortClassNames } from './labels';
import { MAX_IMAGE_PIXELS, checkMemoryBudget } from './limits';
import { isFileEntry, isFolderEntry } from './links';
import type { Dirent } from 'node:fs';

const IMAGE_EXTENSION = /\.(png|jpe?g)$/i;

/** True for the file names this reader decodes. */
export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSION.test(name);
}

/** Natural order for file names, so img2.png comes before img10.png. */
function compareFileNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

interface ImageEntry {
  file: string;
  /** Index into the class names, or −1 for an unlabelled folder. */
  classCode: number;
}

/** Lists the images of `folder` and its class sub-folders; null when there are none. */
export async function listImages(folder: string): Promise<{ entries: ImageEntry[]; classNames: string[] | null } | null> {
  const dirents = await readdir(folder, { withFileTypes: true });
  const visible = dirents.filter((entry) => !entry.name.startsWith('.'));
  const topImages: string[] = [];
  const folders: Dirent[] = [];
  for (const entry of visible) {
    if (isImageFile(entry.name) && (await isFileEntry(folder, entry))) topImages.push(entry.name);
    else if (await isFolderEntry(folder, entry)) folders.push(entry);
  }
  const classFolders: { name: string; files: string[] }[] = [];
  for (const entry of folders) {
    const files = (await readdir(join(folder, entry.name))).filter((name) => !name.startsWith('.') && isImageFile(name));
    if (files.length > 0) classFolders.push({ name: entry.name, files: files.sort(compareFileNames) });
  }
  if (classFolders.length === 0) {
    if (topImages.length === 0) return null;
    return { entries: topImages.sort(compareFileNames).map((name) => ({ file: join(folder, name), classCode: -1 })), classNames: null };
  }
  if (topImages.length > 0) {
    throw new DataError(
      folder,
      'data-inconsistent',
      `images both at the top level (${topImages[0]}) and in class sub-folders (${classFolders[0].name}/); ` +
        'put every image in a class sub-folder, or keep them all at the top level',
    );
  }
  const classNames = sortClassNames(classFolders.map((c) => c.name));
  const entries = classNames.flatMap((name, code) =>
    classFolders.find((c) => c.name === name)!.files.map((file) => ({ file: join(folder, name, file), classCode: code })),
  );
  return { entries, classNames };
}

/** Refuses a PNG whose header declares more pixels than a dataset image may have, before decoding it. */
function checkPngSize(bytes: Buffer, file: string): void {
  // Signature (8 bytes), IHDR length and type (8), then width and height, big-endian.
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return;
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new DataError(file, 'data-unsupported', `the PNG declares ${width}x${height} pixels, more than the ${MAX_IMAGE_PIXELS} a dataset image may have; resize it`);
  }
}

/** Decodes to RGBA; errors name the image. */
function decodeImage(bytes: Buffer, file: string): { width: number; height: number; rgba: Uint8Array } {
  const isPng = /\.png$/i.test(file);
  if (isPng) checkPngSize(bytes, file);
  try {
    if (isPng) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: png.data };
    }
    const limitMP = MAX_IMAGE_PIXELS / 1e6;
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: limitMP, maxMemoryUsageInMB: Math.ceil(limitMP * 8) });
    return { width: image.width, height: image.height, rgba: image.data };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test(message)) {
      throw new DataError(file, 'data-unsupported', `the JPEG declares more than the ${MAX_IMAGE_PIXELS} pixels a dataset image may have; resize it`);
    }
    throw new DataError(file, 'data-corrupt', `cannot decode this ${isPng ? 'PNG' : 'JPEG'} image: ${message}`);
  }
}

/** Opens an image folder (see the module comment); decodes every image into memory. */
export async function openImageFolder(folder: string, labelNames?: string[]): Promise<StoredDataset> {
  const listing = await listImages(folder);
  if (!listing) throw new DataError(folder, 'data-empty', 'the folder holds no PNG or JPEG images, at the top level or in sub-folders');
  const { entries } = listing;
  let width = 0;
  let height = 0;
  let rgb = new Uint8Array(0);
  let allGrey = true;
  for (const [index, entry] of entries.entries()) {
    const image = decodeImage(await readFile(entry.file), entry.file);
    if (index === 0) {
      width = image.width;
      height = image.height;
      checkMemoryBudget(folder, `decoding ${entries.length} images of ${width}x${height}`, entries.length, width * height * 3, 'use fewer or smaller images');
      rgb = new Uint8Array(entries.length * width * height * 3);
    } else if (image.width !== width || image.height !== height) {
      throw new DataError(
        entry.file,
        'data-inconsistent',
        `images differ in size: ${relative(folder, entries[0].file)} is ${width}x${height} but ${relative(folder, entry.file)} is ` +
          `${image.width}x${image.height}; all images must share one size`,
      );
    }
    const base = index * width * height * 3;
    for (let p = 0; p < width * height; p++) {
      const r = image.rgba[4 * p];
      const g = image.rgba[4 * p + 1];
      const b = image.rgba[4 * p + 2];
      rgb[base + 3 * p] = r;
      rgb[base + 3 * p + 1] = g;
      rgb[base + 3 * p + 2] = b;
      if (r !== g || g !== b) allGrey = false;
    }
  }
  const pixels = width * height;
  let values = rgb;
  if (allGrey) {
    values = new Uint8Array(entries.length * pixels);
    for (let i = 0; i < values.length; i++) values[i] = rgb[3 * i];
  }
  const itemShape = allGrey ? [height, width] : [height, width, 3];
  let labels: Int32Array | null = null;
  let classNames = listing.classNames;
  if (classNames) {
    labels = Int32Array.from(entries, (entry) => entry.classCode);
    if (labelNames) classNames = renameClasses(classNames, labelNames, folder, 'class sub-folders');
  }
  return new StoredDataset(
    { path: folder, format: 'images', count: entries.length, itemShape, sourceDtype: 'uint8', labels, classNames, columns: null, display: 'image' },
    new MemoryStore(values, itemShape[0] * itemShape[1] * (itemShape[2] ?? 1)),
  );
}
