import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend, useWasmBackend } from '../../node-backend.testing';
import { createRng } from '../../rng';
import {
  BN_ACT_TRAIN,
  batchNormActTrain,
  composedBatchNormAct,
  type BatchNormActAttrs,
} from './op';

interface Case {
  shape: number[];
  relu: boolean;
  /** Offset added to x (a large mean tests the shifted sums). */
  offset: number;
}

const CASES: Case[] = [
  { shape: [2, 5, 5, 3], relu: true, offset: 0 },
  { shape: [2, 5, 5, 3], relu: false, offset: 0 },
  { shape: [3, 4, 4, 8], relu: true, offset: 3 },
  { shape: [6, 4], relu: true, offset: -1 },
  { shape: [7, 5], relu: false, offset: 50 },
];
const EPS = 1e-5;

function seeded(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => offset + scale * rng.normal());
}

/** The forward in float64 straight from the definition (two-pass mean and variance). */
function loopForward(x: Float32Array, g: Float32Array, b: Float32Array, c: number, relu: boolean) {
  const rows = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c] += x[i] / rows;
  for (let i = 0; i < x.length; i++) variance[i % c] += (x[i] - mean[i % c]) ** 2 / rows;
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const k = i % c;
    const v = ((x[i] - mean[k]) / Math.sqrt(variance[k] + EPS)) * g[k] + b[k];
    y[i] = relu ? Math.max(0, v) : v;
  }
  return { y, mean, variance, invstd: variance.map((v) => 1 / Math.sqrt(v + EPS)) };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

type Impl = typeof batchNormActTrain;

/** y, stats and the gradients of sum(y·w) w.r.t. x, gamma, beta. */
async function run(impl: Impl, c: Case, seed: number) {
  const ch = c.shape[c.shape.length - 1];
  const n = c.shape.reduce((a, b) => a * b, 1);
  const xv = seeded(n, seed, 2, c.offset);
  const gv = seeded(ch, seed + 1, 0.5, 1);
  const bv = seeded(ch, seed + 2, 0.5);
  const x = tf.tensor(xv, c.shape);
  const gamma = tf.tensor1d(gv);
  const beta = tf.tensor1d(bv);
  const w = tf.tensor(seeded(n, seed + 3), c.shape);
  const attrs: BatchNormActAttrs = { epsilon: EPS, relu: c.relu };
  const out = impl(x, gamma, beta, attrs);
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const r = impl(a, g as tf.Tensor1D, b as tf.Tensor1D, attrs);
    tf.dispose([r.mean, r.variance, r.invstd]);
    return tf.sum(tf.mul(r.y, w));
  };
  const grads = tf.grads(f)([x, gamma, beta]);
  const read = async (t: tf.Tensor) => Float32Array.from(await t.data());
  const res = {
    xv,
    gv,
    bv,
    y: await read(out.y),
    mean: await read(out.mean),
    variance: await read(out.variance),
    invstd: await read(out.invstd),
    dx: await read(grads[0]),
    dgamma: await read(grads[1]),
    dbeta: await read(grads[2]),
  };
  tf.dispose([x, gamma, beta, w, out.y, out.mean, out.variance, out.invstd, ...grads]);
  return res;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`batchNormActTrain on ${backend}`, () => {
    let before: string;
    beforeAll(async () => {
      before = tf.getBackend();
      await (backend === 'cpu' ? useCpuBackend() : useWasmBackend());
    });
    afterAll(async () => {
      if (before) await tf.setBackend(before);
    });

    it('runs the fused kernel, not the composed fallback', () => {
      const x = tf.ones([4, 2]);
      const g = tf.ones([2]) as tf.Tensor1D;
      const r = batchNormActTrain(x, g, g, { epsilon: EPS, relu: true });
      expect(tf.getKernel(BN_ACT_TRAIN, backend)).toBeDefined();
      tf.dispose([x, g, r.y, r.mean, r.variance, r.invstd]);
    });

    CASES.forEach((c, i) => {
      it(`[${c.shape}] relu=${c.relu} offset ${c.offset}: forward = a float64 loop, gradients = the composed ops (≤ 1e-4)`, async () => {
        const fused = await run(batchNormActTrain, c, 10 + i);
        const ref = loopForward(fused.xv, fused.gv, fused.bv, c.shape.at(-1)!, c.relu);
        expect(maxDiff(fused.y, ref.y)).toBeLessThanOrEqual(1e-4);
        expect(maxDiff(fused.mean, ref.mean)).toBeLessThanOrEqual(1e-4);
        expect(maxDiff(fused.variance, ref.variance)).toBeLessThanOrEqual(1e-4 * (1 + 4));
        expect(maxDiff(fused.invstd, ref.invstd)).toBeLessThanOrEqual(1e-4);
        const comp = await run(composedBatchNormAct, c, 10 + i);
        expect(maxDiff(fused.y, comp.y)).toBeLessThanOrEqual(1e-4);
        expect(maxDiff(fused.dx, comp.dx)).toBeLessThanOrEqual(1e-4);
        expect(maxDiff(fused.dgamma, comp.dgamma)).toBeLessThanOrEqual(1e-4);
        expect(maxDiff(fused.dbeta, comp.dbeta)).toBeLessThanOrEqual(1e-4);
        // Not trivially zero: the gradients carry signal.
        expect(Math.max(...fused.dx.map(Math.abs))).toBeGreaterThan(1e-3);
      });
    });

    it('keeps the tensor count flat over repeated forward + backward steps', async () => {
      const x = tf.tensor(seeded(2 * 3 * 3 * 4, 5), [2, 3, 3, 4]);
      const g = tf.variable(tf.ones([4]));
      const b = tf.variable(tf.zeros([4]));
      const step = () => {
        const { value, grads } = tf.variableGrads(() => {
          const r = batchNormActTrain(x, g as unknown as tf.Tensor1D, b as unknown as tf.Tensor1D, {
            epsilon: EPS,
            relu: true,
          });
          tf.dispose([r.mean, r.variance, r.invstd]);
          return tf.sum(tf.square(r.y)) as tf.Scalar;
        });
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(n0);
      tf.dispose([x, g, b]);
    });

    it('rejects a single value per channel', () => {
      const x = tf.ones([1, 3]);
      const g = tf.ones([3]) as tf.Tensor1D;
      expect(() => batchNormActTrain(x, g, g, { epsilon: EPS, relu: false })).toThrow(
        /more than 1 value per channel/,
      );
      tf.dispose([x, g]);
    });
  });
}
