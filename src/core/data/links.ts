/**
 * Directory entries with symbolic links followed: a folder of links to IDX files or images (a
 * common way to assemble a dataset without copying it) holds links, not files, and readdir's
 * entries say so. Only what a link reaches counts; a dangling link is neither.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dirent } from 'node:fs';

/** Whether `entry` of `folder` is a regular file, or a link reaching one. */
export async function isFileEntry(folder: string, entry: Dirent): Promise<boolean> {
  if (!entry.isSymbolicLink()) return entry.isFile();
  return (await reached(join(folder, entry.name)))?.isFile() ?? false;
}

/** Whether `entry` of `folder` is a folder, or a link reaching one. */
export async function isFolderEntry(folder: string, entry: Dirent): Promise<boolean> {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  return (await reached(join(folder, entry.name)))?.isDirectory() ?? false;
}

async function reached(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}
