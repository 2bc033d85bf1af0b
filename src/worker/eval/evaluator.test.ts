/**
 * The evaluation engine in Node + wasm over in-memory stores (eval-engine.testing.ts: a generated shapes
 * dataset and a run whose checkpoint is a real backbone).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../ml/node-backend.testing';
import type { DatasetIndex } from '../../storage/schema';
import { makeEvalFixture, type EvalFixture } from './eval-engine.testing';
import { Evaluator } from './evaluator';

let evaluator: Evaluator;
let index: DatasetIndex;
let fx: EvalFixture;

beforeAll(async () => {
  await useWasmBackend();
  fx = await makeEvalFixture(96);
  index = fx.index;
  evaluator = new Evaluator(fx.cache, {
    runs: fx.runs.asRunStore(),
    backend: () => ({ name: 'wasm', adapter: null }),
  });
}, 60_000);

/** Weighted kNN in float64 JS: cosine, k most similar (ties → lower index) vote exp(sim/T), ties → lower class. */
function bruteKnn(
  bank: Float32Array,
  bankY: ArrayLike<number>,
  q: Float32Array,
  dim: number,
  k: number,
  t: number,
): number[] {
  const norm = (x: Float32Array, i: number) =>
    Math.max(1e-12, Math.hypot(...x.subarray(i * dim, (i + 1) * dim)));
  const nb = bankY.length,
    nq = q.length / dim;
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
    const same = await evaluator.knn({
      runId: 'r',
      slot: 'latest',
      k: 10,
      temperature: 0.1,
      datasetId: 'ds',
      classMap: [0, 1],
    });
    const swapped = await evaluator.knn({
      runId: 'r',
      slot: 'latest',
      k: 10,
      temperature: 0.1,
      datasetId: 'ds',
      classMap: [1, 0],
    });
    expect(swapped.confusion).toEqual([same.confusion[1], same.confusion[0]]);
    await expect(
      evaluator.knn({ runId: 'r', slot: 'latest', k: 10, temperature: 0.1, classMap: [-1, -1] }),
    ).rejects.toThrow(/no labelled test images/);
  });

  it('linear probe: probabilities agree with its predictions; tensors do not leak', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.probe({ runId: 'r', slot: 'latest', maxIterations: 30 });
    expect(tf.memory().numTensors).toBe(before);
    // L-BFGS: one curve point per iteration (≤ 30, fewer once converged), each a strict decrease.
    expect(r.curves.length).toBeGreaterThan(0);
    expect(r.curves.length).toBeLessThanOrEqual(30);
    for (let i = 1; i < r.curves.length; i++)
      expect(r.curves[i].loss).toBeLessThan(r.curves[i - 1].loss);
    for (let i = 0; i < r.predictions.length; i++) {
      const p = r.probs[2 * i + r.predictions[i]];
      expect(p).toBeGreaterThanOrEqual(0.5 - 1e-4);
    }
    // Recorded as a 'probe' run: curves of its epochs, test figures, no checkpoint.
    const rec = await fx.runs.get(r.recordedRunId as string);
    expect(rec?.kind).toBe('probe');
    expect(rec?.status).toBe('finished');
    expect(rec?.evaluation).toMatchObject({
      parentRunId: 'r',
      parentSlot: 'latest',
      init: 'ssl',
      datasetId: 'ds',
      querySplit: 'test',
      testAccuracy: r.accuracy,
      testMacroF1: r.macroF1,
      trainAccuracy: r.trainAccuracy,
    });
    expect(rec?.curves.epochs.map((e) => e.trainLoss)).toEqual(r.curves.map((e) => e.loss));
    expect(rec?.curves.epochs.at(-1)?.testAcc).toBe(r.accuracy);
    expect(rec?.config.method).toMatchObject({ method: 'supervised', numClasses: 2 });
    expect(rec?.config.epochs).toBe(30);
    expect(rec?.name).toMatch(/^linear probe \(L-BFGS, C 1\)/);
    expect(rec?.config.optimizer).toMatchObject({ name: 'sgd', lr: 1, momentum: 0 });
    expect(rec?.storage).toEqual({ latest: 0, best: 0 });
    expect(rec?.backend).toBe('wasm');
    expect(rec && rec.endedAt !== null && rec.endedAt >= rec.createdAt).toBe(true);
    expect(await fx.runs.getCheckpoint(rec?.id as string, 'latest')).toBeUndefined();
  });

  it('other starts: imported weights embed like that run itself, random init is seeded, a different architecture is refused', async () => {
    await fx.addRun('imp', { seed: 7, name: 'resnet-file' });
    await fx.addRun('wide', { width: 16 });
    const req = { slot: 'latest' as const, k: 10, temperature: 0.1 };
    const viaImport = await evaluator.knn({
      ...req,
      runId: 'r',
      init: 'imported',
      initRunId: 'imp',
    });
    const direct = await evaluator.knn({ ...req, runId: 'imp' });
    const own = await evaluator.knn({ ...req, runId: 'r' });
    expect(Array.from(viaImport.predictions)).toEqual(Array.from(direct.predictions));
    expect(viaImport.init).toBe('imported');
    expect(viaImport.initRunId).toBe('imp');
    // Different weights: the two runs' test probabilities differ somewhere.
    expect(Array.from(viaImport.probs).some((p, i) => Math.abs(p - own.probs[i]) > 1e-4)).toBe(
      true,
    );
    // Random init = the run's architecture with the backbone's seeded initialisation (what run 'r' stored), not the run's weights.
    await fx.addRun('moved', { weightsSeed: 3 });
    const random = await evaluator.knn({ ...req, runId: 'moved', init: 'random' });
    const moved = await evaluator.knn({ ...req, runId: 'moved' });
    expect(Array.from(random.probs)).toEqual(Array.from(own.probs));
    expect(Array.from(moved.probs).some((p, i) => Math.abs(p - random.probs[i]) > 1e-4)).toBe(true);
    await expect(
      evaluator.knn({ ...req, runId: 'r', init: 'imported', initRunId: 'wide' }),
    ).rejects.toThrow(/architectures differ/);
    await expect(evaluator.knn({ ...req, runId: 'r', init: 'imported' })).rejects.toThrow(
      /initRunId/,
    );
  });

  it('fine-tuning from random init lowers the training loss and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.fineTune({
      runId: 'r',
      slot: 'latest',
      init: 'random',
      epochs: 4,
      learningRate: 0.003,
      batchSize: 24,
      seed: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.curves.length).toBe(4);
    expect(r.curves[3].trainLoss).toBeLessThan(r.curves[0].trainLoss);
    expect(r.best.testAccuracy).toBeGreaterThanOrEqual(r.final.testAccuracy);
    console.log(
      `fine-tune (random init): ${r.curves.map((e) => `loss ${e.trainLoss.toFixed(3)} acc ${e.testAccuracy.toFixed(2)}`).join('; ')}`,
    );
  }, 60_000);

  it("a supervised run's own classifier: softmax(x·W + b) of its embeddings (float64 loop), its report and CSV; predictions on every image; a SimCLR run is refused", async () => {
    const ck = await fx.addRun('sup', { weightsSeed: 4 });
    const test = await evaluator.embeddings({ runId: 'sup', slot: 'latest', splits: ['test'] });
    const dim = test.dim;
    const w = Float32Array.from({ length: dim * 2 }, (_, i) => Math.sin(i * 1.7) * 0.5);
    const b = Float32Array.from([0.05, -0.05]);
    ck.method = {
      method: 'supervised',
      step: 30,
      scalars: {},
      tensors: {
        'classifier.0': { shape: [dim, 2], dtype: 'float32', data: w },
        'classifier.1': { shape: [2], dtype: 'float32', data: b },
      },
    };
    await fx.runs.saveCheckpoint((await fx.runs.get('sup'))!, ck, ['latest']);
    const before = tf.memory().numTensors;
    const r = await evaluator.classifier({ runId: 'sup', slot: 'latest' });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.kind).toBe('classifier');
    expect(r.bankSize).toBe(0);
    expect(Array.from(r.queryIndices)).toEqual(Array.from(test.indices));
    for (let i = 0; i < test.n; i++) {
      const z = [0, 1].map((j) => {
        let s = b[j];
        for (let d = 0; d < dim; d++) s += test.x[i * dim + d] * w[d * 2 + j];
        return s;
      });
      const p1 = 1 / (1 + Math.exp(z[0] - z[1]));
      expect(r.probs[2 * i + 1]).toBeCloseTo(p1, 5);
      expect(r.predictions[i]).toBe(z[1] > z[0] ? 1 : 0);
    }
    expect(r.confusion.flat().reduce((a, c) => a + c, 0)).toBe(test.n);
    const acc = Array.from(r.predictions).filter((p, i) => p === test.labels[i]).length / test.n;
    expect(r.accuracy).toBe(acc);
    expect((await evaluator.predictionsCsv('classifier')).trim().split('\n')).toHaveLength(
      test.n + 1,
    );

    const all = await evaluator.predict({
      runId: 'sup',
      slot: 'latest',
      datasetId: 'ds',
      probabilities: true,
    });
    expect(all.indices.length).toBe(index.paths.length);
    const lines = all.csv.trim().split('\n');
    expect(lines[0]).toBe('file,label,p_circle,p_square');
    expect(lines).toHaveLength(index.paths.length + 1);
    const row = lines[1].split(',');
    expect(row[0]).toBe(index.paths[all.indices[0]]);
    expect(row[1]).toBe(['circle', 'square'][all.predictions[0]]);
    expect(Number(row[2]) + Number(row[3])).toBeCloseTo(1, 5);
    await expect(evaluator.classifier({ runId: 'r', slot: 'latest' })).rejects.toThrow(
      /has no classifier of its own \(a simclr run learns embeddings only\)/,
    );
  });
});
