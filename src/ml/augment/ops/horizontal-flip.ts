/**
 * Random horizontal flip (torchvision `hflip`). In a pipeline the flip is usually folded into the crop
 * boxes (free, see random-resized-crop.ts); this op is the stand-alone form used when it cannot be.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';

/** Draws whether each of n images is flipped, with probability p. */
export function sampleFlips(rng: Rng, n: number, p: number): boolean[] {
  return Array.from({ length: n }, () => rng.bernoulli(p));
}

/** Mirrors the images whose flag is set. [N,H,W,C] → [N,H,W,C], a new tensor; the input is not disposed. */
export function horizontalFlip(images: tf.Tensor4D, flip: readonly boolean[]): tf.Tensor4D {
  const n = images.shape[0];
  if (flip.length !== n) throw new Error(`horizontalFlip: ${flip.length} flags for ${n} images`);
  return tf.tidy(() => {
    if (flip.every((f) => !f)) return images.clone();
    const flipped = tf.reverse(images, 2);
    if (flip.every((f) => f)) return flipped;
    const mask = tf.tensor4d(
      Float32Array.from(flip, (f) => (f ? 1 : 0)),
      [n, 1, 1, 1],
    );
    // x·(1 − m) + flipped·m is exact for a 0/1 mask (x + m·(flipped − x) is not).
    return images.mul(tf.scalar(1).sub(mask)).add(flipped.mul(mask));
  });
}
