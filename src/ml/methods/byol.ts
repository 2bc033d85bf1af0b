/**
 * BYOL (Grill et al. 2020): online = backbone + projector + predictor, target = backbone' + projector'
 * kept as an EMA of the online weights with τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2, symmetric loss
 * Σ (2 − 2cos(p, sg(z'))) over the two view orders.
 */
import * as tf from '@tensorflow/tfjs';
import { symmetricByolLoss } from '../losses/byol-loss';
import { byolMlpHead } from '../models/heads';
import { byolTau, emaUpdate } from '../optim/momentum';
import { createRng } from '../rng';
import {
  asEncoder,
  cloneEncoder,
  cloneLayersModel,
  type BackboneInput,
  type Encoder,
} from './encoder';
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

export interface ByolConfig {
  /** τ_base of the target EMA (default 0.996, as the paper). */
  tauBase?: number;
  /** Hidden width of projector (default 2·D; paper 4096 for D = 2048). */
  projectionHiddenDim?: number;
  /** Projection size (default 64; paper 256). */
  projectionDim?: number;
  /** Hidden width of the predictor (default 2·D). */
  predictorHiddenDim?: number;
  /** Seed for the heads' initial weights (default 0). */
  seed?: number;
  /** Embedding size when the backbone's output shape does not tell it. */
  embeddingDim?: number;
}

/**
 * BYOL. Each view passes through the networks separately (BN statistics per view, as the paper).
 * The target runs in training mode outside the gradient tape. extra: 'zStd' of the online projections
 * of view 1, 'tau' the EMA rate afterStep will use at this step.
 */
export class ByolMethod extends BaseMethod {
  readonly name = 'byol' as const;
  readonly batchKind = 'views' as const;
  readonly backbone: Encoder;
  readonly projector: tf.Sequential;
  readonly predictor: tf.Sequential;
  readonly targetBackbone: Encoder;
  readonly targetProjector: tf.LayersModel;
  readonly tauBase: number;
  #targets: [tf.Tensor2D, tf.Tensor2D] | null = null;

  constructor(backbone: BackboneInput, cfg: ByolConfig = {}) {
    super();
    this.backbone = asEncoder(backbone, cfg.embeddingDim);
    const d = this.backbone.dim;
    const rng = createRng(cfg.seed ?? 0);
    const projDim = cfg.projectionDim ?? 64;
    this.projector = byolMlpHead(
      d,
      { hiddenDim: cfg.projectionHiddenDim ?? 2 * d, outDim: projDim },
      rng,
    );
    this.predictor = byolMlpHead(
      projDim,
      { hiddenDim: cfg.predictorHiddenDim ?? 2 * d, outDim: projDim },
      rng,
    );
    this.targetBackbone = cloneEncoder(this.backbone, this.name);
    this.targetProjector = cloneLayersModel(this.projector);
    this.tauBase = cfg.tauBase ?? 0.996;
  }

  protected onlineParts(): Part[] {
    return [
      encoderPart('backbone', this.backbone),
      modelPart('projector', this.projector),
      modelPart('predictor', this.predictor),
    ];
  }
  protected ownedParts(): Part[] {
    return [
      modelPart('projector', this.projector),
      modelPart('predictor', this.predictor),
      encoderPart('targetBackbone', this.targetBackbone),
      modelPart('targetProjector', this.targetProjector),
    ];
  }

  #target(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(
      () =>
        this.targetProjector.apply(this.targetBackbone.apply(x, true), {
          training: true,
        }) as tf.Tensor2D,
    );
  }

  protected override prepare(batch: MethodBatch): void {
    const { v1, v2 } = requireViews(batch, this.name);
    this.release();
    this.#targets = [this.#target(v1), this.#target(v2)];
  }

  protected override release(): void {
    if (this.#targets) tf.dispose(this.#targets);
    this.#targets = null;
  }

  protected computeLoss(
    batch: MethodBatch,
    info: StepInfo,
    extra: Record<string, tf.Scalar>,
  ): tf.Scalar {
    const { v1, v2 } = requireViews(batch, this.name);
    if (!this.#targets) throw new Error('byol: target projections missing (prepare not called)');
    const [zt1, zt2] = this.#targets;
    const z1 = this.projector.apply(this.backbone.apply(v1, true), {
      training: true,
    }) as tf.Tensor2D;
    const z2 = this.projector.apply(this.backbone.apply(v2, true), {
      training: true,
    }) as tf.Tensor2D;
    const p1 = this.predictor.apply(z1, { training: true }) as tf.Tensor2D;
    const p2 = this.predictor.apply(z2, { training: true }) as tf.Tensor2D;
    extra.zStd = tf.keep(zStd(z1));
    extra.tau = tf.keep(tf.scalar(byolTau(info.step, info.totalSteps, this.tauBase)));
    return symmetricByolLoss(p1, zt1, p2, zt2);
  }

  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.backbone.apply(x, false));
  }

  /** Target ← τ·target + (1−τ)·online over trainable weights, τ = byolTau(info.step, info.totalSteps, τ_base). */
  afterStep(info: StepInfo): void {
    const tau = byolTau(info.step, info.totalSteps, this.tauBase);
    emaUpdate(this.targetBackbone.trainableVariables(), this.backbone.trainableVariables(), tau);
    emaUpdate(
      modelPart('t', this.targetProjector).trainable(),
      modelPart('o', this.projector).trainable(),
      tau,
    );
    this.completedSteps += 1;
  }

  protected disposeOwned(): void {
    this.projector.dispose();
    this.predictor.dispose();
    this.targetBackbone.dispose();
    this.targetProjector.dispose();
  }
}

/** Creates BYOL around `backbone` (not owned; its copy for the target is). */
export function createByol(backbone: BackboneInput, cfg: ByolConfig = {}): ByolMethod {
  return new ByolMethod(backbone, cfg);
}
