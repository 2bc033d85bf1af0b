/**
 * MobileNetV3-Small (Howard et al. 2019, "Searching for MobileNetV3", Table 2), built like
 * torchvision's `mobilenet_v3_small` (inverted residuals, squeeze-excitation with hard-sigmoid,
 * hard-swish, `_make_divisible(c·widthMultiplier, 8)` channels) and adapted to 32–64 px inputs.
 *
 * Tables (torchvision notation: in, kernel, expanded, out, SE, activation, stride):
 *
 *   'lowres' (default, 8 blocks)          'torchvision' (Table 2, 11 blocks)
 *   16 3  16 16 SE RE 2                   16 3  16 16 SE RE 2
 *   16 3  72 24 -  RE 2                   16 3  72 24 -  RE 2
 *   24 3  88 24 -  RE 1                   24 3  88 24 -  RE 1
 *   24 5  96 40 SE HS 2                   24 5  96 40 SE HS 2
 *   40 5 240 40 SE HS 1                   40 5 240 40 SE HS 1
 *   40 5 120 48 SE HS 1                   40 5 240 40 SE HS 1
 *   48 5 288 96 SE HS 1  (was stride 2)   40 5 120 48 SE HS 1
 *   96 5 576 96 SE HS 1                   48 5 144 48 SE HS 1
 *                                         48 5 288 96 SE HS 2
 *                                         96 5 576 96 SE HS 1
 *                                         96 5 576 96 SE HS 1
 *
 * Stem: conv3×3 (16·m) + BN + hard-swish, stride `stemStride` (default: 1 when inputSize ≤ 64, else
 * 2 as in the paper). Head: conv1×1 to 6·out_last (576 at m = 1) + BN + hard-swish, then global
 * average pooling (the embedding; the classifier's Linear layers belong to the head, not here).
 * 'lowres' drops one 40-, one 48- and one 96-wide block and keeps the last stage at stride 1, so
 * the total stride is 8 (stem 1): 32 px → 4×4, 64 px → 8×8 before pooling (the paper's: 32).
 * SE squeeze width = _make_divisible(expanded / 4, 8); its two 1×1 convs have biases.
 * Layer names mirror torchvision (features_0_0, features_1_block_0_0, features_1_block_1_fc1, …).
 * torchvision's MobileNetV3 uses BN eps 1e-3 / momentum 0.01; here the defaults are PyTorch's
 * nn.BatchNorm2d ones (1e-5 / 0.1) like the other backbones; set bnEpsilon/bnMomentum to match it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone, BuildOptions } from './backbone';
import {
  MobileNetV3ConfigSchema,
  type MobileNetV3Config,
  type MobileNetV3ConfigInput,
} from './config-schema';
import {
  activation,
  batchNorm,
  batchNormAct,
  conv,
  type BnOptions,
  type Sym,
} from './torch-layers';
import { initKaimingNormal } from './init-weights';

/** One inverted-residual block: in, kernel, expanded, out, SE, hard-swish (else ReLU), stride. */
export interface BlockSpec {
  inC: number;
  kernel: number;
  expC: number;
  outC: number;
  se: boolean;
  hs: boolean;
  stride: number;
}

const b = (
  inC: number,
  kernel: number,
  expC: number,
  outC: number,
  se: boolean,
  hs: boolean,
  stride: number,
): BlockSpec => ({
  inC,
  kernel,
  expC,
  outC,
  se,
  hs,
  stride,
});

export const MOBILENETV3_TABLES: Record<MobileNetV3Config['table'], readonly BlockSpec[]> = {
  lowres: [
    b(16, 3, 16, 16, true, false, 2),
    b(16, 3, 72, 24, false, false, 2),
    b(24, 3, 88, 24, false, false, 1),
    b(24, 5, 96, 40, true, true, 2),
    b(40, 5, 240, 40, true, true, 1),
    b(40, 5, 120, 48, true, true, 1),
    b(48, 5, 288, 96, true, true, 1),
    b(96, 5, 576, 96, true, true, 1),
  ],
  torchvision: [
    b(16, 3, 16, 16, true, false, 2),
    b(16, 3, 72, 24, false, false, 2),
    b(24, 3, 88, 24, false, false, 1),
    b(24, 5, 96, 40, true, true, 2),
    b(40, 5, 240, 40, true, true, 1),
    b(40, 5, 240, 40, true, true, 1),
    b(40, 5, 120, 48, true, true, 1),
    b(48, 5, 144, 48, true, true, 1),
    b(48, 5, 288, 96, true, true, 2),
    b(96, 5, 576, 96, true, true, 1),
    b(96, 5, 576, 96, true, true, 1),
  ],
};

/** torchvision's _make_divisible: nearest multiple of `divisor` ≥ divisor, never below 90 % of v. */
export function makeDivisible(v: number, divisor = 8): number {
  let nv = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (nv < 0.9 * v) nv += divisor;
  return nv;
}

