/** InfoNCE with a queue of negatives, as in MoCo (He et al. 2020, eq. 1; MoCo v2, Chen et al. 2020). */
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from './stop-gradient';

/**
 * q [N,D] queries and k [N,D] keys (both already L2-normalised; k gets no gradient), queue [K,D]
 * normalised negatives. Logits = [q·k, q·queueᵀ]/τ → [N,1+K], cross-entropy with label 0, mean.
 * Returns a scalar the caller owns.
 */
export function infoNceLoss(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  queue: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  return tf.tidy(() => {
    const kk = stopGradient(k);
    const lPos = tf.sum(tf.mul(q, kk), 1, true);
    const lNeg = tf.matMul(q, stopGradient(queue), false, true);
    const logits = tf.div(tf.concat([lPos, lNeg], 1), temperature);
    return tf.mean(
      tf.sub(tf.logSumExp(logits, 1), tf.squeeze(tf.div(lPos, temperature), [1])),
    ) as tf.Scalar;
  });
}
