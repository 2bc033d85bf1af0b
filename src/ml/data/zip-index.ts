/**
 * Random-access zip reading: the central directory is read from the end of the file, and each
 * entry is fetched and inflated on its own (fflate), so a multi-GB zip never sits in memory.
 * Follows PKWARE APPNOTE 6.3 (EOCD, Zip64 EOCD, central and local headers, data descriptors).
 */
import { inflateSync } from 'fflate';

/** Reads `length` bytes at `offset` (e.g. `blob.slice(o, o + n).arrayBuffer()`); fewer at the end. */
export type ZipRead = (offset: number, length: number) => Promise<Uint8Array>;

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate; anything else cannot be read (see `supported`). */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
  isDirectory: boolean;
  encrypted: boolean;
  /** False when `readZipEntry` would refuse the entry (encrypted or a method other than 0 / 8). */
  supported: boolean;
}

/** Any problem reading a zip; `message` is meant for the user. */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

/** Entries larger than this are refused by default (a guard against zip bombs). */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as in zip and PNG) of `data`. */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Code page 437, bytes 0x80–0xFF: the zip default for names without the UTF-8 flag. */
export const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextDecoder('utf-8');

/**
 * Decodes an entry name: UTF-8 when flag bit 11 says so; otherwise UTF-8 if the bytes are valid
 * UTF-8 (macOS Archive Utility writes UTF-8 without the flag), else CP437.
 */
function decodeName(bytes: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) return utf8.decode(bytes);
  if (bytes.every((b) => b < 0x80)) return String.fromCharCode(...bytes);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return Array.from(bytes, (b) =>
      b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80],
    ).join('');
  }
}

class Reader {
  readonly #v: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.#v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(o: number): number {
    return this.#v.getUint16(o, true);
  }
  u32(o: number): number {
    return this.#v.getUint32(o, true);
  }
  u64(o: number): number {
    const v = this.#v.getUint32(o, true) + this.#v.getUint32(o + 4, true) * 2 ** 32;
    if (v > Number.MAX_SAFE_INTEGER)
      throw new ZipError('corrupt zip: a 64-bit size or offset is out of range');
    return v;
  }
}

