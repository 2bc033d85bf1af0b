/**
 * The opt-in heads of the pair models: the siamese embedding head (batch norm, or a projection then
 * batch norm, between the backbone and the cosine) and the early-fusion MLP head.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePairSplits, pairTensors, type PairSplits } from '../data/pairs';
import { useWasmBackend } from '../node-backend.testing';
import { createPairModel } from './create-pair-model';
import { EarlyFusionModel } from './early-fusion';
import type { PairModelConfig } from './pair-model';
import { SiameseModel } from './siamese';
import { trainPairModel } from './trainer';

const SIZE = 16;
const BACKBONE = {
  name: 'convnet' as const,
  inputSize: SIZE,
  width: 4,
  blocks: 3 as const,
  seed: 2,
};

let data: PairSplits;

/** Cosines of the first half of a batch of embeddings with the second half. */
function halfCosines(e: tf.Tensor2D): Float32Array {
  return tf
    .tidy(() => {
      const n = e.shape[0] / 2;
      const a = tf.slice(e, [0, 0], [n, -1]),
        b = tf.slice(e, [n, 0], [n, -1]);
      return tf.div(tf.sum(tf.mul(a, b), 1), tf.mul(tf.norm(a, 2, 1), tf.norm(b, 2, 1)));
    })
    .dataSync() as Float32Array;
}

