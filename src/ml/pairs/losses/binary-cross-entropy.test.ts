import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../node-backend.testing';
import { loadPairsFixture } from '../pairs-reference.testing';
import { binaryCrossEntropyWithLogits } from './binary-cross-entropy';

const L = loadPairsFixture().losses;

function close(got: ArrayLike<number>, want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i] - want[i]), `entry ${i}: ${got[i]} vs ${want[i]}`).toBeLessThan(tol);
}

describe('binaryCrossEntropyWithLogits against PyTorch 1.13', () => {
  beforeAll(useWasmBackend);

  it('value and gradient', () => {
    const z = tf.tensor1d(L.z),
      Y = tf.tensor1d(L.y);
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
});
