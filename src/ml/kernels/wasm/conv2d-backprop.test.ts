import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend, useWasmBackend } from '../../node-backend.testing';
import { convGrads, maxRelError, type ConvCase } from './grad-check';
import { registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from './register';

const CASES: ConvCase[] = [
  { name: '3x3 s1 same 7x9 b2', x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3 s2 same 7x9 b2', x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 s2 valid 7x9', x: [2, 7, 9, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  {
    name: '3x3 s2 same 8x8 (ResNet downsample)',
    x: [3, 8, 8, 4],
    filter: [3, 3, 4, 6],
    strides: 2,
    pad: 'same',
  },
  { name: '5x5 s1 valid 7x9', x: [2, 7, 9, 2], filter: [5, 5, 2, 3], strides: 1, pad: 'valid' },
  { name: '5x5 s2 same 7x9', x: [2, 7, 9, 2], filter: [5, 5, 2, 3], strides: 2, pad: 'same' },
  { name: '1x1 s1 same', x: [2, 7, 9, 3], filter: [1, 1, 3, 4], strides: 1, pad: 'same' },
  {
    name: '1x1 s2 valid (shortcut)',
    x: [2, 7, 9, 3],
    filter: [1, 1, 3, 4],
    strides: 2,
    pad: 'valid',
  },
  { name: '1x1 s2 same 8x8', x: [2, 8, 8, 3], filter: [1, 1, 3, 4], strides: 2, pad: 'same' },
  {
    name: '1x1 s2 explicit [1,0]x[0,1]',
    x: [2, 7, 9, 3],
    filter: [1, 1, 3, 4],
    strides: 2,
    pad: [
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 0],
    ],
  },
  {
    name: '4x4 s2 same (even kernel)',
    x: [2, 9, 7, 2],
    filter: [4, 4, 2, 3],
    strides: 2,
    pad: 'same',
  },
  { name: '3x3 s3 valid', x: [2, 10, 11, 2], filter: [3, 3, 2, 3], strides: 3, pad: 'valid' },
  {
    name: '3x3 strides [2,1] same',
    x: [2, 7, 9, 3],
    filter: [3, 3, 3, 4],
    strides: [2, 1],
    pad: 'same',
  },
  {
    name: '3x3 strides [1,2] valid',
    x: [2, 7, 9, 3],
    filter: [3, 3, 3, 4],
    strides: [1, 2],
    pad: 'valid',
  },
  {
    name: '3x3 s2 explicit [1,2]x[2,0]',
    x: [2, 7, 9, 3],
    filter: [3, 3, 3, 4],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  {
    name: '3x3 s1 explicit [3,1]x[0,3] (pad > k-1)',
    x: [2, 7, 9, 3],
    filter: [3, 3, 3, 4],
    strides: 1,
    pad: [
      [0, 0],
      [3, 1],
      [0, 3],
      [0, 0],
    ],
  },
  {
    name: '3x3 s2 explicit [1,1] (PyTorch padding=1)',
    x: [2, 8, 8, 3],
    filter: [3, 3, 3, 4],
    strides: 2,
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
];

describe('wasm Conv2DBackpropInput / Conv2DBackpropFilter vs cpu', () => {
  const cpu = new Map<string, Awaited<ReturnType<typeof convGrads>>>();
  beforeAll(async () => {
    await useCpuBackend();
    for (const c of CASES) cpu.set(c.name, await convGrads('conv', c));
    await useWasmBackend();
    registerWasmTrainingKernels();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    const ref = cpu.get(c.name)!;
    const got = await convGrads('conv', c);
    expect(maxRelError(got.y, ref.y)).toBeLessThan(1e-4);
    expect(maxRelError(got.dx, ref.dx)).toBeLessThan(1e-4);
    expect(maxRelError(got.dw, ref.dw)).toBeLessThan(1e-4);
  });

  it('trains a tf.layers conv model (fused conv + bias + relu) exactly as on cpu', async () => {
    const run = async (): Promise<Float32Array[]> => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [9, 7, 2],
            filters: 3,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: tf.initializers.ones(),
          }),
          tf.layers.depthwiseConv2d({
            kernelSize: 3,
            depthMultiplier: 2,
            padding: 'valid',
            depthwiseInitializer: tf.initializers.constant({ value: 0.1 }),
          }),
          tf.layers.flatten(),
          tf.layers.dense({
            units: 2,
            kernelInitializer: tf.initializers.constant({ value: 0.05 }),
          }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
      const xs = tf.tensor4d(
        Float32Array.from({ length: 3 * 9 * 7 * 2 }, (_, i) => Math.sin(i * 0.37)),
        [3, 9, 7, 2],
      );
      const ys = tf.tensor2d([0.5, -1, 1, 0.25, -0.5, 2], [3, 2]);
      await model.fit(xs, ys, { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 });
      const out = await Promise.all(
        model.getWeights().map(async (w) => (await w.data()) as Float32Array),
      );
      tf.dispose([xs, ys]);
      model.dispose();
      return out;
    };
    await useCpuBackend();
    const ref = await run();
    await useWasmBackend();
    const got = await run();
    expect(got.length).toBe(ref.length);
    got.forEach((g, i) => expect(maxRelError(g, ref[i])).toBeLessThan(1e-4));
  });

  it('rejects NCHW clearly', () => {
    const dy = tf.zeros([1, 2, 3, 3]) as tf.Tensor4D;
    const w = tf.zeros([3, 3, 2, 2]) as tf.Tensor4D;
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter: w },
          { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: [1, 2, 3, 3] },
        ),
    ).toThrow(/NCHW/);
    tf.dispose([dy, w]);
  });
});