function squeezeExcitation(x: Sym, prefix: string, squeeze: number): Sym {
  const c = x.shape[x.shape.length - 1] as number;
  let s = tf.layers.globalAveragePooling2d({ name: `${prefix}_avgpool` }).apply(x) as Sym;
  s = tf.layers.reshape({ name: `${prefix}_reshape`, targetShape: [1, 1, c] }).apply(s) as Sym;
  s = conv(s, { name: `${prefix}_fc1`, filters: squeeze, kernel: 1, bias: true });
  s = activation(s, 'relu', `${prefix}_relu`);
  s = conv(s, { name: `${prefix}_fc2`, filters: c, kernel: 1, bias: true });
  s = activation(s, 'hardsigmoid', `${prefix}_scale_activation`);
  return tf.layers.multiply({ name: `${prefix}_mul` }).apply([x, s]) as Sym;
}

function invertedResidual(x: Sym, prefix: string, spec: BlockSpec, bn: BnOptions): Sym {
  const act = spec.hs ? 'hardswish' : 'relu';
  let y = x;
  let k = 0;
  if (spec.expC !== spec.inC) {
    y = conv(y, { name: `${prefix}_block_${k}_0`, filters: spec.expC, kernel: 1 });
    y = batchNormAct(y, `${prefix}_block_${k}_1`, bn, act, `${prefix}_block_${k}_2`);
    k++;
  }
  y = conv(y, {
    name: `${prefix}_block_${k}_0`,
    filters: spec.expC,
    kernel: spec.kernel,
    stride: spec.stride,
    depthwise: true,
  });
  y = batchNormAct(y, `${prefix}_block_${k}_1`, bn, act, `${prefix}_block_${k}_2`);
  k++;
  if (spec.se) {
    y = squeezeExcitation(y, `${prefix}_block_${k}`, makeDivisible(Math.floor(spec.expC / 4)));
    k++;
  }
  y = conv(y, { name: `${prefix}_block_${k}_0`, filters: spec.outC, kernel: 1 });
  y = batchNorm(y, `${prefix}_block_${k}_1`, bn);
  if (spec.stride === 1 && spec.inC === spec.outC) {
    y = tf.layers.add({ name: `${prefix}_add` }).apply([y, x]) as Sym;
  }
  return y;
}

/** Builds MobileNetV3-Small: [N, S, S, 3] → [N, 6·_make_divisible(96·m, 8)] (576 at m = 1). Caller disposes `model`. */
export function createMobileNetV3Small(
  input: Omit<MobileNetV3ConfigInput, 'name'> & { name?: 'mobilenetv3-small' } = {},
  opts: BuildOptions = {},
): Backbone<MobileNetV3Config> {
  const config = MobileNetV3ConfigSchema.parse({ ...input, name: 'mobilenetv3-small' });
  const { inputSize, widthMultiplier: m } = config;
  const bn = { momentum: config.bnMomentum, epsilon: config.bnEpsilon };
  const stemStride = config.stemStride ?? (inputSize <= 64 ? 1 : 2);
  const table = MOBILENETV3_TABLES[config.table].map((s) => ({
    ...s,
    inC: makeDivisible(s.inC * m),
    expC: makeDivisible(s.expC * m),
    outC: makeDivisible(s.outC * m),
  }));
  const totalStride = table.reduce<number>((acc, s) => acc * s.stride, stemStride);
  if (inputSize < totalStride) {
    throw new Error(
      `mobilenetv3-small (${config.table}, stem stride ${stemStride}) needs inputs of at least ${totalStride} px, got ${inputSize}`,
    );
  }

  const inp = tf.input({ shape: [inputSize, inputSize, 3], name: 'input' });
  let x = conv(inp, { name: 'features_0_0', filters: table[0].inC, kernel: 3, stride: stemStride });
  x = batchNorm(x, 'features_0_1', bn);
  x = activation(x, 'hardswish', 'features_0_2');
  table.forEach((spec, i) => {
    x = invertedResidual(x, `features_${i + 1}`, spec, bn);
  });
  const last = table.length + 1;
  const lastC = 6 * table[table.length - 1].outC;
  x = conv(x, { name: `features_${last}_0`, filters: lastC, kernel: 1 });
  x = batchNorm(x, `features_${last}_1`, bn);
  x = activation(x, 'hardswish', `features_${last}_2`);
  const out = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const model = tf.model({
    inputs: inp,
    outputs: out,
    name: opts.modelName ?? 'mobilenetv3_small',
  });
  if (opts.initWeights ?? true) initKaimingNormal(model, config.seed);
  return { model, embeddingDim: lastC, name: 'mobilenetv3-small', config };
}

export { MobileNetV3ConfigSchema, type MobileNetV3Config, type MobileNetV3ConfigInput };
