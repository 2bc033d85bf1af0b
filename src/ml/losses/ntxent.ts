/** NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020, eq. 1). */
import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from './l2-normalize';

/**
 * NT-Xent over 2N views: z1, z2 [N,D] are projections of the two views of the same N images
 * (row i of z1 and row i of z2 are positives, every other of the 2N−2 rows a negative).
 * ℓ(i,j) = −log exp(sim(i,j)/τ) / Σ_{k≠i} exp(sim(i,k)/τ), averaged over all 2N anchors (eq. 1–2).
 * Returns a scalar the caller owns; inputs are not disposed.
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Scalar {
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(
      `ntXentLoss: views differ in shape ${JSON.stringify(z1.shape)} vs ${JSON.stringify(z2.shape)}`,
    );
  }
  return tf.tidy(() => {
    const n = z1.shape[0];
    const a = l2Normalize(z1);
    const b = l2Normalize(z2);
    const z = tf.concat([a, b], 0);
    const sim = tf.div(tf.matMul(z, z, false, true), temperature);
    // Exclude k = i from the denominator with a large negative logit (exp → 0).
    const logits = tf.sub(sim, tf.mul(tf.eye(2 * n), 1e9));
    const lse = tf.logSumExp(logits, 1);
    const pos = tf.div(tf.sum(tf.mul(a, b), 1), temperature);
    return tf.mean(tf.sub(lse, tf.concat([pos, pos], 0))) as tf.Scalar;
  });
}
