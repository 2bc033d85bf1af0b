/**
 * Plain-data requests and results of the evaluation engine (posted between worker and page).
 */
import type { ClassReport } from '../ml/eval/metrics';
import type { ProbeEpoch } from '../ml/eval/probe-epoch';
import type { SplitName } from '../ml/data/types';
import type { CheckpointSlot } from '../storage/run-schema';

export type { CheckpointSlot, ClassReport, ProbeEpoch };

/**
 * Which weights, and which images are queried. The bank / training set is always the run's own
 * train split. `init` (default 'ssl' = the run's checkpoint) can instead embed with a seeded random
 * network of the run's architecture or with an imported run's weights (`initRunId`), see init-weights.ts.
 */
export interface EvalTarget extends InitChoice {
  runId: string;
  slot: CheckpointSlot;
  /** Dataset whose images are classified (default: the run's). */
  datasetId?: string;
  /** Split of that dataset (default 'test'). */
  querySplit?: EvalSplit;
  /**
   * Another dataset's class index → the run's class index, or -1 to leave its images out. Needed
   * when datasetId has other classes than the run's dataset; identity when omitted.
   */
  classMap?: number[];
}

export interface KnnEvalRequest extends EvalTarget {
  k: number;
  temperature: number;
}

/** Linear probe (ml/eval/linear-probe.ts): full-batch L-BFGS, as sklearn's LogisticRegression. */
export interface ProbeEvalRequest extends EvalTarget {
  /** Most L-BFGS iterations (each one pass over the training embeddings); it stops earlier once converged. */
  maxIterations: number;
  /** sklearn-style inverse L2 strength (default 1): the L2 term is ‖W‖²/(2·C·n) on the mean loss. */
  C?: number;
}

export interface EvalProgress {
  phase: 'embed-bank' | 'embed-queries' | 'classify' | 'probe';
  done: number;
  total: number;
  /** Probe iterations as they finish. */
  epoch?: ProbeEpoch;
}

/** Which classifier produced a result: kNN, a linear probe, or the run's own trained head. */
export type ClassifierKind = 'knn' | 'probe' | 'classifier';

/** The run's own classifier (a supervised / fine-tuned run's head) on a split; no bank, no fitting. */
export type OwnClassifierRequest = EvalTarget;

/** Predictions of the run's own classifier on every image of a dataset split (labels not needed). */
export interface PredictRequest {
  runId: string;
  slot: CheckpointSlot;
  datasetId: string;
  /** Default 'all' (an unlabelled import's images are all in one split). */
  split?: EvalSplit;
  /** Append one probability column per class to the CSV. */
  probabilities?: boolean;
}

export interface PredictResult {
  /** `file,label` (+ `p_<class>` columns), one row per image, in storage order. */
  csv: string;
  classes: string[];
  /** Image indices (in datasetId), the predicted class and its probability per row. */
  indices: Int32Array;
  predictions: Int32Array;
  confidence: Float32Array;
  datasetId: string;
  ms: number;
}

/** A classifier's test figures; rows follow `queryIndices`. */
export interface ClassifierResult {
  kind: ClassifierKind;
  runId: string;
  slot: CheckpointSlot;
  /** Weights the embeddings came from. */
  init: WeightsInit;
  initRunId?: string;
  datasetId: string;
  querySplit: EvalSplit;
  /** The run's class names (rows / columns of the confusion matrix). */
  classes: string[];
  accuracy: number;
  macroF1: number;
  /** confusion[true][predicted], counts; sums to queryIndices.length. */
  confusion: number[][];
  perClass: ClassReport[];
  /** Image indices (in datasetId) of the queries. */
  queryIndices: Int32Array;
  /** True class per query (run class space, after classMap). */
  trueLabels: Int32Array;
  predictions: Int32Array;
  /** Class probabilities [n × classes] (kNN: normalised vote weights; probe: softmax). */
  probs: Float32Array;
  bankSize: number;
  /** Checkpoint position evaluated. */
  epoch: number;
  step: number;
  ms: number;
}

