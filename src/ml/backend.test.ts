import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useCpuBackend, useWasmBackend } from './node-backend.testing';

describe('backends in Node', () => {
  it('wasm and cpu agree on a matmul', async () => {
    const av = [1, 2, 3, 4, 5, 6],
      bv = [1, 0, -1, 2, 0.5, 3];
    await useWasmBackend();
    const w = await tf.matMul(tf.tensor2d(av, [2, 3]), tf.tensor2d(bv, [3, 2])).data();
    expect(tf.getBackend()).toBe('wasm');
    await useCpuBackend();
    const c = await tf.matMul(tf.tensor2d(av, [2, 3]), tf.tensor2d(bv, [3, 2])).data();
    expect(Array.from(w)).toEqual(Array.from(c));
  });
});
