/**
 * Timing of the augmentation engine for bench/ (the integrator's) and the Augment panel: two views of
 * a batch of random images through a preset, on the active backend, read back with `await data()`.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../rng';
import { augmentPair } from './pipeline';
import { presetPipeline } from './presets';

export interface AugmentBenchOptions {
  /** Images per batch (default 256). */
  n?: number;
  /** Stored image side (default 96). */
  inputSize?: number;
  /** View side (default 64). */
  outputSize?: number;
  /** Preset name (default 'simclr'). */
  preset?: string;
  /** Timed repetitions after one warm-up (default 5). */
  repeats?: number;
}

export interface AugmentBenchResult {
  backend: string;
  n: number;
  inputSize: number;
  outputSize: number;
  preset: string;
  /** Milliseconds per call of augmentPair (both views), one entry per repetition. */
  pairMs: number[];
  /** Median of pairMs: milliseconds for both views of n images. */
  medianPairMs: number;
  /** medianPairMs / 2: milliseconds for one view of n images. */
  medianViewMs: number;
}

/** Times augmentPair on random pixels; disposes everything it creates (tensor count unchanged). */
export async function benchmarkAugment(
  opts: AugmentBenchOptions = {},
): Promise<AugmentBenchResult> {
  const n = opts.n ?? 256;
  const inputSize = opts.inputSize ?? 96;
  const outputSize = opts.outputSize ?? 64;
  const preset = opts.preset ?? 'simclr';
  const repeats = opts.repeats ?? 5;
  const pipeline = presetPipeline(preset, outputSize);
  const rng = createRng(1234);
  const pixels = Float32Array.from({ length: n * inputSize * inputSize * 3 }, () => rng.next());
  const images = tf.tensor4d(pixels, [n, inputSize, inputSize, 3]);
  const pairMs: number[] = [];
  try {
    for (let r = 0; r <= repeats; r++) {
      const t0 = performance.now();
      const [a, b] = augmentPair(images, pipeline, rng);
      await Promise.all([a.data(), b.data()]);
      const dt = performance.now() - t0;
      a.dispose();
      b.dispose();
      if (r > 0) pairMs.push(dt);
    }
  } finally {
    images.dispose();
  }
  const sorted = [...pairMs].sort((x, y) => x - y);
  const medianPairMs = sorted[Math.floor(sorted.length / 2)];
  return {
    backend: tf.getBackend(),
    n,
    inputSize,
    outputSize,
    preset,
    pairMs,
    medianPairMs,
    medianViewMs: medianPairMs / 2,
  };
}
