import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../../node-backend.testing';
import { HardSigmoid, HardSwish } from './hard-activations';

describe('hard-swish / hard-sigmoid (PyTorch definitions)', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('match relu6(x + 3) / 6 and x · relu6(x + 3) / 6 pointwise, incl. the kinks at ±3', async () => {
    const xs = [-5, -3, -2.5, -1, 0, 0.5, 1, 2.9, 3, 4, 7];
    const x = tf.tensor(xs);
    const hs = new HardSigmoid({ name: 'hs' }).apply(x) as tf.Tensor;
    const hw = new HardSwish({ name: 'hw' }).apply(x) as tf.Tensor;
    const relu6 = (v: number) => Math.min(6, Math.max(0, v));
    const s = await hs.data();
    const w = await hw.data();
    xs.forEach((v, i) => {
      expect(s[i]).toBeCloseTo(relu6(v + 3) / 6, 6);
      expect(w[i]).toBeCloseTo((v * relu6(v + 3)) / 6, 5);
    });
    tf.dispose([x, hs, hw]);
  });
});
