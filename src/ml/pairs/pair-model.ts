/**
 * The interface the pairs trainer and evaluation drive, shared by the three models of the lab
 * (early fusion, siamese, siamese + auxiliary centre head), and the factory that builds them.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PairTensors } from '../data/pairs';
import type { Part } from '../methods/method';
import type { BackboneConfigInput } from '../models/backbones/config-schema';
import type { InputNormKind } from './input-norm';

export {
  EMBEDDING_HEAD_KINDS,
  PAIR_MODEL_KINDS,
  type EmbeddingHeadKind,
  type PairModelKind,
  type SiameseLossKind,
} from './types';
import type { EmbeddingHeadKind, PairModelKind, SiameseLossKind } from './types';

export interface EarlyFusionConfig {
  kind: 'early-fusion';
  /** Image side (default 32). */
  inputSize?: number;
  /** First-block width of the 6-channel ConvNet (default 16). */
  width?: number;
  blocks?: 3 | 4;
  /**
   * Hidden units of the classifier head: 0 (default) = one linear layer on the pooled features; n > 0 =
   * Linear → ReLU → Linear. Same-or-different is an XNOR of what each image holds, which a linear
   * layer on globally pooled features cannot express; the hidden layer can.
   */
  headHidden?: number;
  /**
   * Input normalisation before the network (default 'none'): 'per-image' standardises each image's
   * channels to mean 0, std 1 (input-norm.ts), removing its background colour.
   */
  inputNorm?: InputNormKind;
  seed?: number;
}

export interface SiameseConfig {
  kind: 'siamese' | 'siamese-aux';
  /** Shared backbone (default { name: 'convnet', width: 16 }); [N,S,S,3] → [N,D]. */
  backbone?: BackboneConfigInput;
  /** Default 'cosine-embedding'. */
  loss?: SiameseLossKind;
  /** Margin: on cosine for 'cosine-embedding' (default 0, torch's), on distance for 'contrastive' (default 1). */
  margin?: number;
  /** 'siamese-aux': weight λ of the centre MSE in loss = pair loss + λ·MSE (default 1). */
  auxWeight?: number;
  /** 'siamese-aux': hidden units of the centre head (default 32). */
  auxHidden?: number;
  /**
   * What sits between the backbone and the cosine (default 'none'). The backbone's features come out
   * of ReLU + average pooling: every entry is ≥ 0 and they share a large common component, so every
   * pair's cosine starts near 0.9 and a different pair can only reach cos ≤ 0 with disjoint features.
   * 'batchnorm': per-dimension batch norm without learnt scale/shift (centres and scales each
   * feature, so cosines start near 0 and take both signs; cannot collapse to one constant vector).
   * 'linear-batchnorm': Linear D → projectionDim (no bias), then that batch norm.
   */
  embeddingHead?: EmbeddingHeadKind;
  /** 'linear-batchnorm': output size of the projection (default: the backbone's D). */
  projectionDim?: number;
  /**
   * Input normalisation before the network (default 'none'): 'per-image' standardises each image's
   * channels to mean 0, std 1 (input-norm.ts), removing its background colour.
   */
  inputNorm?: InputNormKind;
  /** Seed of the heads (the backbone's init seed is backbone.seed). */
  seed?: number;
}

export type PairModelConfig = EarlyFusionConfig | SiameseConfig;

/** Loss of one batch: the total the gradients follow and its named terms (all owned by the caller). */
export type PairLoss = {
  total: tf.Scalar;
  /** 'pair' always; 'centre' for the auxiliary head. Unweighted terms. */
  terms: Record<string, tf.Scalar>;
};

export interface PairModel {
  readonly kind: PairModelKind;
  readonly config: PairModelConfig;
  /** 'probability' (sigmoid output, 0..1) or 'cosine' (−1..1); higher = more likely the same. */
  readonly scoreKind: 'probability' | 'cosine';
  /** Range of the score, for fixed histogram bins. */
  readonly scoreRange: readonly [number, number];
  /** Named parameter groups ('backbone', 'head', 'centre') for per-layer gradient norms. */
  parts(): Part[];
  trainableVariables(): tf.Variable[];
  /**
   * Loss in training mode (batch-norm batch statistics; updates moving statistics), for a gradient
   * tape. Intermediates are tidied; under tf.variableGrads, tf.keep the terms to read them later.
   */
  loss(batch: PairTensors): PairLoss;
  /** Pair scores in inference mode: xa, xb [N,S,S,3] → [N]; caller owns it. */
  score(xa: tf.Tensor4D, xb: tf.Tensor4D): tf.Tensor1D;
  /** Auxiliary centre predictions in inference mode: [N,S,S,3] → [N,2] (cx, cy in 0..1); only 'siamese-aux'. */
  predictCentres?(x: tf.Tensor4D): tf.Tensor2D;
  /** The model's trunk ([N,S,S,3] → [N,D] for siamese models, [N,S,S,6] → [N,D] for early fusion). Owned by the model. */
  readonly trunk: tf.LayersModel;
  /** Frees every variable the model owns (trunk included). */
  dispose(): void;
}

/** Copies `from`'s weights into `to` (same architecture); throws naming the first mismatching weight. */
export function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const src = from.getWeights(),
    dst = to.weights;
  if (src.length !== dst.length)
    throw new Error(
      `cannot start from a model with ${src.length} weights: this one has ${dst.length}`,
    );
  src.forEach((w, i) => {
    if (w.shape.join(',') !== dst[i].shape.join(',')) {
      throw new Error(
        `weight ${dst[i].name} has shape [${dst[i].shape}], the start model's is [${w.shape}]`,
      );
    }
  });
  to.setWeights(src);
}
