/** Supervised training: backbone + linear classifier, softmax cross-entropy with optional label smoothing. */
import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '../losses/cross-entropy';
import { linearClassifier } from '../models/heads';
import { createRng } from '../rng';
import { asEncoder, type BackboneInput, type Encoder } from './encoder';
import {
  BaseMethod,
  encoderPart,
  modelPart,
  requireLabeled,
  type MethodBatch,
  type Part,
  type StepInfo,
} from './method';

export interface SupervisedConfig {
  numClasses: number;
  /** ε of label smoothing (Szegedy et al. 2016); 0 = plain cross-entropy. */
  labelSmoothing?: number;
  /** Seed for the classifier's initial weights. */
  seed?: number;
  /** Embedding size when the backbone's output shape does not tell it. */
  embeddingDim?: number;
}

/** Supervised method. extra: 'accuracy' = fraction of the batch whose argmax logit is the label. */
export class SupervisedMethod extends BaseMethod {
  readonly name = 'supervised' as const;
  readonly batchKind = 'labeled' as const;
  readonly backbone: Encoder;
  readonly classifier: tf.Sequential;
  readonly labelSmoothing: number;

  constructor(backbone: BackboneInput, cfg: SupervisedConfig) {
    super();
    this.backbone = asEncoder(backbone, cfg.embeddingDim);
    this.classifier = linearClassifier(this.backbone.dim, cfg.numClasses, createRng(cfg.seed ?? 0));
    this.labelSmoothing = cfg.labelSmoothing ?? 0;
  }

  protected onlineParts(): Part[] {
    return [encoderPart('backbone', this.backbone), modelPart('classifier', this.classifier)];
  }
  protected ownedParts(): Part[] {
    return [modelPart('classifier', this.classifier)];
  }

  protected computeLoss(
    batch: MethodBatch,
    _info: StepInfo,
    extra: Record<string, tf.Scalar>,
  ): tf.Scalar {
    const { x, y } = requireLabeled(batch, this.name);
    const logits = this.classifier.apply(this.backbone.apply(x, true), {
      training: true,
    }) as tf.Tensor2D;
    extra.accuracy = tf.keep(
      tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')), 'float32')) as tf.Scalar,
    );
    return softmaxCrossEntropy(logits, y, this.labelSmoothing);
  }

  /** Class logits in inference mode: [N,H,W,C] → [N,numClasses]; caller owns them. */
  logits(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(
      () =>
        this.classifier.apply(this.backbone.apply(x, false), { training: false }) as tf.Tensor2D,
    );
  }

  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.backbone.apply(x, false));
  }

  afterStep(_info: StepInfo): void {
    this.completedSteps += 1;
  }

  protected disposeOwned(): void {
    this.classifier.dispose();
  }
}

/** Creates the supervised method around `backbone` (not owned: dispose() leaves it alone). */
export function createSupervised(backbone: BackboneInput, cfg: SupervisedConfig): SupervisedMethod {
  return new SupervisedMethod(backbone, cfg);
}
