/**
 * Finds the model weights inside an unpickled .pth: a plain state_dict, or a training checkpoint
 * (`{"state_dict": …}`, `{"model": …}`, `{"model_state_dict": …}`, …, keys prefixed `module.`
 * (DataParallel / DDP), `backbone.` or `encoder.` (self-supervised wrappers)). Says what it took,
 * so the panel can tell the user.
 */
import type { SafetensorsTensor } from '../safetensors/dtypes';
import { PyDict, PyObject } from './pickle';
import { TorchTensorRef, tensorValues } from './read-pth';

export interface UnwrappedStateDict {
  /** Weights by their (unprefixed) state_dict key, values copied out contiguously. */
  tensors: Record<string, SafetensorsTensor>;
  /** What was taken, in words: "the file's 'state_dict' entry; prefix 'module.' removed". */
  took: string;
  /** Keys of the chosen dict that were not taken (other prefixes, non-tensor values). */
  skipped: string[];
}

/** Checkpoint keys that hold the model's weights, in the order they are tried. */
const WRAPPER_KEYS = [
  'state_dict',
  'model',
  'model_state_dict',
  'module',
  'net',
  'network',
  'weights',
];
/** Prefixes stripped when every key has them. */
const ALL_PREFIXES = ['module.', 'model.', '_orig_mod.'];
/** Prefixes of the part to keep when only some keys have them (the rest is e.g. a projector). */
const PART_PREFIXES = ['backbone.', 'encoder.', 'encoder_q.', 'online_network.encoder.'];

function tensorKeys(d: PyDict): string[] {
  return [...d.entries()]
    .filter(([k, v]) => typeof k === 'string' && v instanceof TorchTensorRef)
    .map(([k]) => k as string);
}

function isStateDict(v: unknown): v is PyDict {
  return v instanceof PyDict && tensorKeys(v).length > 0;
}

/**
 * The state_dict in `root` (a PyDict of tensors, possibly wrapped; see the module comment). Throws
 * when no dict of tensors is found, naming what the file holds.
 */
export function unwrapStateDict(root: unknown): UnwrappedStateDict {
  const took: string[] = [];
  let dict: PyDict | null = null;
  if (root instanceof PyDict) {
    const top = [...root.keys()].filter((k) => typeof k === 'string') as string[];
    const wrapped = WRAPPER_KEYS.find((k) => isStateDict(root.get(k)));
    const fraction = tensorKeys(root).length / Math.max(1, root.size);
    if (wrapped && fraction < 0.5) {
      dict = root.get(wrapped) as PyDict;
      const others = top.filter((k) => k !== wrapped);
      took.push(
        `the checkpoint's '${wrapped}' entry` +
          (others.length ? ` (left: ${others.join(', ')})` : ''),
      );
    } else if (isStateDict(root)) {
      dict = root;
      took.push('the state_dict');
    }
  } else if (root instanceof PyObject && root.state instanceof PyDict && isStateDict(root.state)) {
    dict = root.state;
    took.push(`the state of a ${root.global}`);
  }
  if (!dict) {
    const what =
      root instanceof PyDict
        ? `a dict with keys ${[...root.keys()].slice(0, 12).join(', ')}`
        : root instanceof PyObject
          ? `a ${root.global} object`
          : typeof root;
    throw new Error(`the file holds no state_dict of tensors (it holds ${what})`);
  }

  const skipped: string[] = [];
  let keys = tensorKeys(dict);
  for (const [k, v] of dict) if (!(v instanceof TorchTensorRef)) skipped.push(String(k));
  const rename = new Map(keys.map((k) => [k, k]));
  for (const p of ALL_PREFIXES) {
    if (keys.length > 0 && keys.every((k) => (rename.get(k) as string).startsWith(p))) {
      for (const k of keys) rename.set(k, (rename.get(k) as string).slice(p.length));
      took.push(`prefix '${p}' removed`);
    }
  }
  for (const p of PART_PREFIXES) {
    const part = keys.filter((k) => (rename.get(k) as string).startsWith(p));
    if (part.length === 0) continue;
    const rest = keys.filter((k) => !part.includes(k));
    for (const k of part) rename.set(k, (rename.get(k) as string).slice(p.length));
    if (rest.length) {
      const heads = [...new Set(rest.map((k) => (rename.get(k) as string).split('.')[0]))];
      skipped.push(...rest);
      took.push(`the '${p}' part (left: ${heads.map((h) => `${h}.*`).join(', ')})`);
    } else took.push(`prefix '${p}' removed`);
    keys = part;
    break;
  }
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const k of keys)
    tensors[rename.get(k) as string] = tensorValues(dict.get(k) as TorchTensorRef);
  return { tensors, took: took.join('; '), skipped };
}
