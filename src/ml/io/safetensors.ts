/**
 * The safetensors file format (Hugging Face, https://github.com/huggingface/safetensors), read and
 * written without dependencies:
 *   8 bytes   N, little-endian unsigned 64-bit: the header's length in bytes
 *   N bytes   UTF-8 JSON: {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 *             "__metadata__": {"<key>": "<string>"}}   (offsets relative to the byte after the header)
 *   rest      the tensors' raw little-endian row-major bytes
 * The writer pads the header with spaces to a multiple of 8 bytes (as the reference implementation
 * does) so every tensor starts aligned, and lays tensors out in the order given.
 * Pickled PyTorch files (.pt/.pth: torch.save's zip or legacy pickle) are refused with a message
 * saying how to convert them: unpickling runs code from the file, which simlab never does.
 */

/** Element types this module reads (F16 / BF16 are widened to float32 by `toFloat32`). */
export const SAFETENSORS_DTYPES = [
  'F64',
  'F32',
  'F16',
  'BF16',
  'I64',
  'I32',
  'I16',
  'I8',
  'U8',
  'BOOL',
] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];
/** Element types this module writes. */
export type WritableDtype = 'F32' | 'F16' | 'I64' | 'I32' | 'U8';

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Typed view of a tensor's values: F16 and BF16 keep their raw 16-bit patterns (Uint16Array). */
export type SafetensorsData =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

export interface SafetensorsFile {
  /** Tensors in file order (by data offset). */
  tensors: Record<string, SafetensorsTensor>;
  /** The header's `__metadata__` (string → string), {} when absent. */
  metadata: Record<string, string>;
}

/** A tensor to write. F32 / F16 take float values (F16 is rounded to nearest even), I64 takes numbers or a BigInt64Array. */
export interface SafetensorsInput {
  dtype: WritableDtype;
  shape: number[];
  data: ArrayLike<number> | BigInt64Array;
}

/** Header sizes above this are refused (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

const PICKLE_HELP =
  'pickled PyTorch files (.pt / .pth from torch.save) are not supported: loading them runs code from the file. ' +
  'Convert the weights in Python first: `from safetensors.torch import save_file; save_file(model.state_dict(), "x.safetensors")` ' +
  '(pip install safetensors), then load x.safetensors.';

/** Recognises torch.save output: a zip holding `…/data.pkl`, or a bare pickle stream (protocol 2–5). */
export function pickledTorchKind(bytes: Uint8Array): 'zip' | 'pickle' | null {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  if (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    bytes[2] === 0x03 &&
    bytes[3] === 0x04
  ) {
    // torch.save's zip stores its entries uncompressed; the name appears in the local and central headers.
    return indexOfAscii(bytes, 'data.pkl') >= 0 ? 'zip' : null;
  }
  return null;
}

function indexOfAscii(bytes: Uint8Array, s: string): number {
  const codes = Array.from(s, (c) => c.charCodeAt(0));
  outer: for (let i = 0; i + codes.length <= bytes.length; i++) {
    for (let j = 0; j < codes.length; j++) if (bytes[i + j] !== codes[j]) continue outer;
    return i;
  }
  return -1;
}

function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 0x03 || bytes[2] === 0x05) &&
    (bytes[3] === 0x04 || bytes[3] === 0x06)
  );
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies `len` bytes at `offset` into a fresh, aligned ArrayBuffer. */
function copyBytes(bytes: Uint8Array, offset: number, len: number): ArrayBuffer {
  const buf = new ArrayBuffer(len);
  new Uint8Array(buf).set(bytes.subarray(offset, offset + len));
  return buf;
}

function viewOf(dtype: SafetensorsDtype, buf: ArrayBuffer): SafetensorsData {
  switch (dtype) {
    case 'F64':
      return new Float64Array(buf);
    case 'F32':
      return new Float32Array(buf);
    case 'F16':
    case 'BF16':
      return new Uint16Array(buf);
    case 'I64':
      return new BigInt64Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'I16':
      return new Int16Array(buf);
    case 'I8':
      return new Int8Array(buf);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buf);
  }
}

function describe(name: string): string {
  return name === '' ? 'file' : `'${name}'`;
}

/**
 * Parses a safetensors file. Validates the header length, the JSON, every dtype / shape /
 * data_offsets (inside the data area, size = elements × dtype size, no two tensors overlapping)
 * and throws an Error naming the problem. Tensor data is copied out (the input can be dropped).
 */
