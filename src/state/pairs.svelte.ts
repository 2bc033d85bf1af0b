/**
 * The pairs lab's state ("same or different?"): the data / model / training form, the live
 * per-epoch events of the model being trained, its evaluation report (with the session's
 * comparison table), and the Data panel's preview of generated pairs. Latest request wins.
 */
import type { PairsEvent, PairsLabReport, PairsPreview, PairsTrainRequest } from '../worker/api';
import type { EngineClient } from '../worker/client';
import type {
  PairEpochEvent,
  PairsModelSpec,
  PairsSplitInfo,
  PairsTrainOptions,
  PairSplit,
} from '../worker/api';

export type PairsStatus = 'idle' | 'training' | 'stopping';

/** The study sizes (1,000 train pairs, 200 test, 100 + 100 validation). */
export const STUDY_SIZES = { train: 1000, test: 200, colour: 100, texture: 100 } as const;

/**
 * The measured from-scratch recipe that escapes the siamese collapse (bench/pairs.bench.ts): siamese +
 * centre head on a width-8 ConvNet, linear + batch-norm embedding head, centre weight 10, per-image
 * input standardisation; 12 epochs of 2,000 fresh pairs, Adam 3e-3 with a cosine schedule, batch 32.
 */
export const ESCAPE_COLLAPSE_RECIPE = {
  model: {
    kind: 'siamese-aux',
    backbone: { name: 'convnet', width: 8, blocks: 4 },
    loss: 'cosine-embedding',
    margin: 0,
    auxWeight: 10,
    embeddingHead: 'linear-batchnorm',
    inputNorm: 'per-image',
  },
  train: {
    epochs: 12,
    lr: 3e-3,
    batchSize: 32,
    schedule: 'cosine',
    subset: null,
    onlyLabel: null,
    freshPairs: true,
    lossScale: 1,
  },
  trainPairs: 2000,
} as const satisfies {
  model: Omit<PairsModelSpec, 'seed' | 'headHidden'>;
  train: Partial<PairsTrainOptions>;
  trainPairs: number;
};

export class PairsState {
  readonly #client: EngineClient;
  source = $state<'shapes' | 'stored'>('shapes');
  shapes = $state<{ seed: number; train: number; test: number; colour: number; texture: number }>({
    seed: 1,
    ...STUDY_SIZES,
  });
  stored = $state<{
    datasetId: string | null;
    seed: number;
    train: number;
    test: number;
    val: number;
    oodDatasetId: string | null;
  }>({
    datasetId: null,
    seed: 1,
    train: 1000,
    test: 200,
    val: 200,
    oodDatasetId: null,
  });
  model = $state<PairsModelSpec>({
    kind: 'siamese',
    backbone: { name: 'convnet', width: 8, blocks: 4 },
    loss: 'cosine-embedding',
    margin: 0,
    auxWeight: 1,
    embeddingHead: 'none',
    headHidden: 0,
    inputNorm: 'none',
    seed: 0,
  });
  train = $state<PairsTrainOptions>({
    epochs: 5,
    lr: 0.001,
    batchSize: 32,
    schedule: 'constant',
    subset: null,
    onlyLabel: null,
    freshPairs: false,
    lossScale: 1,
    gradNorms: true,
    seed: 0,
    bins: 20,
  });
  pretrainOn = $state(false);
  pretrain = $state({ epochs: 10, lr: 0.003 });
  galleryK = $state(8);
  name = $state('');

  status = $state<PairsStatus>('idle');
  phase = $state('');
  dataInfo = $state.raw<{ size: number; splits: PairsSplitInfo[] } | null>(null);
  /** Per-epoch events of the model being trained (or the last one). */
  epochs = $state.raw<PairEpochEvent[]>([]);
  pretrainEpochs = $state.raw<{ epoch: number; epochs: number; loss: number; accuracy: number }[]>(
    [],
  );
  report = $state.raw<PairsLabReport | null>(null);
  error = $state<string | null>(null);

