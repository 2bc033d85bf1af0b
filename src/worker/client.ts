/**
 * The page's handle on the engine worker. Callbacks are wrapped with Comlink.proxy here so
 * callers pass plain functions; File objects are posted by reference, pixel buffers transferred back.
 * The worker is supervised (engine-supervisor.ts): if it dies it is restarted, calls waiting on it
 * fail with EngineCrashed, and onRestart listeners re-initialise it.
 */
import * as Comlink from 'comlink';
import { EngineSupervisor, type HeartbeatOptions } from './engine-supervisor';
import type {
  BackendChange,
  EmbeddingsRequest,
  EngineApi,
  EvalProgress,
  FineTuneEpoch,
  FineTuneRequest,
  ImportInput,
  ImportOptions,
  ImportProgress,
  KnnEvalRequest,
  OwnClassifierRequest,
  PredictRequest,
  ProbeEvalRequest,
  WeightsFetchRequest,
  RunEvent,
  ShapesOptions,
} from './api';
import type { PairsEvent, PairsTrainRequest } from './api';

export type Engine = Comlink.Remote<EngineApi>;
export { EngineCrashed, DEFAULT_HEARTBEAT, type HeartbeatOptions } from './engine-supervisor';

export interface EngineClient {
  /** The current worker's API (after a restart, the new worker's). */
  remote: Engine;
  init(
    opts: Parameters<EngineApi['init']>[0],
    onBackendChange: (c: BackendChange) => void,
  ): ReturnType<EngineApi['init']>;
  /** Calls `cb(why)` after the worker died and a new one was started; returns an unsubscribe. */
  onRestart(cb: (why: string) => void): () => void;
  scanImport(
    input: ImportInput,
    onProgress?: (p: ImportProgress) => void,
  ): ReturnType<EngineApi['scanImport']>;
  commitImport(
    planId: string,
    o: ImportOptions,
    onProgress: (p: ImportProgress) => void,
  ): ReturnType<EngineApi['commitImport']>;
  generateShapes(
    o: ShapesOptions,
    onProgress: (p: ImportProgress) => void,
  ): ReturnType<EngineApi['generateShapes']>;
  startRun(config: unknown, onEvent: (e: RunEvent) => void): ReturnType<EngineApi['startRun']>;
  resumeRun(runId: string, onEvent: (e: RunEvent) => void): ReturnType<EngineApi['resumeRun']>;
  evaluateKnn(
    req: KnnEvalRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['evaluateKnn']>;
  evaluateProbe(
    req: ProbeEvalRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['evaluateProbe']>;
  fetchWeights(
    req: WeightsFetchRequest,
    onProgress?: (done: number, total: number) => void,
  ): ReturnType<EngineApi['fetchWeights']>;
  evaluateClassifier(
    req: OwnClassifierRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['evaluateClassifier']>;
  predictImages(
    req: PredictRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['predictImages']>;
  embeddings(
    req: EmbeddingsRequest,
    onProgress?: (p: EvalProgress) => void,
  ): ReturnType<EngineApi['embeddings']>;
  fineTune(
    req: FineTuneRequest,
    onEpoch?: (e: FineTuneEpoch) => void,
  ): ReturnType<EngineApi['fineTune']>;
  trainPairs(
    req: PairsTrainRequest,
    onEvent: (e: PairsEvent) => void,
  ): ReturnType<EngineApi['trainPairs']>;
  terminate(): void;
}

export function createEngineClient(opts: { heartbeat?: HeartbeatOptions } = {}): EngineClient {
  const supervisor = new EngineSupervisor(
    () =>
      new Worker(new URL('./engine.worker.ts', import.meta.url), {
        type: 'module',
        name: 'simlab-engine',
      }),
    opts.heartbeat,
  );
  const remote = supervisor.remote;
  return {
    remote,
    init: (o, onBackendChange) => remote.init(o, Comlink.proxy(onBackendChange)),
    onRestart: (cb) => supervisor.onRestart(cb),
    scanImport: (input, onProgress) =>
      remote.scanImport(input, onProgress ? Comlink.proxy(onProgress) : undefined),
    commitImport: (planId, o, onProgress) =>
      remote.commitImport(planId, o, Comlink.proxy(onProgress)),
    generateShapes: (o, onProgress) => remote.generateShapes(o, Comlink.proxy(onProgress)),
    startRun: (config, onEvent) => remote.startRun(config, Comlink.proxy(onEvent)),
    resumeRun: (runId, onEvent) => remote.resumeRun(runId, Comlink.proxy(onEvent)),
    evaluateKnn: (req, onProgress) =>
      remote.evaluateKnn(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    evaluateProbe: (req, onProgress) =>
      remote.evaluateProbe(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    fetchWeights: (req, onProgress) =>
      remote.fetchWeights(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    evaluateClassifier: (req, onProgress) =>
      remote.evaluateClassifier(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    predictImages: (req, onProgress) =>
      remote.predictImages(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    embeddings: (req, onProgress) =>
      remote.embeddings(req, onProgress ? Comlink.proxy(onProgress) : undefined),
    fineTune: (req, onEpoch) => remote.fineTune(req, onEpoch ? Comlink.proxy(onEpoch) : undefined),
    trainPairs: (req, onEvent) => remote.trainPairs(req, Comlink.proxy(onEvent)),
    terminate: () => supervisor.terminate(),
  };
}
