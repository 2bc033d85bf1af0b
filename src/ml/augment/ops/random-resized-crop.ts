/**
 * Random resized crop (Inception / torchvision `RandomResizedCrop`, used by SimCLR, BYOL, MoCo v2):
 * per-image boxes sampled on the CPU, all crops resampled in one `tf.image.cropAndResize` call.
 *
 * Sampling alignment: torchvision's `resized_crop` (bilinear, antialias off) reads output pixel i at
 * source row `top − 0.5 + (i + 0.5)·h/S` (half-pixel centres) and clamps to the edge. `cropAndResize`
 * instead spreads S samples from y1·(H−1) to y2·(H−1) (corner aligned) and fills outside with a
 * constant. We choose y1, y2 so that its samples land on torchvision's half-pixel positions, so
 * downsampling crops (the usual case, and any resize of a whole image to a smaller size) match
 * torchvision exactly. Two documented differences, both confined to the outermost output
 * row/column of an UPSAMPLED crop: (1) inside the image we read the true neighbour pixel there (a
 * continuous crop) while torchvision clamps to the crop's own edge; (2) where that first/last sample
 * would fall up to half a pixel outside the image, the sample range is pulled in to the edge pixel
 * (torchvision clamps just those samples) — padding the whole batch instead cost more than the crop.
 * A horizontal flip is folded in for free by swapping x1 and x2 of the box.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../rng';

/** A crop in input pixels (fractional values allowed); the crop spans [top, top + height) × [left, left + width). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface CropParams {
  /** Whether the random crop was drawn (false: the whole image, as when p is not met). */
  applied: boolean[];
  /** Whether the 10 attempts failed and torchvision's centre-crop fallback was used. */
  fallback: boolean[];
  boxes: CropBox[];
}

/** The whole image as a box. */
export function fullBox(height: number, width: number): CropBox {
  return { top: 0, left: 0, height, width };
}

/**
 * Draws one box per image like torchvision's `RandomResizedCrop.get_params` (10 tries of area ∈ scale·HW
 * and log-uniform aspect ∈ ratio, then a centre crop clamped to the ratio range), but keeps sizes
 * continuous instead of rounding to whole pixels, so area and aspect stay exactly inside their ranges.
 */
export function sampleCropBoxes(
  rng: Rng,
  n: number,
  height: number,
  width: number,
  opts: { p: number; scale: readonly [number, number]; ratio: readonly [number, number] },
): CropParams {
  const applied: boolean[] = [];
  const fallback: boolean[] = [];
  const boxes: CropBox[] = [];
  const area = height * width;
  const logLo = Math.log(opts.ratio[0]);
  const logHi = Math.log(opts.ratio[1]);
  for (let i = 0; i < n; i++) {
    const on = rng.bernoulli(opts.p);
    let box: CropBox | null = null;
    // Draw even when p is not met so that p does not shift the other images' boxes.
    for (let attempt = 0; attempt < 10 && box === null; attempt++) {
      const target = area * rng.uniform(opts.scale[0], opts.scale[1]);
      const aspect = Math.exp(rng.uniform(logLo, logHi));
      const w = Math.sqrt(target * aspect);
      const h = Math.sqrt(target / aspect);
      if (w > 0 && h > 0 && w <= width && h <= height) {
        box = {
          top: rng.uniform(0, height - h),
          left: rng.uniform(0, width - w),
          height: h,
          width: w,
        };
      }
    }
    const fell = box === null;
    if (box === null) {
      const inRatio = width / height;
      let w = width;
      let h = height;
      if (inRatio < opts.ratio[0]) h = w / opts.ratio[0];
      else if (inRatio > opts.ratio[1]) w = h * opts.ratio[1];
      box = { top: (height - h) / 2, left: (width - w) / 2, height: h, width: w };
    }
    applied.push(on);
    fallback.push(on && fell);
    boxes.push(on ? box : fullBox(height, width));
  }
  return { applied, fallback, boxes };
}

/**
 * Boxes in `cropAndResize`'s normalised [y1, x1, y2, x2] form, placing the S samples at torchvision's
 * half-pixel positions (pulled inside [0, len − 1]); `flip[i]` swaps x1/x2. Images need H, W ≥ 2.
 */
export function cropBoxesToTf(
  boxes: readonly CropBox[],
  height: number,
  width: number,
  size: number,
  flip?: readonly boolean[],
): Float32Array {
  const out = new Float32Array(boxes.length * 4);
  const hp = height - 1;
  const wp = width - 1;
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  boxes.forEach((b, i) => {
    // First sample at top − 0.5 + 0.5·h/S, last at that + (S−1)·h/S (torchvision, align_corners=False).
    const y1 = clamp(b.top - 0.5 + (0.5 * b.height) / size, hp);
    const y2 = clamp(b.top - 0.5 + b.height - (0.5 * b.height) / size, hp);
    const x1 = clamp(b.left - 0.5 + (0.5 * b.width) / size, wp);
    const x2 = clamp(b.left - 0.5 + b.width - (0.5 * b.width) / size, wp);
    const f = flip?.[i] ?? false;
    out[i * 4] = y1 / hp;
    out[i * 4 + 1] = (f ? x2 : x1) / wp;
    out[i * 4 + 2] = y2 / hp;
    out[i * 4 + 3] = (f ? x1 : x2) / wp;
  });
  return out;
}

/**
 * Crops each image to its box and resizes it (bilinear) to size×size, optionally mirrored.
 * images [N,H,W,C] float32 → [N,size,size,C] float32, a new tensor the caller owns; the input is not disposed.
 */
export function resizedCrop(
  images: tf.Tensor4D,
  boxes: readonly CropBox[],
  size: number,
  flip?: readonly boolean[],
): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (boxes.length !== n) throw new Error(`resizedCrop: ${boxes.length} boxes for ${n} images`);
  if (h < 2 || w < 2) throw new Error(`resizedCrop: images must be at least 2×2, got ${h}×${w}`);
  return tf.tidy(() => {
    const tfBoxes = tf.tensor2d(cropBoxesToTf(boxes, h, w, size, flip), [n, 4]);
    const ind = tf.tensor1d(
      Int32Array.from({ length: n }, (_, i) => i),
      'int32',
    );
    return tf.image.cropAndResize(images, tfBoxes, ind, [size, size], 'bilinear');
  });
}
