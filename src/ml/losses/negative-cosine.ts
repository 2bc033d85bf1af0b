/** Negative cosine similarity with stop-gradient, D(p, z) of SimSiam (Chen & He 2021, eq. 1–2). */
import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from './l2-normalize';
import { stopGradient } from './stop-gradient';

/**
 * D(p, sg(z)) = −mean_i cos(p_i, z_i) for p, z [N,D]; no gradient flows into z. Scalar, caller owns it.
 */
export function negativeCosineSimilarity(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const cos = tf.sum(tf.mul(l2Normalize(p), l2Normalize(stopGradient(z))), 1);
    return tf.neg(tf.mean(cos)) as tf.Scalar;
  });
}

/**
 * SimSiam's symmetrised loss L = D(p1, z2)/2 + D(p2, z1)/2 (Chen & He 2021, eq. 2); all [N,D]. Scalar.
 */
export function symmetricNegativeCosine(
  p1: tf.Tensor2D,
  z1: tf.Tensor2D,
  p2: tf.Tensor2D,
  z2: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(
    () =>
      tf.mul(
        tf.add(negativeCosineSimilarity(p1, z2), negativeCosineSimilarity(p2, z1)),
        0.5,
      ) as tf.Scalar,
  );
}
