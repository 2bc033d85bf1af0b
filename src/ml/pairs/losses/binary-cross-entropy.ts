/**
 * Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss) for the pairs lab's early-fusion
 * models. Labels are 1 = same, 0 = different. Returns a new tensor the caller owns.
 */
import * as tf from '@tensorflow/tfjs';

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
