/**
 * Batch normalisation with PyTorch's semantics (Ioffe & Szegedy 2015; torch.nn.BatchNorm2d), so a
 * trained model's running statistics mean the same thing in simlab and in torchvision.
 *
 * Differences from tfjs-layers' BatchNormalization, which this layer replaces:
 * - `momentum` has PyTorch's meaning: running = (1 − momentum)·running + momentum·batch. tfjs-layers
 *   computes `moving − (moving − batch)·(1 − momentum)` (normalization.js, `doMovingAverage`), i.e. its
 *   momentum 0.9 equals PyTorch's 0.1; its default 0.99 would equal PyTorch 0.01.
 * - The running variance is updated with the UNBIASED batch variance (× n/(n−1), n = values per
 *   channel), as PyTorch does; the batch itself is normalised with the biased variance, as both do.
 *   tfjs-layers updates with the biased variance, which drifts from PyTorch by a factor (n−1)/n.
 * - Defaults are PyTorch's: epsilon 1e-5, momentum 0.1 (tfjs-layers: 1e-3, 0.99).
 * - It keeps `num_batches_tracked` (a non-trainable scalar) so the weights map 1:1 onto a
 *   torchvision state_dict.
 * Weight names stay tfjs-layers' (gamma, beta, moving_mean, moving_variance) so generic tfjs tooling
 * and `torch-state-dict.ts` treat both layers alike. Normalises over the last axis (channels-last).
 *
 * With `relu: true` the layer is BatchNorm followed by ReLU (PyTorch: BatchNorm2d then ReLU), fused:
 * training runs the fused kernel of src/ml/ops/batch-norm-act (2 passes over the activation each
 * way instead of ~25 ops); eval stays the plain affine tf.batchNorm (then ReLU).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormActTrain } from '../../../ops/batch-norm-act/op';

type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];
type LayerVariable = tf.LayersModel['weights'][number];

export interface TorchBatchNormArgs extends NonNullable<LayerArgs> {
  /** PyTorch momentum: weight of the new batch statistic in the running average. Default 0.1. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  epsilon?: number;
  /** Apply ReLU after the normalisation (BN + ReLU fused into one layer). Default false. */
  relu?: boolean;
}

export class TorchBatchNorm extends tf.layers.Layer {
  static className = 'TorchBatchNorm';
  readonly momentum: number;
  readonly epsilon: number;
  readonly relu: boolean;
  private gamma!: LayerVariable;
  private beta!: LayerVariable;
  private movingMean!: LayerVariable;
  private movingVariance!: LayerVariable;
  private numBatchesTracked!: LayerVariable;

  constructor(args: TorchBatchNormArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-5;
    this.relu = args.relu ?? false;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const dim = shape[shape.length - 1];
    if (dim == null) throw new Error(`${this.name}: the channel axis must have a known size`);
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight(
      'moving_mean',
      [dim],
      'float32',
      tf.initializers.zeros(),
      undefined,
      false,
    );
    this.movingVariance = this.addWeight(
      'moving_variance',
      [dim],
      'float32',
      tf.initializers.ones(),
      undefined,
      false,
    );
    this.numBatchesTracked = this.addWeight(
      'num_batches_tracked',
      [],
      'float32',
      tf.initializers.zeros(),
      undefined,
      false,
    );
    this.built = true;
  }

  /**
   * x: [..., C] → same shape. With `{training: true}` it normalises with batch statistics and
   * updates the running ones. ReLU after, when the layer was built with `relu`.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.gamma.read();
      const beta = this.beta.read();
      if (!kwargs?.['training']) {
        const y = tf.batchNorm(
          x,
          this.movingMean.read(),
          this.movingVariance.read(),
          beta,
          gamma,
          this.epsilon,
        );
        return this.relu ? tf.relu(y) : y;
      }
      const n = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      if (n < 2) {
        throw new Error(
          `${this.name}: batch norm in training mode needs more than 1 value per channel (got input shape ${JSON.stringify(x.shape)})`,
        );
      }
      const { y, mean, variance } = batchNormActTrain(
        x,
        gamma as tf.Tensor1D,
        beta as tf.Tensor1D,
        {
          epsilon: this.epsilon,
          relu: this.relu,
        },
      );
      // Running statistics are bookkeeping: they never reach the output, so a gradient tape ignores them.
      const m = this.momentum;
      const unbiased = tf.mul(variance, n / (n - 1));
      this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), 1 - m), tf.mul(mean, m)));
      this.movingVariance.write(
        tf.add(tf.mul(this.movingVariance.read(), 1 - m), tf.mul(unbiased, m)),
      );
      this.numBatchesTracked.write(tf.add(this.numBatchesTracked.read(), 1));
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      momentum: this.momentum,
      epsilon: this.epsilon,
      ...(this.relu ? { relu: true } : {}),
    };
  }
}
tf.serialization.registerClass(TorchBatchNorm);

/** Creates a TorchBatchNorm layer (PyTorch BatchNorm semantics, channels-last). */
export function torchBatchNorm(args: TorchBatchNormArgs = {}): TorchBatchNorm {
  return new TorchBatchNorm(args);
}
