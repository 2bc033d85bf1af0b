/** The pipeline: seeded per-image randomness, probabilities, ranges, determinism across backends, ownership. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { useCpuBackend, useWasmBackend } from '../node-backend.testing';
import { denormalize } from './ops/normalize';
import {
  applyView,
  augmentBatch,
  augmentPair,
  samplePair,
  sampleView,
  viewNormalization,
  type SampledStep,
} from './pipeline';
import { presetPipeline } from './presets';
import type { AugmentOp, ViewPipeline } from './schema';

function randomImages(n: number, h: number, w: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * h * w * 3 }, () => rng.next()),
    [n, h, w, 3],
  );
}

const half: Record<string, AugmentOp> = {
  'random-resized-crop': {
    op: 'random-resized-crop',
    enabled: true,
    p: 0.5,
    scale: [0.3, 0.8],
    ratio: [0.75, 1.333],
  },
  'horizontal-flip': { op: 'horizontal-flip', enabled: true, p: 0.5 },
  rotation: { op: 'rotation', enabled: true, p: 0.5, degrees: 30 },
  'color-jitter': {
    op: 'color-jitter',
    enabled: true,
    p: 0.5,
    brightness: 0.4,
    contrast: 0.4,
    saturation: 0.4,
    hue: 0.1,
  },
  'random-grayscale': { op: 'random-grayscale', enabled: true, p: 0.5 },
  'gaussian-blur': {
    op: 'gaussian-blur',
    enabled: true,
    p: 0.5,
    sigma: [0.5, 2],
    kernelFraction: 0.4,
  },
  solarize: { op: 'solarize', enabled: true, p: 0.5, threshold: 0.5 },
};

beforeAll(async () => {
  await useWasmBackend();
});

describe('augment pipeline randomness', () => {
  it.each(Object.keys(half))('%s with p = 0.5 changes 45 to 55 percent of 1,000 images', (name) => {
    const n = 1000;
    const s = 8;
    const images = randomImages(n, s, s, 3);
    const out = augmentBatch(images, [half[name]], s, 11);
    const changed = tf.tidy(
      () => tf.abs(out.sub(images)).max([1, 2, 3]).greater(1e-4).sum().dataSync()[0],
    );
    tf.dispose([images, out]);
    expect(changed / n).toBeGreaterThanOrEqual(0.45);
    expect(changed / n).toBeLessThanOrEqual(0.55);
  });

  it('crop areas and aspect ratios stay inside their ranges', () => {
    const view: ViewPipeline = [
      { op: 'random-resized-crop', enabled: true, p: 1, scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
    ];
    const { steps } = sampleView(view, 2000, 96, 128, 64, 5);
    const crop = steps[0] as Extract<SampledStep, { op: 'random-resized-crop' }>;
    let fallbacks = 0;
    crop.boxes.forEach((b, i) => {
      const area = (b.width * b.height) / (96 * 128);
      const aspect = b.width / b.height;
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.top + b.height).toBeLessThanOrEqual(96 + 1e-9);
      expect(b.left + b.width).toBeLessThanOrEqual(128 + 1e-9);
      if (crop.fallback[i]) {
        fallbacks++;
        return;
      }
      expect(area).toBeGreaterThanOrEqual(0.08 - 1e-12);
      expect(area).toBeLessThanOrEqual(1 + 1e-12);
      expect(aspect).toBeGreaterThanOrEqual(3 / 4 - 1e-12);
      expect(aspect).toBeLessThanOrEqual(4 / 3 + 1e-12);
    });
    expect(fallbacks).toBeLessThan(20);
    // The sampled areas cover the range (log-uniform aspect, uniform area).
    const areas = crop.boxes.map((b) => (b.width * b.height) / (96 * 128));
    expect(Math.min(...areas)).toBeLessThan(0.12);
    expect(Math.max(...areas)).toBeGreaterThan(0.9);
  });

  it('jitter factors, angles and sigmas stay inside their ranges', () => {
    const view: ViewPipeline = [
      { ...half.rotation, p: 1 } as AugmentOp,
      {
        op: 'color-jitter',
        enabled: true,
        p: 1,
        brightness: 0.8,
        contrast: 0.4,
        saturation: 1.5,
        hue: 0.2,
      },
      { op: 'gaussian-blur', enabled: true, p: 1, sigma: [0.1, 2], kernelFraction: 0.1 },
    ];
    const { steps } = sampleView(view, 500, 64, 64, 64, 9);
    const [, rot, jit, blur] = steps as [
      SampledStep,
      Extract<SampledStep, { op: 'rotation' }>,
      Extract<SampledStep, { op: 'color-jitter' }>,
      Extract<SampledStep, { op: 'gaussian-blur' }>,
    ];
    for (const a of rot.angles) expect(Math.abs(a)).toBeLessThanOrEqual(30);
    for (const b of jit.brightness) expect(b >= 0.2 && b <= 1.8).toBe(true);
    for (const c of jit.contrast) expect(c >= 0.6 && c <= 1.4).toBe(true);
    for (const s of jit.saturation) expect(s >= 0 && s <= 2.5).toBe(true);
    for (const h of jit.hue) expect(Math.abs(h)).toBeLessThanOrEqual(0.2);
    for (const s of blur.sigmas) expect(s >= 0.1 && s <= 2).toBe(true);
    expect(blur.kernelSize).toBe(7);
  });

  it('same seed gives the same views, different seeds differ', () => {
    const images = randomImages(4, 24, 24, 1);
    const pipe = presetPipeline('byol', 16);
    const [a1, a2] = augmentPair(images, pipe, 123);
    const [b1, b2] = augmentPair(images, pipe, 123);
    const [c1, c2] = augmentPair(images, pipe, 124);
    expect(tf.tidy(() => tf.abs(a1.sub(b1)).max().dataSync()[0])).toBe(0);
    expect(tf.tidy(() => tf.abs(a2.sub(b2)).max().dataSync()[0])).toBe(0);
    expect(tf.tidy(() => tf.abs(a1.sub(c1)).mean().dataSync()[0])).toBeGreaterThan(0.01);
    // The two views of one call differ from each other.
    expect(tf.tidy(() => tf.abs(a1.sub(a2)).mean().dataSync()[0])).toBeGreaterThan(0.01);
    tf.dispose([images, a1, a2, b1, b2, c1, c2]);
  });

  it('cpu and wasm give the same views for the same seed (within 1e-5 in [0, 1] pixel units)', async () => {
    const rng = createRng(77);
    const pixels = Float32Array.from({ length: 3 * 20 * 20 * 3 }, () => rng.next());
    const run = (pipeline: ReturnType<typeof presetPipeline>) => {
      const images = tf.tensor4d(pixels, [3, 20, 20, 3]);
      const [v1, v2] = augmentPair(images, pipeline, 2024);
      const out = [v1.dataSync().slice(), v2.dataSync().slice()];
      tf.dispose([images, v1, v2]);
      return out;
    };
    // Compared before normalisation: dividing by std ≈ 0.225 would scale float noise by 4.4.
    const presets = ['simclr', 'byol', 'supervised'].map((p) => {
      const pipe = presetPipeline(p, 16);
      const strip = (v: ViewPipeline) => v.filter((o) => o.op !== 'normalize');
      return {
        ...pipe,
        views: [strip(pipe.views[0]), strip(pipe.views[1])] as [ViewPipeline, ViewPipeline],
      };
    });
    const onWasm = presets.map(run);
    await useCpuBackend();
    try {
      const onCpu = presets.map(run);
      onCpu.forEach((views, p) =>
        views.forEach((v, k) => {
          let max = 0;
          for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i] - onWasm[p][k][i]));
          expect(max).toBeLessThan(1e-5);
        }),
      );
    } finally {
      await useWasmBackend();
    }
  });

  it('editing or disabling one op leaves the other ops’ draws unchanged', () => {
    const pipe = presetPipeline('simclr', 32);
    const view = pipe.views[0];
    const edited = view.map((o) =>
      o.op === 'color-jitter'
        ? { ...o, enabled: false }
        : o.op === 'random-grayscale'
          ? { ...o, p: 0.9 }
          : o,
    );
    const a = sampleView(view, 50, 48, 48, 32, 3);
    const b = sampleView(edited, 50, 48, 48, 32, 3);
    const pick = (s: ReturnType<typeof sampleView>, op: string) => s.steps.find((x) => x.op === op);
    expect(pick(b, 'random-resized-crop')).toEqual(pick(a, 'random-resized-crop'));
    expect(pick(b, 'gaussian-blur')).toEqual(pick(a, 'gaussian-blur'));
    expect(pick(b, 'color-jitter')).toBeUndefined();
  });

  it('augmentPair uses exactly the parameters samplePair reports', () => {
    const images = randomImages(3, 20, 20, 8);
    const pipe = presetPipeline('mocov2', 12);
    const [v1, v2] = augmentPair(images, pipe, 99);
    const [s1, s2] = samplePair(pipe, 3, 20, 20, 99);
    const r1 = applyView(images, s1);
    const r2 = applyView(images, s2);
    expect(tf.tidy(() => tf.abs(v1.sub(r1)).max().dataSync()[0])).toBe(0);
    expect(tf.tidy(() => tf.abs(v2.sub(r2)).max().dataSync()[0])).toBe(0);
    // The sampled parameters are plain data (they cross the worker boundary).
    expect(structuredClone(s1)).toEqual(s1);
    tf.dispose([images, v1, v2, r1, r2]);
  });

  it('folding the flip into the crop gives the same views as a separate flip', () => {
    const images = randomImages(6, 24, 20, 4);
    for (const name of ['simclr', 'mocov2', 'none']) {
      const pipe = presetPipeline(name, 16);
      const flipView: ViewPipeline =
        name === 'none'
          ? [{ op: 'horizontal-flip', enabled: true, p: 0.5 }, ...pipe.views[0]]
          : pipe.views[0];
      const sampled = sampleView(flipView, 6, 24, 20, 16, 31);
      const flipStep = sampled.steps.find((s) => s.op === 'horizontal-flip') as Extract<
        SampledStep,
        { op: 'horizontal-flip' }
      >;
      expect(flipStep.foldedIntoCrop).toBe(true);
      expect(flipStep.applied.some((f) => f)).toBe(true);
      const folded = applyView(images, sampled);
      const separate = applyView(images, sampled, { foldFlips: false });
      expect(tf.tidy(() => tf.abs(folded.sub(separate)).max().dataSync()[0])).toBeLessThan(1e-5);
      tf.dispose([folded, separate]);
    }
    // A rotation between crop and flip stops the folding.
    const sampled = sampleView(
      [half['random-resized-crop'], half.rotation, half['horizontal-flip']],
      6,
      24,
      20,
      16,
      1,
    );
    expect(
      (sampled.steps[2] as Extract<SampledStep, { op: 'horizontal-flip' }>).foldedIntoCrop,
    ).toBe(false);
    images.dispose();
  });
});

describe('augment pipeline shapes and ownership', () => {
  it('96 px stored images become [N,64,64,3] float32 views; None is a plain resize + normalise', () => {
    const images = randomImages(5, 96, 96, 2);
    for (const name of ['simclr', 'byol', 'simsiam', 'mocov2', 'supervised', 'gentle', 'none']) {
      const [v1, v2] = augmentPair(images, presetPipeline(name, 64), 1);
      expect(v1.shape).toEqual([5, 64, 64, 3]);
      expect(v2.shape).toEqual([5, 64, 64, 3]);
      expect(v1.dtype).toBe('float32');
      // Normalised: denormalised values lie in [0, 1] (clamped) and the normalised ones are finite.
      const d = denormalize(
        v1,
        viewNormalization(presetPipeline(name).views[0])!.mean,
        viewNormalization(presetPipeline(name).views[0])!.std,
      );
      const raw = v1.dataSync();
      for (let i = 0; i < raw.length; i += 97) expect(Number.isFinite(raw[i])).toBe(true);
      const dv = d.dataSync();
      expect(Math.min(...dv)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...dv)).toBeLessThanOrEqual(1);
      tf.dispose([v1, v2, d]);
    }
    images.dispose();
  });

  it('views without normalize stay in [0, 1]', () => {
    const images = randomImages(4, 32, 32, 6);
    const view = presetPipeline('byol', 24)
      .views[1].filter((o) => o.op !== 'normalize')
      .map((o) => ({ ...o, p: o.op === 'random-resized-crop' ? 1 : 1 }));
    const out = augmentBatch(images, view as ViewPipeline, 24, 5);
    const v = out.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1 + 1e-6);
    tf.dispose([images, out]);
  });

  it('accepts int32 0..255 images like float32 0..1 images', () => {
    const f = randomImages(2, 16, 16, 3);
    const i = tf.tidy(() => f.mul(255).round().toInt()) as tf.Tensor4D;
    const fq = tf.tidy(() => i.toFloat().div(255)) as tf.Tensor4D;
    const pipe = presetPipeline('simclr', 12);
    const a = augmentBatch(i, pipe.views[0], 12, 8);
    const b = augmentBatch(fq, pipe.views[0], 12, 8);
    expect(tf.tidy(() => tf.abs(a.sub(b)).max().dataSync()[0])).toBeLessThan(1e-5);
    tf.dispose([f, i, fq, a, b]);
  });

  it('a seeded Rng advances: consecutive batches differ, a replayed Rng repeats them', () => {
    const images = randomImages(3, 16, 16, 3);
    const pipe = presetPipeline('simclr', 12);
    const r1 = createRng(5);
    const [x1, x2] = augmentPair(images, pipe, r1);
    const [y1, y2] = augmentPair(images, pipe, r1);
    const r2 = createRng(5);
    const [z1, z2] = augmentPair(images, pipe, r2);
    expect(tf.tidy(() => tf.abs(x1.sub(y1)).mean().dataSync()[0])).toBeGreaterThan(0.01);
    expect(tf.tidy(() => tf.abs(x1.sub(z1)).max().dataSync()[0])).toBe(0);
    tf.dispose([images, x1, x2, y1, y2, z1, z2]);
  });

  it('rejects mismatched sampled parameters and non-RGB images', () => {
    const images = randomImages(2, 16, 16, 3);
    const s = sampleView(presetPipeline('simclr').views[0], 3, 16, 16, 8, 1);
    expect(() => applyView(images, s)).toThrow(/sampled for 3×16×16/);
    const gray = tf.zeros([2, 16, 16, 1]) as tf.Tensor4D;
    expect(() => augmentBatch(gray, presetPipeline('none').views[0], 8, 1)).toThrow(/3 channels/);
    tf.dispose([images, gray]);
  });

  it('leaves no tensors behind over repeated batches', () => {
    const images = randomImages(4, 32, 32, 3);
    const pipes = ['simclr', 'byol', 'supervised', 'none'].map((p) => presetPipeline(p, 24));
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      for (const pipe of pipes) {
        const [a, b] = augmentPair(images, pipe, step);
        tf.dispose([a, b]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });
});
