/**
 * Random rotation (torchvision `RandomRotation` / `F.rotate` with bilinear sampling, expand=False, zero
 * fill), per-image angles in one `tf.image.transform` call (registered on webgpu, webgl, wasm and cpu).
 * Like torchvision, positive angles turn the picture counter-clockwise about the image centre
 * ((W−1)/2, (H−1)/2), and each of the four bilinear taps outside the image reads 0 (grid_sample's
 * zeros padding), so output pixels near the rotated border blend towards black.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';

/** Draws an angle in degrees per image: uniform in [−degrees, degrees] with probability p, else 0. */
export function sampleAngles(
  rng: Rng,
  n: number,
  p: number,
  degrees: number,
): { applied: boolean[]; angles: number[] } {
  const applied: boolean[] = [];
  const angles: number[] = [];
  for (let i = 0; i < n; i++) {
    const on = rng.bernoulli(p);
    const a = rng.uniform(-degrees, degrees);
    applied.push(on);
    angles.push(on ? a : 0);
  }
  return { applied, angles };
}

/** Projective transforms [N,8] mapping each output pixel (x, y) to its source pixel, torchvision's inverse rotation. */
export function rotationTransforms(
  anglesDeg: readonly number[],
  height: number,
  width: number,
): Float32Array {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const out = new Float32Array(anglesDeg.length * 8);
  anglesDeg.forEach((deg, i) => {
    const r = (-deg * Math.PI) / 180;
    const c = Math.cos(r);
    const s = Math.sin(r);
    // src = R(r)ᵀ-style inverse map about the centre: sx = c·dx + s·dy, sy = −s·dx + c·dy.
    out.set([c, s, cx - c * cx - s * cy, -s, c, cy + s * cx - c * cy, 0, 0], i * 8);
  });
  return out;
}

/** Rotates each image by its angle (degrees, counter-clockwise). [N,H,W,C] → [N,H,W,C], new tensor; input kept. */
export function rotate(images: tf.Tensor4D, anglesDeg: readonly number[]): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (anglesDeg.length !== n) throw new Error(`rotate: ${anglesDeg.length} angles for ${n} images`);
  return tf.tidy(() => {
    if (anglesDeg.every((a) => a === 0)) return images.clone();
    const t = tf.tensor2d(rotationTransforms(anglesDeg, h, w), [n, 8]);
    if (tf.getBackend() === 'cpu' && n > 1) {
      // tfjs-backend-cpu 4.22's Transform returns after the first image of a batch (the rest stay at
      // the fill value), so the pure-JS fallback backend rotates one image at a time.
      const parts = tf
        .split(images, n, 0)
        .map((img, i) =>
          tf.image.transform(
            img as tf.Tensor4D,
            t.slice([i, 0], [1, 8]),
            'bilinear',
            'constant',
            0,
            [h, w],
          ),
        );
      return tf.concat(parts, 0) as tf.Tensor4D;
    }
    return tf.image.transform(images, t, 'bilinear', 'constant', 0, [h, w]);
  });
}