  previewSeed = $state(1);
  previewSplit = $state<PairSplit>('train');
  previewCount = $state(12);
  preview = $state.raw<PairsPreview | null>(null);
  previewError = $state<string | null>(null);

  #seq = 0;
  #previewSeq = 0;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  /** The request the form describes (plain data). */
  request(): PairsTrainRequest {
    const data: PairsTrainRequest['data'] =
      this.source === 'shapes'
        ? { kind: 'shapes', ...$state.snapshot(this.shapes) }
        : (() => {
            const s = $state.snapshot(this.stored);
            if (!s.datasetId) throw new Error('pick a stored labelled dataset');
            return {
              kind: 'stored' as const,
              datasetId: s.datasetId,
              seed: s.seed,
              train: s.train,
              test: s.test,
              val: s.val,
              oodDatasetId: s.oodDatasetId,
            };
          })();
    return {
      name: this.name.trim() || undefined,
      data,
      model: $state.snapshot(this.model),
      // Options the chosen source or model cannot use are left out (their checkboxes are disabled then).
      train: {
        ...$state.snapshot(this.train),
        freshPairs: this.train.freshPairs && this.source === 'shapes',
      },
      pretrain: this.pretrainOn && this.canPretrain ? $state.snapshot(this.pretrain) : null,
      galleryK: this.galleryK,
    };
  }

  /** Fills the form with ESCAPE_COLLAPSE_RECIPE (shapes generator, from scratch); seeds and the rest stay. */
  useRecipe(): void {
    const r = ESCAPE_COLLAPSE_RECIPE;
    this.source = 'shapes';
    this.shapes.train = r.trainPairs;
    this.model = { ...$state.snapshot(this.model), ...structuredClone(r.model) } as PairsModelSpec;
    Object.assign(this.train, r.train);
    this.pretrainOn = false;
  }

  get canPretrain(): boolean {
    return this.source === 'shapes' && this.model.kind !== 'early-fusion';
  }

  async start(): Promise<void> {
    if (this.status !== 'idle') return;
    const seq = ++this.#seq;
    this.error = null;
    let req: PairsTrainRequest;
    try {
      req = this.request();
    } catch (e) {
      this.error = (e as Error).message;
      return;
    }
    this.status = 'training';
    this.phase = 'starting';
    this.epochs = [];
    this.pretrainEpochs = [];
    this.dataInfo = null;
    try {
      const r = await this.#client.trainPairs(req, (e: PairsEvent) => {
        if (seq !== this.#seq) return;
        if (e.type === 'phase') this.phase = e.message;
        else if (e.type === 'data') this.dataInfo = { size: e.size, splits: e.splits };
        else if (e.type === 'pretrain-epoch') this.pretrainEpochs = [...this.pretrainEpochs, e];
        else this.epochs = [...this.epochs, e.event];
      });
      if (seq === this.#seq) this.report = r;
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#seq) {
        this.status = 'idle';
        this.phase = '';
      }
    }
  }

  async stop(): Promise<void> {
    if (this.status !== 'training') return;
    this.status = 'stopping';
    await this.#client.remote.stopPairs();
  }

  /** Re-evaluates the latest model with the current gallery size. */
  async reevaluate(): Promise<void> {
    const seq = ++this.#seq;
    this.error = null;
    try {
      const r = await this.#client.remote.evaluatePairs({ galleryK: this.galleryK });
      if (seq === this.#seq) this.report = r;
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
    }
  }

  /** Forgets the session's models (comparison table included). */
  async clear(): Promise<void> {
    ++this.#seq;
    await this.#client.remote.clearPairs();
    this.report = null;
    this.epochs = [];
    this.pretrainEpochs = [];
    this.dataInfo = null;
  }

  async loadPreview(): Promise<void> {
    const seq = ++this.#previewSeq;
    this.previewError = null;
    try {
      const p = await this.#client.remote.pairsPreview({
        seed: this.previewSeed,
        n: this.previewCount,
        split: this.previewSplit,
      });
      if (seq === this.#previewSeq) this.preview = p;
    } catch (e) {
      if (seq === this.#previewSeq) this.previewError = (e as Error).message;
    }
  }
}
