/**
 * The early-fusion classifier's trunk: the backbone registry's ConvNet takes RGB only, so this is the
 * same VGG-style net (blocks of conv3×3 pad 1 → PyTorch batch norm → ReLU → max-pool 2×2, widths
 * width·[1, 2, 4, 8], global average pooling) with a configurable input channel count — 6 for two
 * RGB images stacked along channels. Layer names match createConvNet's (block{b}_conv1, block{b}_bn1).
 */
import * as tf from '@tensorflow/tfjs';
import { initKaimingNormal } from '../models/backbones/init-weights';
import { activation, batchNorm, type Sym } from '../models/backbones/torch-layers';

export interface FusionConvNetOptions {
  /** Input channels (6 = two stacked RGB images). */
  inChannels: number;
  /** Image side (default 32). */
  inputSize?: number;
  /** Channels of the first block (default 16); block b has width·2^(b−1). */
  width?: number;
  /** Number of blocks, 3 or 4 (default 4). */
  blocks?: 3 | 4;
  /** Seed of the Kaiming-normal initialisation. */
  seed?: number;
  /** LayersModel name (default 'fusion_convnet'). */
  name?: string;
}

/** Builds the trunk: [N,S,S,inChannels] → [N, width·2^(blocks−1)]; returns the model and its output size. Caller disposes. */
export function createFusionConvNet(opts: FusionConvNetOptions): {
  model: tf.LayersModel;
  embeddingDim: number;
} {
  const { inChannels } = opts;
  const size = opts.inputSize ?? 32,
    width = opts.width ?? 16,
    blocks = opts.blocks ?? 4;
  if (!Number.isInteger(inChannels) || inChannels < 1)
    throw new Error(`inChannels must be a positive integer, got ${inChannels}`);
  if (size < 2 ** blocks)
    throw new Error(
      `fusion convnet with ${blocks} blocks needs inputs of at least ${2 ** blocks} px, got ${size}`,
    );
  const inp = tf.input({ shape: [size, size, inChannels], name: 'input' });
  let x: Sym = inp;
  let channels = width;
  for (let b = 1; b <= blocks; b++) {
    x = tf.layers
      .conv2d({
        name: `block${b}_conv1`,
        filters: channels,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: 'zeros',
      })
      .apply(x) as Sym;
    x = batchNorm(x, `block${b}_bn1`, { momentum: 0.1, epsilon: 1e-5 });
    x = activation(x, 'relu', `block${b}_act1`);
    x = tf.layers
      .maxPooling2d({ name: `block${b}_pool`, poolSize: 2, strides: 2, padding: 'valid' })
      .apply(x) as Sym;
    if (b < blocks) channels *= 2;
  }
  const out = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  const model = tf.model({ inputs: inp, outputs: out, name: opts.name ?? 'fusion_convnet' });
  initKaimingNormal(model, opts.seed ?? 0);
  return { model, embeddingDim: channels };
}
