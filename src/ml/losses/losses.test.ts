/**
 * Each loss against a loop-based reference written another way (plain JS numbers), plus symmetry
 * and stop-gradient checks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { useWasmBackend } from '../node-backend.testing';
import { byolRegressionLoss, symmetricByolLoss } from './byol-loss';
import { softmaxCrossEntropy } from './cross-entropy';
import { infoNceLoss } from './infonce';
import { l2Normalize } from './l2-normalize';
import { negativeCosineSimilarity, symmetricNegativeCosine } from './negative-cosine';
import { ntXentLoss } from './ntxent';
import { stopGradient } from './stop-gradient';

type M = number[][];
const rows = (n: number, d: number, seed: number): M => {
  const r = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => r.normal()));
};
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const unit = (a: number[]) => a.map((x) => x / Math.sqrt(dot(a, a)));
const cos = (a: number[], b: number[]) => dot(unit(a), unit(b));
const val = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

/** NT-Xent by its definition: for each of the 2N anchors, −log softmax over the other 2N−1 at the positive. */
function ntXentLoop(z1: M, z2: M, tau: number): number {
  const z = [...z1, ...z2];
  const n = z1.length;
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const pos = (i + n) % (2 * n);
    let denom = 0;
    for (let k = 0; k < 2 * n; k++) if (k !== i) denom += Math.exp(cos(z[i], z[k]) / tau);
    total += -Math.log(Math.exp(cos(z[i], z[pos]) / tau) / denom);
  }
  return total / (2 * n);
}

function infoNceLoop(q: M, k: M, queue: M, tau: number): number {
  let total = 0;
  q.forEach((qi, i) => {
    const logits = [dot(qi, k[i]), ...queue.map((r) => dot(qi, r))].map((x) => x / tau);
    const lse = Math.log(logits.reduce((s, x) => s + Math.exp(x), 0));
    total += lse - logits[0];
  });
  return total / q.length;
}

function crossEntropyLoop(logits: M, labels: number[], eps: number): number {
  let total = 0;
  logits.forEach((row, i) => {
    const lse = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    row.forEach((x, c) => {
      const target = (c === labels[i] ? 1 - eps : 0) + eps / row.length;
      total -= target * (x - lse);
    });
  });
  return total / logits.length;
}

beforeAll(async () => {
  await useWasmBackend();
});

describe('ntXentLoss (SimCLR eq. 1)', () => {
  const z1 = rows(5, 7, 1);
  const z2 = rows(5, 7, 2);
  it('equals the loop over 2N anchors, for two temperatures', () => {
    for (const tau of [0.5, 0.1]) {
      const got = val(ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), tau));
      expect(got).toBeCloseTo(ntXentLoop(z1, z2, tau), 4);
    }
  });
  it('is symmetric in the two views and invariant to row scale', () => {
    const a = val(ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), 0.5));
    const b = val(ntXentLoss(tf.tensor2d(z2), tf.tensor2d(z1), 0.5));
    const c = val(
      ntXentLoss(tf.tensor2d(z1.map((r) => r.map((x) => 3 * x))), tf.tensor2d(z2), 0.5),
    );
    expect(b).toBeCloseTo(a, 5);
    expect(c).toBeCloseTo(a, 5);
  });
  it('is lower when the views agree', () => {
    const same = val(ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z1), 0.5));
    const diff = val(ntXentLoss(tf.tensor2d(z1), tf.tensor2d(z2), 0.5));
    expect(same).toBeLessThan(diff);
  });
});

