/**
 * The evaluation engine in Node + wasm over in-memory stores (the worker's IndexedDB stores'
 * read methods, holding a generated shapes dataset and a checkpoint made from a real backbone).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateShapes } from '../../ml/data/shapes';
import { stratifiedSplit } from '../../ml/data/splits';
import { createBackbone } from '../../ml/models/backbones';
import { useWasmBackend } from '../../ml/testing/node-backend';
import { readTensor, type TrainCheckpoint } from '../../ml/train/checkpoint';
import { defaultRunConfig, type RunConfig } from '../../ml/train/config';
import type { DatasetStore } from '../../storage/dataset-store';
import type { RunStore } from '../../storage/run-store';
import type { DatasetIndex, DatasetMeta } from '../../storage/schema';
import { EmbeddingCache } from './embeddings';
import { Evaluator } from './evaluator';

const N = 96, SIZE = 32;
let evaluator: Evaluator;
let index: DatasetIndex;
let pixels: Uint8Array;

beforeAll(async () => {
  await useWasmBackend();
  const samples = generateShapes(N, 5, { size: SIZE });
  const labels = samples.map((s) => (s.kind === 'circle' ? 0 : 1));
  const splits = stratifiedSplit(labels, { train: 0.75, val: 0, test: 0.25 }, 5);
  pixels = new Uint8Array(N * SIZE * SIZE * 3);
  samples.forEach((s, i) => pixels.set(s.pixels, i * SIZE * SIZE * 3));
  index = { paths: samples.map((s, i) => `${s.kind}/img_${i}.png`), labels: Int16Array.from(labels), splits };
  const meta = { id: 'ds', name: 'shapes', status: 'ready', size: SIZE, classes: ['circle', 'square'], count: N, fingerprint: 'f' } as DatasetMeta;
  const base = defaultRunConfig('simclr', { id: 'ds', name: 'shapes', fingerprint: 'f', size: SIZE });
  const config = { ...base, backbone: { ...base.backbone, width: 8 } } as RunConfig;
  const bb = createBackbone(config.backbone);
  const weights = [];
  for (const w of bb.model.weights) weights.push(await readTensor(w.read()));
  bb.model.dispose();
  const ckpt = { config, position: { epoch: 3, step: 30, stepInEpoch: 0 }, backbone: weights, createdAt: 1 } as unknown as TrainCheckpoint;
  const datasets = { getMeta: async () => meta, getIndex: async () => index } as unknown as DatasetStore;
  const runs = { getCheckpoint: async () => ckpt } as unknown as RunStore;
  const read = async (_id: string, idx: number[]) => {
    const out = new Uint8Array(idx.length * SIZE * SIZE * 3);
    idx.forEach((i, k) => out.set(pixels.subarray(i * SIZE * SIZE * 3, (i + 1) * SIZE * SIZE * 3), k * SIZE * SIZE * 3));
    return out;
  };
  evaluator = new Evaluator(new EmbeddingCache(datasets, runs, read));
}, 60_000);

/** Weighted kNN in float64 JS: cosine, k most similar (ties → lower index) vote exp(sim/T), ties → lower class. */
function bruteKnn(bank: Float32Array, bankY: ArrayLike<number>, q: Float32Array, dim: number, k: number, t: number): number[] {
  const norm = (x: Float32Array, i: number) => Math.max(1e-12, Math.hypot(...x.subarray(i * dim, (i + 1) * dim)));
  const nb = bankY.length, nq = q.length / dim;
  const out: number[] = [];
  for (let i = 0; i < nq; i++) {
    const sims = Array.from({ length: nb }, (_, b) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += q[i * dim + j] * bank[b * dim + j];
      return { s: s / (norm(q, i) * norm(bank, b)), b };
    }).sort((a, c) => c.s - a.s || a.b - c.b);
    const votes = [0, 0];
    for (const { s, b } of sims.slice(0, k)) votes[bankY[b]] += Math.exp(s / t);
    out.push(votes[1] > votes[0] ? 1 : 0);
  }
  return out;
}

describe('Evaluator', () => {
  it('kNN predictions equal a brute-force float64 kNN on the same embeddings; metrics and CSV cover the test split', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.knn({ runId: 'r', slot: 'latest', k: 10, temperature: 0.1 });
    const train = await evaluator.embeddings({ runId: 'r', slot: 'latest', splits: ['train'] });
    const test = await evaluator.embeddings({ runId: 'r', slot: 'latest', splits: ['test'] });
    expect(tf.memory().numTensors).toBe(before);
    const nTest = index.splits.filter((s) => s === 2).length;
    expect(r.queryIndices.length).toBe(nTest);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(nTest);
    expect(Array.from(r.queryIndices)).toEqual(Array.from(test.indices));
    const ref = bruteKnn(train.x, train.labels, test.x, train.dim, 10, 0.1);
    expect(Array.from(r.predictions)).toEqual(ref);
    expect(r.accuracy).toBe(ref.filter((p, i) => p === test.labels[i]).length / nTest);
    expect(r.epoch).toBe(3);
    for (let i = 0; i < nTest; i++) expect(r.probs[2 * i] + r.probs[2 * i + 1]).toBeCloseTo(1, 5);
    const csv = (await evaluator.predictionsCsv('knn')).trim().split('\n');
    expect(csv.length).toBe(nTest + 1);
    expect(csv[1].split(',')[0]).toBe(index.paths[r.queryIndices[0]]);
  });

  it('OOD class map: swapped classes give the mirrored confusion matrix; a map with every class left out is refused', async () => {
    const same = await evaluator.knn({ runId: 'r', slot: 'latest', k: 10, temperature: 0.1, datasetId: 'ds', classMap: [0, 1] });
    const swapped = await evaluator.knn({ runId: 'r', slot: 'latest', k: 10, temperature: 0.1, datasetId: 'ds', classMap: [1, 0] });
    expect(swapped.confusion).toEqual([same.confusion[1], same.confusion[0]]);
    await expect(evaluator.knn({ runId: 'r', slot: 'latest', k: 10, temperature: 0.1, classMap: [-1, -1] })).rejects.toThrow(/no labelled test images/);
  });

  it('linear probe: probabilities agree with its predictions; tensors do not leak', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.probe({ runId: 'r', slot: 'latest', epochs: 30, learningRate: 0.05 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.curves.length).toBe(30);
    expect(r.curves[29].loss).toBeLessThan(r.curves[0].loss);
    for (let i = 0; i < r.predictions.length; i++) {
      const p = r.probs[2 * i + r.predictions[i]];
      expect(p).toBeGreaterThanOrEqual(0.5 - 1e-4);
    }
  });

  it('fine-tuning from random init lowers the training loss and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.fineTune({ runId: 'r', slot: 'latest', init: 'random', epochs: 4, learningRate: 0.003, batchSize: 24, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.curves.length).toBe(4);
    expect(r.curves[3].trainLoss).toBeLessThan(r.curves[0].trainLoss);
    expect(r.best.testAccuracy).toBeGreaterThanOrEqual(r.final.testAccuracy);
    console.log(`fine-tune (random init): ${r.curves.map((e) => `loss ${e.trainLoss.toFixed(3)} acc ${e.testAccuracy.toFixed(2)}`).join('; ')}`);
  }, 60_000);
});
