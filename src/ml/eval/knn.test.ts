import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { useCpuBackend, useWasmBackend } from '../node-backend.testing';
import { knnClassify } from './knn';

/** Brute-force reference in float64: cosine similarity, stable sort, exp(sim/T) votes. */
function bruteForce(
  bank: number[][],
  labels: number[],
  queries: number[][],
  k: number,
  t: number,
  c: number,
): { scores: number[][]; preds: number[] } {
  const norm = (v: number[]) => {
    const n = Math.max(Math.hypot(...v), 1e-12);
    return v.map((x) => x / n);
  };
  const bn = bank.map(norm);
  const scores: number[][] = [],
    preds: number[] = [];
  for (const q of queries.map(norm)) {
    const sims = bn.map((b, i) => ({ s: b.reduce((acc, x, j) => acc + x * q[j], 0), i }));
    sims.sort((a, b) => b.s - a.s || a.i - b.i);
    const sc = new Array<number>(c).fill(0);
    for (const { s, i } of sims.slice(0, Math.min(k, bank.length)))
      sc[labels[i]] += Math.exp(s / t);
    let best = 0;
    for (let j = 1; j < c; j++) if (sc[j] > sc[best]) best = j;
    scores.push(sc);
    preds.push(best);
  }
  return { scores, preds };
}

function randomMatrix(rng: ReturnType<typeof createRng>, n: number, d: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
}

describe('weighted kNN classifier', () => {
  beforeAll(useWasmBackend);

  it('matches a brute-force reference with chunked queries and bank, k > class sizes, tied rows', async () => {
    const rng = createRng(7);
    const bank = randomMatrix(rng, 150, 6);
    // Uneven classes: class 3 has only 10 members, far fewer than k.
    const labels = bank.map((_, i) => (i < 10 ? 3 : i % 3));
    // Exact ties: duplicated bank rows with the same label.
    for (let i = 0; i < 20; i++) {
      bank.push([...bank[i]]);
      labels.push(labels[i]);
    }
    const queries = randomMatrix(rng, 37, 6);
    queries.push([...bank[5]]); // a query identical to a (duplicated) bank row
    const qLabels = queries.map((_, i) => i % 4);
    const bankT = tf.tensor2d(bank),
      qT = tf.tensor2d(queries);
    const ref = bruteForce(bank, labels, queries, 60, 0.1, 4);
    const chunkings = [{}, { queryChunk: 5, bankChunk: 64 }, { queryChunk: 1, bankChunk: 60 }];
    for (const opts of chunkings.flatMap((c) =>
      (['topk', 'js'] as const).map((selection) => ({ ...c, selection })),
    )) {
      const r = await knnClassify(bankT, labels, qT, qLabels, { k: 60, temperature: 0.1, ...opts });
      expect(r.numClasses).toBe(4);
      expect(Array.from(r.predictions)).toEqual(ref.preds);
      ref.scores.forEach((row, q) =>
        row.forEach((s, c) =>
          expect(r.scores[q * 4 + c]).toBeCloseTo(s, Math.max(0, 4 - Math.ceil(Math.log10(s + 1)))),
        ),
      );
      const acc = ref.preds.filter((p, i) => p === qLabels[i]).length / queries.length;
      expect(r.accuracy).toBeCloseTo(acc, 12);
    }
    // k larger than the bank clips to the bank: every bank item votes.
    const all = await knnClassify(bankT, labels, qT, null, { k: 1000, temperature: 0.5 });
    const refAll = bruteForce(bank, labels, queries, 1000, 0.5, 4);
    expect(Array.from(all.predictions)).toEqual(refAll.preds);
    expect(all.accuracy).toBeNull();
    tf.dispose([bankT, qT]);
  });

  it('breaks exact vote ties towards the lower class index', async () => {
    // Two bank items equally similar to the query, classes 2 and 1 → class 1 wins.
    const bankT = tf.tensor2d([
      [1, 1],
      [1, -1],
      [-1, 0],
    ]);
    const qT = tf.tensor2d([[1, 0]]);
    const r = await knnClassify(bankT, [2, 1, 0], qT, [1], { k: 2 });
    expect(r.scores[1]).toBe(r.scores[2]);
    expect(r.predictions[0]).toBe(1);
    expect(r.accuracy).toBe(1);
    tf.dispose([bankT, qT]);
  });

  it('gives the same predictions and scores with JS heap selection and with tf.topk', async () => {
    const rng = createRng(21);
    const nb = 300,
      nq = 45,
      d = 16,
      c = 7;
    const bankT = tf.tensor2d(randomMatrix(rng, nb, d)),
      qT = tf.tensor2d(randomMatrix(rng, nq, d));
    const labels = Array.from({ length: nb }, () => rng.int(c));
    for (const opts of [
      { k: 25 },
      { k: 25, queryChunk: 8, bankChunk: 70 },
      { k: 300, temperature: 0.3 },
    ]) {
      const a = await knnClassify(bankT, labels, qT, null, {
        ...opts,
        numClasses: c,
        selection: 'topk',
      });
      const b = await knnClassify(bankT, labels, qT, null, {
        ...opts,
        numClasses: c,
        selection: 'js',
      });
      expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
      for (let q = 0; q < nq; q++) {
        let sa = 0,
          sb = 0;
        for (let j = 0; j < c; j++) {
          sa += a.scores[q * c + j];
          sb += b.scores[q * c + j];
        }
        for (let j = 0; j < c; j++) {
          expect(Math.abs(b.scores[q * c + j] / sb - a.scores[q * c + j] / sa)).toBeLessThan(1e-5);
          expect(Math.abs(b.scores[q * c + j] - a.scores[q * c + j])).toBeLessThan(
            1e-5 * Math.max(1, a.scores[q * c + j]),
          );
        }
      }
    }
    tf.dispose([bankT, qT]);
  });

  it('keeps the tensor count flat over repeated calls', async () => {
    const rng = createRng(3);
    const bankT = tf.tensor2d(randomMatrix(rng, 200, 8));
    const qT = tf.tensor2d(randomMatrix(rng, 50, 8));
    const labels = Array.from({ length: 200 }, (_, i) => i % 5);
    for (const selection of ['topk', 'js'] as const) {
      const opts = { k: 20, queryChunk: 16, bankChunk: 64, selection };
      await knnClassify(bankT, labels, qT, null, opts);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await knnClassify(bankT, labels, qT, null, opts);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([bankT, qT]);
  });
});

describe('weighted kNN classifier on the cpu backend', () => {
  beforeAll(useCpuBackend);

  it('matches the brute-force reference with its defaults (whole bank, JS heaps) and in blocks', async () => {
    expect(tf.getBackend()).toBe('cpu');
    const rng = createRng(13);
    const bank = randomMatrix(rng, 120, 5),
      queries = randomMatrix(rng, 23, 5);
    const labels = bank.map((_, i) => (i * 7) % 5);
    const ref = bruteForce(bank, labels, queries, 30, 0.2, 5);
    const bankT = tf.tensor2d(bank),
      qT = tf.tensor2d(queries);
    for (const opts of [{}, { queryChunk: 7 }, { queryChunk: 4, bankChunk: 50 }]) {
      const r = await knnClassify(bankT, labels, qT, null, { k: 30, temperature: 0.2, ...opts });
      expect(Array.from(r.predictions)).toEqual(ref.preds);
      ref.scores.forEach((row, q) =>
        row.forEach((s, c) => expect(r.scores[q * 5 + c]).toBeCloseTo(s, 3)),
      );
    }
    tf.dispose([bankT, qT]);
  });
});
