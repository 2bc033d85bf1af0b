/**
 * Early fusion: the two images stacked along channels ([N,S,S,6]) go through one 6-channel ConvNet
 * (fusion-convnet.ts) and a head to one logit: one linear layer, or with `headHidden` an MLP
 * (Linear → ReLU → Linear), which can express the XNOR "both circles or both squares" of features
 * pooled over the whole image. Trained with binary cross-entropy on the logit, scored with its
 * sigmoid (the probability that the pair is the same kind).
 */
import * as tf from '@tensorflow/tfjs';
import type { PairTensors } from '../data/pairs';
import { modelPart, type Part } from '../methods/method';
import { initDenseSeeded } from '../models/heads';
import { createRng } from '../rng';
import { createFusionConvNet } from './fusion-convnet';
import { INPUT_NORM_KINDS, normalizeInput, type InputNormKind } from './input-norm';
import { binaryCrossEntropyWithLogits } from './losses/binary-cross-entropy';
import type { EarlyFusionConfig, PairLoss, PairModel } from './pair-model';

export class EarlyFusionModel implements PairModel {
  readonly kind = 'early-fusion' as const;
  readonly scoreKind = 'probability' as const;
  readonly scoreRange = [0, 1] as const;
  readonly config: EarlyFusionConfig;
  readonly trunk: tf.LayersModel;
  readonly inputNorm: InputNormKind;
  /** [N,D] → [N,1] logit: one linear layer, or Linear → ReLU → Linear with config.headHidden units. */
  readonly head: tf.Sequential;

  constructor(config: EarlyFusionConfig) {
    this.config = config;
    const seed = config.seed ?? 0;
    this.inputNorm = config.inputNorm ?? 'none';
    if (!INPUT_NORM_KINDS.includes(this.inputNorm))
      throw new Error(
        `unknown input normalisation ${JSON.stringify(this.inputNorm)}; valid: ${INPUT_NORM_KINDS.join(', ')}`,
      );
    const { model, embeddingDim } = createFusionConvNet({
      inChannels: 6,
      inputSize: config.inputSize,
      width: config.width,
      blocks: config.blocks,
      seed,
    });
    this.trunk = model;
    const hidden = config.headHidden ?? 0;
    if (!Number.isInteger(hidden) || hidden < 0)
      throw new Error(`early fusion headHidden must be a non-negative integer, got ${hidden}`);
    const zeros = { kernelInitializer: 'zeros', biasInitializer: 'zeros' } as const;
    this.head = tf.sequential({
      name: 'fusion_head',
      layers:
        hidden > 0
          ? [
              tf.layers.dense({
                units: hidden,
                inputShape: [embeddingDim],
                activation: 'relu',
                ...zeros,
              }),
              tf.layers.dense({ units: 1, ...zeros }),
            ]
          : [tf.layers.dense({ units: 1, inputShape: [embeddingDim], ...zeros })],
    });
    initDenseSeeded(this.head, createRng(seed + 1));
  }

  parts(): Part[] {
    return [modelPart('backbone', this.trunk), modelPart('head', this.head)];
  }

  trainableVariables(): tf.Variable[] {
    return this.parts().flatMap((p) => p.trainable());
  }

  /** Logits [N] of stacked pairs; training selects batch-norm batch statistics. */
  logits(xa: tf.Tensor4D, xb: tf.Tensor4D, training: boolean): tf.Tensor1D {
    return tf.tidy(() => {
      // Per-channel statistics: normalising the 6-channel stack normalises each image on its own.
      const x = normalizeInput(tf.concat([xa, xb], 3) as tf.Tensor4D, this.inputNorm);
      const z = this.head.apply(this.trunk.apply(x, { training }), { training }) as tf.Tensor2D;
      return tf.reshape(z, [-1]) as tf.Tensor1D;
    });
  }

  loss(batch: PairTensors): PairLoss {
    return tf.tidy(() => {
      const pair = binaryCrossEntropyWithLogits(this.logits(batch.xa, batch.xb, true), batch.y);
      return { total: pair, terms: { pair: pair.clone() } };
    });
  }

  score(xa: tf.Tensor4D, xb: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => tf.sigmoid(this.logits(xa, xb, false)));
  }

  dispose(): void {
    this.trunk.dispose();
    this.head.dispose();
  }
}
