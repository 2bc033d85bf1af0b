/**
 * Random grayscale (torchvision `RandomGrayscale`, SimCLR p = 0.2): luma with torchvision's
 * `rgb_to_grayscale` weights (ITU-R 601-2: 0.2989 R + 0.587 G + 0.114 B), copied to all three channels.
 * The luma is a 1×1 convolution, not a sum over the 3-wide channel axis (small-axis reductions are very
 * slow on SwiftShader WebGPU; see PLATFORM.md).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';

/** torchvision's rgb_to_grayscale weights (ITU-R 601-2 luma; torchvision writes 0.2989 for 0.299). */
export const LUMA: readonly [number, number, number] = [0.2989, 0.587, 0.114];

/** Luma of RGB images. [N,H,W,3] → [N,H,W,1], a new tensor; the input is not disposed. */
export function luma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(images, tf.tensor4d([...LUMA], [1, 1, 3, 1]), 1, 'valid'));
}

/** Draws whether each of n images turns gray, with probability p. */
export function sampleGrayscale(rng: Rng, n: number, p: number): boolean[] {
  return Array.from({ length: n }, () => rng.bernoulli(p));
}

/** Replaces the flagged images by their luma on all 3 channels. [N,H,W,3] → [N,H,W,3], new tensor; input kept. */
export function randomGrayscale(images: tf.Tensor4D, gray: readonly boolean[]): tf.Tensor4D {
  const n = images.shape[0];
  if (gray.length !== n) throw new Error(`randomGrayscale: ${gray.length} flags for ${n} images`);
  return tf.tidy(() => {
    if (gray.every((g) => !g)) return images.clone();
    const y = luma(images);
    if (gray.every((g) => g)) return tf.tile(y, [1, 1, 1, 3]) as tf.Tensor4D;
    const mask = tf.tensor4d(Float32Array.from(gray, (g) => (g ? 1 : 0)), [n, 1, 1, 1]);
    return images.add(y.sub(images).mul(mask));
  });
}
