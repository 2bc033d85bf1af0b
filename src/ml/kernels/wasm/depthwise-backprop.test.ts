import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend, useWasmBackend } from '../../node-backend.testing';
import { convGrads, maxRelError, type ConvCase } from './grad-check';
import { registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from './register';

const BASE: Omit<ConvCase, 'filter' | 'name'>[] = [
  { x: [2, 7, 9, 3], strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], strides: 2, pad: 'same' },
  { x: [2, 7, 9, 3], strides: 2, pad: 'valid' },
  { x: [3, 8, 8, 3], strides: 2, pad: 'same' },
  {
    x: [2, 7, 9, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  {
    x: [2, 7, 9, 3],
    strides: 1,
    pad: [
      [0, 0],
      [3, 1],
      [0, 3],
      [0, 0],
    ],
  },
];

const CASES: ConvCase[] = [];
for (const mult of [1, 2]) {
  for (const k of [3, 5, 1]) {
    for (const b of BASE) {
      if (k !== 3 && typeof b.pad !== 'string') continue;
      const pad = b.pad;
      const padName = typeof pad === 'string' ? pad : JSON.stringify(pad.slice(1, 3));
      CASES.push({
        ...b,
        filter: [k, k, b.x[3], mult],
        name: `${k}x${k} m${mult} s${b.strides} ${padName} ${b.x.slice(1, 3).join('x')}`,
      });
    }
  }
}
CASES.push({
  name: '3x3 m2 strides [2,1] same',
  x: [2, 7, 9, 2],
  filter: [3, 3, 2, 2],
  strides: [2, 1],
  pad: 'same',
});

describe('wasm DepthwiseConv2dNativeBackpropInput / BackpropFilter vs cpu', () => {
  const cpu = new Map<string, Awaited<ReturnType<typeof convGrads>>>();
  beforeAll(async () => {
    await useCpuBackend();
    for (const c of CASES) cpu.set(c.name, await convGrads('depthwise', c));
    await useWasmBackend();
    registerWasmTrainingKernels();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    const ref = cpu.get(c.name)!;
    const got = await convGrads('depthwise', c);
    expect(maxRelError(got.y, ref.y)).toBeLessThan(1e-4);
    expect(maxRelError(got.dx, ref.dx)).toBeLessThan(1e-4);
    expect(maxRelError(got.dw, ref.dw)).toBeLessThan(1e-4);
  });

  it('rejects dilations other than 1 clearly', () => {
    const x = tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;
    const dy = tf.zeros([1, 5, 5, 2]) as tf.Tensor4D;
    expect(() =>
      tf
        .engine()
        .runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x, dy },
          { strides: 1, dilations: 2, pad: 'same', filterShape: [3, 3, 2, 1] },
        ),
    ).toThrow(/dilations/);
    tf.dispose([x, dy]);
  });
});
