/**
 * Random solarize (BYOL, Grill et al. 2020, appendix B: p = 0 / 0.2 for the two views; torchvision
 * `solarize`: pixels ≥ threshold become 1 − x).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';

/** Draws whether each of n images is solarized, with probability p. */
export function sampleSolarize(rng: Rng, n: number, p: number): boolean[] {
  return Array.from({ length: n }, () => rng.bernoulli(p));
}

/** Inverts pixels ≥ threshold in the flagged images. [N,H,W,C] in [0,1] → same shape, new tensor; input kept. */
export function solarize(
  images: tf.Tensor4D,
  flags: readonly boolean[],
  threshold: number,
): tf.Tensor4D {
  const n = images.shape[0];
  if (flags.length !== n) throw new Error(`solarize: ${flags.length} flags for ${n} images`);
  return tf.tidy(() => {
    if (flags.every((f) => !f)) return images.clone();
    // Unselected images get a threshold above every value in [0, 1].
    const t = tf.tensor4d(
      Float32Array.from(flags, (f) => (f ? threshold : 2)),
      [n, 1, 1, 1],
    );
    // x ≥ t → 1 − x, as x·(1 − m) + (1 − x)·m with the 0/1 mask m = 1 − step(t − x) (1 at equality);
    // a boolean comparison with a broadcast [N,1,1,1] operand is very slow on wasm.
    const keep = tf.step(t.sub(images), 0);
    const mask = tf.scalar(1).sub(keep);
    return images.mul(keep).add(tf.scalar(1).sub(images).mul(mask)) as tf.Tensor4D;
  });
}
