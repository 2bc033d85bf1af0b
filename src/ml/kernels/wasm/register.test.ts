import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../rng';
import { useCpuBackend, useWasmBackend } from '../../node-backend.testing';
import { maxRelError } from './grad-check';
import {
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNEL_NAMES,
  wasmTrainingKernelsRegistered,
} from './register';

type Params = Record<string, Float32Array>;
const SHAPES: Record<string, number[]> = {
  c1: [3, 3, 3, 4], // conv 3x3 s1 same
  d1: [3, 3, 4, 2], // depthwise 3x3 s2 same, multiplier 2
  c2: [1, 1, 8, 6], // pointwise
  c3: [3, 3, 6, 5], // conv 3x3 s2 valid
  fc: [5, 3],
};

function initParams(seed: number): Params {
  const rng = createRng(seed);
  const p: Params = {};
  for (const [k, s] of Object.entries(SHAPES)) {
    const a = new Float32Array(s.reduce((x, y) => x * y, 1));
    const fanIn = s.slice(0, -1).reduce((x, y) => x * y, 1);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * Math.sqrt(2 / fanIn);
    p[k] = a;
  }
  return p;
}

function batch(seed: number): { x: Float32Array; y: Int32Array } {
  const rng = createRng(seed);
  const x = new Float32Array(4 * 11 * 13 * 3);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
  return { x, y: Int32Array.from({ length: 4 }, () => rng.int(3)) };
}

/** One SGD step (lr 0.1) of a tiny convnet with conv, depthwise, pointwise and strided convs. */
function sgdStep(
  vars: Record<string, tf.Variable>,
  data: { x: Float32Array; y: Int32Array },
): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.tensor4d(data.x, [4, 11, 13, 3]);
    const labels = tf.oneHot(tf.tensor1d(data.y, 'int32'), 3);
    const loss = (): tf.Scalar => {
      let h = tf.relu(tf.conv2d(x, vars.c1 as tf.Tensor4D, 1, 'same'));
      h = tf.relu(tf.depthwiseConv2d(h, vars.d1 as tf.Tensor4D, 2, 'same'));
      h = tf.relu(tf.conv2d(h, vars.c2 as tf.Tensor4D, 1, 'same'));
      h = tf.relu(tf.conv2d(h, vars.c3 as tf.Tensor4D, 2, 'valid'));
      const logits = tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, vars.fc as tf.Tensor2D);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(loss);
    for (const v of Object.values(vars)) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.1)));
    return value;
  });
}

async function train(steps: number): Promise<{ params: Params; losses: number[] }> {
  const init = initParams(3);
  const vars: Record<string, tf.Variable> = {};
  for (const [k, s] of Object.entries(SHAPES))
    vars[k] = tf.variable(tf.tensor(init[k], s), true, `kt_${k}_${tf.getBackend()}`);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const l = sgdStep(vars, batch(100 + i));
    losses.push((await l.data())[0]);
    l.dispose();
  }
  const params: Params = {};
  for (const [k, v] of Object.entries(vars)) params[k] = (await v.data()) as Float32Array;
  tf.dispose(Object.values(vars));
  return { params, losses };
}

describe('registerWasmTrainingKernels', () => {
  let cpu: { params: Params; losses: number[] };
  beforeAll(async () => {
    await useCpuBackend();
    cpu = await train(2);
    await useWasmBackend();
  });

  it('installs the four kernels once (idempotent)', () => {
    registerWasmTrainingKernels();
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    expect(registerWasmTrainingKernels()).toEqual([]);
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('a small convnet trains on wasm exactly as on cpu (2 SGD steps)', async () => {
    registerWasmTrainingKernels();
    const wasm = await train(2);
    for (let i = 0; i < cpu.losses.length; i++)
      expect(Math.abs(wasm.losses[i] - cpu.losses[i])).toBeLessThan(
        1e-4 * Math.abs(cpu.losses[i]) + 1e-6,
      );
    for (const k of Object.keys(SHAPES))
      expect(maxRelError(wasm.params[k], cpu.params[k]), k).toBeLessThan(1e-4);
  });

  it('keeps the tensor count flat over repeated training steps', async () => {
    registerWasmTrainingKernels();
    const vars: Record<string, tf.Variable> = {};
    const init = initParams(5);
    for (const [k, s] of Object.entries(SHAPES))
      vars[k] = tf.variable(tf.tensor(init[k], s), true, `kt_flat_${k}`);
    sgdStep(vars, batch(0)).dispose();
    const before = tf.memory().numTensors;
    for (let i = 1; i <= 5; i++) sgdStep(vars, batch(i)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(vars));
  });

  it('keeps the tensor and data-id counts flat over repeated direct kernel calls', () => {
    registerWasmTrainingKernels();
    const x = tf.ones([2, 7, 9, 3]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 3, 4]) as tf.Tensor4D;
    const dw = tf.ones([3, 3, 3, 2]) as tf.Tensor4D;
    const call = (): void => {
      const outs = [
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: tf.ones([2, 4, 5, 4]), filter: w },
            { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape },
          ),
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy: tf.ones([2, 4, 5, 4]) },
            { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape },
          ),
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: tf.ones([2, 4, 5, 6]), filter: dw },
            { strides: 2, dilations: 1, pad: 'same', inputShape: x.shape },
          ),
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy: tf.ones([2, 4, 5, 6]) },
            { strides: 2, dilations: 1, pad: 'same', filterShape: dw.shape },
          ),
      ];
      tf.dispose(outs as tf.Tensor[]);
    };
    tf.tidy(call);
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) tf.tidy(call);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([x, w, dw]);
  });
});
