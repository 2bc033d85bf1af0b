/**
 * ResNet-18 ↔ torchvision `resnet18` state_dict as a .safetensors file, both ways.
 *
 * Export writes every weight under torchvision's state_dict name, in torchvision's key order and
 * layout (conv OIHW, BN weight / bias / running_mean / running_var as F32, num_batches_tracked as
 * I64 scalars, fc.weight [classes, 8·width] / fc.bias when a linear head is given). Without a head
 * the file has no fc.* keys: load it with `model.fc = torch.nn.Identity()` (the embedding is then the
 * model's output) or with `load_state_dict(sd, strict=False)` into a stock resnet18.
 * Stems: 'imagenet' is torchvision's resnet18 as is; 'cifar' is resnet18 with
 *   model.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False); model.maxpool = nn.Identity()
 * Widths other than 64 are torchvision's ResNet class rebuilt with its own `_make_layer` at
 * width·[1, 2, 4, 8] channels (see tests/reference/safetensors_reference.py, `narrow_resnet18`).
 * The file's __metadata__ records format 'pt' (as safetensors.torch.save_file does), stem, width.
 *
 * Import is strict like `load_state_dict(strict=True)`: every key the model needs must be in the
 * file with its exact shape; keys the model does not have are listed in the error. The one
 * exception: a file's fc.* is skipped (and reported in `ignored`) when no head is given, so an
 * ImageNet classifier's weights can initialise a backbone.
 */
import * as tf from '@tensorflow/tfjs';
import {
  loadTorchStateDict,
  toTorchStateDict,
  torchWeightEntries,
  type TorchStateDict,
} from '../models/backbones/torch-state-dict';
import { RESNET18_LAYERS } from '../models/backbones/resnet';
import { readWeightsFile, type WeightsFile } from './weights-file';
import {
  toFloat32,
  writeSafetensors,
  type SafetensorsInput,
  type SafetensorsTensor,
} from './safetensors';

export type ResNetStem = 'cifar' | 'imagenet';

/** A linear head: a Dense layer, or a model (e.g. heads.ts linearClassifier) whose only weights are one Dense layer's. */
export type LinearHead = tf.layers.Layer | tf.LayersModel;

const BN_LEAVES: [string, (c: number) => number[]][] = [
  ['weight', (c) => [c]],
  ['bias', (c) => [c]],
  ['running_mean', (c) => [c]],
  ['running_var', (c) => [c]],
  ['num_batches_tracked', () => []],
];

/** torchvision resnet18 state_dict keys and shapes, in state_dict order, for a width / stem / optional fc with `numClasses` outputs. */
export function torchvisionResNet18Keys(
  width: number,
  stem: ResNetStem,
  numClasses: number | null = null,
): [string, number[]][] {
  const keys: [string, number[]][] = [];
  const bn = (prefix: string, c: number) =>
    BN_LEAVES.forEach(([leaf, shape]) => keys.push([`${prefix}.${leaf}`, shape(c)]));
  const k = stem === 'cifar' ? 3 : 7;
  keys.push(['conv1.weight', [width, 3, k, k]]);
  bn('bn1', width);
  let inplanes = width;
  RESNET18_LAYERS.forEach((blocks, stage) => {
    const planes = width * 2 ** stage;
    for (let b = 0; b < blocks; b++) {
      const p = `layer${stage + 1}.${b}`;
      const cin = b === 0 ? inplanes : planes;
      keys.push([`${p}.conv1.weight`, [planes, cin, 3, 3]]);
      bn(`${p}.bn1`, planes);
      keys.push([`${p}.conv2.weight`, [planes, planes, 3, 3]]);
      bn(`${p}.bn2`, planes);
      if (b === 0 && (stage > 0 || inplanes !== planes)) {
        keys.push([`${p}.downsample.0.weight`, [planes, cin, 1, 1]]);
        bn(`${p}.downsample.1`, planes);
      }
    }
    inplanes = planes;
  });
  if (numClasses !== null) {
    keys.push(['fc.weight', [numClasses, 8 * width]]);
    keys.push(['fc.bias', [numClasses]]);
  }
  return keys;
}

