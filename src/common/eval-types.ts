/**
 * Plain-data requests and results of the evaluation engine (posted between worker and page).
 */
import type { ClassReport } from '../ml/eval/metrics';
import type { ProbeEpoch } from '../ml/eval/linear-probe';
import type { CheckpointSlot } from '../storage/run-schema';
import type { EvalSplit } from '../worker/eval/embeddings';
import type { InitChoice, WeightsInit } from '../worker/eval/init-weights';

export type { CheckpointSlot, ClassReport, EvalSplit, InitChoice, ProbeEpoch, WeightsInit };
export type {
  FineTuneEpoch,
  FineTuneRequest,
  FineTuneResult,
  FineTuneSnapshots,
} from '../worker/eval/finetune';

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

export interface ProbeEvalRequest extends EvalTarget {
  epochs: number;
  learningRate: number;
  /** sklearn-style inverse L2 strength (default 1). */
  C?: number;
  batchSize?: number;
  seed?: number;
}

export interface EvalProgress {
  phase: 'embed-bank' | 'embed-queries' | 'classify' | 'probe';
  done: number;
  total: number;
  /** Probe epochs as they finish. */
  epoch?: ProbeEpoch;
}

/** A classifier's test figures; rows follow `queryIndices`. */
export interface ClassifierResult {
  kind: 'knn' | 'probe';
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
