/** Row-wise L2 normalisation, as torch.nn.functional.normalize(x, dim=1). */
import * as tf from '@tensorflow/tfjs';

/**
 * Divides each row of `x` [N,D] by its L2 norm (floored at 1e-12, as torch) → [N,D]; caller owns it.
 * The floor is applied to the squared norm so the gradient stays finite at x = 0.
 */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1, true);
    return tf.div(x, tf.sqrt(tf.maximum(sq, 1e-24))) as tf.Tensor2D;
  });
}
