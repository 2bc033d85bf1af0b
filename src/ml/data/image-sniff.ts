/**
 * Recognises an image file from its first and last bytes (magic numbers and headers) before any
 * decoding: format, width and height, or a human-readable reason why it cannot be imported
 * (empty, text, unsupported format, truncated, too large).
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif';

/**
 * `width`/`height` are 0 only where the header holding them lies beyond `head` (a JPEG whose
 * metadata exceeds 64 KiB, an AVIF without an `ispe` box there): the decoder finds out.
 */
export type SniffResult =
  { ok: true; format: ImageFormat; width: number; height: number } | { ok: false; reason: string };

/** Largest decodable image: pixel count (64 megapixels = 8192²). */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;
/** Largest decodable image: pixels a side. */
export const MAX_IMAGE_SIDE = 16384;
/** How many bytes `sniffImage` wants from the start and the end of the file. */
export const SNIFF_HEAD_BYTES = 64 * 1024;
export const SNIFF_TAIL_BYTES = 1024;

const UNRECOGNISED = 'unsupported or unrecognised image format';

const u16be = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
const u32be = (b: Uint8Array, i: number): number =>
  ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u16le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32le = (b: Uint8Array, i: number): number =>
  (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const i32le = (b: Uint8Array, i: number): number =>
  b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);

function ascii(b: Uint8Array, start: number, length: number): string {
  if (start + length > b.length) return '';
  return String.fromCharCode(...b.subarray(start, start + length));
}

function startsWith(b: Uint8Array, bytes: number[], at = 0): boolean {
  if (b.length < at + bytes.length) return false;
  return bytes.every((v, i) => b[at + i] === v);
}

/** Index of `needle` in `hay` from `from`, or -1. */
function indexOf(hay: Uint8Array, needle: number[], from = 0): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

const bytesOf = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** True when the bytes read as text: no NUL, almost no control bytes, valid UTF-8. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const b = bytes.subarray(0, Math.min(bytes.length, 8192));
  if (b.length === 0) return false;
  let bad = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x80) {
      if ((c < 0x20 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 0x7f) bad++;
      continue;
    }
    const n =
      c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) {
      bad++;
      continue;
    }
    let k = 1;
    for (; k <= n && i + k < b.length; k++) if ((b[i + k] & 0xc0) !== 0x80) break;
    if (k <= n && i + k < b.length) {
      bad++;
      continue;
    }
    i += k - 1;
  }
  return bad <= b.length * 0.02;
}

/** Walks JPEG markers to the frame header (SOF0..SOF15 except DHT, JPG, DAC); null when not in `b`. */
function jpegSize(b: Uint8Array): { width: number; height: number } | string | null {
  let pos = 2;
  while (pos < b.length) {
    if (b[pos] !== 0xff) return `corrupt JPEG (no marker at byte ${pos})`;
    while (pos < b.length && b[pos] === 0xff) pos++;
    if (pos >= b.length) return null;
    const m = b[pos++];
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue;
    if (m === 0xd9 || m === 0xda) return 'corrupt JPEG (no frame header before the image data)';
    if (pos + 2 > b.length) return null;
    const len = u16be(b, pos);
    if (len < 2) return `corrupt JPEG (bad segment length at byte ${pos})`;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (pos + 7 > b.length) return null;
      return { height: u16be(b, pos + 3), width: u16be(b, pos + 5) };
    }
    pos += len;
  }
  return null;
}

/** First ISO-BMFF `ispe` (image spatial extent) box in `b`, best effort. */
function ispeSize(b: Uint8Array): { width: number; height: number } | null {
  const i = indexOf(b, bytesOf('ispe'));
  if (i < 4 || i + 16 > b.length) return null;
  return { width: u32be(b, i + 8), height: u32be(b, i + 12) };
}

/**
 * True when the tail is only zero bytes: some cameras pad JPEGs with hundreds of KiB of zeros
 * after the end marker (three images in sign-language-digits do), so the end marker cannot be
 * checked from the tail and the decoder has the last word.
 */
function zeroPadded(tail: Uint8Array): boolean {
  return tail.length > 0 && tail.every((b) => b === 0);
}

/** Other formats worth naming in the error. */
function knownOther(head: Uint8Array): string | null {
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'TIFF';
  if (ascii(head, 0, 4) === '8BPS') return 'PSD';
  if (ascii(head, 0, 5) === '%PDF-') return 'PDF';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]))
    return 'ZIP';
  if (startsWith(head, [0xff, 0x0a]) || startsWith(head, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20]))
    return 'JPEG XL';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (ascii(head, 0, 4) === 'Rar!') return 'RAR';
  if (ascii(head, 0, 4) === 'RIFF') return `RIFF ${ascii(head, 8, 4).trim() || 'file'}`;
  return null;
}

