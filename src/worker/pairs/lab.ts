/**
 * The pairs lab session the engine holds: builds pair data (shapes generator or a stored labelled
 * dataset), optionally pre-trains the siamese backbone on circle vs square, trains one of the three
 * pair models with the study's debug options while streaming per-epoch events, evaluates it (PR
 * curves, validation threshold transferred to test and OOD, galleries with pixels, centre head),
 * and keeps every trained model's split scores for the session's comparison table.
 * Only the latest model stays alive (for re-evaluation); older ones are disposed.
 */
import { generatePairSplit, pairLabels, type PairSet, type PairSplit } from '../../ml/data/pairs';
import { createBackbone, type BackboneConfigInput } from '../../ml/models/backbones';
import { createPairModel } from '../../ml/pairs/create-pair-model';
import {
  comparisonTable,
  splitCurve,
  transferThreshold,
  type SplitScores,
} from '../../ml/pairs/evaluation';
import type { PairModel, PairModelConfig } from '../../ml/pairs/pair-model';
import { evaluatePairModel, type PairModelReport } from '../../ml/pairs/scoring';
import {
  pairImages,
  shapeClassifierAccuracy,
  trainShapeClassifier,
} from '../../ml/pairs/shape-classifier';
import {
  epochPairs,
  trainPairModel,
  type PairEpochEvent,
  type PairTrainConfig,
} from '../../ml/pairs/trainer';
import { buildPairData, type PairData, type PairsStore } from './pair-data';
import { parsePairsTrainRequest } from './request-schema';
import type {
  PairsCentreItem,
  PairsComparisonRow,
  PairsEvent,
  PairsGalleryItem,
  PairsLabReport,
  PairsPreview,
  PairsPreviewRequest,
  PairsSplitView,
  PairsTrainRequest,
} from '../../common/pairs-types';

const MODEL_LABELS: Record<PairModel['kind'], string> = {
  'early-fusion': 'early fusion',
  siamese: 'siamese',
  'siamese-aux': 'siamese + centre head',
};

/** A finished model's split scores, kept for the comparison table. */
export interface SessionModel {
  modelId: number;
  name: string;
  labels: Record<PairSplit, string>;
  splits: Partial<Record<PairSplit, SplitScores>>;
}

/** The model configs a request describes (backbone and pair model); throws on combinations the lab cannot train. */
export function modelConfigs(
  req: PairsTrainRequest,
  size: number,
  generated: boolean,
): { model: PairModelConfig; backbone: BackboneConfigInput | null } {
  const m = req.model;
  if (!generated) {
    if (m.kind === 'siamese-aux')
      throw new Error(
        'the centre head needs shape centres: use the shapes generator for siamese + centre head',
      );
    if (req.pretrain) throw new Error('circle-vs-square pre-training needs the shapes generator');
    if (req.train.freshPairs) throw new Error('fresh pairs each epoch need the shapes generator');
  }
  if (m.kind === 'early-fusion') {
    if (m.backbone.name !== 'convnet')
      throw new Error(
        'early fusion stacks the two images into one 6-channel ConvNet: pick the ConvNet backbone',
      );
    if (req.pretrain)
      throw new Error(
        'pre-training applies to the siamese backbone, not to the 6-channel early-fusion net',
      );
    return {
      model: {
        kind: 'early-fusion',
        inputSize: size,
        width: m.backbone.width,
        blocks: m.backbone.blocks,
        headHidden: m.headHidden ?? 0,
        inputNorm: m.inputNorm ?? 'none',
        seed: m.seed,
      },
      backbone: null,
    };
  }
  const backbone: BackboneConfigInput =
    m.backbone.name === 'convnet'
      ? {
          name: 'convnet',
          inputSize: size,
          width: m.backbone.width,
          blocks: m.backbone.blocks,
          seed: m.seed,
        }
      : {
          name: 'mobilenetv3-small',
          inputSize: size,
          widthMultiplier: m.backbone.widthMultiplier,
          table: 'lowres',
          seed: m.seed,
        };
  return {
    model: {
      kind: m.kind,
      backbone,
      loss: m.loss,
      margin: m.margin,
      auxWeight: m.auxWeight,
      embeddingHead: m.embeddingHead ?? 'none',
      inputNorm: m.inputNorm ?? 'none',
      seed: m.seed,
    },
    backbone,
  };
}