/** Width and stem of a simlab ResNet-18 model, read off its conv1 kernel [k, k, 3, width]; throws when the model is not one. */
export function resnet18Architecture(backbone: tf.LayersModel): {
  width: number;
  stem: ResNetStem;
} {
  const entries = torchWeightEntries(backbone);
  const conv1 = entries.find((e) => e.torchName === 'conv1.weight');
  const k = conv1?.torchShape[2];
  if (!conv1 || (k !== 3 && k !== 7))
    throw new Error(`model '${backbone.name}' is not a ResNet-18 (no 3×3 or 7×7 conv1 layer)`);
  const arch = { width: conv1.torchShape[0], stem: (k === 3 ? 'cifar' : 'imagenet') as ResNetStem };
  const expected = torchvisionResNet18Keys(arch.width, arch.stem);
  const have = new Map(entries.map((e) => [e.torchName, e.torchShape]));
  for (const [key, shape] of expected) {
    const s = have.get(key);
    if (!s || !sameShape(s, shape)) {
      throw new Error(
        `model '${backbone.name}' is not a torchvision-layout ResNet-18: ${key} ${s ? `has shape ${JSON.stringify(s)}, expected ${JSON.stringify(shape)}` : 'is missing'}`,
      );
    }
  }
  if (entries.length !== expected.length)
    throw new Error(
      `model '${backbone.name}' is not a torchvision-layout ResNet-18: it has ${entries.length} weights, resnet18 has ${expected.length}`,
    );
  return arch;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The Dense layer of a linear head, with its kernel [in, out] and bias [out] variables. */
function denseOf(head: LinearHead): tf.layers.Layer {
  const nested = (head as { layers?: tf.layers.Layer[] }).layers;
  const layers = Array.isArray(nested)
    ? nested.filter((l) => l.weights.length > 0)
    : [head as tf.layers.Layer];
  if (layers.length !== 1 || layers[0].getClassName() !== 'Dense') {
    throw new Error(
      `the fc head must be one Dense layer (a linear classifier); got ${layers.map((l) => `${l.name} (${l.getClassName()})`).join(', ') || 'no weighted layer'}`,
    );
  }
  const dense = layers[0];
  const shapes = dense.weights.map((w) => w.shape);
  if (dense.weights.length !== 2 || shapes[0].length !== 2)
    throw new Error(
      `the fc head '${dense.name}' must have a kernel and a bias (useBias: true), as torch.nn.Linear`,
    );
  return dense;
}

export interface TorchvisionExportOptions {
  /** Linear classifier on the embedding, written as fc.weight / fc.bias (omitted when absent). */
  fc?: LinearHead;
  /** Extra __metadata__ entries (strings). */
  metadata?: Record<string, string>;
}

/**
 * Writes a simlab ResNet-18 backbone (+ optional linear head) as a torchvision resnet18
 * .safetensors file. Reads weights with async data() (safe on webgpu); disposes its temporaries.
 */
export async function exportTorchvisionResNet18(
  backbone: tf.LayersModel,
  opts: TorchvisionExportOptions = {},
): Promise<Uint8Array> {
  const { width, stem } = resnet18Architecture(backbone);
  const dict: TorchStateDict = await toTorchStateDict(backbone);
  let numClasses: number | null = null;
  if (opts.fc) {
    const dense = denseOf(opts.fc);
    const [kernel, bias] = dense.weights;
    const [inDim, outDim] = kernel.shape as number[];
    if (inDim !== 8 * width)
      throw new Error(
        `the fc head takes ${inDim} inputs but the backbone's embedding has ${8 * width}`,
      );
    numClasses = outDim;
    const w = tf.transpose(kernel.read());
    dict['fc.weight'] = { shape: [outDim, inDim], data: Float32Array.from(await w.data()) };
    w.dispose();
    dict['fc.bias'] = { shape: [outDim], data: Float32Array.from(await bias.read().data()) };
  }
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [key, shape] of torchvisionResNet18Keys(width, stem, numClasses)) {
    const t = dict[key];
    if (!t || !sameShape(t.shape, shape))
      throw new Error(`internal: ${key} missing or misshapen in the mapped state_dict`);
    tensors[key] = key.endsWith('.num_batches_tracked')
      ? { dtype: 'I64', shape, data: Array.from(t.data, Math.round) }
      : { dtype: 'F32', shape, data: t.data };
  }
  const metadata: Record<string, string> = {
    format: 'pt',
    architecture: 'torchvision.models.resnet18',
    stem,
    width: String(width),
    fc:
      numClasses === null
        ? 'absent (load with model.fc = nn.Identity(), or strict=False)'
        : String(numClasses),
    ...(stem === 'cifar'
      ? {
          cifar_stem:
            'model.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False); model.maxpool = nn.Identity()',
        }
      : {}),
    ...(opts.metadata ?? {}),
  };
  return writeSafetensors(tensors, metadata);
}

