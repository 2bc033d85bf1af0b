/**
 * A torchvision-named state_dict (from readWeightsFile: .safetensors or .pth) into any simlab
 * backbone (ResNet-18 / ResNet-50 / MobileNetV3-Small / ConvNet: their layers are named after
 * torchvision's modules, see torch-state-dict.ts) and an optional linear head as `fc`, with a
 * per-key report: what was loaded, what the file lacks, what the model lacks, what has another
 * shape, and what was deliberately left at its fresh initialisation (e.g. ImageNet weights into
 * ResNet's CIFAR stem: every weight but the 7×7 conv1, which cannot become a 3×3).
 */
import * as tf from '@tensorflow/tfjs';
import {
  loadTorchStateDict,
  torchWeightEntries,
  type TorchStateDict,
} from '../models/backbones/torch-state-dict';
import { toFloat32, type SafetensorsTensor } from './safetensors';

export interface WeightsMatch {
  /** Model keys written from the file. */
  loaded: string[];
  /** Model keys the file does not have (num_batches_tracked is not counted: it is bookkeeping). */
  missing: string[];
  /** File keys the model does not have (a classifier's fc.* without a head is `ignored`). */
  unexpected: string[];
  /** Keys both have with different shapes. */
  mismatched: { key: string; file: number[]; model: number[] }[];
  /** Mismatched keys allowed by `reinitialise`: left at the model's fresh initialisation. */
  reinitialised: string[];
  /** File keys skipped on purpose (fc.* when no head is given). */
  ignored: string[];
}

export interface LoadTorchvisionOptions {
  /** A linear head whose Dense weights take the file's fc.weight / fc.bias (torchvision's classifier). */
  fc?: tf.layers.Layer | tf.LayersModel;
  /** Keys whose shape may differ: they keep the model's initialisation (listed in `reinitialised`). */
  reinitialise?: (key: string) => boolean;
  /** Throw when anything but ignored / reinitialised keys fails to match (default true). */
  strict?: boolean;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The file's keys against the model's, without writing anything. */
export function matchTorchvisionWeights(
  tensors: Record<string, SafetensorsTensor>,
  model: tf.LayersModel,
  opts: Pick<LoadTorchvisionOptions, 'reinitialise'> & { withHead?: boolean } = {},
): WeightsMatch {
  const entries = torchWeightEntries(model);
  const known = new Set(entries.map((e) => e.torchName));
  const m: WeightsMatch = {
    loaded: [],
    missing: [],
    unexpected: [],
    mismatched: [],
    reinitialised: [],
    ignored: [],
  };
  for (const e of entries) {
    const t = tensors[e.torchName];
    if (!t) {
      if (!e.torchName.endsWith('num_batches_tracked')) m.missing.push(e.torchName);
      continue;
    }
    if (same(t.shape, e.torchShape)) m.loaded.push(e.torchName);
    else if (opts.reinitialise?.(e.torchName)) m.reinitialised.push(e.torchName);
    else m.mismatched.push({ key: e.torchName, file: [...t.shape], model: e.torchShape });
  }
  for (const k of Object.keys(tensors)) {
    if (known.has(k)) continue;
    if (/^fc\.(weight|bias)$/.test(k) && opts.withHead) continue;
    if (k.startsWith('fc.') || k.startsWith('classifier.')) m.ignored.push(k);
    else m.unexpected.push(k);
  }
  return m;
}

/** The report in a few lines a user can read. */
export function describeWeightsMatch(m: WeightsMatch): string[] {
  const list = (ks: string[]) =>
    ks.length > 6 ? `${ks.slice(0, 6).join(', ')} … (${ks.length})` : ks.join(', ');
  const out = [`${m.loaded.length} weights loaded`];
  if (m.reinitialised.length)
    out.push(`re-initialised (the file's shape cannot fit this model): ${list(m.reinitialised)}`);
  if (m.ignored.length) out.push(`not used (the file's classifier): ${list(m.ignored)}`);
  if (m.missing.length) out.push(`missing from the file: ${list(m.missing)}`);
  if (m.unexpected.length) out.push(`not in the model: ${list(m.unexpected)}`);
  if (m.mismatched.length)
    out.push(
      `other shape: ${m.mismatched
        .slice(0, 6)
        .map((x) => `${x.key} [${x.file}] vs the model's [${x.model}]`)
        .join(', ')}`,
    );
  return out;
}

/**
 * Writes the matching weights of `tensors` into `model` (and `opts.fc`). Strict by default: throws,
 * writing nothing, when a key is missing, unexpected or of another shape (the message is the
 * per-key report). The temporaries are disposed; `tf.memory().numTensors` is unchanged.
 */
export function loadTorchvisionWeights(
  tensors: Record<string, SafetensorsTensor>,
  model: tf.LayersModel,
  opts: LoadTorchvisionOptions = {},
): WeightsMatch {
  const dense = opts.fc ? denseLayer(opts.fc) : null;
  const m = matchTorchvisionWeights(tensors, model, { ...opts, withHead: dense !== null });
  const bad = m.missing.length + m.unexpected.length + m.mismatched.length;
  if ((opts.strict ?? true) && bad > 0)
    throw new Error(
      `the file does not match the model: ${describeWeightsMatch(m).slice(1).join('; ')}`,
    );
  if (dense) {
    const w = tensors['fc.weight'];
    const b = tensors['fc.bias'];
    const [inDim, outDim] = dense.weights[0].shape as number[];
    if (!w || !b || !same(w.shape, [outDim, inDim]) || !same(b.shape, [outDim]))
      throw new Error(
        `the head needs fc.weight [${outDim}, ${inDim}] and fc.bias [${outDim}]; the file has ${w ? `[${w.shape}]` : 'no fc.weight'}`,
      );
  }
  const dict: TorchStateDict = {};
  for (const k of m.loaded) dict[k] = { shape: [...tensors[k].shape], data: toFloat32(tensors[k]) };
  loadTorchStateDict(model, dict, { strict: false });
  if (dense) {
    const w = tensors['fc.weight'];
    const values = tf.tidy(() => [
      tf.transpose(tf.tensor2d(toFloat32(w), w.shape as [number, number])),
      tf.tensor1d(toFloat32(tensors['fc.bias'])),
    ]);
    dense.setWeights(values);
    tf.dispose(values);
  }
  return m;
}

function denseLayer(head: tf.layers.Layer | tf.LayersModel): tf.layers.Layer {
  const layers = (head as tf.LayersModel).layers;
  const dense = Array.isArray(layers) ? layers.filter((l) => l.weights.length > 0) : [head];
  if (dense.length !== 1 || dense[0].getClassName() !== 'Dense')
    throw new Error('the head must be one Dense layer (a linear classifier)');
  return dense[0] as tf.layers.Layer;
}
