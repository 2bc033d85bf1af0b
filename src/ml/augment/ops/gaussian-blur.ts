/**
 * Random Gaussian blur (SimCLR, Chen et al. 2020, appendix A: kernel 10% of the image side, σ uniform
 * in [0.1, 2.0], p = 0.5; torchvision `gaussian_blur` semantics: kernel sampled at integer offsets
 * −(k−1)/2 … (k−1)/2, normalised to sum 1, reflect padding).
 * Per-image σ means per-image kernels: every image gets its own separable kernel built from a shared
 * symmetric basis (see blurAll). When at most 75% of the images are selected, only those are blurred.
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
export function gaussianBlur(
  images: tf.Tensor4D,
  sigmas: readonly number[],
  kernelSize: number,
): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  if (sigmas.length !== n) throw new Error(`gaussianBlur: ${sigmas.length} sigmas for ${n} images`);
  if (kernelSize % 2 !== 1 || kernelSize < 1)
    throw new Error(`gaussianBlur: kernel size ${kernelSize} must be odd`);
  const pad = (kernelSize - 1) / 2;
  if (pad >= Math.min(h, w))
    throw new Error(`gaussianBlur: kernel ${kernelSize} too large for ${h}×${w} images`);
  return tf.tidy(() => {
    if (sigmas.every((s) => !(s > 0)) || kernelSize === 1) return images.clone();
    // Unselected images go through with a delta kernel. (Blurring only a gathered subset and
    // scattering it back through cropAndResize was faster on wasm but gave wrong images on WebGPU
    // inside the full SimCLR pipeline — tests/e2e/augment.test.ts — so every image is convolved.)
    return blurAll(images, sigmas, kernelSize);
  });
}

/**
 * Separable per-image blur of every image (σ ≤ 0: delta kernel). A symmetric k-tap kernel is a combination
 * of (k+1)/2 basis filters (centre tap, ±1, ±2, …): one dense convolution with the fixed basis gives
 * every image all basis responses, the per-image weights scale them ([N,1,1,·] broadcast), and a 1×1
 * convolution sums them per channel. Dense convolutions are several times faster than a depthwise
 * convolution over batch-as-channels or batched matmuls on wasm (measured), and run on every backend.
 */
function blurAll(images: tf.Tensor4D, sigmas: readonly number[], kernelSize: number): tf.Tensor4D {
  const [n, , , c] = images.shape;
  const pad = (kernelSize - 1) / 2;
  const nb = pad + 1;
  const cb = c * nb;
  // basis[t, c, c·nb + |t − pad|] = 1: channel c's response to the tap pair at distance |t − pad|.
  const basis = new Float32Array(kernelSize * c * cb);
  for (let t = 0; t < kernelSize; t++) {
    for (let ch = 0; ch < c; ch++) basis[t * c * cb + ch * cb + ch * nb + Math.abs(t - pad)] = 1;
  }
  const sum = new Float32Array(cb * c);
  for (let ch = 0; ch < c; ch++) for (let j = 0; j < nb; j++) sum[(ch * nb + j) * c + ch] = 1;
  const weights = new Float32Array(n * cb);
  sigmas.forEach((s, i) => {
    const k = gaussianKernel1d(kernelSize, s);
    for (let ch = 0; ch < c; ch++)
      for (let j = 0; j < nb; j++) weights[i * cb + ch * nb + j] = k[pad + j];
  });
  const wt = tf.tensor4d(weights, [n, 1, 1, cb]);
  const sumFilter = tf.tensor4d(sum, [1, 1, cb, c]);
  const padded = tf.mirrorPad(
    images,
    [
      [0, 0],
      [pad, pad],
      [pad, pad],
      [0, 0],
    ],
    'reflect',
  );
  const vBasis = tf.conv2d(padded, tf.tensor4d(basis, [kernelSize, 1, c, cb]), 1, 'valid');
  const vertical = tf.conv2d(vBasis.mul(wt) as tf.Tensor4D, sumFilter, 1, 'valid');
  const hBasis = tf.conv2d(vertical, tf.tensor4d(basis, [1, kernelSize, c, cb]), 1, 'valid');
  return tf.conv2d(hBasis.mul(wt) as tf.Tensor4D, sumFilter, 1, 'valid');
}