/** What a state_dict's shapes say about the network that wrote it. */
function describeFile(tensors: Record<string, SafetensorsTensor>): string {
  const c = tensors['conv1.weight']?.shape;
  if (!c || c.length !== 4) return 'the file has no 4-D conv1.weight (not a ResNet state_dict?)';
  const stem = c[2] === 7 ? 'imagenet' : c[2] === 3 ? 'cifar' : `${c[2]}×${c[3]}`;
  const layers = new Set(
    Object.keys(tensors)
      .map((k) => k.split('.').slice(0, 2).join('.'))
      .filter((k) => /^layer\d\.\d+$/.test(k)),
  );
  const fc = tensors['fc.weight']?.shape;
  return `the file holds a width-${c[0]} network with the ${stem} stem, ${layers.size} residual blocks${fc ? `, fc ${fc[0]} classes` : ', no fc'}`;
}

export interface TorchvisionImportResult {
  width: number;
  stem: ResNetStem;
  /** fc outputs written into the head, null when no head was given. */
  numClasses: number | null;
  /** File keys that were skipped (fc.* when no head was given). */
  ignored: string[];
  metadata: Record<string, string>;
  /** The file's format and, for a .pth, what was taken from it (see weights-file.ts). */
  format: WeightsFile['format'];
  took: string;
  skipped: string[];
  placeholders: string[];
}

/**
 * Loads a torchvision resnet18 .safetensors file (F32 / F16 / BF16 / F64 weights, any integer
 * num_batches_tracked) into a simlab ResNet-18 backbone (+ optional linear head) as its weights.
 * Strict: the first missing key or wrong shape is named in the error, with what the file holds.
 */
export function importTorchvisionResNet18(
  bytes: Uint8Array,
  backbone: tf.LayersModel,
  opts: { fc?: LinearHead; fileName?: string } = {},
): TorchvisionImportResult {
  const { width, stem } = resnet18Architecture(backbone);
  const file = readWeightsFile(bytes, opts.fileName);
  const t = file.tensors;
  const dense = opts.fc ? denseOf(opts.fc) : null;
  const numClasses = dense ? (dense.weights[0].shape[1] as number) : null;
  const expected = torchvisionResNet18Keys(width, stem, numClasses);
  const model = `the model is width ${width} with the ${stem} stem${numClasses === null ? '' : `, fc ${numClasses} classes`}`;
  for (const [key, shape] of expected) {
    const have = t[key];
    // num_batches_tracked is bookkeeping (momentum=None only); files that drop it (timm) load too.
    if (!have && key.endsWith('num_batches_tracked')) continue;
    if (!have)
      throw new Error(
        `the file does not match the model: ${key} is missing (${describeFile(t)}; ${model})`,
      );
    if (!sameShape(have.shape, shape)) {
      throw new Error(
        `the file does not match the model: ${key} has shape ${JSON.stringify(have.shape)}, the model expects ${JSON.stringify(shape)} (${describeFile(t)}; ${model})`,
      );
    }
    if (
      !key.endsWith('num_batches_tracked') &&
      !['F32', 'F16', 'BF16', 'F64'].includes(have.dtype)
    ) {
      throw new Error(
        `${key} is stored as ${have.dtype}; weights must be floating point (F32, F16, BF16 or F64)`,
      );
    }
  }
  const known = new Set(expected.map(([k]) => k));
  const ignored = numClasses === null ? Object.keys(t).filter((k) => k.startsWith('fc.')) : [];
  const unexpected = Object.keys(t).filter((k) => !known.has(k) && !ignored.includes(k));
  if (unexpected.length > 0)
    throw new Error(
      `the file has keys the model does not: ${unexpected.join(', ')} (${describeFile(t)}; ${model})`,
    );

  const dict: TorchStateDict = {};
  for (const [key, shape] of expected) {
    if (key.startsWith('fc.')) continue;
    dict[key] = t[key] ? { shape, data: toFloat32(t[key]) } : { shape, data: new Float32Array(1) };
  }
  loadTorchStateDict(backbone, dict, { strict: true });
  if (dense) {
    const w = t['fc.weight'];
    const b = t['fc.bias'];
    const values = tf.tidy(() => [
      tf.transpose(tf.tensor2d(toFloat32(w), w.shape as [number, number])),
      tf.tensor1d(toFloat32(b)),
    ]);
    dense.setWeights(values);
    tf.dispose(values);
  }
  return {
    width,
    stem,
    numClasses,
    ignored,
    metadata: file.metadata,
    format: file.format,
    took: file.took,
    skipped: file.skipped,
    placeholders: file.placeholders,
  };
}
