import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../../node-backend.testing';
import { TorchBatchNorm } from './torch-batch-norm';
import { createRng } from '../../../rng';

function randomBatch(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.uniform(-2, 3)),
    shape,
  );
}

/** Per-channel mean and biased / unbiased variance over all but the last axis, in float64. */
function channelStats(data: Float32Array, c: number) {
  const n = data.length / c;
  const mean = new Array(c).fill(0);
  const ss = new Array(c).fill(0);
  for (let i = 0; i < data.length; i++) mean[i % c] += data[i] / n;
  for (let i = 0; i < data.length; i++) ss[i % c] += (data[i] - mean[i % c]) ** 2;
  return { n, mean, biased: ss.map((s) => s / n), unbiased: ss.map((s) => s / (n - 1)) };
}

describe('TorchBatchNorm', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('training: normalises with the biased batch variance; running stats use momentum 0.1 and the unbiased variance', async () => {
    const x = randomBatch([2, 3, 2, 4], 1);
    const layer = new TorchBatchNorm({ name: 'bn' });
    const y1 = layer.apply(x, { training: true }) as tf.Tensor;
    const st = channelStats((await x.data()) as Float32Array, 4);
    const [gamma, beta, mean, variance, nbt] = layer
      .getWeights()
      .map((w) => Array.from(w.dataSync()));
    expect(gamma).toEqual([1, 1, 1, 1]);
    expect(beta).toEqual([0, 0, 0, 0]);
    st.mean.forEach((m, c) => expect(mean[c]).toBeCloseTo(0.1 * m, 6));
    st.unbiased.forEach((v, c) => expect(variance[c]).toBeCloseTo(0.9 + 0.1 * v, 6));
    expect(nbt).toEqual([1]);
    const yd = await y1.data();
    const xd = await x.data();
    for (let i = 0; i < xd.length; i++) {
      const c = i % 4;
      expect(yd[i]).toBeCloseTo((xd[i] - st.mean[c]) / Math.sqrt(st.biased[c] + 1e-5), 4);
    }
    // A second pass compounds: running = 0.9·running + 0.1·batch.
    tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
    const mean2 = Array.from(layer.getWeights()[2].dataSync());
    st.mean.forEach((m, c) => expect(mean2[c]).toBeCloseTo(0.9 * 0.1 * m + 0.1 * m, 6));
    expect(Array.from(layer.getWeights()[4].dataSync())).toEqual([2]);
    tf.dispose([x, y1]);
  });

  it('inference uses the running statistics and leaves them alone', async () => {
    const layer = new TorchBatchNorm({ name: 'bn', epsilon: 1e-3 });
    const x = randomBatch([3, 2, 2, 2], 2);
    tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
    const before = layer.getWeights().map((w) => Array.from(w.dataSync()));
    const y = layer.apply(x) as tf.Tensor;
    const [, , rm, rv] = before;
    const xd = await x.data();
    const yd = await y.data();
    for (let i = 0; i < xd.length; i++)
      expect(yd[i]).toBeCloseTo((xd[i] - rm[i % 2]) / Math.sqrt(rv[i % 2] + 1e-3), 5);
    expect(layer.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    tf.dispose([x, y]);
  });

  it("vs tfjs-layers' BatchNormalization(momentum 0.9, eps 1e-5): same output, mean and gradients; its running variance is biased", async () => {
    const x = randomBatch([2, 2, 3, 3], 3);
    const ours = new TorchBatchNorm({ name: 'ours' });
    const theirs = tf.layers.batchNormalization({ name: 'theirs', momentum: 0.9, epsilon: 1e-5 });
    const dy = randomBatch([2, 2, 3, 3], 4);
    const lossOf = (layer: tf.layers.Layer) => () =>
      tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
    // Build both, then take gradients w.r.t. input, γ and β.
    tf.dispose([ours.apply(x) as tf.Tensor, theirs.apply(x) as tf.Tensor]);
    const g = (layer: tf.layers.Layer) =>
      tf.tidy(() => {
        const f = (xx: tf.Tensor) =>
          tf.sum(tf.mul(layer.apply(xx, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
        return tf.grad(f)(x);
      });
    const gx1 = g(ours);
    const gx2 = g(theirs);
    const vg1 = tf.variableGrads(lossOf(ours));
    const vg2 = tf.variableGrads(lossOf(theirs));
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 4));
    close(await gx1.data(), await gx2.data());
    const n1 = Object.keys(vg1.grads).sort();
    const n2 = Object.keys(vg2.grads).sort();
    expect(n1).toHaveLength(2); // γ and β only: running stats are not trainable
    for (let k = 0; k < 2; k++) close(await vg1.grads[n1[k]].data(), await vg2.grads[n2[k]].data());
    // After 2 training calls each (grad, variableGrads): identical running means, variances differ by the n/(n−1) correction.
    const [, , m1, v1] = ours.getWeights().map((w) => Array.from(w.dataSync()));
    const [, , m2, v2] = theirs.getWeights().map((w) => Array.from(w.dataSync()));
    close(m1, m2);
    const st = channelStats((await x.data()) as Float32Array, 3);
    const decay = 0.9 ** 2;
    for (let c = 0; c < 3; c++) {
      expect(v1[c]).toBeCloseTo(decay + (1 - decay) * st.unbiased[c], 5);
      expect(v2[c]).toBeCloseTo(decay + (1 - decay) * st.biased[c], 5);
    }
    tf.dispose([
      gx1,
      gx2,
      vg1.value,
      vg2.value,
      dy,
      x,
      ...Object.values(vg1.grads),
      ...Object.values(vg2.grads),
    ]);
  });

  it('refuses training mode with one value per channel, like PyTorch', () => {
    const layer = new TorchBatchNorm({ name: 'bn' });
    const x = tf.ones([1, 1, 1, 2]);
    expect(() => layer.apply(x, { training: true })).toThrow(/more than 1 value per channel/);
    x.dispose();
  });

  it('serialises momentum and epsilon', () => {
    const layer = new TorchBatchNorm({ name: 'bn', momentum: 0.01, epsilon: 1e-3 });
    const cfg = layer.getConfig();
    expect(cfg.momentum).toBe(0.01);
    expect(cfg.epsilon).toBe(1e-3);
    const copy = TorchBatchNorm.fromConfig(TorchBatchNorm, cfg) as TorchBatchNorm;
    expect(copy.momentum).toBe(0.01);
    expect(copy.epsilon).toBe(1e-3);
  });

  it('relu: true equals BatchNorm then ReLU (training output, gradients, running stats; eval)', async () => {
    const x = randomBatch([2, 3, 3, 4], 5);
    const dy = randomBatch([2, 3, 3, 4], 6);
    const fused = new TorchBatchNorm({ name: 'fused', relu: true });
    const plain = new TorchBatchNorm({ name: 'plain' });
    const run = (training: boolean) => ({
      fused: (l: tf.Tensor) => fused.apply(l, { training }) as tf.Tensor,
      plain: (l: tf.Tensor) => tf.relu(plain.apply(l, { training }) as tf.Tensor),
    });
    const loss = (f: (l: tf.Tensor) => tf.Tensor) => () => tf.sum(tf.mul(f(x), dy)) as tf.Scalar;
    tf.dispose([fused.apply(x) as tf.Tensor, plain.apply(x) as tf.Tensor]);
    // Different, non-trivial γ and β, the same in both layers.
    const [g, b] = [randomBatch([4], 7), randomBatch([4], 8)];
    for (const l of [fused, plain]) {
      const w = l.getWeights();
      l.setWeights([g, b, w[2], w[3], w[4]]);
    }
    const close = (a: ArrayLike<number>, c: ArrayLike<number>, tol = 1e-4) => {
      expect(a.length).toBe(c.length);
      Array.from(a).forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThanOrEqual(tol));
    };
    const t = run(true);
    const yf = t.fused(x);
    const yp = t.plain(x);
    const yd = await yf.data();
    close(yd, await yp.data());
    expect(Array.from(yd).some((v) => v === 0) && Array.from(yd).some((v) => v > 0)).toBe(true);
    const gx = (f: (l: tf.Tensor) => tf.Tensor) =>
      tf.grad((l: tf.Tensor) => tf.sum(tf.mul(f(l), dy)) as tf.Scalar)(x);
    const [gxf, gxp] = [gx(t.fused), gx(t.plain)];
    close(await gxf.data(), await gxp.data());
    const vf = tf.variableGrads(loss(t.fused));
    const vp = tf.variableGrads(loss(t.plain));
    const kf = Object.keys(vf.grads).sort();
    const kp = Object.keys(vp.grads).sort();
    for (let k = 0; k < 2; k++) close(await vf.grads[kf[k]].data(), await vp.grads[kp[k]].data());
    // Three training calls each: identical running statistics and counts.
    const wf = fused.getWeights().map((w) => Array.from(w.dataSync()));
    const wp = plain.getWeights().map((w) => Array.from(w.dataSync()));
    for (let k = 2; k < 5; k++) close(wf[k], wp[k], 1e-6);
    expect(wf[4]).toEqual([3]);
    const e = run(false);
    const [ef, ep] = [e.fused(x), e.plain(x)];
    close(await ef.data(), await ep.data(), 1e-6);
    expect(fused.getConfig().relu).toBe(true);
    expect(
      (TorchBatchNorm.fromConfig(TorchBatchNorm, fused.getConfig()) as TorchBatchNorm).relu,
    ).toBe(true);
    expect(plain.getConfig().relu).toBeUndefined();
    tf.dispose([x, dy, g, b, yf, yp, gxf, gxp, ef, ep, vf.value, vp.value]);
    tf.dispose([...Object.values(vf.grads), ...Object.values(vp.grads)]);
  });
});
