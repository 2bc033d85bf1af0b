/**
 * A training batch as a method takes it: the raw images augmented on the active backend, one view
 * plus labels for supervised methods, two views for self-supervised ones.
 */
import * as tf from '@tensorflow/tfjs';
import { augmentBatch, augmentPair } from '../augment/pipeline';
import type { AugmentPipeline } from '../augment/schema';
import type { MethodBatch } from '../methods/method';

/**
 * The augmented batch of images `pixels` (n×S×S×3 uint8, the dataset rows `idx`), seeded by
 * `augSeed`: { x [n,O,O,3], y [n] int32 } when `kind` is 'labeled', else { v1, v2 } [n,O,O,3].
 * The caller owns (and disposes) the returned tensors.
 */
export function methodBatch(
  kind: 'labeled' | 'views',
  pixels: Uint8Array,
  idx: readonly number[],
  size: number,
  labels: ArrayLike<number>,
  augmentation: AugmentPipeline,
  augSeed: number,
): MethodBatch {
  const n = idx.length;
  return tf.tidy(() => {
    const x = tf.tensor4d(Int32Array.from(pixels), [n, size, size, 3], 'int32');
    if (kind === 'labeled') {
      const v = augmentBatch(x, augmentation.views[0], augmentation.outputSize, augSeed);
      return {
        x: v,
        y: tf.tensor1d(
          idx.map((i) => labels[i]),
          'int32',
        ),
      };
    }
    const [v1, v2] = augmentPair(x, augmentation, augSeed);
    return { v1, v2 };
  });
}
