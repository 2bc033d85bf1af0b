/**
 * Dropout (Srivastava et al. 2014, as torch.nn.Dropout: zero with probability `rate`, scale the
 * survivors by 1/(1 − rate)) whose masks come from simlab's seeded RNG (src/ml/rng.ts), drawn on
 * the CPU, so a seed reproduces the same masks on every backend. tfjs-layers' Dropout draws from
 * tf.random (unseeded: irreproducible; seeded: the same mask every step).
 * Identity unless called with `{training: true}`. The generator restarts from `seed` when the layer
 * is rebuilt (e.g. after `modelFromJSON`).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../../../rng';

type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];

export interface SeededDropoutArgs extends NonNullable<LayerArgs> {
  rate: number;
  seed: number;
}

export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  private readonly rng: Rng;

  constructor(args: SeededDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1))
      throw new Error(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.rng = createRng(args.seed);
  }

  /** x: any shape → same shape; a fresh mask per training call. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs?.['training'] || this.rate === 0) return tf.clone(x);
    const keep = 1 - this.rate;
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.next() < keep ? 1 / keep : 0;
    return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
