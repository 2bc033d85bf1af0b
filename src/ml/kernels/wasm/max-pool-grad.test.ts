import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend, useWasmBackend } from '../../node-backend.testing';
import { createRng } from '../../rng';
import { maxPoolGradKernel } from './max-pool-grad';

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  k: number;
  s: number;
  pad: 'valid' | 'same';
  /** Small integers: many ties inside windows (the first maximum must win, as on cpu). */
  ties: boolean;
}

const CASES: PoolCase[] = [
  { name: '2x2 s2 valid', x: [2, 8, 8, 5], k: 2, s: 2, pad: 'valid', ties: false },
  { name: '2x2 s2 valid, odd size', x: [2, 7, 9, 3], k: 2, s: 2, pad: 'valid', ties: false },
  { name: '2x2 s2 valid, ties', x: [2, 6, 6, 4], k: 2, s: 2, pad: 'valid', ties: true },
  { name: '3x3 s2 same (overlap, pad)', x: [2, 7, 7, 3], k: 3, s: 2, pad: 'same', ties: false },
  { name: '3x3 s1 same, ties', x: [1, 5, 6, 2], k: 3, s: 1, pad: 'same', ties: true },
];

/** dx of sum(maxPool(x)·g) for seeded x, g on the active backend. */
async function poolGrad(c: PoolCase): Promise<Float32Array> {
  const rng = createRng(c.x.reduce((a, b) => a * b, c.k));
  const n = c.x.reduce((a, b) => a * b, 1);
  const x = tf.tensor4d(
    Float32Array.from({ length: n }, () => (c.ties ? rng.int(3) : rng.normal())),
    c.x,
  );
  const y = tf.maxPool(x, c.k, c.s, c.pad);
  const g = tf.tensor(
    Float32Array.from({ length: y.size }, () => rng.normal()),
    y.shape,
  );
  const dx = tf.grad((a: tf.Tensor) =>
    tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.k, c.s, c.pad), g)),
  )(x);
  const out = Float32Array.from(await dx.data());
  tf.dispose([x, y, g, dx]);
  return out;
}

describe('wasm MaxPoolGrad vs cpu', () => {
  const cpu = new Map<string, Float32Array>();
  beforeAll(async () => {
    await useCpuBackend();
    for (const c of CASES) cpu.set(c.name, await poolGrad(c));
    await useWasmBackend();
  });

  it('is the registered wasm kernel', () => {
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).toBe(maxPoolGradKernel);
  });

  for (const c of CASES) {
    it(`${c.name}: equals the cpu backend (≤ 1e-5)`, async () => {
      const got = await poolGrad(c);
      const ref = cpu.get(c.name)!;
      expect(got.length).toBe(ref.length);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
      expect(worst).toBeLessThanOrEqual(1e-5);
      expect(ref.some((v) => v !== 0)).toBe(true);
    });
  }
});
