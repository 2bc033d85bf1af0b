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
export function tinyDataset(opts: { count?: number; size?: number; classes?: number; seed?: number; noVal?: boolean } = {}): InMemoryDataSource {
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
        pixels[(i * size * size + p) * 3 + ch] = Math.max(0, Math.min(255, base[c][ch] + Math.round((rng.next() - 0.5) * 160)));
      }
    }
  }
  return new InMemoryDataSource({ size, pixels, labels, splits, numClasses: classes });
}

/** A small valid RunConfig for `method` on an 8 px dataset; `over` replaces top-level sections. */
export function tinyConfig(method: 'supervised' | 'simclr' | 'byol' | 'simsiam' | 'mocov2', over: Record<string, unknown> = {}): RunConfig {
  const m: Record<string, unknown> = { method };
  if (method === 'supervised') m.numClasses = 3;
  if (method === 'mocov2') m.queueSize = 32;
  if (method !== 'supervised') m.projectionDim = 8;
  const view = [
    { op: 'random-resized-crop', enabled: true, p: 1, scale: [0.5, 1], ratio: [0.75, 1.3333] },
    { op: 'horizontal-flip', enabled: true, p: 0.5 },
    { op: 'color-jitter', enabled: true, p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
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
