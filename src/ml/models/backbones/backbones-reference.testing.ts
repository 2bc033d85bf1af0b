/**
 * Test helper: reads tests/reference/fixtures/backbones.json and regenerates the deterministic
 * weights and inputs that tests/reference/backbones_reference.py fed to PyTorch (formula in the
 * script's docstring). Node only (reads the file system).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackboneConfigInput } from './index';
import type { TorchStateDict } from './torch-state-dict';

export interface BackboneCase {
  name: string;
  config: BackboneConfigInput;
  inputShapeNCHW: number[];
  keys: [string, number[]][];
  embedding: number[];
  embeddingShape: number[];
  train?: { passes: number; embedding: number[]; stats: Record<string, number[]> };
  grads?: Record<string, number[]>;
}
export interface BackbonesFixture {
  script: string;
  scriptSha256: string;
  versions: Record<string, string>;
  cases: BackboneCase[];
}

export const REPO_ROOT = resolve(__dirname, '../../../..');

export function loadBackbonesFixture(): BackbonesFixture {
  return JSON.parse(
    readFileSync(resolve(REPO_ROOT, 'tests/reference/fixtures/backbones.json'), 'utf8'),
  ) as BackbonesFixture;
}

/** The fixture's hash: uniform in [-1, 1) from (tensor j, element i), exact uint32 arithmetic (murmur3 finaliser). */
export function hashUniform(j: number, i: number): number {
  let z = (Math.imul(i, 2654435761 | 0) + Math.imul(j, 2246822519 | 0) + 0x632be5ab) >>> 0;
  z ^= z >>> 16;
  z = Math.imul(z, 0x85ebca6b) >>> 0;
  z ^= z >>> 13;
  z = Math.imul(z, 0xc2b2ae35) >>> 0;
  z ^= z >>> 16;
  return (2 * (z >>> 0)) / 4294967296 - 1;
}

/** The fixture's weight formula, torch layout, in float64 then rounded to float32. */
export function formulaStateDict(keys: [string, number[]][]): TorchStateDict {
  const dict: TorchStateDict = {};
  keys.forEach(([key, shape], j) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const leaf = key.slice(key.lastIndexOf('.') + 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const f = hashUniform(j, i);
      if (leaf === 'num_batches_tracked') data[i] = 0;
      else if (leaf === 'weight' && shape.length === 4)
        data[i] = f * Math.sqrt(6 / (shape[1] * shape[2] * shape[3]));
      else if (leaf === 'weight') data[i] = 0.5 + 0.25 * f;
      else if (leaf === 'bias' || leaf === 'running_mean') data[i] = 0.1 * f;
      else if (leaf === 'running_var') data[i] = 1 + 0.5 * f;
      else throw new Error(`formula has no rule for ${key}`);
    }
    dict[key] = { shape, data };
  });
  return dict;
}

/** x[n, c, h, w] = hashUniform(1000000, i) in NCHW order, returned as NHWC. Caller disposes. */
export function formulaInput([n, c, h, w]: number[]): tf.Tensor4D {
  const data = new Float32Array(n * c * h * w);
  for (let i = 0; i < data.length; i++) data[i] = hashUniform(1000000, i);
  return tf.tidy(() => tf.transpose(tf.tensor4d(data, [n, c, h, w]), [0, 2, 3, 1]));
}

/** hashUniform(2000000, i) with the embedding's shape: the weights of the gradient test's loss. Caller disposes. */
export function formulaLossWeights(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = hashUniform(2000000, i);
  return tf.tensor(data, shape, 'float32');
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
