/**
 * The pairs lab's train request schema: requests the Pairs panel sends pass unchanged; each kind
 * of bad field is refused with its path; PairsLab.train refuses a bad request before any work.
 */
import { describe, expect, it } from 'vitest';
import type { PairsTrainRequest } from '../../common/pairs-types';
import { PairsLab } from './lab';
import type { PairsStore } from './pair-data';
import { parsePairsTrainRequest } from './request-schema';

function request(): PairsTrainRequest {
  return {
    name: 'run 1',
    data: { kind: 'shapes', seed: 4, train: 32, test: 16, colour: 12, texture: 12 },
    model: {
      kind: 'siamese-aux',
      backbone: { name: 'convnet', width: 8, blocks: 4 },
      loss: 'cosine-embedding',
      margin: 0,
      auxWeight: 10,
      embeddingHead: 'linear-batchnorm',
      headHidden: 0,
      inputNorm: 'per-image',
      seed: 1,
    },
    train: {
      epochs: 2,
      lr: 1e-2,
      batchSize: 8,
      schedule: 'cosine',
      subset: null,
      onlyLabel: null,
      freshPairs: true,
      lossScale: 1,
      gradNorms: false,
      seed: 2,
      bins: 10,
    },
    pretrain: { epochs: 3, lr: 3e-3 },
    galleryK: 8,
  };
}

/** `request()` with `edit` applied to a deep copy. */
function withEdit(edit: (r: Record<string, any>) => void): unknown {
  const r = structuredClone(request()) as Record<string, any>;
  edit(r);
  return r;
}

