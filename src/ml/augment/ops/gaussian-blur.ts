/**
 * Random Gaussian blur (SimCLR, Chen et al. 2020, appendix A: kernel 10% of the image side, σ uniform
 * in [0.1, 2.0], p = 0.5; torchvision `gaussian_blur` semantics: kernel sampled at integer offsets
 * −(k−1)/2 … (k−1)/2, normalised to sum 1, reflect padding).
 * Per-image σ means per-image kernels: the batch is moved into the channel axis ([N,H,W,3] →
 * [1,H,W,3N]) so one separable depthwise convolution (vertical, then horizontal) blurs every image with
 * its own kernel. Images not selected get a delta kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';

/** Odd kernel side nearest to fraction·side, at least 3 (SimCLR: 10% of the side). */
export function blurKernelSize(side: number, fraction: number): number {
  return Math.max(3, 2 * Math.round((fraction * side - 1) / 2) + 1);
}

/** Normalised 1-D Gaussian taps at offsets −(k−1)/2 … (k−1)/2 (torchvision `_get_gaussian_kernel1d`); σ ≤ 0 gives a delta. */
export function gaussianKernel1d(kernelSize: number, sigma: number): Float64Array {
  const k = new Float64Array(kernelSize);
  const half = (kernelSize - 1) / 2;
  if (!(sigma > 0)) {
    k[Math.floor(kernelSize / 2)] = 1;
    return k;
  }
  let sum = 0;
  for (let i = 0; i < kernelSize; i++) {
    const x = (i - half) / sigma;
    k[i] = Math.exp(-0.5 * x * x);
    sum += k[i];
  }
  for (let i = 0; i < kernelSize; i++) k[i] /= sum;
  return k;
}

/** Draws σ per image: uniform in [lo, hi] with probability p, else 0 (no blur). */
export function sampleSigmas(
  rng: Rng,
  n: number,
  p: number,
  sigma: readonly [number, number],
): { applied: boolean[]; sigmas: number[] } {
  const applied: boolean[] = [];
  const sigmas: number[] = [];
  for (let i = 0; i < n; i++) {
    const on = rng.bernoulli(p);
    const s = rng.uniform(sigma[0], sigma[1]);
    applied.push(on);
    sigmas.push(on ? s : 0);
  }
  return { applied, sigmas };
}

/**
 * Blurs image i with a kernelSize-tap Gaussian of σ = sigmas[i] (0: unchanged), reflect padding.
 * [N,H,W,C] → [N,H,W,C], new tensor; input kept. kernelSize must be odd and < 2·min(H, W).
 */
export function gaussianBlur(images: tf.Tensor4D, sigmas: readonly number[], kernelSize: number): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  if (sigmas.length !== n) throw new Error(`gaussianBlur: ${sigmas.length} sigmas for ${n} images`);
  if (kernelSize % 2 !== 1 || kernelSize < 1) throw new Error(`gaussianBlur: kernel size ${kernelSize} must be odd`);
  const pad = (kernelSize - 1) / 2;
  if (pad >= Math.min(h, w)) throw new Error(`gaussianBlur: kernel ${kernelSize} too large for ${h}×${w} images`);
  return tf.tidy(() => {
    if (sigmas.every((s) => !(s > 0)) || kernelSize === 1) return images.clone();
    const ch = n * c;
    const taps = new Float32Array(kernelSize * ch);
    sigmas.forEach((s, i) => {
      const k = gaussianKernel1d(kernelSize, s);
      for (let t = 0; t < kernelSize; t++) for (let j = 0; j < c; j++) taps[t * ch + i * c + j] = k[t];
    });
    const padded = tf.mirrorPad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], 'reflect');
    const hp = h + 2 * pad;
    const wp = w + 2 * pad;
    const stacked = padded.transpose([1, 2, 0, 3]).reshape([1, hp, wp, ch]) as tf.Tensor4D;
    const vertical = tf.depthwiseConv2d(stacked, tf.tensor4d(taps, [kernelSize, 1, ch, 1]), 1, 'valid');
    const both = tf.depthwiseConv2d(vertical, tf.tensor4d(taps, [1, kernelSize, ch, 1]), 1, 'valid');
    return both.reshape([h, w, n, c]).transpose([2, 0, 1, 3]) as tf.Tensor4D;
  });
}
