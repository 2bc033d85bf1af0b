/**
 * The pairs lab session in Node + wasm: events, report numbers recomputed from the engine's own
 * evaluation functions, gallery pixels equal to the generated pairs, comparison rows accumulating
 * over models, stored-dataset pairs, stop, and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePairSplits } from '../../ml/data/pairs';
import { generateShapes } from '../../ml/data/shapes';
import { stratifiedSplit } from '../../ml/data/splits';
import { precisionRecallAt } from '../../ml/eval/pr-curve';
import { registerWasmTrainingKernels } from '../../ml/kernels/wasm/register';
import { splitCurve } from '../../ml/pairs/evaluation';
import { useWasmBackend } from '../../ml/node-backend.testing';
import type { DatasetIndex, DatasetMeta } from '../../storage/schema';
import { PairsLab } from './lab';
import { modelConfigs } from './model-configs';
import type { PairsStore } from './pair-data';
import type { PairsEvent, PairsTrainRequest } from '../../common/pairs-types';

const SHAPES = { kind: 'shapes' as const, seed: 4, train: 32, test: 16, colour: 12, texture: 12 };

function request(
  over: Partial<PairsTrainRequest> & { kind?: PairsTrainRequest['model']['kind'] } = {},
): PairsTrainRequest {
  const { kind = 'siamese', ...rest } = over;
  return {
    data: SHAPES,
    model: {
      kind,
      backbone: { name: 'convnet', width: 4, blocks: 3 },
      loss: 'cosine-embedding',
      margin: 0,
      auxWeight: 1,
      seed: 1,
    },
    train: {
      epochs: 2,
      lr: 1e-2,
      batchSize: 8,
      schedule: 'constant',
      subset: null,
      onlyLabel: null,
      freshPairs: false,
      lossScale: 1,
      gradNorms: true,
      seed: 2,
      bins: 10,
    },
    pretrain: null,
    galleryK: 3,
    ...rest,
  };
}

/** Stored two-class shapes datasets (train/val/test; 'ood' textured) behind the store interface the lab reads. */
function memoryStore(): PairsStore {
  const n = 60,
    size = 32,
    per = size * size * 3;
  const sets = new Map<string, { meta: DatasetMeta; index: DatasetIndex; pixels: Uint8Array }>();
  for (const [id, texture] of [
    ['ds', false],
    ['ood', true],
  ] as const) {
    const samples = generateShapes(n, texture ? 10 : 9, { size, texture });
    const labels = samples.map((s) => (s.kind === 'circle' ? 0 : 1));
    const splits = stratifiedSplit(labels, { train: 0.5, val: 0.25, test: 0.25 }, 9);
    const pixels = new Uint8Array(n * per);
    samples.forEach((s, i) => pixels.set(s.pixels, i * per));
    const index: DatasetIndex = {
      paths: samples.map((_, i) => `img_${i}.png`),
      labels: Int16Array.from(labels),
      splits,
    };
    const meta = {
      id,
      name: id === 'ds' ? 'shapes' : 'textured shapes',
      status: 'ready',
      size,
      classes: ['circle', 'square'],
      count: n,
    } as DatasetMeta;
    sets.set(id, { meta, index, pixels });
  }
  return {
    getMeta: async (id) => sets.get(id)?.meta,
    getIndex: async (id) => {
      const d = sets.get(id);
      if (!d) throw new Error(`no dataset ${id}`);
      return d.index;
    },
    readImages: async (id, idx) => {
      const d = sets.get(id);
      if (!d) throw new Error(`no dataset ${id}`);
      const out = new Uint8Array(idx.length * per);
      idx.forEach((i, k) => out.set(d.pixels.subarray(i * per, (i + 1) * per), k * per));
      return out;
    },
  };
}

