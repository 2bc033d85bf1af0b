/**
 * Siamese network (Bromley et al. 1993; Chopra, Hadsell & LeCun 2005): one shared backbone embeds
 * both images, the pair score is the cosine similarity of the two embeddings. Trained with
 * torch's CosineEmbeddingLoss or the contrastive loss on distance (losses/). Kind 'siamese-aux'
 * adds a small MLP head regressing each image's shape centre from the backbone features (MSE,
 * weight λ); the head only shapes the training signal and plays no part in the score.
 * An optional embedding head (batch norm, or a projection then batch norm) sits between the
 * backbone and the cosine: ReLU + average-pooled features are all ≥ 0, so without it every cosine
 * is ≥ 0 and starts near 0.9 (the collapsed histograms of the original study).
 */
import * as tf from '@tensorflow/tfjs';
import type { PairTensors } from '../data/pairs';
import { modelPart, type Part } from '../methods/method';
import { createBackbone, TorchBatchNorm } from '../models/backbones';
import { initDenseSeeded } from '../models/heads';
import { createRng } from '../rng';
import { INPUT_NORM_KINDS, normalizeInput, type InputNormKind } from './input-norm';
import { contrastiveLoss } from './losses/contrastive';
import { cosineEmbeddingLoss } from './losses/cosine-embedding';
import { meanSquaredError } from './losses/mean-squared-error';
import { pairCosine } from './losses/pair-cosine';
import {
  EMBEDDING_HEAD_KINDS,
  type EmbeddingHeadKind,
  type PairLoss,
  type PairModel,
  type SiameseConfig,
  type SiameseLossKind,
} from './pair-model';

export const DEFAULT_SIAMESE_BACKBONE = { name: 'convnet', width: 16 } as const;

export class SiameseModel implements PairModel {
  readonly kind: 'siamese' | 'siamese-aux';
  readonly scoreKind = 'cosine' as const;
  readonly scoreRange = [-1, 1] as const;
  readonly config: SiameseConfig;
  readonly trunk: tf.LayersModel;
  /** Size of the backbone's features (the centre head's input). */
  readonly embeddingDim: number;
  readonly embeddingHeadKind: EmbeddingHeadKind;
  readonly inputNorm: InputNormKind;
  /** Backbone features [N,D] → embeddings [N,P] that the cosine compares; null for 'none'. */
  readonly embeddingHead: tf.Sequential | null;
  readonly lossKind: SiameseLossKind;
  readonly margin: number;
  readonly auxWeight: number;
  /** 'siamese-aux' only: [N,D] → [N,2] centre (cx, cy). */
  readonly centreHead: tf.Sequential | null;

  constructor(config: SiameseConfig) {
    this.config = config;
    this.kind = config.kind;
    const bb = createBackbone(config.backbone ?? DEFAULT_SIAMESE_BACKBONE);
    this.trunk = bb.model;
    this.embeddingDim = bb.embeddingDim;
    this.lossKind = config.loss ?? 'cosine-embedding';
    this.margin = config.margin ?? (this.lossKind === 'contrastive' ? 1 : 0);
    this.auxWeight = config.auxWeight ?? 1;
    this.embeddingHeadKind = config.embeddingHead ?? 'none';
    this.inputNorm = config.inputNorm ?? 'none';
    if (!INPUT_NORM_KINDS.includes(this.inputNorm))
      throw new Error(
        `unknown input normalisation ${JSON.stringify(this.inputNorm)}; valid: ${INPUT_NORM_KINDS.join(', ')}`,
      );
    this.embeddingHead = this.buildEmbeddingHead(config);
    if (config.kind === 'siamese-aux') {
      const hidden = config.auxHidden ?? 32;
      this.centreHead = tf.sequential({
        name: 'centre_head',
        layers: [
          tf.layers.dense({
            units: hidden,
            inputShape: [this.embeddingDim],
            activation: 'relu',
            kernelInitializer: 'zeros',
            biasInitializer: 'zeros',
          }),
          tf.layers.dense({ units: 2, kernelInitializer: 'zeros', biasInitializer: 'zeros' }),
        ],
      });
      initDenseSeeded(this.centreHead, createRng((config.seed ?? 0) + 1));
      const head = this.centreHead;
      this.predictCentres = (x) =>
        tf.tidy(() => head.apply(this.features(x, false), { training: false }) as tf.Tensor2D);
    } else {
      this.centreHead = null;
    }
  }

