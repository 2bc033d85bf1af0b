/** SimCLR (Chen et al. 2020): backbone f, projection g (Linear–BN–ReLU–Linear), NT-Xent over 2N views. */
import * as tf from '@tensorflow/tfjs';
import { ntXentLoss } from '../losses/ntxent';
import { simclrProjectionHead } from '../models/heads';
import { createRng } from '../rng';
import { asEncoder, type BackboneInput, type Encoder } from './encoder';
import {
  BaseMethod,
  encoderPart,
  modelPart,
  requireViews,
  type MethodBatch,
  type Part,
  type StepInfo,
} from './method';
import { zStd } from './z-std';

export interface SimClrConfig {
  /** τ of NT-Xent (default 0.5, the paper's choice for smaller batches). */
  temperature?: number;
  /** Hidden width of the projection MLP (default: the embedding dim D). */
  projectionHiddenDim?: number;
  /** Output width of the projection (default 64; paper 128). */
  projectionDim?: number;
  /** Seed for the head's initial weights (default 0). */
  seed?: number;
  /** Embedding size when the backbone's output shape does not tell it. */
  embeddingDim?: number;
}

/**
 * SimCLR. Both views go through the network as ONE batch of 2N (so BatchNorm sees all 2N images, as
 * the paper's global BN). extra: 'zStd' (see z-std.ts) of the projections of view 1.
 */
export class SimClrMethod extends BaseMethod {
  readonly name = 'simclr' as const;
  readonly batchKind = 'views' as const;
  readonly backbone: Encoder;
  readonly projector: tf.Sequential;
  readonly temperature: number;

  constructor(backbone: BackboneInput, cfg: SimClrConfig = {}) {
    super();
    this.backbone = asEncoder(backbone, cfg.embeddingDim);
    const d = this.backbone.dim;
    this.projector = simclrProjectionHead(
      d,
      { hiddenDim: cfg.projectionHiddenDim ?? d, outDim: cfg.projectionDim ?? 64 },
      createRng(cfg.seed ?? 0),
    );
    this.temperature = cfg.temperature ?? 0.5;
  }

  protected onlineParts(): Part[] {
    return [encoderPart('backbone', this.backbone), modelPart('projector', this.projector)];
  }
  protected ownedParts(): Part[] {
    return [modelPart('projector', this.projector)];
  }

  protected computeLoss(
    batch: MethodBatch,
    _info: StepInfo,
    extra: Record<string, tf.Scalar>,
  ): tf.Scalar {
    const { v1, v2 } = requireViews(batch, this.name);
    const n = v1.shape[0];
    const z = this.projector.apply(this.backbone.apply(tf.concat([v1, v2], 0), true), {
      training: true,
    }) as tf.Tensor2D;
    const z1 = tf.slice(z, [0, 0], [n, -1]);
    const z2 = tf.slice(z, [n, 0], [n, -1]);
    extra.zStd = tf.keep(zStd(z1));
    return ntXentLoss(z1, z2, this.temperature);
  }

  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.backbone.apply(x, false));
  }

  afterStep(_info: StepInfo): void {
    this.completedSteps += 1;
  }

  protected disposeOwned(): void {
    this.projector.dispose();
  }
}

/** Creates SimCLR around `backbone` (not owned). */
export function createSimClr(backbone: BackboneInput, cfg: SimClrConfig = {}): SimClrMethod {
  return new SimClrMethod(backbone, cfg);
}
