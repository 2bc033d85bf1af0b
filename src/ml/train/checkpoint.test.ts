import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../kernels/wasm/register';
import { createMethod } from '../methods/create-method';
import { createBackbone } from '../models/backbones';
import { createOptimizer } from '../optim/optimizers';
import { createRng } from '../rng';
import { useWasmBackend } from '../node-backend.testing';
import {
  captureCheckpoint,
  checkCheckpoint,
  checkpointBytes,
  checkpointIsFinite,
  restoreCheckpoint,
} from './checkpoint';
import { tinyConfig } from './tiny-runs.testing';

beforeAll(async () => {
  await useWasmBackend();
  registerWasmTrainingKernels();
});

function build() {
  const config = tinyConfig('mocov2');
  const backbone = createBackbone(config.backbone);
  const method = createMethod(backbone.model, {
    method: 'mocov2',
    queueSize: 32,
    projectionDim: 8,
    seed: 1,
  });
  const optimizer = createOptimizer({ kind: 'adam' });
  return { config, backbone, method, optimizer };
}

function images(seed: number): tf.Tensor4D {
  const r = createRng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: 8 * 8 * 8 * 3 }, () => r.normal()),
    [8, 8, 8, 3],
  );
}

describe('checkpoint', () => {
  it('survives structuredClone and restores backbone (BN stats), heads, queue and optimiser exactly', async () => {
    const a = build();
    for (let s = 0; s < 3; s++) {
      const v1 = images(s),
        v2 = images(s + 10);
      const r = a.method.step({ v1, v2 }, a.optimizer, 0.01, { step: s, totalSteps: 6 });
      a.method.afterStep({ step: s, totalSteps: 6 });
      tf.dispose([v1, v2, r.loss, ...Object.values(r.extra)]);
    }
    const before = tf.memory().numTensors;
    const ckpt = structuredClone(
      await captureCheckpoint({
        ...a,
        backbone: a.backbone.model,
        position: { epoch: 0, stepInEpoch: 3, step: 3 },
        curves: { steps: [], epochs: [] },
        best: null,
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    checkCheckpoint(ckpt);
    expect(checkpointIsFinite(ckpt)).toBe(true);
    expect(ckpt.method.scalars.queuePtr).toBe(24);
    expect(checkpointBytes(ckpt)).toBeGreaterThan(0);

    const b = build();
    restoreCheckpoint(ckpt, {
      backbone: b.backbone.model,
      method: b.method,
      optimizer: b.optimizer,
    });
    expect(tf.memory().numTensors - before).toBeGreaterThan(0); // b's own variables
    // The next step gives the same loss and the same weights on both.
    const v1 = images(99),
      v2 = images(98);
    const ra = a.method.step({ v1, v2 }, a.optimizer, 0.01, { step: 3, totalSteps: 6 });
    const rb = b.method.step({ v1, v2 }, b.optimizer, 0.01, { step: 3, totalSteps: 6 });
    expect((await rb.loss.data())[0]).toBeCloseTo((await ra.loss.data())[0], 6);
    const wa = a.backbone.model.getWeights(),
      wb = b.backbone.model.getWeights();
    for (let i = 0; i < wa.length; i++)
      expect(tf.max(tf.abs(tf.sub(wa[i], wb[i]))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([v1, v2, ra.loss, rb.loss, ...Object.values(ra.extra), ...Object.values(rb.extra)]);
  });

  it('flags non-finite weights and rejects foreign or newer objects', () => {
    const c = {
      format: 'simlab-checkpoint',
      version: 1,
      backbone: [{ shape: [2], dtype: 'float32', data: Float32Array.of(1, NaN) }],
      method: { tensors: {} },
      optimizer: { slots: [] },
    } as unknown as Parameters<typeof checkpointIsFinite>[0];
    expect(checkpointIsFinite(c)).toBe(false);
    expect(() => checkCheckpoint({ format: 'other' })).toThrow(/not a simlab checkpoint/);
    expect(() => checkCheckpoint({ format: 'simlab-checkpoint', version: 99 })).toThrow(/newer/);
  });
});
