/** Softmax cross-entropy with optional label smoothing (Szegedy et al. 2016), as torch's CrossEntropyLoss. */
import * as tf from '@tensorflow/tfjs';

/**
 * logits [N,C], labels int32 [N] in [0,C). With smoothing ε the target is (1−ε)·onehot + ε/C.
 * Returns the mean loss, a scalar the caller owns.
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  labelSmoothing = 0,
): tf.Scalar {
  if (labelSmoothing < 0 || labelSmoothing >= 1)
    throw new Error(`label smoothing must be in [0, 1), got ${labelSmoothing}`);
  return tf.tidy(() => {
    const c = logits.shape[1];
    const logp = tf.logSoftmax(logits);
    const target = tf.add(
      tf.mul(tf.oneHot(tf.cast(labels, 'int32'), c), 1 - labelSmoothing),
      labelSmoothing / c,
    );
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1))) as tf.Scalar;
  });
}