describe('pairs lab session', () => {
  beforeAll(async () => {
    await useWasmBackend();
    registerWasmTrainingKernels();
  });

  it('preview: seeded pairs of the requested split with labels matching the kinds', () => {
    const lab = new PairsLab(memoryStore());
    const p = lab.preview({ seed: 3, n: 6 });
    const q = lab.preview({ seed: 3, n: 6 });
    expect(p.a).toEqual(q.a);
    expect(p.a.length).toBe(6 * 32 * 32 * 3);
    for (let i = 0; i < 6; i++)
      expect(p.labels[i]).toBe(p.kinds[2 * i] === p.kinds[2 * i + 1] ? 1 : 0);
    const ref = generatePairSplits({ seed: 3, train: 6, test: 2, colour: 2, texture: 2 }).train;
    expect(Array.from(p.b.subarray(0, 3072))).toEqual(Array.from(ref.pairs[0].b.pixels));
  });

  it('siamese + centre head: per-epoch events, report numbers from the evaluation functions, galleries with pixels; comparison grows; no leaks', async () => {
    const lab = new PairsLab(memoryStore());
    const before = tf.memory().numTensors;
    const events: PairsEvent[] = [];
    const r = await lab.train(request({ kind: 'siamese-aux' }), (e) => events.push(e));
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.event] : []));
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) {
      expect(Object.keys(e.histograms).sort()).toEqual(['colour', 'test', 'texture']);
      expect(e.gradNorms && Object.keys(e.gradNorms).some((k) => k.startsWith('centre/'))).toBe(
        true,
      );
    }
    expect(events.find((e) => e.type === 'data')).toMatchObject({ size: 32 });
    expect(r.splits.map((s) => s.split)).toEqual(['test', 'colour', 'texture']);
    const colour = r.splits[1];
    expect(r.threshold).toBe(splitCurve(colour).best.threshold);
    const data = generatePairSplits({
      seed: SHAPES.seed,
      train: SHAPES.train,
      test: SHAPES.test,
      colour: SHAPES.colour,
      texture: SHAPES.texture,
    });
    for (const s of r.splits) {
      expect(s.best).toEqual(splitCurve(s).best);
      expect(s.atThreshold).toEqual(precisionRecallAt(s.scores, s.labels, r.threshold));
      expect(
        s.histogram.same.reduce((a, b) => a + b, 0) +
          s.histogram.different.reduce((a, b) => a + b, 0),
      ).toBe(s.scores.length);
      const g = s.gallery.closestDifferent[0];
      expect(g.label).toBe(0);
      expect(g.score).toBe(s.scores[g.index]);
      expect(Array.from(g.a)).toEqual(Array.from(data[s.split].pairs[g.index].a.pixels));
      expect(s.centre?.best.length).toBe(3);
      const c = s.centre?.worst[0];
      if (!c) throw new Error('no centre view');
      const img =
        c.index % 2 === 0
          ? data[s.split].pairs[c.index >> 1].a
          : data[s.split].pairs[c.index >> 1].b;
      expect(c.truth[0]).toBeCloseTo(img.cx, 6);
      expect(Array.from(c.pixels)).toEqual(Array.from(img.pixels));
    }
    expect(r.comparison.map((row) => row.split)).toEqual(['test', 'colour', 'texture']);
    expect(r.comparison[0].f1).toBe(r.splits[0].atThreshold.f1);

    const r2 = await lab.train(
      request({ kind: 'early-fusion', train: { ...request().train, epochs: 1, gradNorms: false } }),
      () => undefined,
    );
    expect(r2.modelId).toBe(2);
    expect(r2.scoreRange).toEqual([0, 1]);
    expect(r2.splits[0].centre).toBeNull();
    expect(r2.comparison.length).toBe(6);
    expect(r2.comparison.slice(0, 3)).toEqual(r.comparison);
    const again = await lab.evaluate(2);
    expect(again.splits[0].gallery.farthestSame.length).toBe(2);
    expect(again.comparison).toEqual(r2.comparison);
    lab.clear();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stored dataset: pairs within its splits (val chooses the threshold), a second dataset as OOD; refuses the centre head; stop ends early', async () => {
    const lab = new PairsLab(memoryStore());
    const data = {
      kind: 'stored' as const,
      datasetId: 'ds',
      seed: 1,
      train: 20,
      test: 10,
      val: 10,
    };
    await expect(
      lab.train(request({ kind: 'siamese-aux', data }), () => undefined),
    ).rejects.toThrow(/centre/);
    const events: PairsEvent[] = [];
    const r = await lab.train(request({ data, train: { ...request().train, epochs: 1 } }), (e) =>
      events.push(e),
    );
    expect(r.splits.map((s) => [s.split, s.label])).toEqual([
      ['test', 'test'],
      ['colour', 'val'],
    ]);
    const info = events.find((e) => e.type === 'data');
    expect(info?.type === 'data' && info.splits.map((s) => [s.split, s.same, s.different])).toEqual(
      [
        ['train', 10, 10],
        ['test', 5, 5],
        ['colour', 5, 5],
      ],
    );
    expect(r.comparison.map((row) => row.splitLabel)).toEqual(['test', 'val']);

    // A second dataset fills the out-of-domain slot: pairs over all its labelled images.
    const withOod = await lab.train(
      request({ data: { ...data, oodDatasetId: 'ood' }, train: { ...request().train, epochs: 1 } }),
      () => undefined,
    );
    expect(withOod.splits.map((s) => [s.split, s.label, s.scores.length])).toEqual([
      ['test', 'test', 10],
      ['colour', 'val', 10],
      ['texture', 'OOD: textured shapes', 10],
    ]);
    expect(
      withOod.comparison.filter((row) => row.modelId === withOod.modelId).map((row) => row.split),
    ).toEqual(['test', 'colour', 'texture']);

    const p = lab.train(request({ train: { ...request().train, epochs: 50 } }), (e) => {
      if (e.type === 'epoch' && e.event.epoch === 1) lab.stop();
    });
    const stopped = await p;
    expect(stopped.stopped).toBe(true);
    expect(stopped.history.length).toBeLessThan(50);
    lab.clear();
  });

  it('pre-training: circle-vs-square epochs stream, then the siamese model trains from that backbone; early fusion refuses it', async () => {
    const lab = new PairsLab(memoryStore());
    const before = tf.memory().numTensors;
    await expect(
      lab.train(
        request({ kind: 'early-fusion', pretrain: { epochs: 1, lr: 3e-3 } }),
        () => undefined,
      ),
    ).rejects.toThrow(/pre-training/);
    const events: PairsEvent[] = [];
    const r = await lab.train(
      request({ pretrain: { epochs: 2, lr: 3e-3 }, train: { ...request().train, epochs: 1 } }),
      (e) => events.push(e),
    );
    expect(
      events
        .filter((e) => e.type === 'pretrain-epoch')
        .map((e) => e.type === 'pretrain-epoch' && e.epoch),
    ).toEqual([1, 2]);
    expect(r.pretrain?.epochs.length).toBe(2);
    expect(r.pretrain?.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.name).toMatch(/pre-trained/);
    lab.clear();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('model configs: the request’s backbone, loss, heads, input norm and seeds reach the pair model; impossible combinations are refused', async () => {
    const base = request();
    const sia = modelConfigs(
      {
        ...base,
        model: {
          ...base.model,
          kind: 'siamese',
          embeddingHead: 'batchnorm',
          loss: 'contrastive',
          margin: 1.5,
        },
      },
      32,
      true,
    );
    expect(sia.model).toMatchObject({
      kind: 'siamese',
      loss: 'contrastive',
      margin: 1.5,
      embeddingHead: 'batchnorm',
      inputNorm: 'none',
      seed: 1,
    });
    const normed = modelConfigs(
      { ...base, model: { ...base.model, kind: 'siamese-aux', inputNorm: 'per-image' } },
      32,
      true,
    );
    expect(normed.model).toMatchObject({ kind: 'siamese-aux', inputNorm: 'per-image' });
    expect(sia.backbone).toEqual({ name: 'convnet', inputSize: 32, width: 4, blocks: 3, seed: 1 });
    const ef = modelConfigs(
      { ...base, model: { ...base.model, kind: 'early-fusion', headHidden: 16 } },
      64,
      true,
    );
    expect(ef).toEqual({
      model: {
        kind: 'early-fusion',
        inputSize: 64,
        width: 4,
        blocks: 3,
        headHidden: 16,
        inputNorm: 'none',
        seed: 1,
      },
      backbone: null,
    });
    const efNormed = modelConfigs(
      { ...base, model: { ...base.model, kind: 'early-fusion', inputNorm: 'per-image' } },
      32,
      true,
    );
    expect(efNormed.model).toMatchObject({ kind: 'early-fusion', inputNorm: 'per-image' });
    const mb = modelConfigs(
      {
        ...base,
        model: { ...base.model, backbone: { name: 'mobilenetv3-small', widthMultiplier: 0.5 } },
      },
      32,
      true,
    );
    expect(mb.backbone).toMatchObject({
      name: 'mobilenetv3-small',
      widthMultiplier: 0.5,
      table: 'lowres',
    });
    expect(() =>
      modelConfigs(
        {
          ...base,
          model: {
            ...base.model,
            kind: 'early-fusion',
            backbone: { name: 'mobilenetv3-small', widthMultiplier: 1 },
          },
        },
        32,
        true,
      ),
    ).toThrow(/ConvNet/);
    expect(() =>
      modelConfigs({ ...base, train: { ...base.train, freshPairs: true } }, 32, false),
    ).toThrow(/fresh pairs/);
    const lab = new PairsLab(memoryStore());
    const r = await lab.train(
      {
        ...base,
        model: { ...base.model, embeddingHead: 'batchnorm', inputNorm: 'per-image' },
        train: { ...base.train, epochs: 1 },
      },
      () => undefined,
    );
    expect(r.request.model.embeddingHead).toBe('batchnorm');
    expect(r.request.model.inputNorm).toBe('per-image');
    lab.clear();
  });
});
