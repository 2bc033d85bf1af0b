/**
 * Tiny datasets and configs for the training tests: small enough that hundreds of steps run in
 * seconds on the wasm backend in Node.
 */
import { createRng } from '../rng';
import { runConfigOrThrow, type RunConfig } from './config';
import { InMemoryDataSource } from './data-source';

/**
 * A seeded labelled dataset of `count` images of size×size: class c has a mean colour of its own plus
 * noise, so a network can tell the classes apart. Every 5th image is val, every 7th test.
 */
export function tinyDataset(
  opts: { count?: number; size?: number; classes?: number; seed?: number; noVal?: boolean } = {},
): InMemoryDataSource {
  const count = opts.count ?? 96;
  const size = opts.size ?? 8;
  const classes = opts.classes ?? 3;
  const rng = createRng(opts.seed ?? 1);
  const base = Array.from({ length: classes }, () => [rng.int(256), rng.int(256), rng.int(256)]);
  const pixels = new Uint8Array(count * size * size * 3);
  const labels = new Int16Array(count);
  const splits = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    labels[i] = c;
    splits[i] = !opts.noVal && i % 5 === 4 ? 1 : i % 7 === 6 ? 2 : 0;
    for (let p = 0; p < size * size; p++) {
      for (let ch = 0; ch < 3; ch++) {
        pixels[(i * size * size + p) * 3 + ch] = Math.max(
          0,
          Math.min(255, base[c][ch] + Math.round((rng.next() - 0.5) * 160)),
        );
      }
    }
  }
  return new InMemoryDataSource({ size, pixels, labels, splits, numClasses: classes });
}

/** A small valid RunConfig for `method` on an 8 px dataset; `over` replaces top-level sections. */
export function tinyConfig(
  method: 'supervised' | 'simclr' | 'byol' | 'simsiam' | 'mocov2',
  over: Record<string, unknown> = {},
): RunConfig {
  const m: Record<string, unknown> = { method };
  if (method === 'supervised') m.numClasses = 3;
  if (method === 'mocov2') m.queueSize = 32;
  if (method !== 'supervised') m.projectionDim = 8;
  const view = [
    { op: 'random-resized-crop', enabled: true, p: 1, scale: [0.5, 1], ratio: [0.75, 1.3333] },
    { op: 'horizontal-flip', enabled: true, p: 0.5 },
    {
      op: 'color-jitter',
      enabled: true,
      p: 0.8,
      brightness: 0.4,
      contrast: 0.4,
      saturation: 0.4,
      hue: 0.1,
    },
    { op: 'normalize', enabled: true, p: 1, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  ];
  return runConfigOrThrow({
    dataset: { id: 'tiny', name: 'tiny', fingerprint: 'tiny-fp', size: 8 },
    backbone: { name: 'convnet', inputSize: 8, width: 4, blocks: 3, seed: 3 },
    method: m,
    augmentation: { outputSize: 8, views: [view, view] },
    epochs: 2,
    batchSize: 8,
    optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 1e-4 },
    schedule: { kind: 'cosine', warmupEpochs: 1 },
    seed: 7,
    monitor: { knnEvery: 1, k: 10, bankSize: 50, maxQueries: 20 },
    logEvery: 1,
    ...over,
  });
}

/** The SimCLR learning test's run on cifar10-png: the recipe of tests/reference/train_reference.py (CONFIG there). */
export function simclrCifarConfig(size: number): RunConfig {
  const view = [
    { op: 'random-resized-crop', enabled: true, p: 1, scale: [0.3, 1], ratio: [3 / 4, 4 / 3] },
    { op: 'horizontal-flip', enabled: true, p: 0.5 },
    {
      op: 'color-jitter',
      enabled: true,
      p: 0.8,
      brightness: 0.4,
      contrast: 0.4,
      saturation: 0.4,
      hue: 0.1,
    },
    { op: 'random-grayscale', enabled: true, p: 0.2 },
    { op: 'normalize', enabled: true, p: 1, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  ];
  return runConfigOrThrow({
    dataset: { id: 'cifar10-png', name: 'cifar10-png', fingerprint: 'cifar10-png', size },
    backbone: { name: 'convnet', inputSize: 32, width: 8, blocks: 4, seed: 1 },
    method: { method: 'simclr', temperature: 0.5, projectionDim: 64 },
    augmentation: { outputSize: 32, views: [view, view] },
    epochs: 2,
    batchSize: 64,
    optimizer: { name: 'adam', lr: 2e-3 },
    schedule: { kind: 'constant' },
    seed: 1,
    // kNN at init (epoch 0) and at the end: k 200, T 0.1, bank = all 5,000 train images, queries = the 1,000 test images.
    monitor: {
      knnEvery: 2,
      k: 200,
      temperature: 0.1,
      bankSize: 5000,
      source: 'test-split',
      maxQueries: 1000,
    },
    logEvery: 20,
  });
}
