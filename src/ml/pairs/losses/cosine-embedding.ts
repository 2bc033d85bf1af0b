/**
 * Cosine embedding loss of the pairs lab, torch.nn.CosineEmbeddingLoss. Labels are 1 = same,
 * 0 = different. Returns a new tensor the caller owns; may run under a gradient tape.
 */
import * as tf from '@tensorflow/tfjs';
import { pairCosine } from './pair-cosine';

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
