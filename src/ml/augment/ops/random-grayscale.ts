/**
 * Random grayscale (torchvision `RandomGrayscale`, SimCLR p = 0.2): luma with torchvision's
 * `rgb_to_grayscale` weights (ITU-R 601-2: 0.2989 R + 0.587 G + 0.114 B), copied to all three channels.
 * The luma is a weighted sum of contiguous colour planes (planes.ts), never a reduction over the 3-wide
 * channel axis (small-axis reductions are very slow on SwiftShader WebGPU, PLATFORM.md; channel slicing
 * is very slow on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';
import { column, fromPlanes, toPlanes, type Planes } from './planes';

/** torchvision's rgb_to_grayscale weights (ITU-R 601-2 luma; torchvision writes 0.2989 for 0.299). */
export const LUMA: readonly [number, number, number] = [0.2989, 0.587, 0.114];

/** Luma plane of colour planes: [N,P] ×3 → [N,P]. Call inside a tidy. */
export function lumaPlane([r, g, b]: Planes): tf.Tensor2D {
  return r.mul(LUMA[0]).add(g.mul(LUMA[1])).add(b.mul(LUMA[2]));
}

/** Draws whether each of n images turns gray, with probability p. */
export function sampleGrayscale(rng: Rng, n: number, p: number): boolean[] {
  return Array.from({ length: n }, () => rng.bernoulli(p));
}

/** Planar form of `randomGrayscale`: the flagged images' planes all become their luma. Call inside a tidy. */
export function grayscalePlanes(planes: Planes, gray: readonly boolean[]): Planes {
  const n = planes[0].shape[0];
  if (gray.every((g) => !g)) return planes;
  const y = lumaPlane(planes);
  if (gray.every((g) => g)) return [y, y, y];
  const m = column(
    gray.map((g) => (g ? 1 : 0)),
    n,
    'randomGrayscale',
  );
  const keep = tf.scalar(1).sub(m);
  return planes.map((c) => c.mul(keep).add(y.mul(m))) as Planes; // exact for a 0/1 mask
}

/** Replaces the flagged images by their luma on all 3 channels. [N,H,W,3] → [N,H,W,3], new tensor; input kept. */
export function randomGrayscale(images: tf.Tensor4D, gray: readonly boolean[]): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (gray.length !== n) throw new Error(`randomGrayscale: ${gray.length} flags for ${n} images`);
  return tf.tidy(() => {
    if (gray.every((g) => !g)) return images.clone();
    return fromPlanes(grayscalePlanes(toPlanes(images), gray), n, h, w);
  });
}
