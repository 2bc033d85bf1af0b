/**
 * ResNet-18 (He et al. 2016, "Deep Residual Learning"), laid out exactly as torchvision's
 * `resnet18`: BasicBlock ×[2, 2, 2, 2], widths width·[1, 2, 4, 8] (width 64 = torchvision; "w16"
 * = width 16 → 16-32-64-128, i.e. multiplier width/64), stride 2 in the first block of layers 2–4
 * with downsample = 1×1 conv stride 2 + BN, ReLU after the residual add, global average pool.
 * Stems:
 * - 'cifar':    conv1 = 3×3 stride 1 pad 1, no max-pool (the usual CIFAR variant; torchvision
 *               resnet18 with conv1 replaced and maxpool = Identity).
 * - 'imagenet': conv1 = 7×7 stride 2 pad 3, max-pool 3×3 stride 2 pad 1. The max-pool's padding is
 *               explicit zeros, which equals PyTorch's −∞ padding because it follows a ReLU (≥ 0).
 * Layer names are torchvision's module paths with '.' → '_' (conv1, bn1, layer1_0_conv1,
 * layer2_0_downsample_0, …); `toTorchStateDict` maps them back. Kaiming-normal fan_out init like
 * torchvision (zero_init_residual off).
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone, BuildOptions } from './backbone';
import { ResNetConfigSchema, type ResNetConfig, type ResNetConfigInput } from './config-schema';
import {
  activation,
  batchNorm,
  batchNormAct,
  conv,
  type BnOptions,
  type Sym,
} from './torch-layers';
import { initKaimingNormal } from './init-weights';

/** Blocks per stage of ResNet-18. */
export const RESNET18_LAYERS = [2, 2, 2, 2] as const;

function basicBlock(x: Sym, prefix: string, planes: number, stride: number, bn: BnOptions): Sym {
  const inplanes = x.shape[x.shape.length - 1];
  let out = conv(x, { name: `${prefix}_conv1`, filters: planes, kernel: 3, stride });
  out = batchNormAct(out, `${prefix}_bn1`, bn, 'relu', `${prefix}_relu1`);
  out = conv(out, { name: `${prefix}_conv2`, filters: planes, kernel: 3 });
  out = batchNorm(out, `${prefix}_bn2`, bn);
  let identity = x;
  if (stride !== 1 || inplanes !== planes) {
    identity = conv(x, { name: `${prefix}_downsample_0`, filters: planes, kernel: 1, stride });
    identity = batchNorm(identity, `${prefix}_downsample_1`, bn);
  }
  out = tf.layers.add({ name: `${prefix}_add` }).apply([out, identity]) as Sym;
  return activation(out, 'relu', `${prefix}_relu2`);
}

/** Throws when `inputSize` is too small for the stem (the CIFAR stem needs 8 px, ImageNet's 32). */
export function checkResNetInput(
  name: string,
  inputSize: number,
  stem: 'cifar' | 'imagenet',
): void {
  const minSize = stem === 'cifar' ? 8 : 32;
  if (inputSize < minSize)
    throw new Error(
      `${name} with the ${stem} stem needs inputs of at least ${minSize} px, got ${inputSize}`,
    );
}

/**
 * The ResNet stem (shared by ResNet-18 and ResNet-50): conv1 + bn1 + ReLU, and for the ImageNet
 * stem the 3×3 stride-2 max-pool. [N, S, S, 3] → [N, S', S', width].
 */
export function resnetStem(
  inp: Sym,
  config: { width: number; stem: 'cifar' | 'imagenet' },
  bn: BnOptions,
): Sym {
  const { width, stem } = config;
  let x =
    stem === 'cifar'
      ? conv(inp, { name: 'conv1', filters: width, kernel: 3, stride: 1 })
      : conv(inp, { name: 'conv1', filters: width, kernel: 7, stride: 2 });
  x = batchNormAct(x, 'bn1', bn, 'relu', 'relu');
  if (stem === 'imagenet') {
    x = tf.layers
      .zeroPadding2d({
        name: 'maxpool_pad',
        padding: [
          [1, 1],
          [1, 1],
        ],
      })
      .apply(x) as Sym;
    x = tf.layers
      .maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'valid' })
      .apply(x) as Sym;
  }
  return x;
}

/** Builds ResNet-18: [N, S, S, 3] → [N, 8·width]. Caller disposes `model`. */
export function createResNet18(
  input: Omit<ResNetConfigInput, 'name'> & { name?: 'resnet18' } = {},
  opts: BuildOptions = {},
): Backbone<ResNetConfig> {
  const config = ResNetConfigSchema.parse({ ...input, name: 'resnet18' });
  const { inputSize, width, stem } = config;
  checkResNetInput('resnet18', inputSize, stem);
  const bn = { momentum: config.bnMomentum, epsilon: config.bnEpsilon };

  const inp = tf.input({ shape: [inputSize, inputSize, 3], name: 'input' });
  let x = resnetStem(inp, config, bn);
  let planes = width;
  RESNET18_LAYERS.forEach((n, stage) => {
    if (stage > 0) planes *= 2;
    for (let i = 0; i < n; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      x = basicBlock(x, `layer${stage + 1}_${i}`, planes, stride, bn);
    }
  });
  const out = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const model = tf.model({ inputs: inp, outputs: out, name: opts.modelName ?? 'resnet18' });
  if (opts.initWeights ?? true) initKaimingNormal(model, config.seed);
  return { model, embeddingDim: planes, name: 'resnet18', config };
}

export { ResNetConfigSchema, type ResNetConfig, type ResNetConfigInput };
