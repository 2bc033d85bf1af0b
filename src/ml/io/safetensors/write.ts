/**
 * The safetensors writer: encodes each tensor as its dtype's little-endian bytes and lays them out
 * in the order given after a header padded with spaces to a multiple of 8 bytes (as the reference
 * implementation does), so every tensor starts aligned.
 */
import { floatToHalf, type SafetensorsInput } from './dtypes';

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
