/**
 * THE typed interface between the UI and the engine worker. Plain data and transferables only;
 * progress arrives through callbacks wrapped with Comlink.proxy by the client.
 * The data types live in tfjs-free topic files (src/common/{dataset,augment,run,eval,pairs}-types.ts,
 * and the ml/storage schemas) and are re-exported here; EngineApi at the end lists every call, which
 * src/worker/engine/*.ts implement one domain each.
 */
import type { BackendName, BackendReport } from '../ml/backend-names';
import type { BackendChange, TestHook } from '../common/engine-recovery';
import type { SplitName } from '../ml/data/types';
import type { DatasetIndex, DatasetMeta } from '../storage/schema';
import type { AugmentOp, AugmentPipeline, PipelineIssue } from '../ml/augment/schema';
import type { AugmentPreset } from '../ml/augment/presets';
import type { ConfigProblem, RunConfig } from '../ml/train/config';
import type { MethodName } from '../ml/methods/method-names';
import type {
  GpuProfileRequest,
  GpuProfileResult,
} from '../ml/kernels/webgpu/profiler/profile-types';
import type { RunRecord } from '../storage/run-schema';
import type { RunEvent } from '../common/run-event';
import type { CheckpointSlot } from '../storage/run-schema';
import type { AugmentPreview, AugmentPreviewRequest } from '../common/augment-types';
import type {
  ImportInput,
  ImportOptions,
  ImportPlan,
  ImportPreview,
  ImportProgress,
  ImportReport,
  ShapesOptions,
  StorageInfo,
} from '../common/dataset-types';
import type {
  ImportChoice,
  ImportedRunInfo,
  RelinkCandidate,
  RunFile,
  RunImportNote,
  RunKnn,
} from '../common/run-types';
import type {
  ClassifierKind,
  ClassifierResult,
  OwnClassifierRequest,
  PredictRequest,
  PredictResult,
  EmbeddingsRequest,
  EmbeddingsResult,
  EvalProgress,
  FineTuneEpoch,
  FineTuneRequest,
  FineTuneResult,
  KnnEvalRequest,
  ProbeEvalRequest,
  ProbeResult,
} from '../common/eval-types';
import type {
  PairsEvent,
  PairsLabReport,
  PairsPreview,
  PairsPreviewRequest,
  PairsTrainRequest,
} from '../common/pairs-types';
export type { PairsEvent, PairsLabReport, PairsPreview, PairsPreviewRequest, PairsTrainRequest };
export type {
  ClassifierKind,
  ClassifierResult,
  OwnClassifierRequest,
  PredictRequest,
  PredictResult,
  EmbeddingsRequest,
  EmbeddingsResult,
  EvalProgress,
  FineTuneEpoch,
  FineTuneRequest,
  FineTuneResult,
  KnnEvalRequest,
  ProbeEvalRequest,
  ProbeResult,
};
export type { FineTuneSnapshots, WeightsInit } from '../common/eval-types';
import type {
  StoredWeightsSummary,
  WeightsFetchRequest,
  WeightsFetchResult,
} from '../common/weights-types';
export type { StoredWeightsSummary, WeightsFetchRequest, WeightsFetchResult };

export type { ConfigProblem, MethodName, RunConfig, RunEvent, RunRecord };
export type {
  CheckpointSlot,
  ImportChoice,
  ImportedRunInfo,
  RelinkCandidate,
  RunFile,
  RunImportNote,
  RunKnn,
};
export type {
  AugmentOp,
  AugmentPipeline,
  AugmentPreset,
  BackendName,
  BackendReport,
  DatasetIndex,
  DatasetMeta,
  PipelineIssue,
  SplitName,
};
export { SPLIT_CODES, SPLIT_NAMES } from '../ml/data/types';
export { TEST_HOOKS, type BackendChange, type TestHook } from '../common/engine-recovery';
export type { AugmentPreview, AugmentPreviewRequest } from '../common/augment-types';
export {
  IMAGE_SIZES,
  storedImageBytes,
  type CsvCandidate,
  type ImageSize,
  type ImportInput,
  type ImportOptions,
  type ImportPlan,
  type ImportPreview,
  type ImportProgress,
  type ImportReport,
  type LayoutKind,
  type ShapesOptions,
  type StorageInfo,
} from '../common/dataset-types';

