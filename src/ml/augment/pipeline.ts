/**
 * Runs a view pipeline (schema.ts) over a batch: per-image parameters are drawn on the CPU from the
 * seeded generator (rng.ts) into a plain-data `SampledView`, then each op runs once over the whole
 * batch with those parameters as [N,…] data, so the same seed gives the same views on every backend.
 *
 * Geometry: the view's random-resized-crop resamples to outputSize×outputSize; a view without an
 * enabled crop is first resized (bilinear, whole image) to outputSize. Ops listed before the crop run at
 * the input size. A horizontal flip that follows the crop/resize with no rotation in between is folded
 * into the crop boxes (free); otherwise it runs as its own op.
 *
 * Input: [N,H,W,3] float32 in [0, 1] (int32 in 0..255 is accepted and scaled by 1/255).
 * Output: [N,S,S,3] float32, normalised when the view ends with `normalize` (presets do), else in [0, 1].
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../rng';
import { colorJitterPlanes, sampleJitter, type JitterParams } from './ops/color-jitter';
import { blurKernelSize, gaussianBlur, sampleSigmas } from './ops/gaussian-blur';
import { horizontalFlip, sampleFlips } from './ops/horizontal-flip';
import { normalize } from './ops/normalize';
import { fromPlanes, toPlanes, type Planes } from './ops/planes';
import { grayscalePlanes, sampleGrayscale } from './ops/random-grayscale';
import { fullBox, resizedCrop, sampleCropBoxes, type CropBox } from './ops/random-resized-crop';
import { rotate, sampleAngles } from './ops/rotation';
import { sampleSolarize, solarize } from './ops/solarize';
import type { AugmentPipeline, ViewPipeline } from './schema';

type Rgb = [number, number, number];

/** One step of a sampled view, with its per-image parameters (arrays of length N). `index` is the op's place in the view. */
export type SampledStep =
  | { op: 'resize'; index: -1; boxes: CropBox[]; flip: boolean[] }
  | {
      op: 'random-resized-crop';
      index: number;
      applied: boolean[];
      fallback: boolean[];
      boxes: CropBox[];
      flip: boolean[];
    }
  | { op: 'horizontal-flip'; index: number; applied: boolean[]; foldedIntoCrop: boolean }
  | { op: 'rotation'; index: number; applied: boolean[]; angles: number[] }
  | ({ op: 'color-jitter'; index: number } & JitterParams)
  | { op: 'random-grayscale'; index: number; applied: boolean[] }
  | { op: 'gaussian-blur'; index: number; applied: boolean[]; sigmas: number[]; kernelSize: number }
  | { op: 'solarize'; index: number; applied: boolean[]; threshold: number }
  | { op: 'normalize'; index: number; mean: Rgb; std: Rgb };

/** Everything random about one view of one batch, as plain (structured-clone-able) data. */
export interface SampledView {
  n: number;
  inputHeight: number;
  inputWidth: number;
  outputSize: number;
  steps: SampledStep[];
}

function toRng(seed: number | Rng): Rng {
  return typeof seed === 'number' ? createRng(seed) : seed;
}

/**
 * Draws the per-image parameters of one view for n images of inputHeight×inputWidth (no tensors).
 * Every op, enabled or not, takes its own fork of `seed`, so toggling or editing one op leaves the
 * draws of the others unchanged. A number seed starts a fresh generator; an Rng is advanced.
 */
export function sampleView(
  view: ViewPipeline,
  n: number,
  inputHeight: number,
  inputWidth: number,
  outputSize: number,
  seed: number | Rng,
): SampledView {
  const rng = toRng(seed);
  const forks = view.map(() => rng.fork());
  const steps: SampledStep[] = [];
  let h = inputHeight;
  let w = inputWidth;
  // The step a later flip may be folded into (null once a rotation sits in between).
  let foldTarget: { flip: boolean[] } | null = null;
  const hasCrop = view.some((o) => o.enabled && o.op === 'random-resized-crop');
  if (!hasCrop) {
    const resize: SampledStep = {
      op: 'resize',
      index: -1,
      boxes: Array.from({ length: n }, () => fullBox(h, w)),
      flip: new Array<boolean>(n).fill(false),
    };
    steps.push(resize);
    foldTarget = resize;
    h = w = outputSize;
  }
  view.forEach((o, index) => {
    if (!o.enabled) return;
    const r = forks[index];
    switch (o.op) {
      case 'random-resized-crop': {
        const c = sampleCropBoxes(r, n, h, w, o);
        const step: SampledStep = {
          op: o.op,
          index,
          ...c,
          flip: new Array<boolean>(n).fill(false),
        };
        steps.push(step);
        foldTarget = step;
        h = w = outputSize;
        break;
      }
      case 'horizontal-flip': {
        const applied = sampleFlips(r, n, o.p);
        const target: { flip: boolean[] } | null = foldTarget;
        if (target) applied.forEach((f, i) => (target.flip[i] = target.flip[i] !== f));
        steps.push({ op: o.op, index, applied, foldedIntoCrop: target !== null });
        break;
      }
      case 'rotation':
        steps.push({ op: o.op, index, ...sampleAngles(r, n, o.p, o.degrees) });
        foldTarget = null;
        break;
      case 'color-jitter':
        steps.push({ op: o.op, index, ...sampleJitter(r, n, o) });
        break;
      case 'random-grayscale':
        steps.push({ op: o.op, index, applied: sampleGrayscale(r, n, o.p) });
        break;
      case 'gaussian-blur': {
        const kernelSize = Math.min(
          blurKernelSize(Math.min(h, w), o.kernelFraction),
          2 * Math.min(h, w) - 1,
        );
        steps.push({ op: o.op, index, ...sampleSigmas(r, n, o.p, o.sigma), kernelSize });
        break;
      }
      case 'solarize':
        steps.push({ op: o.op, index, applied: sampleSolarize(r, n, o.p), threshold: o.threshold });
        break;
      case 'normalize':
        steps.push({ op: o.op, index, mean: [...o.mean], std: [...o.std] });
        break;
    }
  });
  return { n, inputHeight, inputWidth, outputSize, steps };
}

