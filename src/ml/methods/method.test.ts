/** The shared Method machinery: checkpoint state, per-layer gradient norms, batch checks, backbones as functional models. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from '../optim/optimizers';
import { createRng } from '../rng';
import { useCpuBackend } from '../node-backend.testing';
import { createByol } from './byol';
import { createMethod, type MethodConfig } from './create-method';
import { encoderFromFunction, encoderFromModel } from './encoder';
import { METHOD_NAMES } from './method';
import { createMocoV2 } from './mocov2';
import { createSimClr } from './simclr';
import { createSimSiam } from './simsiam';
import { createSupervised } from './supervised';
import { tinyConvBackbone } from './tiny-nets.testing';
import { zStd } from './z-std';

const images = (n: number, seed: number): tf.Tensor4D => {
  const r = createRng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * 6 * 6 * 3 }, () => r.normal()),
    [n, 6, 6, 3],
  );
};
const maxDiff = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

beforeAll(async () => {
  await useCpuBackend();
});

describe('method state', () => {
  it('BYOL: getState/setState restores heads and target, so training continues identically', () => {
    const batch = { v1: images(4, 1), v2: images(4, 2) };
    const cfg = { projectionHiddenDim: 8, projectionDim: 5, predictorHiddenDim: 8, seed: 3 };
    const bbA = tinyConvBackbone();
    const a = createByol(bbA, cfg);
    const opt = createOptimizer({ kind: 'sgd' });
    for (let s = 0; s < 3; s++) {
      const r = a.step(batch, opt, 0.1, { step: s, totalSteps: 10 });
      a.afterStep({ step: s, totalSteps: 10 });
      tf.dispose([r.loss, r.extra]);
    }
    const state = a.getState();
    expect(state.step).toBe(3);
    const bbB = tinyConvBackbone();
    bbB.setWeights(bbA.getWeights());
    const b = createByol(bbB, { ...cfg, seed: 99 });
    b.setState(state);
    tf.dispose(state.tensors);
    const info = { step: 3, totalSteps: 10 };
    const ra = a.step(batch, opt, 0.1, info);
    const optB = createOptimizer({ kind: 'sgd' });
    const rb = b.step(batch, optB, 0.1, info);
    expect(maxDiff(ra.loss, rb.loss)).toBeLessThan(1e-6);
    a.afterStep(info);
    b.afterStep(info);
    const ta = a.targetBackbone.apply(batch.v1, false);
    const tb = b.targetBackbone.apply(batch.v1, false);
    expect(maxDiff(ta, tb)).toBeLessThan(1e-6);
    expect(() => b.setState({ ...b.getState(), method: 'simclr' })).toThrow(/simclr/);
    tf.dispose([ra.loss, ra.extra, rb.loss, rb.extra, ta, tb, batch]);
    [a, b].forEach((m) => m.dispose());
    [bbA, bbB].forEach((m) => m.dispose());
    [opt, optB].forEach((o) => o.dispose());
  });

  it('MoCo v2: queue and pointer travel through the state', () => {
    const bb = tinyConvBackbone();
    const m = createMocoV2(bb, { queueSize: 8, projectionDim: 5, headHiddenDim: 8 });
    const opt = createOptimizer({ kind: 'sgd' });
    const batch = { v1: images(3, 1), v2: images(3, 2) };
    const r = m.step(batch, opt, 0.1, { step: 0, totalSteps: 1 });
    m.afterStep({ step: 0, totalSteps: 1 });
    tf.dispose([r.loss, r.extra]);
    expect(m.queuePtr).toBe(3);
    // Queue rows stay unit vectors and the first 3 rows are this step's keys.
    const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(m.queue), 1)).dataSync());
    Array.from(norms).forEach((n) => expect(n).toBeCloseTo(1, 5));
    const st = m.getState();
    expect(st.scalars.queuePtr).toBe(3);
    const bb2 = tinyConvBackbone();
    const m2 = createMocoV2(bb2, { queueSize: 8, projectionDim: 5, headHiddenDim: 8, seed: 5 });
    expect(maxDiff(m.queue, m2.queue)).toBeGreaterThan(0.1);
    m2.setState(st);
    expect(maxDiff(m.queue, m2.queue)).toBe(0);
    expect(m2.queuePtr).toBe(3);
    tf.dispose([st.tensors, batch]);
    [m, m2, bb, bb2].forEach((x) => x.dispose());
    opt.dispose();
  });
});

describe('gradient norms', () => {
  it('per layer equal √Σg² of the gradients lossAndGrads returns', () => {
    const bb = tinyConvBackbone();
    const m = createSimClr(bb, { projectionHiddenDim: 8, projectionDim: 5 });
    const batch = { v1: images(4, 1), v2: images(4, 2) };
    const info = { step: 0, totalSteps: 1, gradNorms: true };
    const { loss, grads, extra } = m.lossAndGrads(batch, info);
    const opt = createOptimizer({ kind: 'sgd' });
    const r = m.step(batch, opt, 0, info); // lr 0: weights unchanged, same gradients
    const norms = r.gradNorms!;
    const conv = bb.layers[0];
    const key = Object.keys(norms).find((k) => k.startsWith('backbone/') && k.includes(conv.name));
    expect(key, Object.keys(norms).join(', ')).toBeDefined();
    const want = Math.sqrt(
      conv.weights.reduce(
        (s, w) =>
          s + tf.tidy(() => tf.sum(tf.square(grads[(w.read() as tf.Variable).name])).dataSync()[0]),
        0,
      ),
    );
    expect(norms[key!].dataSync()[0]).toBeCloseTo(want, 4);
    // backbone: conv + BN; projector: dense, BN, dense
    expect(Object.keys(norms).length).toBe(5);
    tf.dispose([loss, grads, extra, r.loss, r.extra, norms, batch]);
    m.dispose();
    bb.dispose();
    opt.dispose();
  });
});

describe('batches and backbones', () => {
  it('rejects the wrong batch kind with a message naming the method', () => {
    const bb = tinyConvBackbone();
    const sup = createSupervised(bb, { numClasses: 2 });
    const simclr = createSimClr(bb);
    const opt = createOptimizer({ kind: 'sgd' });
    const x = images(2, 1);
    expect(() => sup.step({ v1: x, v2: x }, opt, 0.1, { step: 0, totalSteps: 1 })).toThrow(
      /supervised.*labelled/,
    );
    expect(() =>
      simclr.step({ x, y: tf.tensor1d([0, 1], 'int32') }, opt, 0.1, { step: 0, totalSteps: 1 }),
    ).toThrow(/simclr.*two views/);
    [sup, simclr, bb].forEach((m) => m.dispose());
    x.dispose();
  });

  it('accepts a functional LayersModel and copies it for the target network', () => {
    const input = tf.input({ shape: [6, 6, 3] });
    const h = tf.layers
      .conv2d({ filters: 3, kernelSize: 3, padding: 'same' })
      .apply(input) as tf.SymbolicTensor;
    const out = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const enc = encoderFromModel(model);
    expect(enc.dim).toBe(3);
    const byol = createByol(model, {
      projectionHiddenDim: 4,
      projectionDim: 3,
      predictorHiddenDim: 4,
    });
    const x = images(2, 4);
    const a = model.predict(x) as tf.Tensor;
    const b = byol.targetBackbone.apply(x, false);
    expect(maxDiff(a, b)).toBe(0);
    expect(byol.targetBackbone.trainableVariables()[0]).not.toBe(enc.trainableVariables()[0]);
    tf.dispose([x, a, b]);
    byol.dispose();
    model.dispose();
  });
});

describe('zStd', () => {
  it('is 0 for collapsed rows and 1/√D for one-hot rows spread over the D axes', () => {
    const collapsed = tf.tensor2d([
      [1, 2],
      [2, 4],
      [3, 6],
    ]);
    expect(zStd(collapsed).dataSync()[0]).toBeCloseTo(0, 6);
    // 4 rows ±e1, ±e2 in D = 2: per column values (1,−1,0,0) → std √0.5 = 1/√2
    const spread = tf.tensor2d([
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]);
    expect(zStd(spread).dataSync()[0]).toBeCloseTo(1 / Math.sqrt(2), 6);
    tf.dispose([collapsed, spread]);
  });
});

describe('createMethod and encoderFromFunction', () => {
  it('builds each method by name and rejects unknown names', () => {
    const bb = tinyConvBackbone();
    for (const name of METHOD_NAMES) {
      const m = createMethod(
        bb,
        name === 'supervised' ? { method: name, numClasses: 2 } : { method: name, queueSize: 8 },
      );
      expect(m.name).toBe(name);
      m.dispose();
    }
    expect(() => createMethod(bb, { method: 'dino' } as unknown as MethodConfig)).toThrow(
      /valid: supervised, simclr, byol, simsiam, mocov2/,
    );
    bb.dispose();
  });

  it('trains through a plain apply function; target methods ask for a copyable backbone', () => {
    const w = tf.variable(
      tf.tensor2d([
        [0.5, -0.2],
        [0.1, 0.3],
        [0.2, 0.2],
      ]),
    );
    const enc = encoderFromFunction(
      (x) => tf.tidy(() => tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, w)),
      () => [w],
      2,
    );
    const m = createSimSiam(enc, {
      projectionHiddenDim: 4,
      projectionDim: 4,
      predictorHiddenDim: 2,
    });
    const opt = createOptimizer({ kind: 'sgd' });
    const before = Array.from(w.dataSync());
    const batch = { v1: images(4, 1), v2: images(4, 2) };
    const r = m.step(batch, opt, 0.5, { step: 0, totalSteps: 1 });
    expect(Array.from(w.dataSync())).not.toEqual(before);
    expect(() => createByol(enc)).toThrow(/copy of the backbone/);
    tf.dispose([r.loss, r.extra, batch, w]);
    m.dispose();
    opt.dispose();
  });
});
