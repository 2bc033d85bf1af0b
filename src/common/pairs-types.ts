/**
 * Plain data of the pairs lab ("same or different?") between the page and the engine: what to
 * train on and how, the events streamed while it trains, and the report the panel draws. Pixels
 * are uint8 RGB (S·S·3 per image); everything here survives structured cloning.
 */
import type { PairSplit } from '../ml/data/pair-split';
import type { BestF1, PrCurve } from '../ml/eval/pr-curve';
import type { ComparisonRow, PrfAt, ScoreHistogram } from '../ml/pairs/evaluation';
import type {
  EmbeddingHeadKind,
  InputNormKind,
  PairEpochEvent,
  PairModelKind,
  SiameseLossKind,
} from '../ml/pairs/types';

export type {
  BestF1,
  ComparisonRow,
  EmbeddingHeadKind,
  InputNormKind,
  PairEpochEvent,
  PairModelKind,
  PairSplit,
  PrCurve,
  PrfAt,
  ScoreHistogram,
  SiameseLossKind,
};

/** Where the pairs come from. */
export type PairsDataSpec =
  /** The seeded shapes generator: train, test and the two validation domains (colour, texture). */
  | { kind: 'shapes'; seed: number; train: number; test: number; colour: number; texture: number }
  /**
   * A stored labelled dataset: pairs drawn within its train / val / test splits (same class = 1);
   * val takes the validation role ('colour' slot, where the threshold is chosen). Optionally a
   * second stored dataset of the same image size fills the out-of-domain slot ('texture').
   */
  | {
      kind: 'stored';
      datasetId: string;
      seed: number;
      train: number;
      test: number;
      val: number;
      oodDatasetId?: string | null;
      ood?: number;
    };

/** The shared backbone of the siamese models; early fusion uses the ConvNet's width and blocks. */
export type PairsBackbone =
  | { name: 'convnet'; width: number; blocks: 3 | 4 }
  | { name: 'mobilenetv3-small'; widthMultiplier: number };

export interface PairsModelSpec {
  kind: PairModelKind;
  backbone: PairsBackbone;
  /** Siamese models' pair loss. */
  loss: SiameseLossKind;
  /** On cosine for 'cosine-embedding' (torch's default 0), on distance for 'contrastive' (default 1). */
  margin: number;
  /** 'siamese-aux': weight λ of the centre MSE. */
  auxWeight: number;
  /** Siamese models: what sits between the backbone and the cosine (default 'none'; see SiameseConfig.embeddingHead). */
  embeddingHead?: EmbeddingHeadKind;
  /** Early fusion: hidden units of the classifier head (0 = linear, the default). */
  headHidden?: number;
  /** Both kinds: input images as given ('none', the default) or standardised per image and channel ('per-image'; see input-norm.ts). */
  inputNorm?: InputNormKind;
  /** Weight initialisation seed. */
  seed: number;
}

export interface PairsTrainOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  schedule: 'constant' | 'cosine';
  /** Train on the first N pairs only (null = all). */
  subset: number | null;
  /** Train on one label only (the overfit check; null = both). */
  onlyLabel: 0 | 1 | null;
  /** New generated pairs each epoch (shapes generator only). */
  freshPairs: boolean;
  /** Multiplies the loss before differentiation. */
  lossScale: number;
  /** Per-layer gradient norms of each epoch's last step. */
  gradNorms: boolean;
  /** Batch-order seed. */
  seed: number;
  /** Histogram bins over the score range. */
  bins: number;
}

/** Supervised circle-vs-square pre-training of the siamese backbone (shapes generator only). */
export interface PairsPretrainOptions {
  epochs: number;
  lr: number;
}

export interface PairsTrainRequest {
  /** Shown in the comparison table; default "<n> · <model>". */
  name?: string;
  data: PairsDataSpec;
  model: PairsModelSpec;
  train: PairsTrainOptions;
  pretrain: PairsPretrainOptions | null;
  /** Pairs per failure gallery (default 8). */
  galleryK?: number;
}

