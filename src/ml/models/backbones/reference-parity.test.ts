/**
 * Forward parity with torchvision / PyTorch: tests/reference/backbones_reference.py builds the same
 * networks, fills them from a deterministic formula (documented there, replicated here) and records
 * state_dict keys, eval-mode embeddings and training-mode running statistics.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../testing/node-backend';
import { createBackbone, type BackboneConfigInput } from './index';
import { loadTorchStateDict, toTorchStateDict, torchWeightEntries, type TorchStateDict } from './torch-state-dict';

interface Case {
  name: string;
  config: BackboneConfigInput;
  inputShapeNCHW: number[];
  keys: [string, number[]][];
  embedding: number[];
  embeddingShape: number[];
  train?: { passes: number; embedding: number[]; stats: Record<string, number[]> };
}
interface Fixture {
  script: string;
  scriptSha256: string;
  versions: Record<string, string>;
  cases: Case[];
}

const root = resolve(__dirname, '../../../..');
const fixture = JSON.parse(readFileSync(resolve(root, 'tests/reference/fixtures/backbones.json'), 'utf8')) as Fixture;

/** The fixture's hash: uniform in [-1, 1) from (tensor j, element i), exact uint32 arithmetic (murmur3 finaliser). */
function hashUniform(j: number, i: number): number {
  let z = (Math.imul(i, 2654435761 | 0) + Math.imul(j, 2246822519 | 0) + 0x632be5ab) >>> 0;
  z ^= z >>> 16;
  z = Math.imul(z, 0x85ebca6b) >>> 0;
  z ^= z >>> 13;
  z = Math.imul(z, 0xc2b2ae35) >>> 0;
  z ^= z >>> 16;
  return (2 * (z >>> 0)) / 4294967296 - 1;
}

/** The fixture's weight formula (see the script's docstring), in float64 then rounded to float32. */
function formulaStateDict(keys: [string, number[]][]): TorchStateDict {
  const dict: TorchStateDict = {};
  keys.forEach(([key, shape], j) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const leaf = key.slice(key.lastIndexOf('.') + 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const f = hashUniform(j, i);
      if (leaf === 'num_batches_tracked') data[i] = 0;
      else if (leaf === 'weight' && shape.length === 4) data[i] = f * Math.sqrt(6 / (shape[1] * shape[2] * shape[3]));
      else if (leaf === 'weight') data[i] = 0.5 + 0.25 * f;
      else if (leaf === 'bias' || leaf === 'running_mean') data[i] = 0.1 * f;
      else if (leaf === 'running_var') data[i] = 1 + 0.5 * f;
      else throw new Error(`formula has no rule for ${key}`);
    }
    dict[key] = { shape, data };
  });
  return dict;
}

/** x[n, c, h, w] = hashUniform(1000000, i) in NCHW order, returned as NHWC. */
function formulaInput([n, c, h, w]: number[]): tf.Tensor4D {
  const data = new Float32Array(n * c * h * w);
  for (let i = 0; i < data.length; i++) data[i] = hashUniform(1000000, i);
  return tf.tidy(() => tf.transpose(tf.tensor4d(data, [n, c, h, w]), [0, 2, 3, 1]));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

describe('backbones match PyTorch (fixture from tests/reference/backbones_reference.py)', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('fixture was written by the committed script', () => {
    const sha = createHash('sha256').update(readFileSync(resolve(root, fixture.script))).digest('hex');
    expect(sha).toBe(fixture.scriptSha256);
  });

  for (const c of fixture.cases) {
    it(`${c.name}: same state_dict keys/shapes, eval embedding${c.train ? ', training-mode BN' : ''}`, async () => {
      const { model, embeddingDim } = createBackbone(c.config);
      try {
        // Same names and shapes; the order is tfjs' topological layer order (a residual block's
        // downsample branch may come before its conv2), which a state_dict keyed by name ignores.
        const byName = (a: [string, number[]], b: [string, number[]]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
        const ours = torchWeightEntries(model).map((e): [string, number[]] => [e.torchName, e.torchShape]);
        expect(ours.sort(byName)).toEqual([...c.keys].sort(byName));
        expect(embeddingDim).toBe(c.embeddingShape[1]);

        const dict = formulaStateDict(c.keys);
        loadTorchStateDict(model, dict);
        // The round trip back to torch layout is the identity.
        const back = await toTorchStateDict(model);
        for (const [k] of c.keys) expect(maxAbsDiff(back[k].data, dict[k].data)).toBe(0);

        const x = formulaInput(c.inputShapeNCHW);
        const y = model.predict(x) as tf.Tensor;
        expect(y.shape).toEqual(c.embeddingShape);
        const err = maxAbsDiff(await y.data(), c.embedding);
        console.log(`[parity] ${c.name}: eval max|Δ| = ${err.toExponential(2)} (max|ref| = ${maxAbs(c.embedding).toFixed(2)})`);
        expect(err).toBeLessThanOrEqual(1e-4);
        y.dispose();

        if (c.train) {
          let yt: tf.Tensor | null = null;
          for (let p = 0; p < c.train.passes; p++) {
            yt?.dispose();
            yt = model.apply(x, { training: true }) as tf.Tensor;
          }
          const errT = maxAbsDiff(await yt!.data(), c.train.embedding);
          yt!.dispose();
          const after = await toTorchStateDict(model);
          let errStats = 0;
          for (const [k, v] of Object.entries(c.train.stats)) errStats = Math.max(errStats, maxAbsDiff(after[k].data, v));
          console.log(`[parity] ${c.name}: train max|Δ| embedding = ${errT.toExponential(2)}, running stats = ${errStats.toExponential(2)}`);
          expect(errT).toBeLessThanOrEqual(1e-4);
          expect(errStats).toBeLessThanOrEqual(1e-4);
        }
        x.dispose();
      } finally {
        model.dispose();
      }
    });
  }
});