/*
 * tfjs-free helpers and types the page uses, re-exported so the page imports only this file
 * (the layer rule in .dependency-cruiser.cjs).
 */
export { isBackendName } from '../ml/backend-names';
export { createRng, type Rng } from '../ml/rng';
export { curvesWith } from '../ml/train/curve-events';
export { csvField, toCsv, topK } from '../common/csv';
export {
  compareKey,
  normalizeLayout,
  sameArchitecture,
  type ComparisonCell,
  type ComparisonRow,
} from '../common/comparison';
export type { EvalSplit } from '../common/eval-types';
export { fileSlug } from '../common/file-name';
export { configDataset, type ConfigDataset } from '../common/config-dataset';
export {
  childrenOf,
  filterRuns,
  importFormat,
  kindOf,
  parentOf,
  RUN_KIND_LABELS,
  runFigures,
  statusLabel,
  type AnyEpochPoint,
  type ParentRef,
  type RunFigures,
  type RunFilters,
} from '../common/run-list';
export type {
  PairEpochEvent,
  PairsComparisonRow,
  PairsModelSpec,
  PairsSplitInfo,
  PairsSplitView,
  PairsTrainOptions,
  PairSplit,
} from '../common/pairs-types';
export {
  createProjectorClient,
  type EvolutionFrame,
  type EvolutionRequest,
  type Layout,
  type ProjectorClient,
  type TsneRequest,
  type UmapRequest,
} from './explorer-client';

export interface EngineApi {
  /**
   * Starts tfjs on the best (or forced) backend. After a GPU fault mid-run (lost device, out of GPU
   * memory) the engine stops the run at its last checkpoint, starts a backend again by itself and
   * calls `onBackendChange` (engine/recovery.ts). `testHooks` enables testHook().
   */
  init(
    opts: { backend: BackendName | null; wasmThreads?: number; testHooks?: boolean },
    onBackendChange?: (c: BackendChange) => void,
  ): Promise<BackendReport>;
  /** The page's heartbeat: answers at once unless the worker is stuck (worker/engine-supervisor.ts). */
  ping(): Promise<number>;
  /**
   * Test hook, refused unless init() had `testHooks` (the page passes it for `?testHooks=1`):
   * causes the fault named (common/engine-recovery.ts) from inside the worker.
   */
  testHook(name: TestHook): Promise<void>;
  /** One tiny computation whose numbers the page can compare across backends. */
  selfTest(): Promise<{ backend: BackendName; values: number[] }>;

