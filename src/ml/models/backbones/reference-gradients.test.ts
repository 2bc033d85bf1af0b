/**
 * Gradient parity with PyTorch on the cpu backend (the wasm backend as shipped lacks the conv /
 * depthwise backprop kernels). One training-mode pass on the fixture's input, loss =
 * sum(embedding · r); gradients of selected parameters compared in torch layout.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useCpuBackend } from '../../node-backend.testing';
import { createBackbone } from './index';
import { loadTorchStateDict, torchWeightEntries } from './torch-state-dict';
import {
  formulaInput,
  formulaLossWeights,
  formulaStateDict,
  loadBackbonesFixture,
  maxAbs,
  maxAbsDiff,
} from './backbones-reference.testing';

const cases = loadBackbonesFixture().cases.filter((c) => c.grads);

describe('backbone gradients match PyTorch (cpu backend)', () => {
  beforeAll(async () => {
    await useCpuBackend();
  });

  it('the fixture has gradient cases', () => {
    expect(cases.map((c) => c.name)).toEqual(['mobilenetv3-lowres-w0.5', 'convnet-gelu-bn-2x3']);
  });

  for (const c of cases) {
    it(`${c.name}: d sum(embedding·r) / d params`, async () => {
      const { model } = createBackbone(c.config, { initWeights: false });
      try {
        loadTorchStateDict(model, formulaStateDict(c.keys));
        const x = formulaInput(c.inputShapeNCHW);
        const r = formulaLossWeights(c.embeddingShape);
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar,
        );
        const entries = new Map(torchWeightEntries(model).map((e) => [e.torchName, e]));
        for (const [name, ref] of Object.entries(c.grads!)) {
          const e = entries.get(name)!;
          const g = grads[e.variable.name];
          expect(g, `gradient for ${name}`).toBeDefined();
          // tfjs layout → torch layout, as the weights themselves.
          const gt = tf.tidy(() => {
            if (e.kind === 'conv') return tf.transpose(g, [3, 2, 0, 1]);
            if (e.kind === 'depthwise')
              return tf.reshape(tf.transpose(g, [2, 3, 0, 1]), e.torchShape);
            return g.clone();
          });
          const err = maxAbsDiff(await gt.data(), ref);
          gt.dispose();
          console.log(
            `[grad] ${c.name} ${name}: max|Δ| = ${err.toExponential(2)} (max|ref| = ${maxAbs(ref).toExponential(2)})`,
          );
          expect(err).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs(ref)));
        }
        // Every trainable weight received a gradient.
        expect(Object.keys(grads).length).toBe(model.trainableWeights.length);
        value.dispose();
        tf.dispose(Object.values(grads));
        tf.dispose([x, r]);
      } finally {
        model.dispose();
      }
    });
  }
});
