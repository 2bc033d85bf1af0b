import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { createRng } from '../rng';
import { probeObjective } from './probe-objective';
import { probePreconditioner } from './probe-preconditioner';

/** F(W, b) and ∇ by plain float64 loops, W [d × c] row-major (the definition, written directly). */
function reference(
  x: Float32Array,
  y: Int32Array,
  d: number,
  c: number,
  lambda: number,
  W: Float64Array,
  b: Float64Array,
) {
  const n = y.length;
  const gW = new Float64Array(d * c),
    gb = new Float64Array(c);
  let f = 0;
  for (let i = 0; i < n; i++) {
    const z = Array.from(b);
    for (let j = 0; j < c; j++) for (let k = 0; k < d; k++) z[j] += x[i * d + k] * W[k * c + j];
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    f += m + Math.log(s) - z[y[i]];
    for (let j = 0; j < c; j++) {
      const g = (e[j] / s - (j === y[i] ? 1 : 0)) / n;
      gb[j] += g;
      for (let k = 0; k < d; k++) gW[k * c + j] += g * x[i * d + k];
    }
  }
  let sq = 0;
  for (let k = 0; k < d * c; k++) {
    sq += W[k] * W[k];
    gW[k] += lambda * W[k];
  }
  return { f: f / n + 0.5 * lambda * sq, gW, gb };
}

describe('probe objective', () => {
  beforeAll(useWasmBackend);
  const n = 60,
    d = 7,
    c = 3,
    lambda = 0.05;
  const rng = createRng(11);
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  for (let i = 0; i < n; i++) x[i * d + 1] = 0.9 * x[i * d] + 0.1 * x[i * d + 1]; // correlated
  const y = Int32Array.from({ length: n }, () => rng.int(c));

  it('plain variables: F and ∇ equal the float64 definition', async () => {
    const o = probeObjective(x, y, d, c, lambda);
    // Parameters are Wᵀ [c × d] then b.
    const p = Float64Array.from({ length: o.size }, () => 0.3 * rng.normal());
    const { weights, bias } = o.toWeights(p);
    for (let j = 0; j < c; j++)
      for (let k = 0; k < d; k++) expect(weights[k * c + j]).toBe(p[j * d + k]);
    const g = new Float64Array(o.size);
    const f = await o.evaluate(p, g);
    const r = reference(x, y, d, c, lambda, weights, bias);
    expect(f).toBeCloseTo(r.f, 5);
    for (let j = 0; j < c; j++) {
      for (let k = 0; k < d; k++) expect(g[j * d + k]).toBeCloseTo(r.gW[k * c + j], 5);
      expect(g[d * c + j]).toBeCloseTo(r.gb[j], 6);
    }
    o.dispose();
  });

  it('preconditioned variables: same F; ∇_U = Pᵀ∇_W, ∇_β = s∇_b (chain rule, from the definition)', async () => {
    const P = await probePreconditioner(x, d, c, lambda);
    const s = Math.sqrt(c);
    const o = probeObjective(x, y, d, c, lambda, { P, biasScale: s });
    const u = Float64Array.from({ length: o.size }, () => 0.3 * rng.normal());
    const { weights, bias } = o.toWeights(u);
    for (let j = 0; j < c; j++) expect(bias[j]).toBeCloseTo(s * u[d * c + j], 12);
    const g = new Float64Array(o.size);
    const f = await o.evaluate(u, g);
    const r = reference(x, y, d, c, lambda, weights, bias);
    expect(f).toBeCloseTo(r.f, 5);
    for (let j = 0; j < c; j++) {
      for (let k = 0; k < d; k++) {
        let v = 0;
        for (let q = 0; q < d; q++) v += P[q * d + k] * r.gW[q * c + j];
        expect(g[j * d + k]).toBeCloseTo(v, 4);
      }
      expect(g[d * c + j]).toBeCloseTo(s * r.gb[j], 6);
    }
    o.dispose();
  });

  it('records the training accuracy of each evaluation and leaves no tensors', async () => {
    const before = tf.memory().numTensors;
    const o = probeObjective(x, y, d, c, lambda);
    await o.evaluate(new Float64Array(o.size), new Float64Array(o.size));
    // W = 0, b = 0: every row ties, argmax → class 0.
    expect(o.accuracies).toEqual([Array.from(y).filter((v) => v === 0).length / n]);
    o.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
