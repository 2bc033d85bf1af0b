/**
 * PyTorch `.pth` / `.pt` files (torch.save's zip format, torch ≥ 1.6) read without running code.
 *
 * The zip holds `<folder>/data.pkl` (the pickled object; torch 1.13 names the folder after the file,
 * torch 2.x writes `archive/` and a `byteorder` entry) and one `<folder>/data/<key>` entry per
 * storage. The pickle is read by the restricted unpickler (./pickle): tensors are rebuilt from
 * `torch._utils._rebuild_tensor_v2` / `_v3` and `_rebuild_parameter` as plain descriptors
 * (storage, offset, size, stride) and copied out contiguously, so storages shared between tensors
 * and views with an offset or transposed strides come out as PyTorch shows them. Every other
 * global is an inert placeholder (listed in `placeholders`); a code-execution global refuses the
 * file. The legacy (pre-1.6) format is refused with the conversion recipe.
 */
import { unzipSync } from 'fflate';
import {
  DTYPE_BYTES,
  viewOf,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from '../safetensors/dtypes';
import { PickleError, PyGlobal, PyObject, isTuple, unpickle, type GlobalFn } from './pickle';

/** A storage as the pickle names it: its zip entry's bytes and element type. */
export interface TorchStorage {
  key: string;
  dtype: SafetensorsDtype;
  bytes: Uint8Array;
  numel: number;
}

/** A tensor as the pickle describes it, before its values are copied out. */
export class TorchTensorRef {
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly dtype: SafetensorsDtype,
  ) {}
}

export interface PthFile {
  /** The unpickled object: PyDict / PyList / tuples / plain values, TorchTensorRef leaves. */
  root: unknown;
  /** Globals the file names that were kept as inert placeholders (e.g. argparse.Namespace). */
  placeholders: string[];
  /** The zip's folder (`archive`, or the name torch 1.13 gave it). */
  folder: string;
}

