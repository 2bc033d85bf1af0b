/**
 * ResNet-50 laid out exactly as torchvision's `resnet50` (ResNet v1.5): Bottleneck ×[3, 4, 6, 3]
 * — conv1 1×1 (planes) + BN + ReLU, conv2 3×3 (planes, the stage's stride here, not in conv1) +
 * BN + ReLU, conv3 1×1 (4·planes) + BN, add the identity (downsample = 1×1 conv with the stride +
 * BN where the shape changes), ReLU — planes width·[1, 2, 4, 8], global average pooling to
 * [N, 32·width] (2048 at torchvision's width 64). Stems as ResNet-18's ('imagenet' is torchvision's;
 * 'cifar' replaces conv1 by 3×3 stride 1 and drops the max-pool). Layer names are torchvision's
 * module paths with '.' → '_' (layer1_0_conv3, layer2_0_downsample_0, …), so torch-state-dict.ts
 * maps them to its state_dict keys. Kaiming-normal fan_out init like torchvision.
 * Frozen-backbone use (embeddings once, a linear head) is practical on a CPU; full training wants a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone, BuildOptions } from './backbone';
import {
  ResNet50ConfigSchema,
  type ResNet50Config,
  type ResNet50ConfigInput,
} from './config-schema';
import { checkResNetInput, resnetStem } from './resnet';
import {
  activation,
  batchNorm,
  batchNormAct,
  conv,
  type BnOptions,
  type Sym,
} from './torch-layers';
import { initKaimingNormal } from './init-weights';

/** Blocks per stage of ResNet-50. */
export const RESNET50_LAYERS = [3, 4, 6, 3] as const;
/** Output channels of a bottleneck = expansion × planes. */
export const BOTTLENECK_EXPANSION = 4;

function bottleneck(x: Sym, prefix: string, planes: number, stride: number, bn: BnOptions): Sym {
  const inplanes = x.shape[x.shape.length - 1];
  const outplanes = planes * BOTTLENECK_EXPANSION;
  let out = conv(x, { name: `${prefix}_conv1`, filters: planes, kernel: 1 });
  out = batchNormAct(out, `${prefix}_bn1`, bn, 'relu', `${prefix}_relu1`);
  out = conv(out, { name: `${prefix}_conv2`, filters: planes, kernel: 3, stride });
  out = batchNormAct(out, `${prefix}_bn2`, bn, 'relu', `${prefix}_relu2`);
  out = conv(out, { name: `${prefix}_conv3`, filters: outplanes, kernel: 1 });
  out = batchNorm(out, `${prefix}_bn3`, bn);
  let identity = x;
  if (stride !== 1 || inplanes !== outplanes) {
    identity = conv(x, { name: `${prefix}_downsample_0`, filters: outplanes, kernel: 1, stride });
    identity = batchNorm(identity, `${prefix}_downsample_1`, bn);
  }
  out = tf.layers.add({ name: `${prefix}_add` }).apply([out, identity]) as Sym;
  return activation(out, 'relu', `${prefix}_relu3`);
}

/** Builds ResNet-50: [N, S, S, 3] → [N, 32·width]. Caller disposes `model`. */
export function createResNet50(
  input: Omit<ResNet50ConfigInput, 'name'> & { name?: 'resnet50' } = {},
  opts: BuildOptions = {},
): Backbone<ResNet50Config> {
  const config = ResNet50ConfigSchema.parse({ ...input, name: 'resnet50' });
  checkResNetInput('resnet50', config.inputSize, config.stem);
  const bn = { momentum: config.bnMomentum, epsilon: config.bnEpsilon };
  const inp = tf.input({ shape: [config.inputSize, config.inputSize, 3], name: 'input' });
  let x = resnetStem(inp, config, bn);
  let planes = config.width;
  RESNET50_LAYERS.forEach((n, stage) => {
    if (stage > 0) planes *= 2;
    for (let i = 0; i < n; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      x = bottleneck(x, `layer${stage + 1}_${i}`, planes, stride, bn);
    }
  });
  const out = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const model = tf.model({ inputs: inp, outputs: out, name: opts.modelName ?? 'resnet50' });
  if (opts.initWeights ?? true) initKaimingNormal(model, config.seed);
  return { model, embeddingDim: planes * BOTTLENECK_EXPANSION, name: 'resnet50', config };
}

export { ResNet50ConfigSchema, type ResNet50Config, type ResNet50ConfigInput };
