/**
 * The supervised starting point of the pairs study: a backbone + linear classifier trained to tell
 * circle (0) from square (1) with the shape generator's own labels. Its backbone then initialises
 * a siamese model (createPairModel(config, { startFrom: backbone })), which learns to compare
 * shapes where one trained from scratch stays collapsed.
 */
import * as tf from '@tensorflow/tfjs';
import { imagesToTensor, type PairImage, type PairSet } from '../data/pairs';
import { SupervisedMethod } from '../methods/supervised';
import { createOptimizer, type OptimizerConfig } from '../optim/optimizers';
import { learningRateAt, type ScheduleConfig } from '../optim/schedules';
import { createRng } from '../rng';

export interface ShapeClassifierConfig {
  epochs: number;
  /** Images per step (default 64). */
  batchSize?: number;
  /** Default 1e-3 (Adam). */
  lr?: number;
  /** Default { kind: 'adam' }. */
  optimizer?: OptimizerConfig;
  /** Default { kind: 'constant' }; a cosine schedule's totalSteps counts steps of this run. */
  schedule?: ScheduleConfig;
  /** Seed of the batch order and of the classifier's weights. */
  seed?: number;
}

export interface ShapeClassifierEpoch {
  epoch: number;
  /** Mean cross-entropy of the epoch. */
  loss: number;
  /** Mean training-batch accuracy of the epoch. */
  accuracy: number;
  seconds: number;
}

/** Both images of every pair of `set`, in pair order (a0, b0, a1, b1, …). */
export function pairImages(set: PairSet): PairImage[] {
  return set.pairs.flatMap((p) => [p.a, p.b]);
}

/** Kind labels [n]: circle 0, square 1. */
export function shapeKindLabels(images: readonly PairImage[]): Int32Array {
  return Int32Array.from(images, (im) => (im.kind === 'circle' ? 0 : 1));
}

/**
 * Trains `backbone` (in place; stays the caller's) with a 2-class linear head on `images` ([S,S,3]
 * each, side `size`). Returns the supervised method (caller disposes it; that frees the head only)
 * and the per-epoch history. Leaves no other tensors.
 */
export async function trainShapeClassifier(
  backbone: tf.LayersModel,
  images: readonly PairImage[],
  size: number,
  cfg: ShapeClassifierConfig,
  onEpoch?: (e: ShapeClassifierEpoch) => void | Promise<void>,
): Promise<{ method: SupervisedMethod; history: ShapeClassifierEpoch[] }> {
  const batchSize = cfg.batchSize ?? 64,
    lr = cfg.lr ?? 1e-3;
  const method = new SupervisedMethod(backbone, { numClasses: 2, seed: cfg.seed ?? 0 });
  const optimizer = createOptimizer(cfg.optimizer ?? { kind: 'adam' });
  const rng = createRng((cfg.seed ?? 0) + 17);
  const labels = shapeKindLabels(images);
  const history: ShapeClassifierEpoch[] = [];
  let step = 0;
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const order = rng.shuffle(images.map((_, i) => i));
      const losses: tf.Scalar[] = [],
        accs: tf.Scalar[] = [];
      const t0 = performance.now();
      for (let s = 0; s < order.length; s += batchSize) {
        const idx = order.slice(s, s + batchSize);
        const x = imagesToTensor(
          idx.map((i) => images[i]),
          size,
        );
        const y = tf.tensor1d(
          Int32Array.from(idx, (i) => labels[i]),
          'int32',
        );
        const info = { step, totalSteps: cfg.epochs * Math.ceil(order.length / batchSize) };
        const r = method.step(
          { x, y },
          optimizer,
          learningRateAt(lr, cfg.schedule ?? { kind: 'constant' }, step),
          info,
        );
        method.afterStep(info);
        tf.dispose([x, y]);
        losses.push(r.loss);
        accs.push(r.extra.accuracy);
        step++;
      }
      const mean = tf.tidy(() => tf.stack([tf.mean(tf.stack(losses)), tf.mean(tf.stack(accs))]));
      tf.dispose([...losses, ...accs]);
      const [loss, accuracy] = await mean.data();
      mean.dispose();
      const e = { epoch: epoch + 1, loss, accuracy, seconds: (performance.now() - t0) / 1000 };
      history.push(e);
      await onEpoch?.(e);
    }
  } finally {
    optimizer.dispose();
  }
  return { method, history };
}

/** Accuracy of the classifier (inference mode) on `images`. */
export async function shapeClassifierAccuracy(
  method: SupervisedMethod,
  images: readonly PairImage[],
  size: number,
  batchSize = 200,
): Promise<number> {
  const labels = shapeKindLabels(images);
  let hit = 0;
  for (let s = 0; s < images.length; s += batchSize) {
    const x = imagesToTensor(images.slice(s, s + batchSize), size);
    const pred = tf.tidy(() => tf.argMax(method.logits(x), 1));
    x.dispose();
    const p = await pred.data();
    pred.dispose();
    p.forEach((v, i) => {
      if (v === labels[s + i]) hit++;
    });
  }
  return images.length ? hit / images.length : NaN;
}
