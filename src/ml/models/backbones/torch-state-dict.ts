/**
 * Moves weights between a tfjs model built here and a PyTorch state_dict (torchvision names and
 * layouts), both ways.
 *
 * Names: a layer named with '_' for torchvision's '.' maps back by replacing every '_' with '.'
 * (backbone layer names contain no other underscores: layer1_0_downsample_0 → layer1.0.downsample.0).
 * Layouts (tfjs is channels-last, PyTorch channels-first):
 *   Conv2D kernel          [kh, kw, I, O]  ↔ weight [O, I, kh, kw]   (HWIO → OIHW, perm [3, 2, 0, 1])
 *   DepthwiseConv2D kernel [kh, kw, C, M]  ↔ weight [C·M, 1, kh, kw] (out channel c·M + m)
 *   Dense kernel           [I, O]          ↔ weight [O, I]
 *   bias                                   ↔ bias
 *   batch norm gamma / beta / moving_mean / moving_variance / num_batches_tracked
 *                                          ↔ weight / bias / running_mean / running_var / num_batches_tracked
 * (tfjs-layers' own BatchNormalization has no num_batches_tracked; its entry is then absent.)
 */
import * as tf from '@tensorflow/tfjs';

/** A PyTorch tensor in its own layout, row-major (C order) data. */
export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}
/** state_dict: torch name → tensor, in the model's layer order. */
export type TorchStateDict = Record<string, TorchTensor>;

type LayerVariable = tf.LayersModel['weights'][number];

/** One model weight and where it lives in a torch state_dict. */
export interface TorchWeightEntry {
  torchName: string;
  layerName: string;
  /** tfjs weight name inside the layer (kernel, bias, gamma, …). */
  weightName: string;
  kind: 'conv' | 'depthwise' | 'dense' | 'plain';
  tfShape: number[];
  torchShape: number[];
  variable: LayerVariable;
}

const BN_NAMES: Record<string, string> = {
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
  num_batches_tracked: 'num_batches_tracked',
};

/** tfjs layer name → torch module path ('layer1_0_conv1' → 'layer1.0.conv1'). */
export function torchModuleName(layerName: string): string {
  return layerName.replace(/_/g, '.');
}

/** Lists every weight of `model` (tfjs layer order) with its torch name and shapes; throws on a layer kind it cannot map or a duplicate torch name. */
export function torchWeightEntries(model: tf.LayersModel): TorchWeightEntry[] {
  const entries: TorchWeightEntry[] = [];
  collectEntries(model.layers, entries);
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.torchName))
      throw new Error(
        `two weights map to the torch name '${e.torchName}' (layer '${e.layerName}'); rename the layers`,
      );
    seen.add(e.torchName);
  }
  return entries;
}

/**
 * Nested models (a backbone used as a layer of a bigger model) are flattened without a prefix, so
 * backbone + a Dense named 'fc' maps onto torchvision's resnet18 state_dict (conv1.…, fc.weight).
 */
function collectEntries(layers: tf.layers.Layer[], entries: TorchWeightEntry[]): void {
  for (const layer of layers) {
    const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(nested)) {
      collectEntries(nested, entries);
      continue;
    }
    if (layer.weights.length === 0) continue;
    const cls = layer.getClassName();
    const module = torchModuleName(layer.name);
    for (const v of layer.weights) {
      const weightName = v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
      const tfShape = v.shape as number[];
      let kind: TorchWeightEntry['kind'] = 'plain';
      let torchShape = tfShape;
      let leaf: string;
      if (cls === 'TorchBatchNorm' || cls === 'BatchNormalization') {
        leaf = BN_NAMES[weightName];
      } else if (cls === 'Conv2D' || cls === 'DepthwiseConv2D' || cls === 'Dense') {
        if (weightName === 'bias') leaf = 'bias';
        else if (weightName === 'kernel' && cls === 'Conv2D') {
          kind = 'conv';
          torchShape = [tfShape[3], tfShape[2], tfShape[0], tfShape[1]];
          leaf = 'weight';
        } else if (weightName === 'depthwise_kernel' && cls === 'DepthwiseConv2D') {
          kind = 'depthwise';
          torchShape = [tfShape[2] * tfShape[3], 1, tfShape[0], tfShape[1]];
          leaf = 'weight';
        } else if (weightName === 'kernel' && cls === 'Dense') {
          kind = 'dense';
          torchShape = [tfShape[1], tfShape[0]];
          leaf = 'weight';
        } else leaf = '';
      } else leaf = '';
      if (!leaf)
        throw new Error(
          `no torch mapping for weight '${weightName}' of layer '${layer.name}' (${cls})`,
        );
      entries.push({
        torchName: `${module}.${leaf}`,
        layerName: layer.name,
        weightName,
        kind,
        tfShape,
        torchShape,
        variable: v,
      });
    }
  }
}