/** Float32 [0, 1] view of the caller's images (int32 0..255 is scaled); inside a tidy. */
function asUnitFloat(images: tf.Tensor4D): tf.Tensor4D {
  if (images.dtype === 'float32') return images;
  if (images.dtype === 'int32') return images.toFloat().div(255) as tf.Tensor4D;
  throw new Error(
    `augment: images must be float32 in [0, 1] or int32 in 0..255, got ${images.dtype}`,
  );
}

/**
 * Applies a sampled view to images [N,H,W,3] (float32 0..1 or int32 0..255) → [N,S,S,3] float32.
 * Returns a new tensor the caller owns; the input is neither kept nor disposed. `foldFlips: false`
 * runs folded flips as separate ops (for tests; same result).
 */
export function applyView(
  images: tf.Tensor4D,
  sampled: SampledView,
  opts: { foldFlips?: boolean } = {},
): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  if (n !== sampled.n || h !== sampled.inputHeight || w !== sampled.inputWidth) {
    throw new Error(
      `augment: sampled for ${sampled.n}×${sampled.inputHeight}×${sampled.inputWidth}, got images ${n}×${h}×${w}`,
    );
  }
  if (c !== 3) throw new Error(`augment: images must have 3 channels (RGB), got ${c}`);
  const fold = opts.foldFlips ?? true;
  const noFlip = new Array<boolean>(n).fill(false);
  return tf.tidy(() => {
    let x = asUnitFloat(images);
    // Consecutive colour ops (jitter, grayscale) share one planar conversion (planes.ts).
    const planar: { planes: Planes | null; h: number; w: number } = { planes: null, h: 0, w: 0 };
    const asPlanes = (): Planes => {
      if (planar.planes === null) {
        planar.planes = toPlanes(x);
        planar.h = x.shape[1];
        planar.w = x.shape[2];
      }
      return planar.planes;
    };
    const asImages = (): tf.Tensor4D => {
      if (planar.planes !== null) {
        x = fromPlanes(planar.planes, n, planar.h, planar.w);
        planar.planes = null;
      }
      return x;
    };
    for (const s of sampled.steps) {
      if (s.op === 'color-jitter') {
        planar.planes = colorJitterPlanes(asPlanes(), s);
        continue;
      }
      if (s.op === 'random-grayscale') {
        planar.planes = grayscalePlanes(asPlanes(), s.applied);
        continue;
      }
      x = asImages();
      switch (s.op) {
        case 'resize':
        case 'random-resized-crop':
          x = resizedCrop(x, s.boxes, sampled.outputSize, fold ? s.flip : noFlip);
          break;
        case 'horizontal-flip':
          if (!(fold && s.foldedIntoCrop)) x = horizontalFlip(x, s.applied);
          break;
        case 'rotation':
          x = rotate(x, s.angles);
          break;
        case 'gaussian-blur':
          x = gaussianBlur(x, s.sigmas, s.kernelSize);
          break;
        case 'solarize':
          x = solarize(x, s.applied, s.threshold);
          break;
        case 'normalize':
          x = normalize(x, s.mean, s.std);
          break;
      }
    }
    return asImages();
  });
}

/**
 * One augmented view of a batch: images [N,H,W,3] float32 in [0,1] (or int32 0..255) →
 * [N,outputSize,outputSize,3] float32. The caller owns the result and still owns (and disposes) `images`.
 */
export function augmentBatch(
  images: tf.Tensor4D,
  view: ViewPipeline,
  outputSize: number,
  seed: number | Rng,
): tf.Tensor4D {
  const [n, h, w] = images.shape;
  return applyView(images, sampleView(view, n, h, w, outputSize, seed));
}

/** The sampled parameters of both views, exactly those `augmentPair` uses for the same seed. */
export function samplePair(
  pipeline: AugmentPipeline,
  n: number,
  inputHeight: number,
  inputWidth: number,
  seed: number | Rng,
): [SampledView, SampledView] {
  const rng = toRng(seed);
  const r1 = rng.fork();
  const r2 = rng.fork();
  return [
    sampleView(pipeline.views[0], n, inputHeight, inputWidth, pipeline.outputSize, r1),
    sampleView(pipeline.views[1], n, inputHeight, inputWidth, pipeline.outputSize, r2),
  ];
}

/**
 * Two views of a batch for joint-embedding methods (SimCLR, BYOL, SimSiam, MoCo v2): images [N,H,W,3]
 * → [view1, view2], each [N,S,S,3] float32, owned by the caller; `images` stays the caller's.
 */
export function augmentPair(
  images: tf.Tensor4D,
  pipeline: AugmentPipeline,
  seed: number | Rng,
): [tf.Tensor4D, tf.Tensor4D] {
  const [n, h, w] = images.shape;
  const [s1, s2] = samplePair(pipeline, n, h, w, seed);
  const v1 = applyView(images, s1);
  try {
    return [v1, applyView(images, s2)];
  } catch (e) {
    v1.dispose();
    throw e;
  }
}

/** The mean/std of a view's enabled normalize op (for `denormalize` before display), or null when it has none. */
export function viewNormalization(view: ViewPipeline): { mean: Rgb; std: Rgb } | null {
  for (const o of view)
    if (o.enabled && o.op === 'normalize') return { mean: [...o.mean], std: [...o.std] };
  return null;
}
