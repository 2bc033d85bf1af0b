import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { benchmarkAugment } from './benchmark';

beforeAll(async () => {
  await useWasmBackend();
});

describe('benchmarkAugment', () => {
  it('times augmentPair on the active backend and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const r = await benchmarkAugment({
      n: 4,
      inputSize: 16,
      outputSize: 8,
      preset: 'byol',
      repeats: 2,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r).toMatchObject({
      backend: 'wasm',
      n: 4,
      inputSize: 16,
      outputSize: 8,
      preset: 'byol',
    });
    expect(r.pairMs).toHaveLength(2);
    for (const ms of r.pairMs) expect(ms).toBeGreaterThan(0);
    expect(r.medianViewMs).toBeCloseTo(r.medianPairMs / 2, 10);
    await expect(
      benchmarkAugment({ preset: 'nope', n: 1, inputSize: 8, outputSize: 8 }),
    ).rejects.toThrow(/valid presets/);
  });
});
