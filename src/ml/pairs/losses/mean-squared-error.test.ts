import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../node-backend.testing';
import { meanSquaredError } from './mean-squared-error';

describe('meanSquaredError', () => {
  beforeAll(useWasmBackend);

  it('is the mean of the squared differences (hand-computed)', () => {
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
  });
});
