/**
 * Losses of the same/different pairs lab: cosine embedding loss (torch.nn.CosineEmbeddingLoss),
 * contrastive loss with a margin on distance (Hadsell, Chopra & LeCun 2006), binary cross-entropy on
 * logits (torch.nn.BCEWithLogitsLoss) and the centre-regression MSE. Labels are 1 = same, 0 = different.
 * Every function returns a new tensor the caller owns and may run under a gradient tape.
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from '../losses/l2-normalize';

/** torch's ε in cosine_embedding_loss, added to each squared magnitude. */
const COS_EPS = 1e-12;

/** Row-wise cosine similarity as torch's cosine_embedding_loss computes it: [N,D], [N,D] → [N]. */
export function pairCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const m1 = tf.add(tf.sum(tf.square(a), 1), COS_EPS),
      m2 = tf.add(tf.sum(tf.square(b), 1), COS_EPS);
    return tf.div(dot, tf.sqrt(tf.mul(m1, m2))) as tf.Tensor1D;
  });
}

/**
 * Cosine embedding loss, torch.nn.CosineEmbeddingLoss(margin) with target 2y−1, reduction 'mean':
 * same pairs 1 − cos(a, b), different pairs max(0, cos(a, b) − margin). a, b [N,D], y [N] in {0,1} → scalar.
 */
export function cosineEmbeddingLoss(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  y: tf.Tensor1D,
  margin = 0,
): tf.Scalar {
  if (margin < -1 || margin > 1)
    throw new Error(`cosine embedding margin must be in [-1, 1], got ${margin}`);
  return tf.tidy(() => {
    const cos = pairCosine(a, b);
    const yf = tf.cast(y, 'float32');
    const pos = tf.mul(yf, tf.sub(1, cos));
    const neg = tf.mul(tf.sub(1, yf), tf.relu(tf.sub(cos, margin)));
    return tf.mean(tf.add(pos, neg)) as tf.Scalar;
  });
}

/**
 * Contrastive loss on the Euclidean distance d of the L2-normalised embeddings (d ∈ [0, 2], so
 * d² = 2 − 2·cos and the cosine score ranks pairs as d does), Hadsell et al. 2006:
 * mean over pairs of ½·y·d² + ½·(1 − y)·max(0, margin − d)². a, b [N,D], y [N] → scalar.
 */
export function contrastiveLoss(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  y: tf.Tensor1D,
  margin = 1,
): tf.Scalar {
  if (!(margin > 0)) throw new Error(`contrastive margin must be > 0, got ${margin}`);
  return tf.tidy(() => {
    const d2 = tf.sum(tf.square(tf.sub(l2Normalize(a), l2Normalize(b))), 1);
    // sqrt with a floor keeps the gradient finite when two embeddings coincide.
    const d = tf.sqrt(tf.add(d2, 1e-12));
    const yf = tf.cast(y, 'float32');
    const pos = tf.mul(yf, d2);
    const neg = tf.mul(tf.sub(1, yf), tf.square(tf.relu(tf.sub(margin, d))));
    return tf.mul(tf.mean(tf.add(pos, neg)), 0.5) as tf.Scalar;
  });
}

/** Binary cross-entropy on logits, torch.nn.BCEWithLogitsLoss (mean): logits [N], y [N] in {0,1} → scalar (stable form). */
export function binaryCrossEntropyWithLogits(logits: tf.Tensor1D, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const yf = tf.cast(y, 'float32');
    // max(z, 0) − z·y + log(1 + e^−|z|)
    const l = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, yf)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    return tf.mean(l) as tf.Scalar;
  });
}

/** Mean squared error over all entries, torch.nn.MSELoss: pred [N,K], target [N,K] → scalar. */
export function meanSquaredError(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(pred, target)) as tf.Scalar);
}
