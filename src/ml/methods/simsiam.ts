/**
 * SimSiam (Chen & He 2021): encoder f = backbone + 3-layer projector, predictor h, loss
 * D(p1, sg(z2))/2 + D(p2, sg(z1))/2 with D = negative cosine similarity; no target network.
 */
import * as tf from '@tensorflow/tfjs';
import { symmetricNegativeCosine } from '../losses/negative-cosine';
import { simsiamPredictor, simsiamProjector } from '../models/heads';
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

export interface SimSiamConfig {
  /** Hidden width of the 3-layer projector (default 2·D). */
  projectionHiddenDim?: number;
  /** Projection size (default 2·D; paper 2048). */
  projectionDim?: number;
  /** Predictor bottleneck (default projectionDim/4, as the paper's 512 for 2048). */
  predictorHiddenDim?: number;
  /** Seed for the heads' initial weights (default 0). */
  seed?: number;
  /** Embedding size when the backbone's output shape does not tell it. */
  embeddingDim?: number;
}

/** SimSiam; views pass separately (BN per view). extra: 'zStd' of z1 (the paper's collapse monitor). */
export class SimSiamMethod extends BaseMethod {
  readonly name = 'simsiam' as const;
  readonly batchKind = 'views' as const;
  readonly backbone: Encoder;
  readonly projector: tf.Sequential;
  readonly predictor: tf.Sequential;

  constructor(backbone: BackboneInput, cfg: SimSiamConfig = {}) {
    super();
    this.backbone = asEncoder(backbone, cfg.embeddingDim);
    const d = this.backbone.dim;
    const rng = createRng(cfg.seed ?? 0);
    const projDim = cfg.projectionDim ?? 2 * d;
    this.projector = simsiamProjector(
      d,
      { hiddenDim: cfg.projectionHiddenDim ?? 2 * d, outDim: projDim },
      rng,
    );
    this.predictor = simsiamPredictor(
      projDim,
      { hiddenDim: cfg.predictorHiddenDim ?? Math.max(1, Math.floor(projDim / 4)) },
      rng,
    );
  }

  protected onlineParts(): Part[] {
    return [
      encoderPart('backbone', this.backbone),
      modelPart('projector', this.projector),
      modelPart('predictor', this.predictor),
    ];
  }
  protected ownedParts(): Part[] {
    return [modelPart('projector', this.projector), modelPart('predictor', this.predictor)];
  }

  protected computeLoss(
    batch: MethodBatch,
    _info: StepInfo,
    extra: Record<string, tf.Scalar>,
  ): tf.Scalar {
    const { v1, v2 } = requireViews(batch, this.name);
    const z1 = this.projector.apply(this.backbone.apply(v1, true), {
      training: true,
    }) as tf.Tensor2D;
    const z2 = this.projector.apply(this.backbone.apply(v2, true), {
      training: true,
    }) as tf.Tensor2D;
    const p1 = this.predictor.apply(z1, { training: true }) as tf.Tensor2D;
    const p2 = this.predictor.apply(z2, { training: true }) as tf.Tensor2D;
    extra.zStd = tf.keep(zStd(z1));
    return symmetricNegativeCosine(p1, z1, p2, z2);
  }

  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.backbone.apply(x, false));
  }

  afterStep(_info: StepInfo): void {
    this.completedSteps += 1;
  }

  protected disposeOwned(): void {
    this.projector.dispose();
    this.predictor.dispose();
  }
}

/** Creates SimSiam around `backbone` (not owned). */
export function createSimSiam(backbone: BackboneInput, cfg: SimSiamConfig = {}): SimSiamMethod {
  return new SimSiamMethod(backbone, cfg);
}
