/** Stop-gradient (the `sg` / `.detach()` of SimSiam and BYOL): identity forward, zero gradient back. */
import * as tf from '@tensorflow/tfjs';

const stop = tf.customGrad((...inputs) => {
  const x = inputs[0] as tf.Tensor;
  return {
    value: x.clone(),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
  };
});

/** Returns a copy of `x` [any shape] through which no gradient flows; the caller owns the result. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}