const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  UntypedStorage: 'U8',
};
const TORCH_DTYPES: Record<string, SafetensorsDtype> = {
  float32: 'F32',
  float: 'F32',
  float64: 'F64',
  double: 'F64',
  float16: 'F16',
  half: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  long: 'I64',
  int32: 'I32',
  int: 'I32',
  int16: 'I16',
  short: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

/** The one-line recipe for files in the pre-1.6 format. */
export const LEGACY_PTH_HELP =
  "this .pth is in PyTorch's legacy (pre-1.6) format; re-save it once in Python: python -c \"import torch; torch.save(torch.load('old.pth', map_location='cpu'), 'new.pth')\"";

/** Largest data.pkl accepted (a state_dict's pickle is kilobytes; the tensors live beside it). */
const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

function name(fileName: string): string {
  return fileName ? `'${fileName}'` : 'the file';
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
}

/**
 * Reads a torch.save zip. Throws an Error that names the file and the problem for a legacy
 * pickle, a truncated or non-torch zip, a code-execution global, a tensor larger than its
 * storage or a pickle past the unpickler's limits. Tensors are not copied yet (see `tensorValues`).
 */
export function readPth(bytes: Uint8Array, fileName = ''): PthFile {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5)
    throw new Error(`${name(fileName)}: ${LEGACY_PTH_HELP}`);
  if (!isZip(bytes))
    throw new Error(`${name(fileName)} is not a PyTorch file (torch.save writes a zip archive)`);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new Error(
      `${name(fileName)} is a truncated or damaged zip archive (${(e as Error).message}); download or save it again`,
    );
  }
  const pkls = Object.keys(entries).filter((k) => k === 'data.pkl' || k.endsWith('/data.pkl'));
  if (pkls.length !== 1)
    throw new Error(
      `${name(fileName)} is a zip but not a torch.save file: it has ${pkls.length} data.pkl entries (expected 1)`,
    );
  const folder = pkls[0].slice(0, -'data.pkl'.length);
  const order = entries[`${folder}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== 'little')
    throw new Error(`${name(fileName)} was saved on a big-endian machine, which is not supported`);
  const pkl = entries[pkls[0]];
  if (pkl.length > MAX_PICKLE_BYTES)
    throw new Error(`${name(fileName)}: its data.pkl is ${pkl.length} bytes, implausibly large`);

  const storages = new Map<string, TorchStorage>();
  const placeholders = new Set<string>();
  const persistentLoad = (pid: unknown): TorchStorage => {
    if (!isTuple(pid) || pid[0] !== 'storage' || pid.length < 5)
      throw new PickleError('a persistent id that is not a torch storage');
    const [, type, key, , numel] = pid as readonly unknown[];
    if (!(type instanceof PyGlobal) || typeof key !== 'string' || typeof numel !== 'number')
      throw new PickleError('a malformed torch storage id');
    const cls = type.name.split('.').pop() ?? '';
    const dtype = STORAGE_DTYPES[cls];
    if (!dtype) throw new PickleError(`storage type ${type.name} is not supported`);
    const have = storages.get(key);
    if (have) return have;
    const data = entries[`${folder}data/${key}`];
    if (!data) throw new PickleError(`storage ${key} is missing from the zip (truncated file?)`);
    const itemBytes = DTYPE_BYTES[dtype];
    if (data.length < numel * itemBytes)
      throw new PickleError(
        `storage ${key} holds ${data.length} bytes, fewer than its ${numel} ${dtype} elements need`,
      );
    const s: TorchStorage = { key, dtype, bytes: data, numel: Math.floor(data.length / itemBytes) };
    storages.set(key, s);
    return s;
  };
  const rebuild = (args: readonly unknown[], dtype?: SafetensorsDtype): TorchTensorRef => {
    const [storage, offset, size, stride] = args;
    if (
      typeof storage !== 'object' ||
      storage === null ||
      !('bytes' in storage) ||
      typeof offset !== 'number' ||
      !Array.isArray(size) ||
      !Array.isArray(stride) ||
      size.length !== stride.length ||
      ![...size, ...stride].every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
    )
      throw new PickleError('a malformed tensor (storage, offset, size, stride)');
    const st = storage as TorchStorage;
    const dims = size as number[];
    const strides = stride as number[];
    const numel = dims.reduce((a, b) => a * b, 1);
    if (numel > 0) {
      const last = offset + dims.reduce((acc, d, i) => acc + (d - 1) * strides[i], 0);
      if (last >= st.numel)
        throw new PickleError(
          `a tensor of shape [${dims}] reaches element ${last} of storage ${st.key}, which has ${st.numel}: the tensor is larger than its storage`,
        );
    }
    return new TorchTensorRef(st, offset, dims, strides, dtype ?? st.dtype);
  };
  const globals: Record<string, GlobalFn> = {
    'torch._utils._rebuild_tensor_v2': (a) => rebuild(a),
    'torch._utils._rebuild_tensor': (a) => rebuild(a),
    'torch._utils._rebuild_tensor_v3': (a) => {
      const dt = a[6];
      const dn = dt instanceof PyGlobal ? TORCH_DTYPES[dt.name.replace(/^torch\./, '')] : undefined;
      if (!dn) throw new PickleError('a tensor of an unsupported dtype');
      return rebuild(a, dn);
    },
    'torch._utils._rebuild_parameter': (a) => a[0],
    'torch._utils._rebuild_parameter_with_state': (a) => a[0],
  };
  let root: unknown;
  try {
    root = unpickle(pkl, {
      globals,
      onPlaceholder: (g) => placeholders.add(g),
      persistentLoad,
    });
  } catch (e) {
    if (e instanceof PickleError) throw new Error(`${name(fileName)}: ${e.message}`);
    throw e;
  }
  return { root, placeholders: [...placeholders].sort(), folder: folder.replace(/\/$/, '') };
}

/** A tensor's values, contiguous in row-major order (a fresh typed array; the file can be dropped). */
export function tensorValues(ref: TorchTensorRef): SafetensorsTensor {
  const item = DTYPE_BYTES[ref.dtype];
  const n = ref.shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(n * item);
  const src = ref.storage.bytes;
  const contiguous = ref.shape.every((_, i) => {
    const want = ref.shape.slice(i + 1).reduce((a, b) => a * b, 1);
    return ref.shape[i] === 1 || ref.stride[i] === want;
  });
  if (contiguous) {
    const b = ref.storage.bytes.byteOffset + ref.offset * item;
    out.set(new Uint8Array(src.buffer, b, n * item));
  } else if (n > 0) {
    const rank = ref.shape.length;
    const idx = new Array<number>(rank).fill(0);
    for (let k = 0; k < n; k++) {
      let e = ref.offset;
      for (let d = 0; d < rank; d++) e += idx[d] * ref.stride[d];
      out.set(src.subarray(e * item, e * item + item), k * item);
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < ref.shape[d]) break;
        idx[d] = 0;
      }
    }
  }
  return { dtype: ref.dtype, shape: [...ref.shape], data: viewOf(ref.dtype, out.buffer) };
}

/** Whether `v` is a placeholder for a global this reader does not interpret. */
export function isPlaceholder(v: unknown): v is PyObject {
  return v instanceof PyObject;
}