function checkSize(
  format: ImageFormat,
  width: number,
  height: number,
  unknownAllowed: boolean,
): SniffResult {
  if (width === 0 || height === 0) {
    if (unknownAllowed && width === 0 && height === 0) return { ok: true, format, width, height };
    return { ok: false, reason: `corrupt ${format.toUpperCase()} (zero width or height)` };
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    return {
      ok: false,
      reason: `image too large: ${width}×${height} (limit ${MAX_IMAGE_PIXELS / (1024 * 1024)} megapixels or ${MAX_IMAGE_SIDE} px a side)`,
    };
  }
  return { ok: true, format, width, height };
}

/**
 * Sniffs an image: head = first ≤ 64 KiB, tail = last ≤ 1 KiB, totalSize = file size in bytes →
 * format and size, or a reason it cannot be imported.
 */
export function sniffImage(head: Uint8Array, tail: Uint8Array, totalSize: number): SniffResult {
  if (totalSize === 0 || head.length === 0) return { ok: false, reason: 'empty file (0 bytes)' };
  const whole = head.length >= totalSize;

  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    if (head.length < 24) return { ok: false, reason: 'truncated PNG (no IHDR chunk)' };
    if (ascii(head, 12, 4) !== 'IHDR')
      return { ok: false, reason: 'corrupt PNG (first chunk is not IHDR)' };
    if (indexOf(tail, bytesOf('IEND')) < 0 && !zeroPadded(tail))
      return { ok: false, reason: 'truncated PNG (no IEND chunk)' };
    return checkSize('png', u32be(head, 16), u32be(head, 20), false);
  }

  if (startsWith(head, [0xff, 0xd8, 0xff])) {
    if (indexOf(tail, [0xff, 0xd9]) < 0 && !zeroPadded(tail))
      return { ok: false, reason: 'truncated JPEG (no end-of-image marker)' };
    const size = jpegSize(head);
    if (typeof size === 'string') return { ok: false, reason: size };
    if (size === null) {
      if (whole) return { ok: false, reason: 'corrupt JPEG (no frame header)' };
      return { ok: true, format: 'jpeg', width: 0, height: 0 };
    }
    return checkSize('jpeg', size.width, size.height, false);
  }

  const sig6 = ascii(head, 0, 6);
  if (sig6 === 'GIF87a' || sig6 === 'GIF89a') {
    if (head.length < 10) return { ok: false, reason: 'truncated GIF (no screen descriptor)' };
    return checkSize('gif', u16le(head, 6), u16le(head, 8), false);
  }

  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') {
    const riffEnd = u32le(head, 4) + 8;
    if (riffEnd > totalSize)
      return {
        ok: false,
        reason: `truncated WebP (header says ${riffEnd} bytes, file has ${totalSize})`,
      };
    const chunk = ascii(head, 12, 4);
    if (chunk === 'VP8 ' && head.length >= 30 && startsWith(head, [0x9d, 0x01, 0x2a], 23)) {
      return checkSize('webp', u16le(head, 26) & 0x3fff, u16le(head, 28) & 0x3fff, false);
    }
    if (chunk === 'VP8L' && head.length >= 25 && head[20] === 0x2f) {
      const bits = u32le(head, 21);
      return checkSize('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, false);
    }
    if (chunk === 'VP8X' && head.length >= 30)
      return checkSize('webp', u24le(head, 24) + 1, u24le(head, 27) + 1, false);
    return { ok: false, reason: `corrupt WebP (unknown chunk "${chunk}")` };
  }

  if (ascii(head, 0, 2) === 'BM' && head.length >= 26) {
    const dib = u32le(head, 14);
    if ([12, 16, 40, 52, 56, 64, 108, 124].includes(dib)) {
      const declared = u32le(head, 2);
      if (declared > totalSize)
        return {
          ok: false,
          reason: `truncated BMP (header says ${declared} bytes, file has ${totalSize})`,
        };
      if (dib === 12) return checkSize('bmp', u16le(head, 18), u16le(head, 20), false);
      return checkSize('bmp', Math.abs(i32le(head, 18)), Math.abs(i32le(head, 22)), false);
    }
  }

  if (ascii(head, 4, 4) === 'ftyp') {
    const boxEnd = Math.min(u32be(head, 0), head.length);
    const brands = new Set<string>([ascii(head, 8, 4)]);
    for (let i = 16; i + 4 <= boxEnd; i += 4) brands.add(ascii(head, i, 4));
    if (brands.has('avif') || brands.has('avis')) {
      const size = ispeSize(head);
      return checkSize('avif', size?.width ?? 0, size?.height ?? 0, true);
    }
    if (
      ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].some((x) => brands.has(x))
    ) {
      return { ok: false, reason: `${UNRECOGNISED} (HEIC)` };
    }
    return { ok: false, reason: `${UNRECOGNISED} (MP4/QuickTime)` };
  }

  const other = knownOther(head);
  if (other) return { ok: false, reason: `${UNRECOGNISED} (${other})` };
  if (looksLikeText(head)) return { ok: false, reason: 'not an image: the file contains text' };
  return { ok: false, reason: UNRECOGNISED };
}
