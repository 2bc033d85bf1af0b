import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../node-backend.testing';
import { loadPairsFixture } from '../pairs-reference.testing';
import { pairCosine } from './pair-cosine';

const L = loadPairsFixture().losses;

function close(got: ArrayLike<number>, want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i] - want[i]), `entry ${i}: ${got[i]} vs ${want[i]}`).toBeLessThan(tol);
}

describe('pairCosine against PyTorch 1.13', () => {
  beforeAll(useWasmBackend);

  it('cosine similarity as F.cosine_similarity', () => {
    const c = tf.tidy(() => pairCosine(tf.tensor2d(L.a), tf.tensor2d(L.b)));
    close(c.dataSync(), L.cosine, 1e-6);
    c.dispose();
  });
});