export function readSafetensors(bytes: Uint8Array, fileName = ''): SafetensorsFile {
  if (!LITTLE_ENDIAN)
    throw new Error('safetensors: this platform is big-endian, which is not supported');
  const pickled = pickledTorchKind(bytes);
  if (pickled)
    throw new Error(
      `${describe(fileName)} is a pickled PyTorch file (${pickled === 'zip' ? 'torch.save zip archive' : 'pickle stream'}); ${PICKLE_HELP}`,
    );
  if (isZip(bytes))
    throw new Error(
      `${describe(fileName)} is a zip archive, not a safetensors file (a simlab checkpoint .zip is opened with importCheckpoint)`,
    );
  if (bytes.length < 8)
    throw new Error(
      `${describe(fileName)} is not a safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`,
    );
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES))
    throw new Error(
      `${describe(fileName)} is not a safetensors file: header length ${n64} is implausibly large (over ${MAX_HEADER_BYTES} bytes)`,
    );
  const n = Number(n64);
  if (8 + n > bytes.length) {
    throw new Error(
      `${describe(fileName)} is truncated or not a safetensors file: the header claims ${n} bytes but only ${bytes.length - 8} follow the length field`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(
      `${describe(fileName)} is not a safetensors file: its header is not valid UTF-8 JSON (${(e as Error).message})`,
    );
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new Error(`${describe(fileName)}: safetensors header must be a JSON object`);

  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: {
    name: string;
    begin: number;
    end: number;
    dtype: SafetensorsDtype;
    shape: number[];
  }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw new Error(`${describe(fileName)}: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string')
          throw new Error(
            `${describe(fileName)}: __metadata__.${k} must be a string, got ${typeof v}`,
          );
        metadata[k] = v;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object')
      throw new Error(`tensor '${name}': header entry must be an object`);
    const dtype = info.dtype;
    if (typeof dtype !== 'string' || !(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
      throw new Error(
        `tensor '${name}': unknown dtype ${JSON.stringify(dtype)} (supported: ${SAFETENSORS_DTYPES.join(', ')})`,
      );
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
      throw new Error(
        `tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
      );
    }
    const offs = info.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      offs.some((o) => !Number.isSafeInteger(o) || (o as number) < 0)
    ) {
      throw new Error(
        `tensor '${name}': data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offs)}`,
      );
    }
    const [begin, end] = offs as number[];
    if (end < begin)
      throw new Error(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) {
      throw new Error(
        `tensor '${name}': data_offsets [${begin}, ${end}] lie beyond the data (${dataLen} bytes) — the file is truncated or corrupt`,
      );
    }
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = elements * BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expected) {
      throw new Error(
        `tensor '${name}': ${dtype} ${JSON.stringify(shape)} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    spans.push({ name, begin, end, dtype: dtype as SafetensorsDtype, shape: shape as number[] });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    const p = spans[i - 1];
    const s = spans[i];
    if (s.begin < p.end)
      throw new Error(
        `tensors '${p.name}' [${p.begin}, ${p.end}] and '${s.name}' [${s.begin}, ${s.end}] overlap`,
      );
  }
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const s of spans) {
    tensors[s.name] = {
      dtype: s.dtype,
      shape: s.shape,
      data: viewOf(s.dtype, copyBytes(bytes, dataStart + s.begin, s.end - s.begin)),
    };
  }
  return { tensors, metadata };
}

/** IEEE half (binary16) bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** number → IEEE half bits, round to nearest even (overflow → ±Inf). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // may carry into the exponent, which is still right
  if (h >= 0x7c00) return sign | 0x7c00;
  return sign | h;
}

/** A tensor's values as float32 (F16 / BF16 widened exactly, I64 converted; a copy unless already F32). */
export function toFloat32(t: SafetensorsTensor): Float32Array {
  const d = t.data;
  if (t.dtype === 'F32') return d as Float32Array;
  const out = new Float32Array(d.length);
  if (t.dtype === 'F16') {
    for (let i = 0; i < d.length; i++) out[i] = halfToFloat((d as Uint16Array)[i]);
  } else if (t.dtype === 'BF16') {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < d.length; i++) u[i] = (d as Uint16Array)[i] << 16;
  } else if (t.dtype === 'I64') {
    for (let i = 0; i < d.length; i++) out[i] = Number((d as BigInt64Array)[i]);
  } else {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  }
  return out;
}

function encode(t: SafetensorsInput, name: string): Uint8Array {
  const elements = t.shape.reduce((a, b) => a * b, 1);
  if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new Error(`tensor '${name}': bad shape ${JSON.stringify(t.shape)}`);
  if (t.data.length !== elements)
    throw new Error(
      `tensor '${name}': shape ${JSON.stringify(t.shape)} has ${elements} elements but ${t.data.length} values were given`,
    );
  let arr: ArrayBufferView;
  switch (t.dtype) {
    case 'F32':
      arr =
        t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
      break;
    case 'F16': {
      const h = new Uint16Array(elements);
      for (let i = 0; i < elements; i++) h[i] = floatToHalf(Number(t.data[i]));
      arr = h;
      break;
    }
    case 'I64': {
      if (t.data instanceof BigInt64Array) arr = t.data;
      else {
        const v = new BigInt64Array(elements);
        for (let i = 0; i < elements; i++) {
          const x = (t.data as ArrayLike<number>)[i];
          if (!Number.isInteger(x))
            throw new Error(`tensor '${name}': I64 value ${x} is not an integer`);
          v[i] = BigInt(x);
        }
        arr = v;
      }
      break;
    }
    case 'I32':
      arr = t.data instanceof Int32Array ? t.data : Int32Array.from(t.data as ArrayLike<number>);
      break;
    case 'U8':
      arr = t.data instanceof Uint8Array ? t.data : Uint8Array.from(t.data as ArrayLike<number>);
      break;
    default:
      throw new Error(
        `tensor '${name}': cannot write dtype ${JSON.stringify((t as { dtype: unknown }).dtype)} (writable: F32, F16, I64, I32, U8)`,
      );
  }
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

/** Serialises tensors (in the given key order) and string metadata into safetensors bytes. */
export function writeSafetensors(
  tensors: Record<string, SafetensorsInput>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string') throw new Error(`metadata '${k}' must be a string`);
    header['__metadata__'] = metadata;
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__')
      throw new Error("'__metadata__' is reserved and cannot name a tensor");
    const blob = encode(t, name);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + blob.length] };
    blobs.push(blob);
    offset += blob.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
