import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePairSplits, pairTensors, type PairSplits } from '../data/pairs';
import { registerWasmTrainingKernels } from '../kernels/wasm/register';
import { createBackbone } from '../models/backbones';
import { useWasmBackend } from '../node-backend.testing';
import { createPairModel } from './create-pair-model';
import type { PairModelConfig } from './pair-model';
import { evaluatePairModel, predictPairCentres, scorePairSet } from './scoring';
import { epochPairs, trainPairModel } from './trainer';

const SIZE = 16;
const BACKBONE = { name: 'convnet' as const, inputSize: SIZE, width: 4, blocks: 3 as const };
const CONFIGS: PairModelConfig[] = [
  { kind: 'early-fusion', inputSize: SIZE, width: 4, blocks: 3 },
  { kind: 'siamese', backbone: BACKBONE },
  { kind: 'siamese', backbone: BACKBONE, loss: 'contrastive', margin: 1.2 },
  { kind: 'siamese-aux', backbone: BACKBONE, auxWeight: 0.5 },
];

let data: PairSplits;

describe('pair models and trainer', () => {
  beforeAll(async () => {
    await useWasmBackend();
    registerWasmTrainingKernels();
    data = generatePairSplits({
      seed: 5,
      size: SIZE,
      train: 24,
      test: 12,
      colour: 10,
      texture: 10,
    });
  });

  for (const config of CONFIGS) {
    const label = `${config.kind}${'loss' in config && config.loss ? ` (${config.loss})` : ''}`;
    it(`${label}: scores in range, finite loss terms, no leaks over training epochs`, async () => {
      const model = createPairModel(config);
      const t = pairTensors(data.test, [0, 1, 2]);
      const s = model.score(t.xa, t.xb);
      expect(s.shape).toEqual([3]);
      for (const v of await s.data()) {
        expect(v).toBeGreaterThanOrEqual(model.scoreRange[0] - 1e-6);
        expect(v).toBeLessThanOrEqual(model.scoreRange[1] + 1e-6);
      }
      const l = model.loss(t);
      expect(Object.keys(l.terms).sort()).toEqual(
        config.kind === 'siamese-aux' ? ['centre', 'pair'] : ['pair'],
      );
      expect(Number.isFinite((await l.total.data())[0])).toBe(true);
      tf.dispose([s, t.xa, t.xb, t.y, t.centres, l.total, ...Object.values(l.terms)]);

      const events: number[] = [];
      // Warm-up epoch allocates the optimiser's slots (freed again at the end of the run).
      const before = tf.memory().numTensors;
      const r = await trainPairModel(
        model,
        data,
        { epochs: 3, batchSize: 8, lr: 1e-2, gradNorms: true, evalSplits: ['test'] },
        (e) => {
          events.push(e.epoch);
          expect(Number.isFinite(e.loss)).toBe(true);
          expect(e.histograms.test?.same.reduce((a, b) => a + b, 0)).toBe(6);
          expect(Object.keys(e.gradNorms ?? {}).some((k) => k.startsWith('backbone/'))).toBe(true);
          for (const v of Object.values(e.gradNorms ?? {})) expect(Number.isFinite(v)).toBe(true);
          if (config.kind === 'siamese-aux') {
            expect(Object.keys(e.gradNorms ?? {}).some((k) => k.startsWith('centre/'))).toBe(true);
            expect(e.terms.centre).toBeGreaterThan(0);
          }
        },
      );
      expect(events).toEqual([1, 2, 3]);
      expect(r.history[2].step).toBe(9);
      expect(tf.memory().numTensors).toBe(before);
      const report = await evaluatePairModel(model, data, { galleryK: 3 });
      expect(Object.keys(report.splits).sort()).toEqual(['colour', 'test', 'texture']);
      expect(report.splits.test?.gallery.closestDifferent).toHaveLength(3);
      expect(report.splits.test?.centre !== undefined).toBe(config.kind === 'siamese-aux');
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it('epoch pairs: subset, one label, fresh pairs per epoch', () => {
    const only = epochPairs(data, { epochs: 1, onlyLabel: 1 }, 0);
    expect(only.pairs.every((p) => p.label === 1)).toBe(true);
    expect(only.pairs).toHaveLength(12);
    expect(epochPairs(data, { epochs: 1, subset: 5 }, 0).pairs).toEqual(
      data.train.pairs.slice(0, 5),
    );
    const f0 = epochPairs(data, { epochs: 1, freshPairs: true, dataSeed: 5 }, 0);
    const f1 = epochPairs(data, { epochs: 1, freshPairs: true, dataSeed: 5 }, 1);
    expect(f0.pairs.map((p) => p.a.cx)).toEqual(data.train.pairs.map((p) => p.a.cx));
    expect(f1.pairs).toHaveLength(24);
    expect(f1.pairs.map((p) => p.a.cx)).not.toEqual(f0.pairs.map((p) => p.a.cx));
    expect(() => epochPairs(data, { epochs: 1, subset: 0 }, 0)).toThrow(/no training pairs/);
  });

  it('loss scale k with SGD at lr/k gives the same weights as scale 1 at lr', async () => {
    const run = async (lossScale: number, lr: number): Promise<Float32Array> => {
      const m = createPairModel({ kind: 'siamese', backbone: BACKBONE });
      await trainPairModel(m, data, {
        epochs: 1,
        batchSize: 12,
        lr,
        lossScale,
        optimizer: { kind: 'sgd' },
        evalSplits: [],
      });
      const w = (await m.trunk.getWeights()[0].data()) as Float32Array;
      m.dispose();
      return w;
    };
    const a = await run(1, 0.1),
      b = await run(8, 0.1 / 8),
      c = await run(8, 0.1);
    let dab = 0,
      dac = 0;
    for (let i = 0; i < a.length; i++) {
      dab = Math.max(dab, Math.abs(a[i] - b[i]));
      dac = Math.max(dac, Math.abs(a[i] - c[i]));
    }
    expect(dab).toBeLessThan(1e-5);
    expect(dac).toBeGreaterThan(1e-3);
  });

  it('startFrom copies a backbone: scores equal the cosine of its embeddings', async () => {
    const bb = createBackbone({ ...BACKBONE, seed: 42 });
    const m = createPairModel({ kind: 'siamese', backbone: BACKBONE }, { startFrom: bb.model });
    const s = await scorePairSet(m, data.test);
    const t = pairTensors(data.test);
    const want = tf.tidy(() => {
      const ea = bb.model.apply(t.xa, { training: false }) as tf.Tensor2D,
        eb = bb.model.apply(t.xb, { training: false }) as tf.Tensor2D;
      return tf.div(tf.sum(tf.mul(ea, eb), 1), tf.mul(tf.norm(ea, 2, 1), tf.norm(eb, 2, 1)));
    });
    const w = await want.data();
    s.forEach((v, i) => expect(v).toBeCloseTo(w[i], 5));
    tf.dispose([want, t.xa, t.xb, t.y, t.centres]);
    const wrong = createBackbone({ ...BACKBONE, width: 8 });
    expect(() =>
      createPairModel({ kind: 'siamese', backbone: BACKBONE }, { startFrom: wrong.model }),
    ).toThrow(/shape/);
    expect(() => createPairModel({ kind: 'nope' } as unknown as PairModelConfig)).toThrow(
      /valid: early-fusion, siamese, siamese-aux/,
    );
    await expect(predictPairCentres(m, data.test)).rejects.toThrow(/no centre head/);
    wrong.model.dispose();
    bb.model.dispose();
    m.dispose();
  });

  it('stops between steps when the signal aborts', async () => {
    const m = createPairModel({ kind: 'siamese', backbone: BACKBONE });
    const ctrl = new AbortController();
    const r = await trainPairModel(
      m,
      data,
      { epochs: 5, batchSize: 8, evalSplits: [] },
      (e) => {
        if (e.epoch === 2) ctrl.abort();
      },
      ctrl.signal,
    );
    expect(r.stopped).toBe(true);
    expect(r.history).toHaveLength(3);
    expect(r.history[2].step).toBe(6);
    m.dispose();
  });
});
