import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePairSplits, pairTensors } from '../data/pairs';
import { useWasmBackend } from '../node-backend.testing';
import { createPairModel } from './create-pair-model';
import { normalizeInput, standardizePerImage } from './input-norm';
import type { PairModelConfig } from './pair-model';

const SIZE = 16;
const BACKBONE = {
  name: 'convnet' as const,
  inputSize: SIZE,
  width: 4,
  blocks: 3 as const,
  seed: 4,
};

describe('per-image input standardisation', () => {
  beforeAll(useWasmBackend);

  it('gives each image and channel mean 0 and std 1, computed in plain JS', () => {
    const data = generatePairSplits({
      seed: 3,
      size: SIZE,
      train: 2,
      test: 2,
      colour: 2,
      texture: 2,
    });
    const t = pairTensors(data.texture);
    const z = standardizePerImage(t.xa);
    const x = t.xa.arraySync(),
      got = z.arraySync();
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 3; c++) {
        const vals = x[n].flatMap((row) => row.map((px) => px[c]));
        const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
        const v = vals.reduce((s, u) => s + (u - mean) ** 2, 0) / vals.length;
        for (let i = 0; i < SIZE; i++) {
          for (let j = 0; j < SIZE; j++)
            expect(got[n][i][j][c]).toBeCloseTo((x[n][i][j][c] - mean) / Math.sqrt(v + 1e-4), 4);
        }
      }
    }
    expect(normalizeInput(t.xa, 'none')).toBe(t.xa);
    expect(() => normalizeInput(t.xa, 'nope' as 'none')).toThrow(/valid: none, per-image/);
    tf.dispose([z, t.xa, t.xb, t.y, t.centres]);
  });

  const configs: PairModelConfig[] = [
    { kind: 'siamese', backbone: BACKBONE, inputNorm: 'per-image', embeddingHead: 'batchnorm' },
    { kind: 'early-fusion', inputSize: SIZE, width: 4, blocks: 3, inputNorm: 'per-image' },
  ];
  for (const config of configs) {
    it(`${config.kind}: scores ignore a per-image colour gain and offset; 'none' does not`, () => {
      const data = generatePairSplits({
        seed: 3,
        size: SIZE,
        train: 2,
        test: 8,
        colour: 2,
        texture: 2,
      });
      const t = pairTensors(data.test);
      // A different gain (≥ 1, so the ε under the square root stays negligible) and offset per image and channel.
      const gain = tf.tensor4d(
        Array.from({ length: 24 }, (_, i) => 1 + (i % 5) * 0.1),
        [8, 1, 1, 3],
      );
      const offset = tf.tensor4d(
        Array.from({ length: 24 }, (_, i) => ((i * 7) % 5) * 0.05),
        [8, 1, 1, 3],
      );
      const xa2 = tf.add(tf.mul(t.xa, gain), offset) as tf.Tensor4D;
      const normed = createPairModel(config),
        raw = createPairModel({ ...config, inputNorm: 'none' });
      const [s1, s2] = [normed.score(t.xa, t.xb).dataSync(), normed.score(xa2, t.xb).dataSync()];
      const [r1, r2] = [raw.score(t.xa, t.xb).dataSync(), raw.score(xa2, t.xb).dataSync()];
      s1.forEach((v, i) => expect(s2[i]).toBeCloseTo(v, 2));
      expect(Math.max(...r1.map((v, i) => Math.abs(v - r2[i])))).toBeGreaterThan(1e-3);
      tf.dispose([gain, offset, xa2, t.xa, t.xb, t.y, t.centres]);
      normed.dispose();
      raw.dispose();
    });
  }
});
