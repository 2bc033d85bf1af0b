/**
 * Evaluation timings on the active backend (bench/ only): weighted kNN of a query set against a
 * labelled bank, and a linear probe, on seeded Gaussian-class embeddings made in the worker.
 */
import * as tf from '@tensorflow/tfjs';
import { knnClassify } from '../ml/eval/knn';
import { trainLinearProbe } from '../ml/eval/linear-probe';
import { createRng } from '../ml/rng';

/** n rows around `classes` centres N(0, 1) per dim (the same centres for every seed) plus spread · N(0, 1). */
function gaussianClasses(
  seed: number,
  n: number,
  dim: number,
  classes: number,
  spread: number,
): { x: Float32Array; y: Int32Array } {
  const centreRng = createRng(1000 + classes);
  const centres = Float32Array.from({ length: classes * dim }, () => centreRng.normal());
  const rng = createRng(seed);
  const x = new Float32Array(n * dim),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(classes);
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[y[i] * dim + j] + spread * rng.normal();
  }
  return { x, y };
}

/** Times knnClassify (k = 200, T = 0.1) of `queries` rows against `bank` rows, both [· × dim]. */
export async function benchKnn(o: {
  bank: number;
  queries: number;
  dim: number;
  classes: number;
}): Promise<{ backend: string; seconds: number; accuracy: number }> {
  const bank = gaussianClasses(1, o.bank, o.dim, o.classes, 2),
    query = gaussianClasses(2, o.queries, o.dim, o.classes, 2);
  const bankT = tf.tensor2d(bank.x, [o.bank, o.dim]),
    queryT = tf.tensor2d(query.x, [o.queries, o.dim]);
  try {
    const t0 = performance.now();
    const r = await knnClassify(bankT, bank.y, queryT, query.y, {
      k: 200,
      temperature: 0.1,
      numClasses: o.classes,
    });
    return {
      backend: tf.getBackend(),
      seconds: (performance.now() - t0) / 1000,
      accuracy: r.accuracy ?? NaN,
    };
  } finally {
    tf.dispose([bankT, queryT]);
  }
}

/**
 * Times trainLinearProbe (L-BFGS, C = 1, up to `maxIterations`) on `train` rows [· × dim], scored
 * on `test` rows; also returns its iterations and final objective.
 */
export async function benchProbe(o: {
  train: number;
  test: number;
  dim: number;
  classes: number;
  maxIterations: number;
}): Promise<{
  backend: string;
  seconds: number;
  testAccuracy: number;
  iterations: number;
  evaluations: number;
  loss: number;
}> {
  const all = gaussianClasses(3, o.train + o.test, o.dim, o.classes, 4);
  const split = (a: number, b: number) => ({
    x: all.x.subarray(a * o.dim, b * o.dim),
    y: all.y.subarray(a, b),
  });
  const t0 = performance.now();
  const r = await trainLinearProbe(
    split(0, o.train),
    split(o.train, o.train + o.test),
    o.dim,
    o.classes,
    { maxIterations: o.maxIterations },
  );
  return {
    backend: tf.getBackend(),
    seconds: (performance.now() - t0) / 1000,
    testAccuracy: r.testAccuracy,
    iterations: r.probe.iterations,
    evaluations: r.probe.evaluations,
    loss: r.probe.loss,
  };
}
