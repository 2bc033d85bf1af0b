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
 * Factors are drawn per image on the CPU and passed as [N,1] columns against [N,H·W] colour planes
 * (planes.ts); images not selected (p) get identity factors (1, 1, 1, 0), so every stage runs once
 * over the whole batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';
import { column, fromPlanes, toPlanes, type Planes } from './planes';
import { lumaPlane } from './random-grayscale';

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

type PlaneFn = (planes: Planes, factors: readonly number[]) => Planes;

/** Brightness on planes: clamp(f·c). Call inside a tidy. */
export const brightnessPlanes: PlaneFn = (planes, factors) => {
  const f = column(factors, planes[0].shape[0], 'adjustBrightness');
  return planes.map((c) => c.mul(f).clipByValue(0, 1)) as Planes;
};

/** Contrast on planes: clamp(f·c + (1 − f)·mean(luma)), the mean over each image. Call inside a tidy. */
export const contrastPlanes: PlaneFn = (planes, factors) => {
  const f = column(factors, planes[0].shape[0], 'adjustContrast');
  const offset = lumaPlane(planes).mean(1, true).mul(tf.scalar(1).sub(f));
  return planes.map((c) => c.mul(f).add(offset).clipByValue(0, 1)) as Planes;
};

/** Saturation on planes: clamp(f·c + (1 − f)·luma). Call inside a tidy. */
export const saturationPlanes: PlaneFn = (planes, factors) => {
  const f = column(factors, planes[0].shape[0], 'adjustSaturation');
  const offset = lumaPlane(planes).mul(tf.scalar(1).sub(f));
  return planes.map((c) => c.mul(f).add(offset).clipByValue(0, 1)) as Planes;
};

/** x − floor(x): the remainder mod 1 in [0, 1) on every backend. */
function frac(x: tf.Tensor2D): tf.Tensor2D {
  return x.sub(tf.floor(x));
}

/** 1 where x > 0, else 0 (a float mask; cheaper than a boolean comparison + cast on wasm). */
function positive(x: tf.Tensor): tf.Tensor2D {
  return tf.step(x, 0) as tf.Tensor2D;
}

/**
 * Hue on planes: torchvision's _rgb2hsv hue, shifted by h turns, then HSV → RGB. With V = max and
 * V·S = max − min, each channel is max − (max − min)·clamp(min(k, 4 − k), 0, 1), k = (n + 6H) mod 6.
 * Masks are 0/1 floats from tf.step, max/min are mask-weighted sums, and min(k, 4 − k) = k − relu(2k − 4):
 * tf.where, boolean comparisons, tf.maximum and tf.minimum are 5–10× slower than this arithmetic on
 * wasm (measured). Call inside a tidy.
 */
export const huePlanes: PlaneFn = ([r, g, b], shifts) => {
  const shift = column(shifts, r.shape[0], 'adjustHue');
  const one = tf.scalar(1);
  // Which channel is the max (ties: R, then G, as torchvision's maxc == r / maxc == g tests) and which
  // the min, from exact sign tests; max and min are then exact selections of r, g or b.
  const gOverR = positive(g.sub(r));
  const bOverR = positive(b.sub(r));
  const bOverG = positive(b.sub(g));
  const isR = one.sub(gOverR).mul(one.sub(bOverR));
  const isG = one.sub(isR).mul(one.sub(bOverG));
  const isB = one.sub(isR).sub(isG);
  const maxc = isR.mul(r).add(isG.mul(g)).add(isB.mul(b));
  // r is the min when r ≤ g and r ≤ b; else g when g ≤ b; else b.
  const loR = one.sub(positive(r.sub(g))).mul(one.sub(positive(r.sub(b))));
  const loG = one.sub(loR).mul(one.sub(positive(g.sub(b))));
  const loB = one.sub(loR).sub(loG);
  const minc = loR.mul(r).add(loG.mul(g)).add(loB.mul(b));
  const cr = maxc.sub(minc);
  const crDiv = cr.add(one.sub(positive(cr))); // 1 where max = min, as torchvision's where(eqc, 1, cr)
  // 6·hue before wrapping: R max → (g − b)/cr, G max → 2 + (b − r)/cr, B max → 4 + (r − g)/cr.
  const h6 = isR
    .mul(g.sub(b))
    .add(isG.mul(b.sub(r).add(crDiv.mul(2))))
    .add(isB.mul(r.sub(g).add(crDiv.mul(4))))
    .div(crDiv);
  const hue = frac(h6.div(6).add(shift)); // ≡ ((h6/6 + 1) mod 1 + shift) mod 1
  const hue6 = hue.mul(6);
  return ([5, 3, 1] as const).map((k0) => {
    const m = hue6.add(k0);
    const k = m.sub(tf.floor(m.div(6)).mul(6));
    const ramp = k.sub(tf.relu(k.mul(2).sub(4))).clipByValue(0, 1);
    return maxc.sub(cr.mul(ramp));
  }) as Planes;
};

function onImages(
  images: tf.Tensor4D,
  values: readonly number[],
  fn: PlaneFn,
  name: string,
): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (values.length !== n) throw new Error(`${name}: ${values.length} factors for ${n} images`);
  return tf.tidy(() => fromPlanes(fn(toPlanes(images), values), n, h, w));
}

/** clamp(f·x) per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_brightness. */
export function adjustBrightness(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return onImages(images, factors, brightnessPlanes, 'adjustBrightness');
}

/** clamp(f·x + (1 − f)·mean gray) per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_contrast. */
export function adjustContrast(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return onImages(images, factors, contrastPlanes, 'adjustContrast');
}

/** clamp(f·x + (1 − f)·gray(x)) per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_saturation. */
export function adjustSaturation(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return onImages(images, factors, saturationPlanes, 'adjustSaturation');
}

/** Shifts the HSV hue by h turns per image. [N,H,W,3] → [N,H,W,3], new tensor; input kept. torchvision adjust_hue. */
export function adjustHue(images: tf.Tensor4D, shifts: readonly number[]): tf.Tensor4D {
  return onImages(images, shifts, huePlanes, 'adjustHue');
}

/** Planar colour jitter (brightness → contrast → saturation → hue), skipping all-identity stages. Call inside a tidy. */
export function colorJitterPlanes(planes: Planes, params: Omit<JitterParams, 'applied'>): Planes {
  let p = planes;
  if (params.brightness.some((f) => f !== 1)) p = brightnessPlanes(p, params.brightness);
  if (params.contrast.some((f) => f !== 1)) p = contrastPlanes(p, params.contrast);
  if (params.saturation.some((f) => f !== 1)) p = saturationPlanes(p, params.saturation);
  if (params.hue.some((h) => h !== 0)) p = huePlanes(p, params.hue);
  return p;
}

/**
 * Applies brightness → contrast → saturation → hue with per-image factors; stages whose factors are
 * all identity are skipped. [N,H,W,3] in [0,1] → [N,H,W,3] in [0,1], new tensor; input kept.
 */
export function colorJitter(
  images: tf.Tensor4D,
  params: Omit<JitterParams, 'applied'>,
): tf.Tensor4D {
  const [n, h, w] = images.shape;
  return tf.tidy(() => fromPlanes(colorJitterPlanes(toPlanes(images), params), n, h, w));
}
