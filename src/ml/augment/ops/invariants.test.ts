/** Invariants of the batched ops (flip twice = identity, zero jitter = identity, …) and tensor hygiene. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../rng';
import { useWasmBackend } from '../../node-backend.testing';
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  colorJitter,
} from './color-jitter';
import { blurKernelSize, gaussianBlur, gaussianKernel1d } from './gaussian-blur';
import { horizontalFlip } from './horizontal-flip';
import { denormalize, IMAGENET_MEAN, IMAGENET_STD, normalize } from './normalize';
import { randomGrayscale } from './random-grayscale';
import { fullBox, resizedCrop } from './random-resized-crop';
import { rotate } from './rotation';
import { solarize } from './solarize';

const N = 5;
const H = 12;
const W = 10;
let images: tf.Tensor4D;
const ones = (v: number) => new Array<number>(N).fill(v);
const flags = (...on: number[]) => Array.from({ length: N }, (_, i) => on.includes(i));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);
}
/** Runs fn, returns its output's values and disposes it. */
function values(fn: () => tf.Tensor): Float32Array {
  const t = fn();
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

beforeAll(async () => {
  await useWasmBackend();
  const rng = createRng(42);
  images = tf.tensor4d(
    Float32Array.from({ length: N * H * W * 3 }, () => rng.next()),
    [N, H, W, 3],
  );
});
afterAll(() => images.dispose());

describe('augment op invariants', () => {
  it('flip twice is the identity, and flips only the flagged images', () => {
    const f = flags(0, 2, 3);
    const once = horizontalFlip(images, f);
    const twice = horizontalFlip(once, f);
    expect(maxAbsDiff(twice, images)).toBe(0);
    const unflagged = tf.tidy(
      () =>
        tf
          .gather(once, [1, 4])
          .sub(tf.gather(images, [1, 4]))
          .abs()
          .max()
          .dataSync()[0],
    );
    expect(unflagged).toBe(0);
    const mirrored = tf.tidy(() =>
      maxAbsDiff(once.slice([0], [1]), images.slice([0], [1]).reverse(2)),
    );
    expect(mirrored).toBe(0);
    tf.dispose([once, twice]);
  });

  it('a flip folded into the crop boxes equals a crop followed by a flip', () => {
    const boxes = Array.from({ length: N }, (_, i) => ({
      top: 1 + i * 0.3,
      left: 0.5,
      height: 8,
      width: 7.5,
    }));
    const f = flags(1, 4);
    const folded = resizedCrop(images, boxes, 6, f);
    const plain = resizedCrop(images, boxes, 6);
    const flipped = horizontalFlip(plain, f);
    expect(maxAbsDiff(folded, flipped)).toBeLessThan(1e-6);
    tf.dispose([folded, plain, flipped]);
  });

  it('a whole-image crop at the same size is the identity', () => {
    const same = tf.tidy(() => {
      const sq = images.slice([0, 0, 0, 0], [N, W, W, 3]) as tf.Tensor4D;
      return maxAbsDiff(
        resizedCrop(
          sq,
          ones(0).map(() => fullBox(W, W)),
          W,
        ),
        sq,
      );
    });
    expect(same).toBeLessThan(1e-6);
  });

  it('zero-strength jitter (factors 1, hue 0) is the identity', () => {
    for (const fn of [adjustBrightness, adjustContrast, adjustSaturation]) {
      const out = fn(images, ones(1));
      expect(maxAbsDiff(out, images)).toBeLessThan(1e-6);
      out.dispose();
    }
    const hue = adjustHue(images, ones(0));
    expect(maxAbsDiff(hue, images)).toBeLessThan(1e-5);
    // A full turn of hue is also the identity.
    const turn = adjustHue(images, ones(1));
    expect(maxAbsDiff(turn, images)).toBeLessThan(1e-5);
    const all = colorJitter(images, {
      brightness: ones(1),
      contrast: ones(1),
      saturation: ones(1),
      hue: ones(0),
    });
    expect(maxAbsDiff(all, images)).toBe(0);
    tf.dispose([hue, turn, all]);
  });

  it('jitter keeps values in [0, 1] and changes each image by its own factor', () => {
    const out = colorJitter(images, {
      brightness: [1.8, 1, 0.2, 1, 1],
      contrast: [1, 1.9, 1, 1, 0.1],
      saturation: [1, 1, 1, 1.9, 1],
      hue: [0.4, 0, 0, 0, -0.3],
    });
    const v = out.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    // Image 3 has only a saturation change; zero saturation would make it gray, 1.9 pushes away from gray.
    const diffs = tf.tidy(() => tf.abs(out.sub(images)).mean([1, 2, 3]).dataSync());
    for (const d of diffs) expect(d).toBeGreaterThan(1e-3);
    out.dispose();
  });

  it('saturation 0 and grayscale both give equal channels with the same luma', () => {
    const gray = randomGrayscale(images, flags(0, 1, 2, 3, 4));
    const desat = adjustSaturation(images, ones(0));
    expect(maxAbsDiff(gray, desat)).toBeLessThan(1e-6);
    const spread = tf.tidy(() => {
      const [r, g, b] = tf.split(gray, 3, 3);
      return Math.max(maxAbsDiff(r, g), maxAbsDiff(g, b));
    });
    expect(spread).toBe(0);
    tf.dispose([gray, desat]);
  });

  it('grayscale leaves unflagged images unchanged', () => {
    const out = randomGrayscale(images, flags(2));
    const kept = tf.tidy(() =>
      maxAbsDiff(tf.gather(out, [0, 1, 3, 4]), tf.gather(images, [0, 1, 3, 4])),
    );
    expect(kept).toBe(0);
    out.dispose();
  });

  it('blur keeps a constant image constant (borders included) and sums kernels to 1', () => {
    const c = tf.fill([N, H, W, 3], 0.37) as tf.Tensor4D;
    const out = gaussianBlur(c, [0.3, 1, 2, 0, 5], 5);
    expect(maxAbsDiff(out, c)).toBeLessThan(1e-6);
    for (const s of [0.1, 1, 3])
      expect(gaussianKernel1d(7, s).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    tf.dispose([c, out]);
  });

  it('blur with σ = 0 leaves that image unchanged and smooths the others', () => {
    const out = gaussianBlur(images, [0, 1.5, 0, 1.5, 1.5], 5);
    const kept = tf.tidy(() => maxAbsDiff(tf.gather(out, [0, 2]), tf.gather(images, [0, 2])));
    expect(kept).toBeLessThan(1e-6);
    // Smoothing lowers the variance of uniform noise.
    const [vIn, vOut] = tf.tidy(() => [
      tf.moments(images.slice([1], [1])).variance.dataSync()[0],
      tf.moments(out.slice([1], [1])).variance.dataSync()[0],
    ]);
    expect(vOut).toBeLessThan(vIn * 0.5);
    out.dispose();
  });

  it('blur kernel is the odd size nearest 10% of the side (SimCLR)', () => {
    expect(blurKernelSize(64, 0.1)).toBe(7);
    expect(blurKernelSize(96, 0.1)).toBe(9);
    expect(blurKernelSize(32, 0.1)).toBe(3);
    expect(blurKernelSize(224, 0.1)).toBe(23);
  });

  it('rotation by 0 is the identity; by 90° on a square image it is an exact quarter turn', () => {
    const zero = rotate(images, ones(0));
    expect(maxAbsDiff(zero, images)).toBe(0);
    const sq = images.slice([0, 0, 0, 0], [N, W, W, 3]) as tf.Tensor4D;
    const quarter = rotate(sq, ones(90));
    // Counter-clockwise: output row i, col j reads input row j, col W−1−i, i.e. transpose then flip rows.
    const expected = tf.tidy(() => sq.transpose([0, 2, 1, 3]).reverse(1));
    expect(maxAbsDiff(quarter, expected)).toBeLessThan(1e-5);
    tf.dispose([zero, sq, quarter, expected]);
  });

  it('solarize inverts only pixels ≥ threshold of flagged images', () => {
    const out = solarize(images, flags(0, 1), 0.5);
    const x = images.dataSync();
    const y = out.dataSync();
    const per = H * W * 3;
    for (let i = 0; i < y.length; i++) {
      const want = i < 2 * per && x[i] >= 0.5 ? 1 - x[i] : x[i];
      expect(Math.abs(y[i] - want)).toBeLessThan(1e-6);
    }
    out.dispose();
  });

  it('denormalize undoes normalize', () => {
    const back = tf.tidy(() =>
      maxAbsDiff(denormalize(normalize(images, IMAGENET_MEAN, IMAGENET_STD)), images),
    );
    expect(back).toBeLessThan(1e-5);
  });

  it('ops leave no tensors behind', () => {
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      values(() =>
        resizedCrop(
          images,
          ones(0).map(() => ({ top: 1, left: 1, height: 9, width: 8 })),
          7,
          flags(1),
        ),
      );
      values(() => horizontalFlip(images, flags(1)));
      values(() => rotate(images, [5, 0, -5, 10, 1]));
      values(() =>
        colorJitter(images, {
          brightness: ones(1.2),
          contrast: ones(0.8),
          saturation: ones(1.1),
          hue: ones(0.05),
        }),
      );
      values(() => randomGrayscale(images, flags(1)));
      values(() => gaussianBlur(images, [1, 0, 1, 0, 2], 5));
      values(() => solarize(images, flags(1), 0.5));
      values(() => tf.tidy(() => denormalize(normalize(images, IMAGENET_MEAN, IMAGENET_STD))));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('rotation on the cpu backend', () => {
  it('rotates every image of a batch like wasm does (works around the cpu Transform batch bug)', async () => {
    const angles = [10, 0, -20, 45, 5];
    const onWasm = values(() => rotate(images, angles));
    const pixels = images.dataSync().slice();
    const { useCpuBackend } = await import('../../node-backend.testing');
    await useCpuBackend();
    try {
      const x = tf.tensor4d(pixels, [N, H, W, 3]);
      const onCpu = values(() => rotate(x, angles));
      x.dispose();
      let max = 0;
      for (let i = 0; i < onCpu.length; i++) max = Math.max(max, Math.abs(onCpu[i] - onWasm[i]));
      expect(max).toBeLessThan(1e-5);
    } finally {
      await useWasmBackend();
    }
  });
});

describe('batch gather and blur subsets', () => {
  it('gatherImages copies images exactly, in any order, with repeats', async () => {
    const { gatherImages } = await import('./batch-gather');
    const out = gatherImages(images, [4, 0, 0, 2]);
    const want = tf.gather(images, [4, 0, 0, 2]);
    expect(maxAbsDiff(out, want)).toBe(0);
    expect(() => gatherImages(images, [5])).toThrow(/outside 0..4/);
    tf.dispose([out, want]);
  });

  it('blurring a few selected images equals blurring each alone', () => {
    const sigmas = [0, 1.3, 0, 0, 0.7];
    const out = gaussianBlur(images, sigmas, 5); // 2 of 5 selected: the subset path
    for (const i of [1, 4]) {
      const alone = tf.tidy(() =>
        gaussianBlur(images.slice([i], [1]) as tf.Tensor4D, [sigmas[i]], 5),
      );
      const part = out.slice([i], [1]);
      expect(maxAbsDiff(part, alone)).toBeLessThan(1e-6);
      tf.dispose([alone, part]);
    }
    const kept = tf.tidy(() => maxAbsDiff(tf.gather(out, [0, 2, 3]), tf.gather(images, [0, 2, 3])));
    expect(kept).toBe(0);
    out.dispose();
  });
});
