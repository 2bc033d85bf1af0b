/**
 * Layer builders that follow PyTorch's conventions, shared by the backbones (functional tfjs API,
 * symbolic tensors in and out):
 * - padding: PyTorch pads (k−1)/2 zeros on every side. tfjs 'same' pads symmetrically only when the
 *   stride is 1 and k is odd; for stride 2 on even sizes it pads only bottom/right. So every strided
 *   conv with k > 1 gets an explicit ZeroPadding2D (named `<conv>_pad`) and 'valid'; stride-1 convs
 *   with odd k use 'same' (identical there, one op fewer).
 * - no conv bias in front of a batch norm; TorchBatchNorm with PyTorch's eps 1e-5 / momentum 0.1.
 * - kernels are built with 'zeros' and then filled by `initKaimingNormal` (init-weights.ts) from the
 *   seeded RNG, so no tf.random is ever used.
 * Layer names use '_' where torchvision's module paths use '.' (see torch-state-dict.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { TorchBatchNorm } from './layers/torch-batch-norm';
import { HardSigmoid, HardSwish } from './layers/hard-activations';

export type Sym = tf.SymbolicTensor;

export const ACTIVATIONS = [
  'relu',
  'gelu',
  'silu',
  'leakyRelu',
  'hardswish',
  'hardsigmoid',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export interface ConvSpec {
  /** Layer name (torchvision module path with '.' → '_'). */
  name: string;
  filters: number;
  kernel: number;
  stride?: number;
  /** Bias term; off by default (a batch norm follows). */
  bias?: boolean;
  /** Depthwise conv (groups = channels, torch weight [C, 1, k, k]); `filters` must equal the input channels. */
  depthwise?: boolean;
}

/** Conv2D / DepthwiseConv2D with PyTorch padding (k−1)/2: [N,H,W,Cin] → [N,⌊(H−1)/s⌋+1,…,filters]. */
export function conv(x: Sym, spec: ConvSpec): Sym {
  const { name, filters, kernel } = spec;
  const stride = spec.stride ?? 1;
  if (kernel % 2 !== 1)
    throw new Error(`${name}: only odd kernel sizes are supported, got ${kernel}`);
  let input = x;
  let padding: 'same' | 'valid' = 'valid';
  if (kernel > 1 && stride === 1) padding = 'same';
  else if (kernel > 1) {
    const p = (kernel - 1) / 2;
    input = tf.layers
      .zeroPadding2d({
        name: `${name}_pad`,
        padding: [
          [p, p],
          [p, p],
        ],
      })
      .apply(x) as Sym;
  }
  if (spec.depthwise) {
    const cin = x.shape[x.shape.length - 1];
    if (cin !== filters)
      throw new Error(
        `${name}: depthwise conv needs filters (${filters}) = input channels (${cin})`,
      );
    return tf.layers
      .depthwiseConv2d({
        name,
        kernelSize: kernel,
        strides: stride,
        padding,
        depthMultiplier: 1,
        useBias: spec.bias ?? false,
        depthwiseInitializer: 'zeros',
        biasInitializer: 'zeros',
      })
      .apply(input) as Sym;
  }
  return tf.layers
    .conv2d({
      name,
      filters,
      kernelSize: kernel,
      strides: stride,
      padding,
      useBias: spec.bias ?? false,
      kernelInitializer: 'zeros',
      biasInitializer: 'zeros',
    })
    .apply(input) as Sym;
}

export interface BnOptions {
  momentum: number;
  epsilon: number;
}

/** PyTorch-semantics batch norm over channels: [N,H,W,C] → same. */
export function batchNorm(x: Sym, name: string, opts: BnOptions): Sym {
  return new TorchBatchNorm({ name, momentum: opts.momentum, epsilon: opts.epsilon }).apply(
    x,
  ) as Sym;
}

/**
 * Batch norm then `act`: for ReLU one fused TorchBatchNorm layer named `name` (no separate
 * activation layer; its training step runs the fused kernel, src/ml/ops/batch-norm-act), otherwise
 * batchNorm(x, name) then activation(·, act, actName). [N,H,W,C] → same.
 */
export function batchNormAct(
  x: Sym,
  name: string,
  opts: BnOptions,
  act: ActivationName,
  actName: string,
): Sym {
  if (act === 'relu') {
    return new TorchBatchNorm({
      name,
      momentum: opts.momentum,
      epsilon: opts.epsilon,
      relu: true,
    }).apply(x) as Sym;
  }
  return activation(batchNorm(x, name, opts), act, actName);
}

/**
 * Elementwise activation with PyTorch's definition: relu, gelu (exact erf form, nn.GELU()),
 * silu (= tfjs 'swish', x·σ(x)), leakyRelu (slope 0.01 as nn.LeakyReLU(), not Keras' 0.3),
 * hardswish / hardsigmoid (nn.Hardswish / nn.Hardsigmoid).
 */
export function activation(x: Sym, kind: ActivationName, name: string): Sym {
  switch (kind) {
    case 'relu':
      return tf.layers.activation({ name, activation: 'relu' }).apply(x) as Sym;
    case 'gelu':
      return tf.layers.activation({ name, activation: 'gelu' }).apply(x) as Sym;
    case 'silu':
      return tf.layers.activation({ name, activation: 'swish' }).apply(x) as Sym;
    case 'leakyRelu':
      return tf.layers.leakyReLU({ name, alpha: 0.01 }).apply(x) as Sym;
    case 'hardswish':
      return new HardSwish({ name }).apply(x) as Sym;
    case 'hardsigmoid':
      return new HardSigmoid({ name }).apply(x) as Sym;
  }
}
