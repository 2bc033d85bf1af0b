/** The pairs lab's centre-regression loss, torch.nn.MSELoss. Returns a new tensor the caller owns. */
import * as tf from '@tensorflow/tfjs';

/** Mean squared error over all entries, torch.nn.MSELoss: pred [N,K], target [N,K] → scalar. */
export function meanSquaredError(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(pred, target)) as tf.Scalar);
}
