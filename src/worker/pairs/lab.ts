/**
 * The pairs lab session the engine holds: builds pair data (shapes generator or a stored labelled
 * dataset), optionally pre-trains the siamese backbone on circle vs square, trains one of the three
 * pair models with the study's debug options while streaming per-epoch events, evaluates it (PR
 * curves, validation threshold transferred to test and OOD, galleries with pixels, centre head),
 * and keeps every trained model's split scores for the session's comparison table.
 * Only the latest model stays alive (for re-evaluation); older ones are disposed.
 */
import { generatePairSplit, pairLabels } from '../../ml/data/pairs';
import { createPairModel } from '../../ml/pairs/create-pair-model';
import type { PairModel } from '../../ml/pairs/pair-model';
import { evaluatePairModel } from '../../ml/pairs/scoring';
import {
  epochPairs,
  trainPairModel,
  type PairEpochEvent,
  type PairTrainConfig,
} from '../../ml/pairs/trainer';
import { modelConfigs } from './model-configs';
import { buildPairData, type PairData, type PairsStore } from './pair-data';
import { pretrainBackbone } from './pretrain';
import { parsePairsTrainRequest } from './request-schema';
import { comparison, type SessionModel } from './session-comparison';
import { splitView } from './split-view';
import type {
  PairsEvent,
  PairsLabReport,
  PairsPreview,
  PairsPreviewRequest,
  PairsTrainRequest,
} from '../../common/pairs-types';

const MODEL_LABELS: Record<PairModel['kind'], string> = {
  'early-fusion': 'early fusion',
  siamese: 'siamese',
  'siamese-aux': 'siamese + centre head',
};

/** One session of the pairs lab: its cached pair data, its latest live model and its comparison table. */
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
        const r = await pretrainBackbone(
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
