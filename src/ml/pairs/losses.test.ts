import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../testing/node-backend';
import {
  binaryCrossEntropyWithLogits,
  contrastiveLoss,
  cosineEmbeddingLoss,
  meanSquaredError,
  pairCosine,
} from './losses';
import { loadPairsFixture } from './reference-fixture';

const L = loadPairsFixture().losses;

function close(got: ArrayLike<number>, want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i] - want[i]), `entry ${i}: ${got[i]} vs ${want[i]}`).toBeLessThan(tol);
}

describe('pair losses against PyTorch 1.13', () => {
  beforeAll(useWasmBackend);
  const a = () => tf.tensor2d(L.a),
    b = () => tf.tensor2d(L.b),
    y = () => tf.tensor1d(L.y);

  it('cosine similarity as F.cosine_similarity', () => {
    const c = tf.tidy(() => pairCosine(a(), b()));
    close(c.dataSync(), L.cosine, 1e-6);
    c.dispose();
  });

  for (const loss of ['cosine_embedding', 'contrastive'] as const) {
    it(`${loss}: value and gradients for each margin`, () => {
      for (const ref of L[loss]) {
        const before = tf.memory().numTensors;
        const A = a(),
          B = b(),
          Y = y();
        const f = (x1: tf.Tensor, x2: tf.Tensor): tf.Scalar =>
          loss === 'contrastive'
            ? contrastiveLoss(x1 as tf.Tensor2D, x2 as tf.Tensor2D, Y, ref.margin)
            : cosineEmbeddingLoss(x1 as tf.Tensor2D, x2 as tf.Tensor2D, Y, ref.margin);
        const { value, grads } = tf.valueAndGrads(f)([A, B]);
        expect(Math.abs(value.dataSync()[0] - ref.loss)).toBeLessThan(1e-5);
        close(grads[0].dataSync(), ref.grad_a.flat(), 1e-5);
        close(grads[1].dataSync(), ref.grad_b.flat(), 1e-5);
        tf.dispose([A, B, Y, value, ...grads]);
        expect(tf.memory().numTensors).toBe(before);
      }
    });
  }

  it('binary cross-entropy on logits: value and gradient', () => {
    const z = tf.tensor1d(L.z),
      Y = y();
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) =>
      binaryCrossEntropyWithLogits(t as tf.Tensor1D, Y),
    )(z);
    expect(Math.abs(value.dataSync()[0] - L.bce.loss)).toBeLessThan(1e-6);
    close(grad.dataSync(), L.bce.grad_z, 1e-6);
    // Stable at large logits.
    const big = tf.tidy(() =>
      binaryCrossEntropyWithLogits(tf.tensor1d([200, -200]), tf.tensor1d([0, 1])),
    );
    expect(big.dataSync()[0]).toBeCloseTo(200, 3);
    tf.dispose([z, Y, value, grad, big]);
  });

  it('MSE and margin validation', () => {
    const m = tf.tidy(() =>
      meanSquaredError(
        tf.tensor2d([
          [0, 1],
          [2, 3],
        ]),
        tf.tensor2d([
          [1, 1],
          [2, 5],
        ]),
      ),
    );
    expect(m.dataSync()[0]).toBeCloseTo(5 / 4, 6);
    m.dispose();
    const A = a(),
      B = b(),
      Y = y();
    expect(() => cosineEmbeddingLoss(A, B, Y, 1.5)).toThrow(/margin/);
    expect(() => contrastiveLoss(A, B, Y, 0)).toThrow(/margin/);
    tf.dispose([A, B, Y]);
  });
});
