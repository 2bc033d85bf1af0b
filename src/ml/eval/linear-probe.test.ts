import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { loadEvalFixture } from './eval-reference.testing';
import { fitLinearProbe, probeProbabilities, trainLinearProbe } from './linear-probe';
import { loadProbeReference } from './probe-reference.testing';

describe('linear probe (L-BFGS) against sklearn LogisticRegression', () => {
  beforeAll(useWasmBackend);
  const ref = loadProbeReference();
  const { dim, num_classes: c } = ref;

  it.each(ref.cases.map((k) => [k.C, k] as const))(
    'random-init ConvNet embeddings of cifar10, C = %s: accuracy within 0.5 points, objective and probabilities match',
    async (C, k) => {
      const seen: number[] = [];
      const r = await trainLinearProbe(ref.train, ref.test, dim, c, {
        C,
        maxIterations: 500,
        onIteration: (e) => seen.push(e.epoch),
      });
      const p = r.probe;
      // Converged (gradient or round-off floor), well inside the iteration budget.
      expect(p.stop).not.toBe('max-iterations');
      expect(Math.abs(r.testAccuracy - k.test_accuracy)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(r.trainAccuracy - k.train_accuracy)).toBeLessThanOrEqual(0.005);
      // The objective at sklearn's converged weights is the minimum; ours is within float32 noise.
      expect(Math.abs(p.loss - k.objective)).toBeLessThan(2e-5 * k.objective);
      const probs = p.predictProba(ref.test.x.subarray(0, 20 * dim));
      for (let i = 0; i < 20; i++)
        for (let j = 0; j < c; j++)
          expect(Math.abs(probs[i * c + j] - k.test_proba_first20[i][j])).toBeLessThan(2e-3);
      // Per-iteration curve: one point per iteration, the objective strictly decreasing.
      expect(seen).toEqual(Array.from({ length: p.iterations }, (_, i) => i + 1));
      expect(p.curves.map((e) => e.epoch)).toEqual(seen);
      for (let i = 1; i < p.curves.length; i++)
        expect(p.curves[i].loss).toBeLessThan(p.curves[i - 1].loss);
      expect(p.curves.at(-1)?.loss).toBe(p.loss);
      expect(p.curves.at(-1)?.trainAccuracy).toBe(p.trainAccuracy);
      console.log(
        `probe C=${C}: ${p.iterations} iterations (${p.evaluations} passes, stop ${p.stop}); ` +
          `test ${r.testAccuracy.toFixed(4)} vs sklearn ${k.test_accuracy.toFixed(4)}; ` +
          `objective ${p.loss.toFixed(7)} vs ${k.objective.toFixed(7)} (sklearn ${k.n_iter} iterations)`,
      );
    },
  );

  it('the fixture was written by the current probe_reference.py', () => {
    const script = readFileSync(
      new URL('../../../tests/reference/probe_reference.py', import.meta.url),
    );
    expect(ref.script_sha256, 'probe_reference.json is stale: rerun the script').toBe(
      createHash('sha256').update(script).digest('hex'),
    );
  });

  it('the weights are the same minimiser as sklearn’s (coef_ and intercept_)', async () => {
    const k = ref.cases.find((q) => q.C < 1) ?? ref.cases[0];
    const p = await fitLinearProbe(ref.train.x, ref.train.y, dim, c, {
      C: k.C,
      maxIterations: 500,
    });
    let diff = 0,
      norm = 0;
    for (let d = 0; d < dim; d++)
      for (let j = 0; j < c; j++) {
        diff += (p.weights[d * c + j] - k.coef[j][d]) ** 2;
        norm += k.coef[j][d] ** 2;
      }
    expect(Math.sqrt(diff / norm)).toBeLessThan(5e-3);
    for (let j = 0; j < c; j++) expect(p.bias[j]).toBeCloseTo(k.intercept[j], 2);
  });
});

describe('linear probe', () => {
  beforeAll(useWasmBackend);
  const { probe } = loadEvalFixture();
  const dim = probe.train_x[0].length;
  const train = { x: probe.train_x.flat(), y: probe.train_y };
  const test = { x: probe.test_x.flat(), y: probe.test_y };

  it('Gaussian fixture: sklearn’s accuracies; the plain (unpreconditioned) L-BFGS reaches the same objective', async () => {
    const a = await trainLinearProbe(train, test, dim, probe.num_classes, { C: probe.C });
    expect(Math.abs(a.testAccuracy - probe.test_accuracy)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(a.trainAccuracy - probe.train_accuracy)).toBeLessThanOrEqual(0.005);
    const b = await trainLinearProbe(train, test, dim, probe.num_classes, {
      C: probe.C,
      precondition: false,
      maxIterations: 1000,
    });
    expect(Math.abs(a.probe.loss - b.probe.loss)).toBeLessThan(1e-5 * a.probe.loss);
    expect(b.testAccuracy).toBe(a.testAccuracy);
  });

  it('maxIterations caps the iterations (the curve has one point each)', async () => {
    const r = await fitLinearProbe(train.x, train.y, dim, probe.num_classes, { maxIterations: 3 });
    expect(r.iterations).toBe(3);
    expect(r.stop).toBe('max-iterations');
    expect(r.curves).toHaveLength(3);
  });

  it("probeProbabilities / predictProba: rows sum to 1 and their argmax is the probe's own prediction", async () => {
    const r = await trainLinearProbe(train, test, dim, probe.num_classes, { maxIterations: 20 });
    const c = probe.num_classes;
    const p = probeProbabilities(r.probe, test.x, dim);
    expect(p).toEqual(r.testProbabilities);
    expect(p).toEqual(r.probe.predictProba(test.x));
    expect(r.probe.predict(test.x)).toEqual(r.testPredictions);
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

  it('refuses bad input and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await fitLinearProbe(train.x, train.y, dim, probe.num_classes, { maxIterations: 3 });
    await trainLinearProbe(train, test, dim, probe.num_classes, { maxIterations: 3 });
    await expect(
      fitLinearProbe(train.x, train.y, dim, probe.num_classes, { C: 0 }),
    ).rejects.toThrow(/C must be positive/);
    await expect(
      fitLinearProbe(
        train.x,
        train.y.map(() => probe.num_classes),
        dim,
        probe.num_classes,
      ),
    ).rejects.toThrow(/outside/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
