/**
 * Browser entry for batch-norm-webgpu.test.ts (bundled by the test with esbuild, loaded in a blank
 * page): runs the fused batch-norm-act op on a chosen backend for seeded cases and returns its
 * outputs and the gradients of sum(y·w), plus the tensor count drift over repeated steps.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { batchNormActTrain, BN_ACT_TRAIN } from '../../src/ml/ops/batch-norm-act/op';
import { createRng } from '../../src/ml/rng';

export interface BnCase {
  shape: number[];
  relu: boolean;
  offset: number;
}

export interface BnCaseResult {
  y: number[];
  mean: number[];
  variance: number[];
  invstd: number[];
  dx: number[];
  dgamma: number[];
  dbeta: number[];
}

function seeded(n: number, seed: number, scale: number, offset: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => offset + scale * rng.normal());
}

async function runCase(c: BnCase, seed: number): Promise<BnCaseResult> {
  const ch = c.shape[c.shape.length - 1];
  const n = c.shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(seeded(n, seed, 2, c.offset), c.shape);
  const gamma = tf.tensor1d(seeded(ch, seed + 1, 0.5, 1));
  const beta = tf.tensor1d(seeded(ch, seed + 2, 0.5, 0));
  const w = tf.tensor(seeded(n, seed + 3, 1, 0), c.shape);
  const attrs = { epsilon: 1e-5, relu: c.relu };
  const out = batchNormActTrain(x, gamma, beta, attrs);
  const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const r = batchNormActTrain(a, g as tf.Tensor1D, b as tf.Tensor1D, attrs);
    tf.dispose([r.mean, r.variance, r.invstd]);
    return tf.sum(tf.mul(r.y, w));
  })([x, gamma, beta]);
  const read = async (t: tf.Tensor) => Array.from(await t.data());
  const res: BnCaseResult = {
    y: await read(out.y),
    mean: await read(out.mean),
    variance: await read(out.variance),
    invstd: await read(out.invstd),
    dx: await read(grads[0]),
    dgamma: await read(grads[1]),
    dbeta: await read(grads[2]),
  };
  tf.dispose([x, gamma, beta, w, out.y, out.mean, out.variance, out.invstd, ...grads]);
  return res;
}

async function bnCheck(backend: string, cases: BnCase[]) {
  await tf.setBackend(backend);
  await tf.ready();
  const results: BnCaseResult[] = [];
  for (let i = 0; i < cases.length; i++) results.push(await runCase(cases[i], 10 + i));
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await runCase(cases[0], 99);
  return {
    backend: tf.getBackend(),
    fused: tf.getKernel(BN_ACT_TRAIN, tf.getBackend()) != null,
    tensorDrift: tf.memory().numTensors - before,
    results,
  };
}

(globalThis as unknown as { bnCheck: typeof bnCheck }).bnCheck = bnCheck;