/** The message parsePairsTrainRequest throws for `raw` ('' when it passes). */
function problem(raw: unknown): string {
  try {
    parsePairsTrainRequest(raw);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('pairs train request schema', () => {
  it('passes valid requests unchanged: shapes, stored with and without OOD, MobileNet, optional fields absent', () => {
    const shapes = request();
    expect(parsePairsTrainRequest(shapes)).toEqual(shapes);
    const stored: PairsTrainRequest = {
      ...request(),
      data: {
        kind: 'stored',
        datasetId: 'ds',
        seed: 3,
        train: 100,
        test: 20,
        val: 20,
        oodDatasetId: 'ood',
        ood: 30,
      },
      model: {
        kind: 'siamese',
        backbone: { name: 'mobilenetv3-small', widthMultiplier: 0.5 },
        loss: 'contrastive',
        margin: 1,
        auxWeight: 0,
        seed: 0,
      },
      train: { ...request().train, subset: 10, onlyLabel: 1, freshPairs: false },
      pretrain: null,
    };
    expect(parsePairsTrainRequest(stored)).toEqual(stored);
    const noOod = withEdit((r) => {
      r.data = { kind: 'stored', datasetId: 'ds', seed: 3, train: 10, test: 4, val: 4 };
      delete r.name;
      delete r.galleryK;
      r.data.oodDatasetId = null;
    });
    expect(parsePairsTrainRequest(noOod)).toEqual(noOod);
  });

  it('reads a null optional field (a cleared number input) as absent, as modelConfigs always did', () => {
    const cleared = withEdit((r) => {
      r.model.headHidden = null;
      r.galleryK = null;
    });
    const parsed = parsePairsTrainRequest(cleared);
    expect(parsed.model.headHidden).toBeUndefined();
    expect(parsed.galleryK).toBeUndefined();
    const { headHidden: _h, ...model } = request().model;
    const { galleryK: _g, ...rest } = request();
    expect(parsed).toEqual({ ...rest, model });
  });

  it.each([
    ['data.train', (r: any) => (r.data.train = 0), /need a whole number of pairs ≥ 1, got 0/],
    ['data.test', (r: any) => (r.data.test = 1), /need a whole number of pairs ≥ 2, got 1/],
    ['data.colour', (r: any) => (r.data.colour = 2.5), /whole number of pairs ≥ 2, got 2.5/],
    ['data.texture', (r: any) => (r.data.texture = null), /must be a finite number, got null/],
    ['data.seed', (r: any) => (r.data.seed = 0.5), /must be a whole number, got 0.5/],
    ['data.kind', (r: any) => (r.data = { kind: 'folder' }), /must be 'shapes' or 'stored'/],
    [
      'model.backbone.name',
      (r: any) => (r.model.backbone = { name: 'resnet18' }),
      /must be 'convnet' or 'mobilenetv3-small'/,
    ],
    ['model.kind', (r: any) => (r.model.kind = 'triplet'), /must be one of .*siamese-aux/],
    ['model.backbone.blocks', (r: any) => (r.model.backbone.blocks = 5), /must be 3 or 4, got 5/],
    ['model.backbone.width', (r: any) => (r.model.backbone.width = 0), /whole number ≥ 1, got 0/],
    ['model.loss', (r: any) => (r.model.loss = 'mse'), /cosine-embedding, contrastive/],
    ['model.auxWeight', (r: any) => (r.model.auxWeight = -1), /must be ≥ 0, got -1/],
    ['model.margin', (r: any) => (r.model.margin = NaN), /must be a finite number/],
    ['model.inputNorm', (r: any) => (r.model.inputNorm = 'batch'), /none, per-image/],
    ['train.epochs', (r: any) => (r.train.epochs = 0), /whole number ≥ 1, got 0/],
    ['train.lr', (r: any) => (r.train.lr = 0), /must be > 0, got 0/],
    ['train.batchSize', (r: any) => (r.train.batchSize = '8'), /finite number, got "8"/],
    ['train.schedule', (r: any) => (r.train.schedule = 'step'), /constant, cosine/],
    ['train.subset', (r: any) => (r.train.subset = 0), /whole number ≥ 1, got 0/],
    ['train.onlyLabel', (r: any) => (r.train.onlyLabel = 2), /must be 0, 1 or null, got 2/],
    ['train.freshPairs', (r: any) => delete r.train.freshPairs, /expected boolean/],
    ['train.bins', (r: any) => (r.train.bins = Infinity), /must be a finite number/],
    ['pretrain.lr', (r: any) => (r.pretrain.lr = -1), /must be > 0, got -1/],
    ['galleryK', (r: any) => (r.galleryK = -1), /whole number ≥ 0, got -1/],
  ])('refuses a bad %s, naming it', (path, edit, message) => {
    const m = problem(withEdit(edit));
    expect(m).toMatch(/^invalid pairs request:\n/);
    const line = m.split('\n').find((l) => l.trim().startsWith(`${path}:`));
    expect(line, m).toBeDefined();
    expect(line).toMatch(message);
  });

  it('lists every bad field, one line each', () => {
    const m = problem(
      withEdit((r) => {
        r.data.train = -3;
        r.train.lr = 0;
        r.model.backbone.blocks = 2;
      }),
    );
    expect(
      m
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(':')[0]),
    ).toEqual(expect.arrayContaining(['data.train', 'train.lr', 'model.backbone.blocks']));
    expect(m.split('\n').length).toBe(4);
  });

  it('PairsLab.train refuses a bad request before building any data', async () => {
    let reads = 0;
    const store: PairsStore = {
      getMeta: async () => (reads++, undefined),
      getIndex: async () => {
        throw new Error(`read ${++reads}`);
      },
      readImages: async () => {
        throw new Error(`read ${++reads}`);
      },
    };
    const lab = new PairsLab(store);
    const events: unknown[] = [];
    const bad = withEdit((r) => {
      r.data = { kind: 'stored', datasetId: '', seed: 1, train: 10, test: 4, val: 4 };
    }) as PairsTrainRequest;
    await expect(lab.train(bad, (e) => events.push(e))).rejects.toThrow(
      /data\.datasetId: must not be empty/,
    );
    expect(events).toEqual([]);
    expect(reads).toBe(0);
    expect(lab.busy).toBe(false);
  });
});
