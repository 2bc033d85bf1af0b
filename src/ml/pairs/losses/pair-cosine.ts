/**
 * Row-wise cosine similarity of two embedding batches, as torch's cosine_embedding_loss computes it
 * (the pairs lab's score for siamese models and the input of the cosine embedding loss).
 */
import * as tf from '@tensorflow/tfjs';

/** torch's ε in cosine_embedding_loss, added to each squared magnitude. */
const COS_EPS = 1e-12;

/** Row-wise cosine similarity: [N,D], [N,D] → [N] (a new tensor the caller owns). */
export function pairCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const m1 = tf.add(tf.sum(tf.square(a), 1), COS_EPS),
      m2 = tf.add(tf.sum(tf.square(b), 1), COS_EPS);
    return tf.div(dot, tf.sqrt(tf.mul(m1, m2))) as tf.Tensor1D;
  });
}