export class PairsLab {
  readonly #store: PairsStore;
  #data: { key: string; value: PairData } | null = null;
  #model: {
    model: PairModel;
    data: PairData;
    base: Omit<PairsLabReport, 'threshold' | 'splits' | 'comparison'>;
  } | null = null;
  #session: SessionModel[] = [];
  #report: PairsLabReport | null = null;
  #abort: AbortController | null = null;
  #nextId = 1;

  constructor(store: PairsStore) {
    this.#store = store;
  }

  get busy(): boolean {
    return this.#abort !== null;
  }

  /** n generated pairs of one split's distribution (the Data panel's preview); no tensors. */
  preview(req: PairsPreviewRequest): PairsPreview {
    const n = Math.max(1, Math.min(64, Math.floor(req.n)));
    const set = generatePairSplit(req.split ?? 'train', n, { seed: req.seed });
    const per = set.size * set.size * 3;
    const a = new Uint8Array(n * per),
      b = new Uint8Array(n * per),
      centres = new Float32Array(n * 4);
    const kinds: ('circle' | 'square')[] = [];
    set.pairs.forEach((p, i) => {
      a.set(p.a.pixels, i * per);
      b.set(p.b.pixels, i * per);
      centres.set([p.a.cx, p.a.cy, p.b.cx, p.b.cy], i * 4);
      kinds.push(p.a.kind, p.b.kind);
    });
    return { size: set.size, n, a, b, labels: pairLabels(set.pairs), centres, kinds };
  }

  /** Asks a running training to stop after its current step. */
  stop(): void {
    this.#abort?.abort();
  }

  /** The latest report (null before the first model). */
  report(): PairsLabReport | null {
    return this.#report;
  }

  /** Forgets the session's models (comparison table and the live model). */
  clear(): void {
    if (this.busy) throw new Error('stop the pairs training first');
    this.#model?.model.dispose();
    this.#model = null;
    this.#session = [];
    this.#report = null;
  }

  async #pairData(req: PairsTrainRequest): Promise<PairData> {
    const key = JSON.stringify(req.data);
    if (this.#data?.key !== key)
      this.#data = { key, value: await buildPairData(req.data, this.#store) };
    return this.#data.value;
  }

  /** Trains one model as asked (the request checked by request-schema.ts), streaming events; resolves with its evaluation report. */
  async train(raw: PairsTrainRequest, onEvent: (e: PairsEvent) => void): Promise<PairsLabReport> {
    if (this.busy) throw new Error('a pairs model is already training');
    const req = parsePairsTrainRequest(raw);
    const abort = new AbortController();
    this.#abort = abort;
    try {
      onEvent({ type: 'phase', phase: 'data', message: 'building the pairs' });
      const data = await this.#pairData(req);
      onEvent({ type: 'data', size: data.size, splits: data.info });
      const cfgs = modelConfigs(req, data.size, data.generated);
      const t = req.train;
      const trainCfg: PairTrainConfig = {
        epochs: t.epochs,
        batchSize: t.batchSize,
        lr: t.lr,
        optimizer: { kind: 'adam' },
        subset: t.subset ?? undefined,
        onlyLabel: t.onlyLabel ?? undefined,
        freshPairs: t.freshPairs,
        dataSeed: req.data.seed,
        lossScale: t.lossScale,
        gradNorms: t.gradNorms,
        seed: t.seed,
        evalSplits: data.evaluated,
        histogramBins: t.bins,
      };
      const perEpoch = epochPairs(data.data, trainCfg, 0).pairs.length;
      trainCfg.schedule =
        t.schedule === 'cosine'
          ? { kind: 'cosine', totalSteps: t.epochs * Math.ceil(perEpoch / t.batchSize) }
          : { kind: 'constant' };

      // The previous model is only needed until a new one replaces it.
      this.#model?.model.dispose();
      this.#model = null;
      let pretrain: PairsLabReport['pretrain'] = null;
      let model: PairModel;
      if (req.pretrain && cfgs.backbone) {
        onEvent({
          type: 'phase',
          phase: 'pretrain',
          message: 'pre-training the backbone on circle vs square',
        });
        const r = await this.#pretrain(
          cfgs.backbone,
          cfgs.model,
          data,
          req.pretrain,
          req.model.seed,
          onEvent,
        );
        model = r.model;
        pretrain = r.pretrain;
      } else {
        model = createPairModel(cfgs.model);
      }
      const modelId = this.#nextId++;
      const name =
        req.name?.trim() ||
        `${modelId} · ${MODEL_LABELS[model.kind]}${pretrain ? ' (pre-trained)' : ''}`;
      let result: { history: PairEpochEvent[]; stopped: boolean; trainSeconds: number } = {
        history: [],
        stopped: true,
        trainSeconds: 0,
      };
      try {
        if (!abort.signal.aborted) {
          onEvent({
            type: 'phase',
            phase: 'train',
            message: `training ${MODEL_LABELS[model.kind]}`,
          });
          result = await trainPairModel(
            model,
            data.data,
            trainCfg,
            (event) => onEvent({ type: 'epoch', event }),
            abort.signal,
          );
        }
      } catch (e) {
        model.dispose();
        throw e;
      }
      this.#model = {
        model,
        data,
        base: {
          modelId,
          name,
          kind: model.kind,
          scoreKind: model.scoreKind,
          scoreRange: [model.scoreRange[0], model.scoreRange[1]],
          size: data.size,
          history: result.history,
          pretrain,
          trainSeconds: result.trainSeconds,
          stopped: result.stopped,
          request: structuredClone(req),
        },
      };
      onEvent({ type: 'phase', phase: 'evaluate', message: 'evaluating' });
      return await this.#evaluate(req.galleryK ?? 8, true);
    } finally {
      this.#abort = null;
    }
  }

  /** Re-evaluates the latest model (e.g. with another gallery size); its comparison row is replaced. */
  async evaluate(galleryK = 8): Promise<PairsLabReport> {
    if (this.busy) throw new Error('the pairs model is training: evaluate when it has ended');
    return this.#evaluate(galleryK, false);
  }

  async #pretrain(
    backboneCfg: BackboneConfigInput,
    modelCfg: PairModelConfig,
    data: PairData,
    opts: { epochs: number; lr: number },
    seed: number,
    onEvent: (e: PairsEvent) => void,
  ): Promise<{ model: PairModel; pretrain: NonNullable<PairsLabReport['pretrain']> }> {
    const bb = createBackbone(backboneCfg);
    try {
      const images = pairImages(data.data.train);
      const batchSize = 64;
      const epochs: { epoch: number; loss: number; accuracy: number }[] = [];
      const { method } = await trainShapeClassifier(
        bb.model,
        images,
        data.size,
        {
          epochs: opts.epochs,
          batchSize,
          lr: opts.lr,
          schedule: {
            kind: 'cosine',
            totalSteps: opts.epochs * Math.ceil(images.length / batchSize),
          },
          seed,
        },
        (e) => {
          epochs.push({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy });
          onEvent({
            type: 'pretrain-epoch',
            epoch: e.epoch,
            epochs: opts.epochs,
            loss: e.loss,
            accuracy: e.accuracy,
            seconds: e.seconds,
          });
        },
      );
      try {
        const testAccuracy = await shapeClassifierAccuracy(
          method,
          pairImages(data.data.test),
          data.size,
        );
        return {
          model: createPairModel(modelCfg, { startFrom: bb.model }),
          pretrain: { epochs, testAccuracy },
        };
      } finally {
        method.dispose();
      }
    } finally {
      bb.model.dispose();
    }
  }

  async #evaluate(galleryK: number, fresh: boolean): Promise<PairsLabReport> {
    const live = this.#model;
    if (!live) throw new Error('train a pairs model first');
    const { model, data, base } = live;
    const bins = base.request.train.bins;
    const r = await evaluatePairModel(model, data.data, { splits: data.evaluated, bins, galleryK });
    const splits = data.evaluated.map((name) =>
      splitView(r, name, data.data[name], data.labels[name]),
    );
    const entry: SessionModel = {
      modelId: base.modelId,
      name: base.name,
      labels: data.labels,
      splits: {},
    };
    for (const s of splits) entry.splits[s.split] = { scores: s.scores, labels: s.labels };
    const at = this.#session.findIndex((m) => m.modelId === base.modelId);
    if (at >= 0) this.#session[at] = entry;
    else if (fresh) this.#session.push(entry);
    const report: PairsLabReport = {
      ...base,
      threshold: r.threshold,
      splits,
      comparison: comparison(this.#session),
    };
    this.#report = report;
    return report;
  }
}

