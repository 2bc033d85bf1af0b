/**
 * Colour jitter (torchvision `ColorJitter`, SimCLR's "colour distortion" with strength s:
 * brightness 0.8s, contrast 0.8s, saturation 0.8s, hue 0.2s). Semantics follow
 * torchvision.transforms.functional on float images in [0, 1]:
 *  - brightness f: clamp(f·x)
 *  - contrast f: clamp(f·x + (1 − f)·mean(gray(x))), the mean over each whole image
 *  - saturation f: clamp(f·x + (1 − f)·gray(x))
 *  - hue h: RGB → HSV, H ← (H + h) mod 1, → RGB (torchvision's _rgb2hsv; HSV → RGB by the
 *    continuous form v − v·s·clamp(min(k, 4 − k), 0, 1), k = (n + 6H) mod 6, equal to torchvision's
 *    six-sector table)
 * ORDER: fixed brightness → contrast → saturation → hue for every image. torchvision draws a random
 * order per call; a per-image random order would cost four times the tensor work, and SimCLR's
 * reference TF code also offers the fixed order.
 * Factors are drawn per image on the CPU and passed as [N,1,1,1] tensors; images not selected (p) get
 * identity factors (1, 1, 1, 0), so every stage runs once over the whole batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';
import { LUMA, luma } from './random-grayscale';

export interface JitterParams {
  applied: boolean[];
  brightness: number[];
  contrast: number[];
  saturation: number[];
  hue: number[];
}

/** Draws jitter factors per image like torchvision (uniform [max(0, 1 − s), 1 + s]; hue uniform [−h, h]). */
export function sampleJitter(
  rng: Rng,
  n: number,
  opts: { p: number; brightness: number; contrast: number; saturation: number; hue: number },
): JitterParams {
  const out: JitterParams = { applied: [], brightness: [], contrast: [], saturation: [], hue: [] };
  const factor = (s: number) => rng.uniform(Math.max(0, 1 - s), 1 + s);
  for (let i = 0; i < n; i++) {
    const on = rng.bernoulli(opts.p);
    const b = factor(opts.brightness);
    const c = factor(opts.contrast);
    const s = factor(opts.saturation);
    const h = rng.uniform(-opts.hue, opts.hue);
    out.applied.push(on);
    out.brightness.push(on ? b : 1);
    out.contrast.push(on ? c : 1);
    out.saturation.push(on ? s : 1);
    out.hue.push(on ? h : 0);
  }
  return out;
}

function perImage(values: readonly number[], n: number, name: string): tf.Tensor4D {
  if (values.length !== n) throw new Error(`${name}: ${values.length} factors for ${n} images`);
  return tf.tensor4d(Float32Array.from(values), [n, 1, 1, 1]);
}

/** clamp(f·x) per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_brightness. */
export function adjustBrightness(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => images.mul(perImage(factors, images.shape[0], 'adjustBrightness')).clipByValue(0, 1));
}

/** clamp(f·x + (1 − f)·mean gray) per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_contrast. */
export function adjustContrast(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const n = images.shape[0];
    const f = perImage(factors, n, 'adjustContrast');
    // mean(gray(x)) = gray(mean over pixels of x): reduce the large H,W axes first, then a [N,3]·[3,1] matmul.
    const meanRgb = tf.mean(images, [1, 2]) as tf.Tensor2D;
    const meanGray = tf.matMul(meanRgb, tf.tensor2d([...LUMA], [3, 1])).reshape([n, 1, 1, 1]);
    return images.mul(f).add(meanGray.mul(tf.scalar(1).sub(f))).clipByValue(0, 1);
  });
}

/** clamp(f·x + (1 − f)·gray(x)) per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_saturation. */
export function adjustSaturation(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const f = perImage(factors, images.shape[0], 'adjustSaturation');
    return images.mul(f).add(luma(images).mul(tf.scalar(1).sub(f))).clipByValue(0, 1);
  });
}

/** x − floor(x): the positive remainder mod 1 on every backend. */
function frac(x: tf.Tensor): tf.Tensor {
  return x.sub(tf.floor(x));
}

/** Shifts the HSV hue by h turns per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_hue. */
export function adjustHue(images: tf.Tensor4D, shifts: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const shift = perImage(shifts, images.shape[0], 'adjustHue');
    const [r, g, b] = tf.split(images, 3, 3);
    // Channel max/min as element-wise maxima of the three slices (no small-axis reduction).
    const maxc = tf.maximum(tf.maximum(r, g), b);
    const minc = tf.minimum(tf.minimum(r, g), b);
    const eqc = tf.equal(maxc, minc);
    const cr = maxc.sub(minc);
    const ones = tf.onesLike(maxc);
    const s = cr.div(tf.where(eqc, ones, maxc));
    const crDiv = tf.where(eqc, ones, cr);
    const rc = maxc.sub(r).div(crDiv);
    const gc = maxc.sub(g).div(crDiv);
    const bc = maxc.sub(b).div(crDiv);
    const isR = tf.equal(maxc, r);
    const isG = tf.logicalAnd(tf.equal(maxc, g), tf.logicalNot(isR));
    const isB = tf.logicalAnd(tf.logicalNot(tf.equal(maxc, g)), tf.logicalNot(isR));
    const hr = isR.cast('float32').mul(bc.sub(gc));
    const hg = isG.cast('float32').mul(rc.sub(bc).add(2));
    const hb = isB.cast('float32').mul(gc.sub(rc).add(4));
    const h0 = frac(hr.add(hg).add(hb).div(6).add(1));
    const h = frac(h0.add(shift));
    // HSV → RGB: channel n ∈ (5, 3, 1) for (R, G, B).
    const k6 = h.mul(6).add(tf.tensor1d([5, 3, 1]));
    const k = k6.sub(tf.floor(k6.div(6)).mul(6));
    const ramp = tf.minimum(k, tf.scalar(4).sub(k)).clipByValue(0, 1);
    return maxc.sub(maxc.mul(s).mul(ramp)) as tf.Tensor4D;
  });
}

/**
 * Applies brightness → contrast → saturation → hue with per-image factors; stages whose factors are
 * all identity are skipped. [N,H,W,3] in [0,1] → [N,H,W,3] in [0,1], new tensor; input kept.
 */
export function colorJitter(images: tf.Tensor4D, params: Omit<JitterParams, 'applied'>): tf.Tensor4D {
  return tf.tidy(() => {
    let x = images;
    if (params.brightness.some((f) => f !== 1)) x = adjustBrightness(x, params.brightness);
    if (params.contrast.some((f) => f !== 1)) x = adjustContrast(x, params.contrast);
    if (params.saturation.some((f) => f !== 1)) x = adjustSaturation(x, params.saturation);
    if (params.hue.some((h) => h !== 0)) x = adjustHue(x, params.hue);
    return x === images ? images.clone() : x;
  });
}
