import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { loadEvalFixture } from './eval-reference.testing';
import { probeProbabilities, trainLinearProbe } from './linear-probe';

describe('linear probe', () => {
  beforeAll(useWasmBackend);
  const { probe } = loadEvalFixture();
  const dim = probe.train_x[0].length;
  const train = { x: probe.train_x.flat(), y: probe.train_y };
  const test = { x: probe.test_x.flat(), y: probe.test_y };

  it('is within 1 point of sklearn LogisticRegression(lbfgs, C=1) on fixed embeddings', async () => {
    const epochs: number[] = [];
    const r = await trainLinearProbe(train, test, dim, probe.num_classes, {
      epochs: 80,
      batchSize: 100,
      learningRate: 0.05,
      onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(epochs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(r.curves).toHaveLength(80);
    // The objective decreases over training.
    expect(r.curves[79].loss).toBeLessThan(r.curves[0].loss - 0.2);
    expect(Math.abs(r.testAccuracy - probe.test_accuracy)).toBeLessThanOrEqual(0.01 + 1e-12);
    expect(Math.abs(r.trainAccuracy - probe.train_accuracy)).toBeLessThanOrEqual(0.02);
    expect(r.weights).toHaveLength(dim * probe.num_classes);
    expect(r.testPredictions).toHaveLength(probe.test_y.length);
  });

  it("probeProbabilities: rows sum to 1 and their argmax is the probe's own test prediction", async () => {
    const r = await trainLinearProbe(train, test, dim, probe.num_classes, { epochs: 20 });
    const c = probe.num_classes;
    const p = probeProbabilities(r, test.x, dim);
    expect(p).toHaveLength(test.y.length * c);
    for (let i = 0; i < test.y.length; i++) {
      let sum = 0,
        best = 0;
      for (let j = 0; j < c; j++) {
        sum += p[i * c + j];
        if (p[i * c + j] > p[i * c + best]) best = j;
      }
      expect(sum).toBeCloseTo(1, 5);
      expect(best, `row ${i}`).toBe(r.testPredictions[i]);
    }
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await trainLinearProbe(train, test, dim, probe.num_classes, { epochs: 3 });
    await trainLinearProbe(train, test, dim, probe.num_classes, { epochs: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
