/**
 * The safetensors reader: validates the header (length, JSON, dtype / shape / data_offsets of every
 * tensor) and copies each tensor out; refuses pickled PyTorch files and zips with a message that
 * says what to do instead.
 */
import {
  DTYPE_BYTES,
  viewOf,
  SAFETENSORS_DTYPES,
  type SafetensorsData,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsTensor,
} from './dtypes';

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
    const expected = elements * DTYPE_BYTES[dtype as SafetensorsDtype];
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
