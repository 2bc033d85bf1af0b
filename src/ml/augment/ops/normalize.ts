/**
 * Per-channel normalisation (torchvision `normalize`): (x − mean) / std, by default with the ImageNet
 * statistics every preset uses as its last op; `denormalize` undoes it for display.
 */
import * as tf from '@tensorflow/tfjs';

export { IMAGENET_MEAN, IMAGENET_STD } from './imagenet-stats';
import { IMAGENET_MEAN, IMAGENET_STD } from './imagenet-stats';

/** (x − mean) / std per channel. [N,H,W,3] → [N,H,W,3], new tensor; input kept. */
export function normalize(
  images: tf.Tensor4D,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): tf.Tensor4D {
  // A 1×1 convolution with a diagonal filter and a bias: broadcasting a [3] vector over the channel
  // axis is several times slower on wasm.
  return tf.tidy(() => {
    const filter = tf.tensor4d(
      [1 / std[0], 0, 0, 0, 1 / std[1], 0, 0, 0, 1 / std[2]],
      [1, 1, 3, 3],
    );
    const bias = tf.tensor1d(mean.map((m, i) => -m / std[i]));
    return tf.fused.conv2d({ x: images, filter, strides: 1, pad: 'valid', bias });
  });
}

/** x·std + mean per channel, clamped to [0, 1] for display. [N,H,W,3] → [N,H,W,3], new tensor; input kept. */
export function denormalize(
  images: tf.Tensor4D,
  mean: readonly [number, number, number] = IMAGENET_MEAN,
  std: readonly [number, number, number] = IMAGENET_STD,
): tf.Tensor4D {
  return tf.tidy(() => {
    const filter = tf.tensor4d([std[0], 0, 0, 0, std[1], 0, 0, 0, std[2]], [1, 1, 3, 3]);
    return tf.fused
      .conv2d({ x: images, filter, strides: 1, pad: 'valid', bias: tf.tensor1d([...mean]) })
      .clipByValue(0, 1) as tf.Tensor4D;
  });
}