/** Pair count and label balance of one split. */
export interface PairsSplitInfo {
  split: PairSplit;
  /** What the split is called in this lab ('colour (val)', 'val', 'OOD: clothing', …). */
  label: string;
  pairs: number;
  same: number;
  different: number;
}

export type PairsEvent =
  | { type: 'phase'; phase: 'data' | 'pretrain' | 'train' | 'evaluate'; message: string }
  | { type: 'data'; size: number; splits: PairsSplitInfo[] }
  | {
      type: 'pretrain-epoch';
      epoch: number;
      epochs: number;
      loss: number;
      accuracy: number;
      seconds: number;
    }
  | { type: 'epoch'; event: PairEpochEvent };

/** A gallery pair: its index in the split, score, label and both images. */
export interface PairsGalleryItem {
  index: number;
  score: number;
  label: 0 | 1;
  a: Uint8Array;
  b: Uint8Array;
}

export interface PairsGallery {
  /** Different pairs with the highest scores, highest first. */
  closestDifferent: PairsGalleryItem[];
  /** Same pairs with the lowest scores, lowest first. */
  farthestSame: PairsGalleryItem[];
  /** Correct pairs (at the report's threshold) farthest from it. */
  confidentCorrect: PairsGalleryItem[];
}

/** One image of the centre-head views: predicted and true centre (0..1) and the image. */
export interface PairsCentreItem {
  /** Image row: pair = ⌊index/2⌋, slot a when even. */
  index: number;
  error: number;
  pred: [number, number];
  truth: [number, number];
  pixels: Uint8Array;
}

export interface PairsCentreView {
  mse: number;
  best: PairsCentreItem[];
  worst: PairsCentreItem[];
}

/** Everything the evaluation views show for one split. */
export interface PairsSplitView {
  split: PairSplit;
  label: string;
  scores: Float32Array;
  labels: Uint8Array;
  curve: PrCurve;
  /** The split's own best-F1 threshold with its precision and recall. */
  best: BestF1;
  /** P/R/F1 at the threshold chosen on the validation split. */
  atThreshold: PrfAt;
  histogram: ScoreHistogram;
  medians: { same: number; different: number };
  gallery: PairsGallery;
  /** 'siamese-aux' only. */
  centre: PairsCentreView | null;
}

/** A comparison-table row (P/R/F1 at the model's validation threshold) with its model's id. */
export interface PairsComparisonRow extends Omit<ComparisonRow, 'split'> {
  modelId: number;
  split: PairSplit;
  /** The split's label in that model's lab. */
  splitLabel: string;
}

export interface PairsLabReport {
  /** 1, 2, … in the order models were trained in this session. */
  modelId: number;
  name: string;
  kind: PairModelKind;
  scoreKind: 'probability' | 'cosine';
  scoreRange: [number, number];
  /** Image side S. */
  size: number;
  /** Best-F1 threshold of the validation split ('colour' slot), applied to every split. */
  threshold: number;
  /** Evaluated splits in display order (test, validation, out-of-domain). */
  splits: PairsSplitView[];
  history: PairEpochEvent[];
  pretrain: {
    epochs: { epoch: number; loss: number; accuracy: number }[];
    testAccuracy: number;
  } | null;
  trainSeconds: number;
  stopped: boolean;
  /** Every model trained in this session, this one included. */
  comparison: PairsComparisonRow[];
  request: PairsTrainRequest;
}

export interface PairsPreviewRequest {
  seed: number;
  /** Pairs to draw (≤ 64). */
  n: number;
  /** Which split's distribution ('texture' = procedural textures); default 'train'. */
  split?: PairSplit;
}

export interface PairsPreview {
  size: number;
  n: number;
  /** n·S·S·3 uint8 RGB: first images, then (in b) second images. */
  a: Uint8Array;
  b: Uint8Array;
  /** [n] 1 same, 0 different. */
  labels: Uint8Array;
  /** [n·4]: (cx, cy) of a, then of b, 0..1. */
  centres: Float32Array;
  /** [n·2] kinds of a and b. */
  kinds: ('circle' | 'square')[];
}