export interface ProbeResult extends ClassifierResult {
  curves: ProbeEpoch[];
  trainAccuracy: number;
  /** The run store record of this probe (when the evaluator records runs). */
  recordedRunId?: string;
}

/** Embeddings for the explorer: rows = the chosen splits of a dataset, in storage order. */
export interface EmbeddingsRequest {
  runId: string;
  slot: CheckpointSlot;
  datasetId?: string;
  splits: EvalSplit[];
}

export interface EmbeddingsResult {
  /** Row-major [n × dim]. */
  x: Float32Array;
  n: number;
  dim: number;
  indices: Int32Array;
  labels: Int32Array;
  /** Split code per row (0 train, 1 val, 2 test). */
  splits: Uint8Array;
  paths: string[];
  classes: string[];
  datasetId: string;
}

/** Which images of a dataset: one split, or all of them. */
export type EvalSplit = SplitName | 'all';

export type WeightsInit = 'ssl' | 'random' | 'imported';
export const WEIGHTS_INITS: readonly WeightsInit[] = ['random', 'ssl', 'imported'];

/** The start chosen for a request (absent init = 'ssl'). */
export interface InitChoice {
  init?: WeightsInit;
  /** The run whose 'latest' checkpoint is used when init is 'imported'. */
  initRunId?: string;
}

export interface FineTuneRequest {
  /** The run whose dataset, classes, architecture and input normalisation are used (and whose checkpoint is the 'ssl' start). */
  runId: string;
  slot: CheckpointSlot;
  /** Starting weights: the run's checkpoint ('ssl'), a seeded fresh network ('random'), or `initRunId`'s latest checkpoint ('imported'). */
  init: WeightsInit;
  /** The run holding imported weights (init 'imported'); its backbone must have the run's architecture. */
  initRunId?: string;
  epochs: number;
  /** Peak learning rate of the backbone (cosine-decayed per step). */
  learningRate: number;
  /** Peak learning rate of the linear head (default 10 × learningRate). */
  headLearningRate?: number;
  batchSize: number;
  seed: number;
  /**
   * Keep embeddings every this many epochs, plus epoch 0 and the last epoch (0 = no snapshots;
   * default 1). Raised when needed so that at most MAX_SNAPSHOTS are kept (memory: n × dim floats each).
   */
  snapshotEvery?: number;
  /** Most images in a snapshot (a seeded subset of train + test, the same rows every time; default 2000). */
  snapshotPoints?: number;
}

export interface FineTuneEpoch {
  epoch: number;
  trainLoss: number;
  /** Mean batch accuracy while training (training mode, flipped images). */
  trainAccuracy: number;
  testAccuracy: number;
  testMacroF1: number;
  /** Seconds of the epoch's training steps (scoring and snapshots excluded). */
  seconds: number;
}

/** Embeddings of the same images at several points of a fine-tune (inference mode). */
export interface FineTuneSnapshots {
  datasetId: string;
  classes: string[];
  n: number;
  dim: number;
  /** Per row: dataset image index, class, split code (0 train, 2 test) and path. */
  indices: Int32Array;
  labels: Int32Array;
  splits: Uint8Array;
  paths: string[];
  /** Epochs the snapshots were taken after (0 = the starting weights), ascending. */
  epochs: number[];
  /** One row-major [n × dim] array per snapshot, aligned with `epochs`. */
  x: Float32Array[];
}

export interface FineTuneResult {
  init: WeightsInit;
  runId: string;
  slot: CheckpointSlot;
  /** Imported run the weights came from (init 'imported'). */
  initRunId?: string;
  learningRate: number;
  headLearningRate: number;
  batchSize: number;
  /** Seeds the head's initial weights, shuffling and flips. */
  seed: number;
  curves: FineTuneEpoch[];
  final: FineTuneEpoch;
  /** The epoch with the best test accuracy (earliest on ties). */
  best: FineTuneEpoch;
  trainSize: number;
  testSize: number;
  snapshots: FineTuneSnapshots | null;
  /** The run store record of this fine-tune (when the evaluator records runs). */
  recordedRunId?: string;
  /** Set when the user stopped it before `epochs` (its last epoch may be partial). */
  stoppedAtEpoch?: number;
  ms: number;
}
