/**
 * Small VGG-style ConvNet, like the classic cats-vs-dogs / CIFAR seminar net: `blocks` blocks of
 * [conv3×3 (pad 1) → BN → act] × convsPerBlock → max-pool 2×2 (→ dropout), widths
 * width·[1, 2, 4, 8] (width 32 → 32-64-128(-256)), then global average pooling.
 * Torch module names: block{b}.conv{k}, block{b}.bn{k} (b, k from 1); see tests/reference for the
 * equivalent nn.Module. Without batch norm the convs get a bias.
 * Weight decay: with weightDecay > 0 each conv kernel gets a tfjs L2 kernelRegularizer of
 * weightDecay/2 (gradient weightDecay·w, PyTorch SGD's weight_decay). Regularisers only act through
 * the loss: custom loops must add `regularizationLoss(model)` (below) to their loss,
 * or leave weightDecay 0 and decay in the optimiser.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone, BuildOptions } from './backbone';
import { ConvNetConfigSchema, type ConvNetConfig, type ConvNetConfigInput } from './config-schema';
import { activation, batchNormAct, type Sym } from './torch-layers';
import { initKaimingNormal } from './init-weights';
import { SeededDropout } from './layers/seeded-dropout';
import { hashSeed } from '../../rng';

/** Builds the ConvNet: [N, S, S, 3] → [N, width·2^(blocks−1)]. Caller disposes `model`. */
export function createConvNet(
  input: Omit<ConvNetConfigInput, 'name'> & { name?: 'convnet' } = {},
  opts: BuildOptions = {},
): Backbone<ConvNetConfig> {
  const config = ConvNetConfigSchema.parse({ ...input, name: 'convnet' });
  const { inputSize, width, blocks, convsPerBlock, batchNorm: useBn } = config;
  const minSize = 2 ** blocks;
  if (inputSize < minSize)
    throw new Error(
      `convnet with ${blocks} blocks needs inputs of at least ${minSize} px, got ${inputSize}`,
    );
  const bn = { momentum: config.bnMomentum, epsilon: config.bnEpsilon };
  const regularizer =
    config.weightDecay > 0 ? tf.regularizers.l2({ l2: config.weightDecay / 2 }) : undefined;

  const inp = tf.input({ shape: [inputSize, inputSize, 3], name: 'input' });
  let x: Sym = inp;
  let channels = width;
  for (let b = 1; b <= blocks; b++) {
    for (let k = 1; k <= convsPerBlock; k++) {
      x = tf.layers
        .conv2d({
          name: `block${b}_conv${k}`,
          filters: channels,
          kernelSize: 3,
          padding: 'same', // stride 1, k 3: symmetric pad 1, as PyTorch's padding=1
          useBias: !useBn,
          kernelInitializer: 'zeros',
          biasInitializer: 'zeros',
          kernelRegularizer: regularizer,
        })
        .apply(x) as Sym;
      x = useBn
        ? batchNormAct(x, `block${b}_bn${k}`, bn, config.activation, `block${b}_act${k}`)
        : activation(x, config.activation, `block${b}_act${k}`);
    }
    x = tf.layers
      .maxPooling2d({ name: `block${b}_pool`, poolSize: 2, strides: 2, padding: 'valid' })
      .apply(x) as Sym;
    if (config.dropout > 0) {
      x = new SeededDropout({
        name: `block${b}_drop`,
        rate: config.dropout,
        seed: hashSeed(config.seed * 31 + b),
      }).apply(x) as Sym;
    }
    if (b < blocks) channels *= 2;
  }
  const out = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const model = tf.model({ inputs: inp, outputs: out, name: opts.modelName ?? 'convnet' });
  if (opts.initWeights ?? true) initKaimingNormal(model, config.seed);
  return { model, embeddingDim: channels, name: 'convnet', config };
}

/** Sum of the layers' regulariser penalties (a scalar; 0 when there are none). Call inside the loss function; caller disposes. */
export function regularizationLoss(model: tf.LayersModel): tf.Scalar {
  return tf.tidy(() => {
    const terms = model.layers.flatMap((l) => l.calculateLosses());
    return terms.length === 0 ? tf.scalar(0) : (tf.addN(terms) as tf.Scalar);
  });
}

export { ConvNetConfigSchema, type ConvNetConfig, type ConvNetConfigInput };