async function readExactly(
  read: ZipRead,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array> {
  const b = length === 0 ? new Uint8Array(0) : await read(offset, length);
  if (b.length < length) throw new ZipError(`truncated zip: ${what} runs past the end of the file`);
  return b.length === length ? b : b.subarray(0, length);
}

/**
 * Reads the central directory: searches the last 64 KiB + 22 bytes for the end-of-central-
 * directory record, follows the Zip64 locator when present, and parses every entry header.
 */
export async function readZipIndex(read: ZipRead, totalSize: number): Promise<ZipEntry[]> {
  const tailLen = Math.min(totalSize, 0xffff + 22);
  const tailStart = totalSize - tailLen;
  const tail = new Reader(await readExactly(read, tailStart, tailLen, 'the end of the file'));
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.u32(i) === SIG_EOCD && i + 22 + tail.u16(i + 20) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = totalSize >= 4 ? await read(0, 4) : new Uint8Array(0);
    const isZip =
      head.length === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
    throw new ZipError(
      isZip
        ? 'truncated zip: the end-of-central-directory record is missing (the file may be incomplete)'
        : 'not a zip file (no end-of-central-directory record)',
    );
  }

  let count = tail.u16(eocd + 10);
  let cdSize = tail.u32(eocd + 12);
  let cdOffset = tail.u32(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && tail.u32(locator) === SIG_ZIP64_LOCATOR) {
    const z64Offset = tail.u64(locator + 8);
    const z = new Reader(
      await readExactly(read, z64Offset, 56, 'the Zip64 end-of-central-directory record'),
    );
    if (z.u32(0) !== SIG_ZIP64_EOCD)
      throw new ZipError('corrupt zip: bad Zip64 end-of-central-directory record');
    count = z.u64(32);
    cdSize = z.u64(40);
    cdOffset = z.u64(48);
  } else if (tail.u16(eocd + 4) !== 0 || tail.u16(eocd + 6) !== 0) {
    throw new ZipError('multi-part (spanned) zips are not supported');
  }
  if (cdOffset + cdSize > totalSize)
    throw new ZipError('truncated zip: the central directory lies past the end of the file');

  const cd = new Reader(await readExactly(read, cdOffset, cdSize, 'the central directory'));
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize || cd.u32(p) !== SIG_CENTRAL)
      throw new ZipError(`corrupt zip: central directory entry ${k + 1} of ${count} is damaged`);
    const flags = cd.u16(p + 8);
    const method = cd.u16(p + 10);
    const crc = cd.u32(p + 16);
    let compressedSize = cd.u32(p + 20);
    let size = cd.u32(p + 24);
    const nameLen = cd.u16(p + 28),
      extraLen = cd.u16(p + 30),
      commentLen = cd.u16(p + 32);
    let localHeaderOffset = cd.u32(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cdSize)
      throw new ZipError(`corrupt zip: central directory entry ${k + 1} of ${count} is damaged`);
    const nameBytes = cd.bytes.subarray(p + 46, p + 46 + nameLen);
    let name = decodeName(nameBytes, (flags & 0x800) !== 0);

    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = cd.u16(e),
        len = cd.u16(e + 2);
      let f = e + 4;
      if (id === 0x0001) {
        // Zip64 extended information: only the fields that are saturated in the header, in order.
        if (size === 0xffffffff) {
          size = cd.u64(f);
          f += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = cd.u64(f);
          f += 8;
        }
        if (localHeaderOffset === 0xffffffff) {
          localHeaderOffset = cd.u64(f);
          f += 8;
        }
      } else if (
        id === 0x7075 &&
        len >= 5 &&
        cd.bytes[f] === 1 &&
        cd.u32(f + 1) === crc32(nameBytes)
      ) {
        // Info-ZIP Unicode Path: a UTF-8 name that is valid while the CRC matches the header name.
        name = utf8.decode(cd.bytes.subarray(f + 5, e + 4 + len));
      }
      e += 4 + len;
    }

    const encrypted = (flags & 1) !== 0;
    entries.push({
      name,
      method,
      compressedSize,
      size,
      crc32: crc,
      localHeaderOffset,
      isDirectory: name.endsWith('/'),
      encrypted,
      supported: !encrypted && (method === 0 || method === 8),
    });
    p = end;
  }
  return entries;
}

/**
 * Reads one entry's bytes: parses its local header (own name/extra lengths), inflates deflate
 * data with fflate (stored data is returned as is), and checks size and CRC-32.
 */
export async function readZipEntry(
  read: ZipRead,
  entry: ZipEntry,
  maxBytes = MAX_ENTRY_BYTES,
): Promise<Uint8Array> {
  if (entry.encrypted)
    throw new ZipError(
      `encrypted entry: ${entry.name} (password-protected zips are not supported)`,
    );
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ZipError(
      `unsupported compression method ${entry.method} in ${entry.name} (only stored and deflate are supported)`,
    );
  }
  if (entry.size > maxBytes)
    throw new ZipError(`entry too large: ${entry.name} is ${entry.size} bytes (limit ${maxBytes})`);
  const local = new Reader(
    await readExactly(read, entry.localHeaderOffset, 30, `the header of ${entry.name}`),
  );
  if (local.u32(0) !== SIG_LOCAL)
    throw new ZipError(`corrupt zip: bad local header for ${entry.name}`);
  const dataStart = entry.localHeaderOffset + 30 + local.u16(26) + local.u16(28);
  const raw = await readExactly(read, dataStart, entry.compressedSize, `the data of ${entry.name}`);

  let data: Uint8Array;
  if (entry.method === 0) {
    data = raw;
  } else {
    try {
      // One spare byte: a stream longer than the header says then shows up as a size mismatch.
      data = raw.length === 0 ? raw : inflateSync(raw, { out: new Uint8Array(entry.size + 1) });
    } catch (e) {
      throw new ZipError(
        `corrupt data in ${entry.name}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  if (data.length !== entry.size)
    throw new ZipError(
      `size mismatch in ${entry.name}: expected ${entry.size} bytes, got ${data.length}`,
    );
  if (crc32(data) !== entry.crc32) throw new ZipError(`CRC mismatch in ${entry.name}`);
  return data;
}