describe('pair model heads', () => {
  beforeAll(async () => {
    await useWasmBackend();
    data = generatePairSplits({
      seed: 7,
      size: SIZE,
      train: 24,
      test: 16,
      colour: 10,
      texture: 10,
    });
  });

  it("siamese embedding head 'batchnorm' centres the ReLU features: cosines take both signs, none does not", () => {
    const t = pairTensors(data.test);
    const x = tf.concat([t.xa, t.xb], 0) as tf.Tensor4D;
    const plain = createPairModel({ kind: 'siamese', backbone: BACKBONE }) as SiameseModel;
    const bn = createPairModel({
      kind: 'siamese',
      backbone: BACKBONE,
      embeddingHead: 'batchnorm',
    }) as SiameseModel;
    const ePlain = plain.embed(x, true),
      eBn = bn.embed(x, true);
    // Backbone features are ReLU + average pooled: no negative entry, so no negative cosine.
    expect(Math.min(...ePlain.dataSync())).toBeGreaterThanOrEqual(0);
    const cPlain = halfCosines(ePlain),
      cBn = halfCosines(eBn);
    expect(Math.min(...cPlain)).toBeGreaterThanOrEqual(0);
    expect(Math.min(...cBn)).toBeLessThan(0);
    expect(Math.max(...cBn)).toBeGreaterThan(0);
    // Per-dimension batch statistics: mean 0, (biased) variance 1 up to ε.
    const { mean, variance } = tf.moments(eBn, 0);
    for (const m of mean.dataSync()) expect(Math.abs(m)).toBeLessThan(1e-4);
    for (const v of variance.dataSync()) expect(v).toBeGreaterThan(0.99);
    // Same backbone seed: the head leaves the features themselves alone, and adds no trainable weight.
    expect(bn.trainableVariables()).toHaveLength(plain.trainableVariables().length);
    expect(bn.parts().map((p) => p.name)).toEqual(['backbone', 'embedding']);
    tf.dispose([x, ePlain, eBn, mean, variance, t.xa, t.xb, t.y, t.centres]);
    plain.dispose();
    bn.dispose();
  });

  it("'linear-batchnorm' projects to projectionDim; the centre head still reads the backbone features", () => {
    const m = createPairModel({
      kind: 'siamese-aux',
      backbone: BACKBONE,
      embeddingHead: 'linear-batchnorm',
      projectionDim: 6,
    }) as SiameseModel;
    const t = pairTensors(data.test, [0, 1, 2, 3]);
    const e = m.embed(t.xa, false);
    expect(e.shape).toEqual([4, 6]);
    const c = m.predictCentres?.(t.xa);
    expect(c?.shape).toEqual([4, 2]);
    expect(m.parts().map((p) => p.name)).toEqual(['backbone', 'embedding', 'centre']);
    expect(
      m
        .parts()[1]
        .trainable()
        .map((v) => v.shape),
    ).toEqual([[m.embeddingDim, 6]]);
    tf.dispose([e, c, t.xa, t.xb, t.y, t.centres]);
    m.dispose();
    expect(() =>
      createPairModel({
        kind: 'siamese',
        backbone: BACKBONE,
        embeddingHead: 'linear-batchnorm',
        projectionDim: 0,
      }),
    ).toThrow(/projectionDim/);
    expect(() =>
      createPairModel({
        kind: 'siamese',
        backbone: BACKBONE,
        embeddingHead: 'nope',
      } as unknown as PairModelConfig),
    ).toThrow(/valid: none, batchnorm, linear-batchnorm/);
  });

  it('early fusion headHidden builds Linear → ReLU → Linear; 0 keeps one linear layer', () => {
    const mlp = createPairModel({
      kind: 'early-fusion',
      inputSize: SIZE,
      width: 4,
      blocks: 3,
      headHidden: 5,
    }) as EarlyFusionModel;
    const lin = createPairModel({
      kind: 'early-fusion',
      inputSize: SIZE,
      width: 4,
      blocks: 3,
    }) as EarlyFusionModel;
    expect(mlp.head.getWeights().map((w) => w.shape)).toEqual([[16, 5], [5], [5, 1], [1]]);
    expect(lin.head.getWeights().map((w) => w.shape)).toEqual([[16, 1], [1]]);
    mlp.dispose();
    lin.dispose();
    expect(() =>
      createPairModel({
        kind: 'early-fusion',
        inputSize: SIZE,
        width: 4,
        blocks: 3,
        headHidden: 1.5,
      }),
    ).toThrow(/headHidden/);
  });

  const configs: PairModelConfig[] = [
    { kind: 'siamese', backbone: BACKBONE, embeddingHead: 'batchnorm', loss: 'contrastive' },
    {
      kind: 'siamese-aux',
      backbone: BACKBONE,
      embeddingHead: 'linear-batchnorm',
      projectionDim: 8,
    },
    { kind: 'early-fusion', inputSize: SIZE, width: 4, blocks: 3, headHidden: 8 },
  ];
  for (const config of configs) {
    it(`${config.kind} with its head trains: finite losses, scores in range, no leaks`, async () => {
      const model = createPairModel(config);
      const before = tf.memory().numTensors;
      const r = await trainPairModel(
        model,
        data,
        { epochs: 2, batchSize: 8, lr: 1e-2, gradNorms: true, evalSplits: ['test'] },
        (e) => {
          expect(Number.isFinite(e.loss)).toBe(true);
          for (const v of Object.values(e.gradNorms ?? {})) expect(Number.isFinite(v)).toBe(true);
          for (const name of ['embedding/embedding_proj', 'head/']) {
            const wanted = name.startsWith('embedding')
              ? 'embeddingHead' in config && config.embeddingHead === 'linear-batchnorm'
              : 'headHidden' in config;
            if (wanted)
              expect(Object.keys(e.gradNorms ?? {}).some((k) => k.startsWith(name))).toBe(true);
          }
        },
      );
      expect(r.history).toHaveLength(2);
      expect(tf.memory().numTensors).toBe(before);
      const t = pairTensors(data.test);
      const s = model.score(t.xa, t.xb);
      for (const v of await s.data()) {
        expect(v).toBeGreaterThanOrEqual(model.scoreRange[0] - 1e-6);
        expect(v).toBeLessThanOrEqual(model.scoreRange[1] + 1e-6);
      }
      tf.dispose([s, t.xa, t.xb, t.y, t.centres]);
      model.dispose();
    });
  }
});
