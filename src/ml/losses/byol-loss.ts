/** BYOL's regression loss between normalised prediction and target projection (Grill et al. 2020, eq. 2). */
import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from './l2-normalize';
import { stopGradient } from './stop-gradient';

/**
 * ‖p̂ − ẑ‖² = 2 − 2·cos(p, z), averaged over the batch, for p, z [N,D]; z gets no gradient. Scalar.
 */
export function byolRegressionLoss(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const cos = tf.sum(tf.mul(l2Normalize(p), l2Normalize(stopGradient(z))), 1);
    return tf.mean(tf.sub(2, tf.mul(cos, 2))) as tf.Scalar;
  });
}

/**
 * Symmetrised BYOL loss L + L̃ = loss(p1, z2') + loss(p2, z1') (eq. 2 and the symmetric term), where
 * p_i are online predictions and z_i' target projections, all [N,D]. Scalar, caller owns it.
 */
export function symmetricByolLoss(
  p1: tf.Tensor2D,
  zt1: tf.Tensor2D,
  p2: tf.Tensor2D,
  zt2: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(
    () => tf.add(byolRegressionLoss(p1, zt2), byolRegressionLoss(p2, zt1)) as tf.Scalar,
  );
}