  private buildEmbeddingHead(config: SiameseConfig): tf.Sequential | null {
    const kind = this.embeddingHeadKind;
    if (!EMBEDDING_HEAD_KINDS.includes(kind))
      throw new Error(
        `unknown embedding head ${JSON.stringify(kind)}; valid: ${EMBEDDING_HEAD_KINDS.join(', ')}`,
      );
    if (kind === 'none') return null;
    const dim = config.projectionDim ?? this.embeddingDim;
    if (!Number.isInteger(dim) || dim < 1)
      throw new Error(`projectionDim must be a positive integer, got ${dim}`);
    // Batch norm with γ = 1, β = 0 frozen: standardises each feature and cannot shrink it to a constant.
    const bn = new TorchBatchNorm({
      name: 'embedding_bn',
      momentum: 0.1,
      epsilon: 1e-5,
      trainable: false,
    });
    if (kind === 'batchnorm') {
      return tf.sequential({
        name: 'embedding_head',
        layers: [tf.layers.inputLayer({ inputShape: [this.embeddingDim] }), bn],
      });
    }
    const head = tf.sequential({
      name: 'embedding_head',
      layers: [
        tf.layers.dense({
          units: dim,
          inputShape: [this.embeddingDim],
          useBias: false,
          kernelInitializer: 'zeros',
          name: 'embedding_proj',
        }),
        bn,
      ],
    });
    initDenseSeeded(head, createRng((config.seed ?? 0) + 2));
    return head;
  }

  parts(): Part[] {
    const ps = [modelPart('backbone', this.trunk)];
    if (this.embeddingHead) ps.push(modelPart('embedding', this.embeddingHead));
    if (this.centreHead) ps.push(modelPart('centre', this.centreHead));
    return ps;
  }

  trainableVariables(): tf.Variable[] {
    return this.parts().flatMap((p) => p.trainable());
  }

  /** Backbone features [N,D] of images [N,S,S,3] (after the input normalisation); training selects batch-norm batch statistics. Caller owns. */
  features(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(
      () => this.trunk.apply(normalizeInput(x, this.inputNorm), { training }) as tf.Tensor2D,
    );
  }

  /** Embeddings the cosine compares, [N,S,S,3] → [N,P] (the features, through the embedding head if any). Caller owns. */
  embed(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.project(this.features(x, training), training));
  }

  private project(f: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return this.embeddingHead ? (this.embeddingHead.apply(f, { training }) as tf.Tensor2D) : f;
  }

  loss(batch: PairTensors): PairLoss {
    return tf.tidy((): PairLoss => {
      const n = batch.xa.shape[0];
      // Both images in one pass: the shared backbone's batch norm sees all 2N images.
      const f = this.features(tf.concat([batch.xa, batch.xb], 0), true);
      const e = this.project(f, true);
      const ea = tf.slice(e, [0, 0], [n, -1]) as tf.Tensor2D,
        eb = tf.slice(e, [n, 0], [n, -1]) as tf.Tensor2D;
      const pair =
        this.lossKind === 'contrastive'
          ? contrastiveLoss(ea, eb, batch.y, this.margin)
          : cosineEmbeddingLoss(ea, eb, batch.y, this.margin);
      if (!this.centreHead) return { total: pair, terms: { pair: pair.clone() } };
      const pred = this.centreHead.apply(f, { training: true }) as tf.Tensor2D;
      const target = tf.concat(
        [tf.slice(batch.centres, [0, 0], [n, 2]), tf.slice(batch.centres, [0, 2], [n, 2])],
        0,
      );
      const centre = meanSquaredError(pred, target);
      return {
        total: tf.add(pair, tf.mul(centre, this.auxWeight)) as tf.Scalar,
        terms: { pair, centre },
      };
    });
  }

  score(xa: tf.Tensor4D, xb: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => pairCosine(this.embed(xa, false), this.embed(xb, false)));
  }

  /** 'siamese-aux' only: centre predictions in inference mode, [N,S,S,3] → [N,2]; caller owns. */
  readonly predictCentres?: (x: tf.Tensor4D) => tf.Tensor2D;

  dispose(): void {
    this.trunk.dispose();
    this.embeddingHead?.dispose();
    this.centreHead?.dispose();
  }
}
