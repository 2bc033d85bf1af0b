/** Collapse monitor used by SimSiam (Chen & He 2021, Fig. 2 middle) and useful for BYOL. */
import * as tf from '@tensorflow/tfjs';

/**
 * z-std: L2-normalise each row of z [N,D], take the population standard deviation (divide by N) of
 * each of the D columns over the batch, and average over the D columns → scalar (caller owns it).
 * 0 means collapse to a constant; rows spread evenly over the sphere give ≈ 1/√D.
 */
export function zStd(z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const n = tf.div(z, tf.sqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-24)));
    const { variance } = tf.moments(n, 0);
    return tf.mean(tf.sqrt(variance)) as tf.Scalar;
  });
}
