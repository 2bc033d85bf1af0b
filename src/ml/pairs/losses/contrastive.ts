/**
 * Contrastive loss with a margin on distance (Hadsell, Chopra & LeCun 2006) for the pairs lab.
 * Labels are 1 = same, 0 = different. Returns a new tensor the caller owns; may run under a
 * gradient tape.
 */
import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from '../../losses/l2-normalize';

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
