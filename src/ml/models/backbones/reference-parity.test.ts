/**
 * Forward parity with torchvision / PyTorch: tests/reference/backbones_reference.py builds the same
 * networks, fills them from a deterministic formula (documented there, replicated in
 * backbones-reference.testing.ts) and records state_dict keys, eval-mode embeddings and
 * training-mode running statistics. Gradients: reference-gradients.test.ts.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../node-backend.testing';
import { createBackbone } from './index';
import { loadTorchStateDict, toTorchStateDict, torchWeightEntries } from './torch-state-dict';
import {
  formulaInput,
  formulaStateDict,
  loadBackbonesFixture,
  maxAbs,
  maxAbsDiff,
  REPO_ROOT,
} from './backbones-reference.testing';

const fixture = loadBackbonesFixture();
const root = REPO_ROOT;

describe('backbones match PyTorch (fixture from tests/reference/backbones_reference.py)', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('fixture was written by the committed script', () => {
    const sha = createHash('sha256')
      .update(readFileSync(resolve(root, fixture.script)))
      .digest('hex');
    expect(sha).toBe(fixture.scriptSha256);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: same state_dict keys/shapes, eval embedding${c.train ? ', training-mode BN' : ''}`, async () => {
      const { model, embeddingDim } = createBackbone(c.config, { initWeights: false });
      try {
        // Same names and shapes; the order is tfjs' topological layer order (a residual block's
        // downsample branch may come before its conv2), which a state_dict keyed by name ignores.
        const byName = (a: [string, number[]], b: [string, number[]]) =>
          a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
        const ours = torchWeightEntries(model).map((e): [string, number[]] => [
          e.torchName,
          e.torchShape,
        ]);
        expect(ours.sort(byName)).toEqual([...c.keys].sort(byName));
        expect(embeddingDim).toBe(c.embeddingShape[1]);

        const dict = formulaStateDict(c.keys);
        loadTorchStateDict(model, dict);
        // The round trip back to torch layout is the identity.
        const back = await toTorchStateDict(model);
        for (const [k] of c.keys) expect(maxAbsDiff(back[k].data, dict[k].data)).toBe(0);

        const x = formulaInput(c.inputShapeNCHW);
        const y = model.predict(x) as tf.Tensor;
        expect(y.shape).toEqual(c.embeddingShape);
        expect(y.size).toBe(c.embedding.length);
        const err = maxAbsDiff(await y.data(), c.embedding);
        console.log(
          `[parity] ${c.name}: eval max|Δ| = ${err.toExponential(2)} (max|ref| = ${maxAbs(c.embedding).toFixed(2)})`,
        );
        expect(err).toBeLessThanOrEqual(1e-4);
        y.dispose();

        if (c.train) {
          let yt: tf.Tensor | null = null;
          for (let p = 0; p < c.train.passes; p++) {
            yt?.dispose();
            yt = model.apply(x, { training: true }) as tf.Tensor;
          }
          const errT = maxAbsDiff(await yt!.data(), c.train.embedding);
          yt!.dispose();
          const after = await toTorchStateDict(model);
          let errStats = 0;
          for (const [k, v] of Object.entries(c.train.stats))
            errStats = Math.max(errStats, maxAbsDiff(after[k].data, v));
          console.log(
            `[parity] ${c.name}: train max|Δ| embedding = ${errT.toExponential(2)}, running stats = ${errStats.toExponential(2)}`,
          );
          expect(errT).toBeLessThanOrEqual(1e-4);
          expect(errStats).toBeLessThanOrEqual(1e-4);
        }
        x.dispose();
      } finally {
        model.dispose();
      }
    });
  }
});
