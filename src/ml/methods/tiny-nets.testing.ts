/**
 * Tiny networks for method tests and the PyTorch reference (tests/reference/methods_reference.py
 * builds the same one): conv3×3(filters, 'same', bias) → BatchNorm → ReLU → global average pool.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON, BN_MOMENTUM } from '../models/heads';

/** [N,size,size,channels] → [N,filters]. Weights start at zero-free constants; tests overwrite them. */
export function tinyConvBackbone(size = 6, channels = 3, filters = 4): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        inputShape: [size, size, channels],
        kernelInitializer: tf.initializers.constant({ value: 0.1 }),
        biasInitializer: 'zeros',
      }),
      tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, momentum: BN_MOMENTUM }),
      tf.layers.reLU(),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
}
