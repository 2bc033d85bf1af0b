/**
 * The Augment panel's engine side: stored images → two augmented views, converted for display.
 */
import * as tf from '@tensorflow/tfjs';
import { augmentPair, viewNormalization } from '../ml/augment/pipeline';
import { denormalize } from '../ml/augment/ops/normalize';
import type { AugmentPipeline } from '../ml/augment/schema';

/**
 * Views of `pixels` (n × size² × 3 uint8): returns display uint8 RGB (normalisation undone, clamped)
 * and, when asked, the float views exactly as training would see them. Disposes everything it makes.
 */
export async function previewViews(
  pixels: Uint8Array,
  n: number,
  size: number,
  pipeline: AugmentPipeline,
  seed: number,
  raw: boolean,
): Promise<{
  views: [Uint8Array, Uint8Array];
  rawViews?: [Float32Array, Float32Array];
  ms: number;
}> {
  const t0 = performance.now();
  const images = tf.tidy(
    () => tf.tensor4d(pixels, [n, size, size, 3], 'int32').toFloat().div(255) as tf.Tensor4D,
  );
  const [v1, v2] = augmentPair(images, pipeline, seed);
  images.dispose();
  try {
    const display = [v1, v2].map((v, k) =>
      tf.tidy(() => {
        const norm = viewNormalization(pipeline.views[k]);
        const rgb = norm ? denormalize(v, norm.mean, norm.std) : v.clipByValue(0, 1);
        return rgb.mul(255).round().toInt() as tf.Tensor4D;
      }),
    );
    const [d1, d2] = await Promise.all(display.map((d) => d.data()));
    display.forEach((d) => d.dispose());
    const out: {
      views: [Uint8Array, Uint8Array];
      rawViews?: [Float32Array, Float32Array];
      ms: number;
    } = {
      views: [Uint8Array.from(d1), Uint8Array.from(d2)],
      ms: 0,
    };
    if (raw) out.rawViews = [(await v1.data()) as Float32Array, (await v2.data()) as Float32Array];
    out.ms = performance.now() - t0;
    return out;
  } finally {
    v1.dispose();
    v2.dispose();
  }
}

/** Square matmul GFLOP/s on the active backend (median of `repeats`), the bench anchor. */
export async function matmulGflops(n: number, repeats: number): Promise<number> {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const times: number[] = [];
  try {
    for (let r = 0; r <= repeats; r++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      if (r > 0) times.push(performance.now() - t0);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  times.sort((x, y) => x - y);
  return (2 * n * n * n) / (times[Math.floor(times.length / 2)] / 1000) / 1e9;
}
