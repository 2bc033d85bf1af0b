/**
 * What the importer needs from a JPEG's header before decoding it: the stored width and height
 * (frame header) and the EXIF orientation (APP1 `Exif` segment, tag 0x0112; 1 when absent).
 */

export interface JpegInfo {
  width: number;
  height: number;
  /** EXIF orientation 1..8 (1: as stored). */
  orientation: number;
}

const u16 = (b: Uint8Array, p: number, le = false) =>
  le ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1];
const u32 = (b: Uint8Array, p: number, le: boolean) =>
  le
    ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0
    : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;

/** Orientation from a TIFF block (the APP1 payload after `Exif\0\0`); 1 when unreadable. */
function exifOrientation(b: Uint8Array, t: number, end: number): number {
  if (t + 8 > end) return 1;
  const le = b[t] === 0x49 && b[t + 1] === 0x49;
  if (!le && !(b[t] === 0x4d && b[t + 1] === 0x4d)) return 1;
  const ifd = t + u32(b, t + 4, le);
  if (ifd + 2 > end) return 1;
  const n = u16(b, ifd, le);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return 1;
    if (u16(b, e, le) === 0x0112) {
      const v = u16(b, e + 8, le);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** Reads the markers up to the frame header; null when `b` is not a JPEG or ends before it. */
export function jpegInfo(b: Uint8Array): JpegInfo | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let orientation = 1;
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return null;
    while (pos < b.length && b[pos] === 0xff) pos++;
    const m = b[pos++];
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue;
    if (m === 0xd9 || m === 0xda || pos + 2 > b.length) return null;
    const len = u16(b, pos);
    if (len < 2) return null;
    const end = Math.min(b.length, pos + len);
    if (
      m === 0xe1 &&
      len >= 16 &&
      b[pos + 2] === 0x45 && // 'Exif\0\0'
      b[pos + 3] === 0x78 &&
      b[pos + 4] === 0x69 &&
      b[pos + 5] === 0x66 &&
      b[pos + 6] === 0 &&
      b[pos + 7] === 0
    )
      orientation = exifOrientation(b, pos + 8, end);
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (pos + 7 > b.length) return null;
      return { height: u16(b, pos + 3), width: u16(b, pos + 5), orientation };
    }
    pos += len;
  }
  return null;
}