  scanImport(input: ImportInput, onProgress?: (p: ImportProgress) => void): Promise<ImportPlan>;
  previewImport(planId: string, options: ImportOptions): Promise<ImportPreview>;
  commitImport(
    planId: string,
    options: ImportOptions,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport>;
  cancelImport(): Promise<void>;
  discardPlan(planId: string): Promise<void>;
  generateShapes(
    opts: ShapesOptions,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport>;

  /** Ready datasets; removes stale half-written imports first and returns their names. */
  listDatasets(): Promise<{ datasets: DatasetMeta[]; removedInterrupted: string[] }>;
  getDatasetIndex(id: string): Promise<DatasetIndex>;
  /** Pixels of the given images, concatenated (n × size × size × 3 uint8 RGB), transferred. */
  getImages(id: string, indices: number[]): Promise<Uint8Array>;
  deleteDataset(id: string): Promise<void>;
  storageInfo(): Promise<StorageInfo>;

  /** Augmentation presets (plain data, citations included). */
  augmentPresets(): Promise<AugmentPreset[]>;
  /** A default-parameter op of each kind, for "add op" in the editor. */
  augmentOpDefaults(): Promise<AugmentOp[]>;
  /** Validates a pipeline (e.g. imported JSON); issues name the path of each problem. */
  validatePipeline(
    json: unknown,
  ): Promise<{ ok: true; pipeline: AugmentPipeline } | { ok: false; issues: PipelineIssue[] }>;
  /** Two augmented views of some stored images with a seed. */
  augmentPreview(req: AugmentPreviewRequest): Promise<AugmentPreview>;

  /** A complete default run config for a method on a stored dataset (the Train panel's starting point). */
  defaultRunConfig(method: MethodName, datasetId: string): Promise<RunConfig>;
  /** Validates a run config (form or imported JSON); problems name their path. */
  validateRunConfig(
    json: unknown,
  ): Promise<{ ok: true; config: RunConfig } | { ok: false; problems: ConfigProblem[] }>;
  /** Trains; events stream through `onEvent`; resolves with the final record when the run ends. */
  startRun(config: unknown, onEvent: (e: RunEvent) => void): Promise<RunRecord>;
  /** Continues a stopped or interrupted run from its latest checkpoint. */
  resumeRun(runId: string, onEvent: (e: RunEvent) => void): Promise<RunRecord>;
  pauseRun(): Promise<void>;
  continueRun(): Promise<void>;
  stopRun(): Promise<void>;
  /** Stored runs (runs left running by a closed page come back as 'interrupted'). */
  listRuns(): Promise<RunRecord[]>;
  deleteRun(runId: string): Promise<void>;
  /** Runs as files (src/worker/runs/run-files.ts): a checkpoint zip (tfjs models + config + history, backbone.safetensors for ResNet-18). */
  exportRunCheckpoint(runId: string, slot: CheckpointSlot): Promise<RunFile>;
  /** A ResNet-18 run's backbone as a torchvision resnet18 .safetensors file. */
  exportRunSafetensors(runId: string, slot: CheckpointSlot): Promise<RunFile>;
  /** Validates a checkpoint zip / torchvision .safetensors and stores it as a new run; throws (storing nothing) on a bad file. */
  importCheckpointFile(
    data: Blob | Uint8Array,
    fileName: string,
    opts?: { datasetId?: string },
  ): Promise<ImportedRunInfo>;
  renameRun(runId: string, name: string): Promise<RunRecord>;
  /** Import notes of imported runs, by run id. */
  runImports(): Promise<Record<string, RunImportNote>>;
  setImportChoice(runId: string, choice: ImportChoice): Promise<RunImportNote>;
  /** kNN top-1 of a stored checkpoint on the run's own monitor plan. */
  knnOfRun(runId: string, slot?: CheckpointSlot): Promise<RunKnn>;
  /** A new 'stopped' run at epoch 0 starting from a stored run's weights (resumeRun trains it). */
  seedRunFromWeights(runId: string, opts?: { epochs?: number; name?: string }): Promise<RunRecord>;
  /** Stored datasets an imported run whose dataset is missing can be re-linked to (same classes in the same order, same image size). */
  relinkCandidates(runId: string): Promise<RelinkCandidate[]>;
  /** Points an imported run at such a dataset (config of its record and checkpoints); returns the updated record. */
  relinkRunDataset(runId: string, datasetId: string): Promise<RunRecord>;

  /** One step of a method on tiny seeded data: loss and gradients, to compare backends (tests). */
  stepParity(opts: {
    method: MethodName;
    size: number;
    batch: number;
    seed: number;
  }): Promise<{ backend: string; loss: number; grads: number[][] }>;

  /** Benchmarks (bench/ only): augmentation timing and the backend's matmul rate. */
  benchAugment(opts: {
    n: number;
    inputSize: number;
    outputSize: number;
    preset: string;
    repeats: number;
  }): Promise<{ backend: BackendName; medianPairMs: number }>;
  benchMatmul(opts: {
    n: number;
    repeats: number;
  }): Promise<{ backend: BackendName; gflops: number }>;
  benchTrainStep(opts: {
    method: MethodName;
    backbone: Record<string, unknown>;
    batch: number;
    steps: number;
    maxSeconds: number;
  }): Promise<{ backend: string; imagesPerSec: number; gflops: number; stepMs: number[] }>;
  /** Benchmarks (bench/ only): weighted kNN (k = 200) and linear-probe time on seeded random embeddings (worker/bench-eval.ts). */
  benchKnn(opts: {
    bank: number;
    queries: number;
    dim: number;
    classes: number;
  }): Promise<{ backend: string; seconds: number; accuracy: number }>;
  benchProbe(opts: {
    train: number;
    test: number;
    dim: number;
    classes: number;
    maxIterations: number;
  }): Promise<{
    backend: string;
    seconds: number;
    testAccuracy: number;
    iterations: number;
    evaluations: number;
    loss: number;
  }>;
  /** Benchmarks (bench/ only): the GPU-readiness profile of one training step on webgpu (worker/bench-gpu-profile.ts). */
  benchGpuProfile(opts: GpuProfileRequest): Promise<GpuProfileResult>;

  /** Evaluate: weighted kNN of a run checkpoint's embeddings (bank = the run's train split; queries = a split of a dataset). */
  evaluateKnn(
    req: KnnEvalRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<ClassifierResult>;
  /** Evaluate: linear probe (L-BFGS to convergence at C) on standardised embeddings; per-iteration curves and test metrics. */
  evaluateProbe(
    req: ProbeEvalRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<ProbeResult>;
  /** Pretrained weights: the stored copy, else a download with progress (sha256 checked / pinned); bytes transferred. */
  fetchWeights(
    req: WeightsFetchRequest,
    onProgress?: (done: number, total: number) => void,
  ): Promise<WeightsFetchResult>;
  /** Pretrained weights files kept in IndexedDB. */
  storedWeights(): Promise<StoredWeightsSummary[]>;
  deleteWeights(id: string): Promise<void>;
  /** Evaluate: a supervised or fine-tuned run's own classifier (its trained head) on a split, scored like kNN. */
  evaluateClassifier(
    req: OwnClassifierRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<ClassifierResult>;
  /** Evaluate: the run's own classifier on every image of a dataset split, labelled or not (contest CSV + gallery). */
  predictImages(
    req: PredictRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<PredictResult>;
  /** Evaluate: predictions CSV (path, true, predicted, probability, top-3) of the latest kNN, probe or own-classifier result. */
  predictionsCsv(kind: ClassifierKind): Promise<string>;
  /** Evaluate: embeddings of dataset splits under a checkpoint (for the explorer), transferred. */
  embeddings(
    req: EmbeddingsRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<EmbeddingsResult>;
  /**
   * Evaluate: fine-tunes the run's backbone (init 'ssl' | 'random' | 'imported') + linear head on its train split, backbone and
   * head learning rates apart; test figures per epoch; embedding snapshots every N epochs (transferred). Recorded as a 'fine-tune' run.
   */
  fineTune(req: FineTuneRequest, onEpoch?: (e: FineTuneEpoch) => void): Promise<FineTuneResult>;
  /** Evaluate: ends the running fine-tune after its current step; fineTune then resolves with the epochs done (stoppedAtEpoch set). */
  stopFineTune(): Promise<void>;

  /** Pairs lab (src/worker/pairs): n seeded generated pairs (pixels, labels, centres) for the Data panel's preview. */
  pairsPreview(req: PairsPreviewRequest): Promise<PairsPreview>;
  /** Pairs lab: builds the pairs, (pre-)trains one pair model streaming events, evaluates it; resolves with its report. */
  trainPairs(req: PairsTrainRequest, onEvent: (e: PairsEvent) => void): Promise<PairsLabReport>;
  /** Pairs lab: stops the training after its current step (the stopped model is still evaluated). */
  stopPairs(): Promise<void>;
  /** Pairs lab: re-evaluates the session's latest model with k pairs per gallery. */
  evaluatePairs(opts?: { galleryK?: number }): Promise<PairsLabReport>;
  /** Pairs lab: the latest report, null before the first model (tests compare the panel with it). */
  pairsReport(): Promise<PairsLabReport | null>;
  /** Pairs lab: forgets the session's models and comparison table. */
  clearPairs(): Promise<void>;
}