/** tfjs layout → torch layout (a new tensor; caller disposes). */
function toTorchLayout(t: tf.Tensor, e: TorchWeightEntry): tf.Tensor {
  switch (e.kind) {
    case 'conv':
      return tf.transpose(t, [3, 2, 0, 1]);
    case 'depthwise':
      return tf.tidy(() => tf.reshape(tf.transpose(t, [2, 3, 0, 1]), e.torchShape));
    case 'dense':
      return tf.transpose(t, [1, 0]);
    case 'plain':
      return tf.clone(t);
  }
}

/** torch layout → tfjs layout (a new tensor; caller disposes). */
function fromTorchLayout(t: tf.Tensor, e: TorchWeightEntry): tf.Tensor {
  switch (e.kind) {
    case 'conv':
      return tf.transpose(t, [2, 3, 1, 0]);
    case 'depthwise': {
      const [kh, kw, c, m] = e.tfShape;
      return tf.tidy(() => tf.transpose(tf.reshape(t, [c, m, kh, kw]), [2, 3, 0, 1]));
    }
    case 'dense':
      return tf.transpose(t, [1, 0]);
    case 'plain':
      return tf.reshape(t, e.tfShape);
  }
}

/** Reads all weights into a torch-layout state_dict (async `data()`, safe on webgpu). Disposes its temporaries. */
export async function toTorchStateDict(model: tf.LayersModel): Promise<TorchStateDict> {
  const out: TorchStateDict = {};
  for (const e of torchWeightEntries(model)) {
    const t = toTorchLayout(e.variable.read(), e);
    const data = (await t.data()) as Float32Array;
    t.dispose();
    out[e.torchName] = { shape: e.torchShape, data: Float32Array.from(data) };
  }
  return out;
}

/**
 * Writes a torch-layout state_dict into `model`. strict (default): every model weight must be
 * present and no extra keys; otherwise missing keys are left as they are and extras ignored.
 * Shapes must match exactly. Returns the keys it did not use.
 */
export function loadTorchStateDict(
  model: tf.LayersModel,
  dict: TorchStateDict,
  opts: { strict?: boolean } = {},
): { missing: string[]; unexpected: string[] } {
  const strict = opts.strict ?? true;
  const entries = torchWeightEntries(model);
  const known = new Set(entries.map((e) => e.torchName));
  const missing = entries.filter((e) => !(e.torchName in dict)).map((e) => e.torchName);
  const unexpected = Object.keys(dict).filter((k) => !known.has(k));
  if (strict && (missing.length > 0 || unexpected.length > 0)) {
    throw new Error(
      `state_dict does not match the model: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
    );
  }
  for (const e of entries) {
    const src = dict[e.torchName];
    if (!src) continue;
    if (
      src.shape.length !== e.torchShape.length ||
      src.shape.some((d, i) => d !== e.torchShape[i])
    ) {
      throw new Error(
        `${e.torchName}: shape ${JSON.stringify(src.shape)} does not match the model's ${JSON.stringify(e.torchShape)}`,
      );
    }
    tf.tidy(() => {
      e.variable.write(fromTorchLayout(tf.tensor(src.data, src.shape, 'float32'), e));
    });
  }
  return { missing, unexpected };
}