describe('negative cosine (SimSiam) and BYOL regression', () => {
  const p1 = rows(4, 6, 3);
  const z1 = rows(4, 6, 4);
  const p2 = rows(4, 6, 5);
  const z2 = rows(4, 6, 6);
  it('D(p, z) = −mean cos and 2 − 2cos, against the loop', () => {
    const meanCos = p1.reduce((s, r, i) => s + cos(r, z1[i]), 0) / p1.length;
    expect(val(negativeCosineSimilarity(tf.tensor2d(p1), tf.tensor2d(z1)))).toBeCloseTo(
      -meanCos,
      5,
    );
    expect(val(byolRegressionLoss(tf.tensor2d(p1), tf.tensor2d(z1)))).toBeCloseTo(
      2 - 2 * meanCos,
      5,
    );
  });
  it('symmetric forms equal the sum of both orders and swap-symmetric', () => {
    const D = (p: M, z: M) => -p.reduce((s, r, i) => s + cos(r, z[i]), 0) / p.length;
    const want = D(p1, z2) / 2 + D(p2, z1) / 2;
    const t = (m: M) => tf.tensor2d(m);
    expect(val(symmetricNegativeCosine(t(p1), t(z1), t(p2), t(z2)))).toBeCloseTo(want, 5);
    expect(val(symmetricNegativeCosine(t(p2), t(z2), t(p1), t(z1)))).toBeCloseTo(want, 5);
    expect(val(symmetricByolLoss(t(p1), t(z1), t(p2), t(z2)))).toBeCloseTo(4 + 4 * want, 5); // (2 − 2cos) + (2 − 2cos)
  });
  it('sends no gradient into the stop-gradient side', () => {
    const p = tf.tensor2d(p1);
    const z = tf.tensor2d(z1);
    const [gp, gz] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      negativeCosineSimilarity(a as tf.Tensor2D, b as tf.Tensor2D),
    )([p, z]);
    expect(tf.max(tf.abs(gp)).dataSync()[0]).toBeGreaterThan(1e-3);
    expect(tf.max(tf.abs(gz)).dataSync()[0]).toBe(0);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stopGradient(x), x)))(z);
    // d/dx Σ sg(x)·x = sg(x) = x
    expect(tf.max(tf.abs(tf.sub(g, z))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([p, z, gp, gz, g]);
  });
});

describe('infoNceLoss (MoCo)', () => {
  it('equals the loop with label 0 over [positive, queue]', () => {
    const norm = (m: M) => m.map(unit);
    const q = norm(rows(3, 5, 7));
    const k = norm(rows(3, 5, 8));
    const queue = norm(rows(6, 5, 9));
    const got = val(infoNceLoss(tf.tensor2d(q), tf.tensor2d(k), tf.tensor2d(queue), 0.2));
    expect(got).toBeCloseTo(infoNceLoop(q, k, queue, 0.2), 4);
  });
});

describe('softmaxCrossEntropy', () => {
  it('equals the loop, with and without label smoothing', () => {
    const logits = rows(5, 4, 10);
    const labels = [0, 3, 1, 2, 3];
    for (const eps of [0, 0.1]) {
      const got = val(softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), eps));
      expect(got).toBeCloseTo(crossEntropyLoop(logits, labels, eps), 5);
    }
  });
  it('rejects smoothing outside [0, 1)', () => {
    expect(() =>
      softmaxCrossEntropy(tf.zeros([1, 2]) as tf.Tensor2D, tf.tensor1d([0], 'int32'), 1),
    ).toThrow(/smoothing/);
  });
});

describe('l2Normalize', () => {
  it('gives unit rows and stays finite at zero', () => {
    const x = tf.tensor2d([
      [3, 4],
      [0, 0],
    ]);
    const y = l2Normalize(x);
    expect(Array.from(y.dataSync())).toEqual([0.6, 0.8, 0, 0].map((v) => Math.fround(v)));
    const g = tf.grad((a: tf.Tensor) => tf.sum(l2Normalize(a as tf.Tensor2D)))(x);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, g]);
  });
  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(rows(4, 3, 11));
    for (let i = 0; i < 20; i++) {
      tf.dispose([
        ntXentLoss(a, a, 0.5),
        infoNceLoss(a, a, a, 0.2),
        negativeCosineSimilarity(a, a),
        byolRegressionLoss(a, a),
      ]);
    }
    a.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
