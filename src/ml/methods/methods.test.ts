import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../node-backend.testing';
import { createOptimizer } from '../optim/optimizers';
import { createRng } from '../rng';
import { createByol } from './byol';
import { createMocoV2, MocoV2Method } from './mocov2';
import { createSimClr } from './simclr';
import { createSimSiam } from './simsiam';
import { createSupervised } from './supervised';
import type { Method, MethodBatch } from './method';
import { tinyConvBackbone } from './tiny-nets.testing';

const tinyBackbone = (): tf.Sequential => tinyConvBackbone(6, 3, 4);

function randomImages(n: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const data = Float32Array.from({ length: n * 6 * 6 * 3 }, () => rng.normal());
  return tf.tensor4d(data, [n, 6, 6, 3]);
}

const builders: Record<string, (bb: tf.LayersModel) => Method> = {
  supervised: (bb) => createSupervised(bb, { numClasses: 3, labelSmoothing: 0.1 }),
  simclr: (bb) => createSimClr(bb, { projectionHiddenDim: 8, projectionDim: 5 }),
  byol: (bb) => createByol(bb, { projectionHiddenDim: 8, projectionDim: 5, predictorHiddenDim: 8 }),
  simsiam: (bb) =>
    createSimSiam(bb, { projectionHiddenDim: 6, projectionDim: 6, predictorHiddenDim: 3 }),
  mocov2: (bb) => createMocoV2(bb, { queueSize: 6, headHiddenDim: 8, projectionDim: 5 }),
};

beforeAll(async () => {
  await useCpuBackend();
});

describe('methods: 50 steps keep tf.memory().numTensors flat', () => {
  for (const [name, build] of Object.entries(builders)) {
    it(name, () => {
      const start = tf.memory().numTensors;
      const bb = tinyBackbone();
      const method = build(bb);
      const opt = createOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 });
      const batch: MethodBatch =
        method.batchKind === 'labeled'
          ? { x: randomImages(4, 1), y: tf.tensor1d([0, 1, 2, 1], 'int32') }
          : { v1: randomImages(4, 1), v2: randomImages(4, 2) };
      const losses: number[] = [];
      let baseline = -1;
      for (let s = 0; s < 50; s++) {
        const info = { step: s, totalSteps: 50, gradNorms: s % 2 === 0 };
        const r = method.step(batch, opt, 0.05, info);
        method.afterStep(info);
        losses.push(r.loss.dataSync()[0]);
        for (const t of Object.values(r.extra)) expect(Number.isFinite(t.dataSync()[0])).toBe(true);
        if (r.gradNorms) expect(Object.keys(r.gradNorms).length).toBeGreaterThan(2);
        tf.dispose([r.loss, r.extra, r.gradNorms ?? {}]);
        // Optimiser slots are created on the first step; count from the second.
        if (s === 1) baseline = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(baseline);
      expect(losses.every(Number.isFinite)).toBe(true);
      if (method instanceof MocoV2Method) {
        // One repeated batch fills the queue with copies of its own keys, so the loss need not fall;
        // check the FIFO pointer instead: 50 steps × 4 keys mod 6.
        expect(method.queuePtr).toBe((50 * 4) % 6);
      } else {
        // Overfitting one fixed batch must lower the loss.
        expect(losses[49]).toBeLessThan(losses[0]);
      }
      const before = tf.memory().numTensors;
      const x = randomImages(2, 3);
      const e = method.embed(x);
      expect(e.shape).toEqual([2, 4]);
      tf.dispose([e, x]);
      expect(tf.memory().numTensors).toBe(before);
      method.dispose();
      opt.dispose();
      bb.dispose();
      tf.dispose(batch as unknown as tf.TensorContainer);
      // Everything the test and the method created is gone again.
      expect(tf.memory().numTensors).toBe(start);
    });
  }
});