function splitView(
  r: PairModelReport,
  name: PairSplit,
  set: PairSet,
  label: string,
): PairsSplitView {
  const s = r.splits[name];
  if (!s) throw new Error(`split ${name} was not evaluated`);
  const withPixels = (g: { index: number; score: number; label: 0 | 1 }): PairsGalleryItem => {
    const p = set.pairs[g.index];
    return {
      index: g.index,
      score: g.score,
      label: g.label,
      a: p.a.pixels.slice(),
      b: p.b.pixels.slice(),
    };
  };
  const centreItem = (c: {
    index: number;
    error: number;
    pred: [number, number];
    truth: [number, number];
  }): PairsCentreItem => {
    const p = set.pairs[Math.floor(c.index / 2)];
    return { ...c, pixels: (c.index % 2 === 0 ? p.a : p.b).pixels.slice() };
  };
  return {
    split: name,
    label,
    scores: s.scores,
    labels: s.labels,
    curve: s.curve,
    best: s.best,
    atThreshold: s.atColourThreshold,
    histogram: s.histogram,
    medians: s.medians,
    gallery: {
      closestDifferent: s.gallery.closestDifferent.map(withPixels),
      farthestSame: s.gallery.farthestSame.map(withPixels),
      confidentCorrect: s.gallery.confidentCorrect.map(withPixels),
    },
    centre: s.centre
      ? {
          mse: s.centre.mse,
          best: s.centre.best.map(centreItem),
          worst: s.centre.worst.map(centreItem),
        }
      : null,
  };
}

/**
 * The comparison table of the session's models: P/R/F1 at each model's validation threshold and each
 * split's own best F1 (comparisonTable's rows; models without an OOD split get rows for test and val).
 */
export function comparison(models: readonly SessionModel[]): PairsComparisonRow[] {
  const rows: PairsComparisonRow[] = [];
  for (const m of models) {
    const { test, colour, texture } = m.splits;
    if (!test || !colour) continue;
    if (texture) {
      for (const row of comparisonTable([{ model: m.name, splits: { test, colour, texture } }])) {
        rows.push({ ...row, modelId: m.modelId, splitLabel: m.labels[row.split] });
      }
      continue;
    }
    const t = transferThreshold(colour, { test, colour });
    for (const split of ['test', 'colour'] as const) {
      rows.push({
        model: m.name,
        modelId: m.modelId,
        split,
        splitLabel: m.labels[split],
        threshold: t.threshold,
        ...t.applied[split],
        bestF1: splitCurve(m.splits[split] as SplitScores).best.f1,
      });
    }
  }
  return rows;
}
