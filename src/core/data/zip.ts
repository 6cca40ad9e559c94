/**
 * The CRC-32 each member of a zip archive records in its central directory. fflate inflates
 * members but does not verify them, so `.npz` readers compare these against the inflated bytes.
 */

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;

/** Member name → stored CRC-32; entries it cannot parse are left out (fflate reports those archives). */
export function zipEntryCrcs(archive: Uint8Array): Map<string, number> {
  const crcs = new Map<string, number>();
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const u32 = (at: number): number => (at >= 0 && at + 4 <= archive.length ? view.getUint32(at, true) : -1);
  const u16 = (at: number): number => (at >= 0 && at + 2 <= archive.length ? view.getUint16(at, true) : -1);
  // The end record sits in the last 22 bytes plus a comment of at most 65535.
  let end = archive.length - 22;
  while (end >= 0 && archive.length - end <= 65557 && u32(end) !== END_OF_DIRECTORY) end--;
  if (end < 0 || u32(end) !== END_OF_DIRECTORY) return crcs;
  let count = u16(end + 10);
  let offset = u32(end + 16);
  if (u32(end - 20) === ZIP64_LOCATOR) {
    const zip64End = Number(view.getBigUint64(end - 12, true));
    if (zip64End + 56 <= archive.length && u32(zip64End) === ZIP64_END) {
      count = Number(view.getBigUint64(zip64End + 32, true));
      offset = Number(view.getBigUint64(zip64End + 48, true));
    }
  }
  const decoder = new TextDecoder();
  for (let i = 0; i < count && u32(offset) === DIRECTORY_ENTRY; i++) {
    const nameLength = u16(offset + 28);
    const next = offset + 46 + nameLength + u16(offset + 30) + u16(offset + 32);
    if (next > archive.length) break;
    crcs.set(decoder.decode(archive.subarray(offset + 46, offset + 46 + nameLength)), u32(offset + 16));
    offset = next;
  }
  return crcs;
}
