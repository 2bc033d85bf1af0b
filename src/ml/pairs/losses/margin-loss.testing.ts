/**
 * Test helper: checks a two-embedding margin loss (cosine embedding, contrastive) against the
 * PyTorch 1.13 values and gradients in tests/reference/fixtures/pairs_reference.json, for each
 * margin the fixture holds, with a flat tensor count; and that a margin out of range is refused.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../node-backend.testing';
import { loadPairsFixture } from '../pairs-reference.testing';

type MarginLoss = (a: tf.Tensor2D, b: tf.Tensor2D, y: tf.Tensor1D, margin: number) => tf.Scalar;

interface MarginReference {
  margin: number;
  loss: number;
  grad_a: number[][];
  grad_b: number[][];
}

function close(got: ArrayLike<number>, want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i] - want[i]), `entry ${i}: ${got[i]} vs ${want[i]}`).toBeLessThan(tol);
}

export function describeMarginLoss(
  name: string,
  loss: MarginLoss,
  references: (l: ReturnType<typeof loadPairsFixture>['losses']) => MarginReference[],
  badMargin: number,
): void {
  const L = loadPairsFixture().losses;
  describe(`${name} against PyTorch 1.13`, () => {
    beforeAll(useWasmBackend);
    const a = () => tf.tensor2d(L.a),
      b = () => tf.tensor2d(L.b),
      y = () => tf.tensor1d(L.y);

    it('value and gradients for each margin', () => {
      for (const ref of references(L)) {
        const before = tf.memory().numTensors;
        const A = a(),
          B = b(),
          Y = y();
        const f = (x1: tf.Tensor, x2: tf.Tensor): tf.Scalar =>
          loss(x1 as tf.Tensor2D, x2 as tf.Tensor2D, Y, ref.margin);
        const { value, grads } = tf.valueAndGrads(f)([A, B]);
        expect(Math.abs(value.dataSync()[0] - ref.loss)).toBeLessThan(1e-5);
        close(grads[0].dataSync(), ref.grad_a.flat(), 1e-5);
        close(grads[1].dataSync(), ref.grad_b.flat(), 1e-5);
        tf.dispose([A, B, Y, value, ...grads]);
        expect(tf.memory().numTensors).toBe(before);
      }
    });

    it('rejects a margin out of range', () => {
      const A = a(),
        B = b(),
        Y = y();
      expect(() => loss(A, B, Y, badMargin)).toThrow(/margin/);
      tf.dispose([A, B, Y]);
    });
  });
}
